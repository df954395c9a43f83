// Package client is a typed Go client of the OmniVibe Pro HTTP API (v1). It
// speaks the contract in shared/spec/api.md with the domain types of package
// omnivibe, and turns every error answer into an *Error.
//
// A Client is safe for concurrent use. It sends an access token (from Login,
// Register, Refresh or WithToken) as `Authorization: Bearer`, and an API key
// (WithAPIKey) as `X-API-Key`; when it holds both, the server uses the token.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/omnivibepro/omnivibe"
)

// apiPrefix is the base path of every route but the operational ones.
const apiPrefix = "/api/v1"

// DefaultUserAgent is sent when WithUserAgent is not given.
const DefaultUserAgent = "omnivibe-go-client/1"

// defaultTimeout bounds a request made with the default *http.Client, so a
// caller that forgets a deadline on ctx cannot hang for ever.
const defaultTimeout = time.Minute

// maxErrorBody bounds how much of an error answer is read: the contract's error
// body is small, and whatever a proxy in between sends is not worth more.
const maxErrorBody = 64 << 10

// Client calls the API of one server.
type Client struct {
	baseURL   string
	http      *http.Client
	userAgent string
	apiKey    string
	// metricsToken is the bearer token of GET /metrics only.
	metricsToken string

	mu           sync.RWMutex
	accessToken  string
	refreshToken string
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient makes the client send its requests through hc (for its
// transport, timeouts or connection pool). The default has a one-minute timeout.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) { c.http = hc }
}

// WithToken makes the client authenticate with `Authorization: Bearer token`.
// The token may be an access token or an API key. A later Login, Register or
// Refresh replaces it.
func WithToken(token string) Option {
	return func(c *Client) { c.accessToken = token }
}

// WithAPIKey makes the client authenticate with `X-API-Key: key`.
func WithAPIKey(key string) Option {
	return func(c *Client) { c.apiKey = key }
}

// WithMetricsToken makes Metrics send `Authorization: Bearer token`: the
// server's metrics token (OMNIVIBE_METRICS_TOKEN), which no other request
// carries.
func WithMetricsToken(token string) Option {
	return func(c *Client) { c.metricsToken = token }
}

// WithUserAgent sets the User-Agent header of every request.
func WithUserAgent(ua string) Option {
	return func(c *Client) { c.userAgent = ua }
}

// New returns a client of the server at baseURL (like "http://127.0.0.1:8080";
// the /api/v1 prefix is added by the methods).
func New(baseURL string, opts ...Option) *Client {
	c := &Client{
		baseURL:   strings.TrimRight(baseURL, "/"),
		userAgent: DefaultUserAgent,
	}
	for _, opt := range opts {
		opt(c)
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: defaultTimeout}
	}
	return c
}

// Tokens returns the access and refresh tokens the client holds (empty when
// it has none).
func (c *Client) Tokens() (access, refresh string) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.accessToken, c.refreshToken
}

// setTokens keeps the pair the server issued, so the next calls use it.
func (c *Client) setTokens(p omnivibe.TokenPair) {
	c.mu.Lock()
	c.accessToken, c.refreshToken = p.AccessToken, p.RefreshToken
	c.mu.Unlock()
}

// do sends one request and decodes the answer. in, when not nil, is encoded as
// the JSON body; out, when not nil, receives the JSON answer of a 2xx. Any
// other status becomes an *Error. path starts with "/" and includes any query.
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	_, err := c.doWith(ctx, method, path, nil, in, out)
	return err
}

// doWith is do with extra request headers; it returns the answer's status.
func (c *Client) doWith(ctx context.Context, method, path string, header http.Header, in, out any) (int, error) {
	resp, err := c.send(ctx, method, path, header, in)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, decodeError(resp)
	}
	if out != nil && resp.StatusCode != http.StatusNoContent {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return resp.StatusCode, fmt.Errorf("omnivibe client: decode %s %s answer (request %s): %w",
				method, path, resp.Header.Get("X-Request-ID"), err)
		}
	}
	// Reading to the end lets the connection be reused.
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// send sends one request with the client's credentials and returns the
// answer unread.
func (c *Client) send(ctx context.Context, method, path string, header http.Header, in any) (*http.Response, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("omnivibe client: encode %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.baseURL+path, body)
	if err != nil {
		return nil, fmt.Errorf("omnivibe client: %w", err)
	}
	h := req.Header
	for k, v := range header {
		h[k] = v
	}
	if in != nil {
		h.Set("Content-Type", "application/json")
	}
	h.Set("Accept", "application/json")
	h.Set("User-Agent", c.userAgent)
	if c.apiKey != "" {
		h.Set("X-API-Key", c.apiKey)
	}
	if token, _ := c.Tokens(); token != "" && h.Get("Authorization") == "" { // a caller's own (the metrics token) wins
		h.Set("Authorization", "Bearer "+token)
	}

	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("omnivibe client: %s %s: %w", method, path, err)
	}
	return resp, nil
}
