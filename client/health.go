package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
)

// Health is the answer of GET /healthz. Version is empty when the server does
// not report one.
type Health struct {
	Status  string `json:"status"`
	Version string `json:"version,omitempty"`
}

// Health returns what GET /healthz says about the process.
func (c *Client) Health(ctx context.Context) (Health, error) {
	var out Health
	err := c.do(ctx, http.MethodGet, "/healthz", nil, &out)
	return out, err
}

// maxMetricsBody bounds a /metrics answer: a server's exposition is tens of
// kilobytes; more is not a metrics page.
const maxMetricsBody = 8 << 20

// Metrics returns the Prometheus text exposition of GET /metrics. The API's
// address serves it only to the bearer of the server's metrics token
// (WithMetricsToken); without one it answers 404.
func (c *Client) Metrics(ctx context.Context) (string, error) {
	var header http.Header
	if c.metricsToken != "" {
		header = http.Header{"Authorization": {"Bearer " + c.metricsToken}}
	}
	resp, err := c.send(ctx, http.MethodGet, "/metrics", header, nil)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", decodeError(resp)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxMetricsBody))
	if err != nil {
		return "", fmt.Errorf("omnivibe client: read /metrics: %w", err)
	}
	return string(b), nil
}
