package client

import (
	"context"
	"net/http"
)

// Healthz reports whether the server process answers (nil when it does).
func (c *Client) Healthz(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, "/healthz", nil, nil)
}

// Readyz reports whether the server can serve: its database, queue and cache
// answer, and it is not shutting down. Otherwise it returns an *Error with
// status 503 whose Message says why.
func (c *Client) Readyz(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, "/readyz", nil, nil)
}
