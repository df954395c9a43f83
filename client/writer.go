package client

import (
	"context"
	"net/http"

	"github.com/omnivibepro/omnivibe"
)

// ScriptResult is the answer of GenerateScript.
type ScriptResult struct {
	omnivibe.Script
	// Cached is true when the stored script of an identical request came back.
	Cached bool `json:"cached"`
	// ProvidersSkipped lists the writers of a chain that failed before the
	// one that wrote the script, and why.
	ProvidersSkipped []omnivibe.ProviderSkip `json:"providers_skipped"`
}

// DurationEstimate is the answer of Duration.
type DurationEstimate struct {
	Seconds    float64 `json:"seconds"`
	Characters int     `json:"characters"`
	Words      int     `json:"words"`
	Pauses     int     `json:"pauses"`
}

// GenerateScript has the script writer write (or return the stored) script.
func (c *Client) GenerateScript(ctx context.Context, in omnivibe.ScriptRequest) (ScriptResult, error) {
	var out ScriptResult
	err := c.do(ctx, http.MethodPost, apiPrefix+"/writer/generate", in, &out)
	return out, err
}

// Duration estimates how long text takes to read aloud in language.
func (c *Client) Duration(ctx context.Context, text, language string) (DurationEstimate, error) {
	var out DurationEstimate
	err := c.do(ctx, http.MethodPost, apiPrefix+"/writer/duration", omnivibe.DurationRequest{Text: text, Language: language}, &out)
	return out, err
}
