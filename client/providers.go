package client

import (
	"context"
	"net/http"

	"github.com/omnivibepro/omnivibe"
)

// Providers lists every configured script writer, synthesizer and
// recognizer, in the order of its chain, with its breaker state, success
// rate, latency percentiles over the last 5 and 60 minutes and last error.
func (c *Client) Providers(ctx context.Context) ([]omnivibe.ProviderStatus, error) {
	var out struct {
		Providers []omnivibe.ProviderStatus `json:"providers"`
	}
	err := c.do(ctx, http.MethodGet, apiPrefix+"/providers", nil, &out)
	return out.Providers, err
}
