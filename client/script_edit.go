package client

import (
	"context"
	"fmt"
	"net/http"

	"github.com/omnivibepro/omnivibe"
)

// SaveContentScript stores a script a person wrote or edited as the
// content's latest script: PUT /contents/{id}/script. The server times the
// blocks; no writer is called and no quota is taken.
func (c *Client) SaveContentScript(ctx context.Context, contentID int64, in omnivibe.ScriptEdit) (omnivibe.Script, error) {
	var out omnivibe.Script
	err := c.do(ctx, http.MethodPut, fmt.Sprintf("%s/contents/%d/script", apiPrefix, contentID), in, &out)
	return out, err
}
