package client

import (
	"context"
	"net/http"

	"github.com/omnivibepro/omnivibe"
)

// The studio's session routes are made for the browser console: they answer
// with cookies instead of tokens. A Go program uses them only to act as the
// console does (tests, tools), with an *http.Client that has a cookie jar
// (WithHTTPClient(&http.Client{Jar: jar})); API clients use Login and
// bearer tokens instead.

// StudioSession is the answer of the studio's session routes: never a token.
type StudioSession struct {
	User    omnivibe.User    `json:"user"`
	Account omnivibe.Account `json:"account"`
	// ExpiresIn is the access cookie's life in seconds.
	ExpiresIn int `json:"expires_in"`
}

// StudioCSRFCookie names the cookie whose value unsafe requests made with the
// studio's cookies repeat in the StudioCSRFHeader.
const (
	StudioCSRFCookie = "ovp_csrf"
	StudioCSRFHeader = "X-CSRF-Token"
)

// StudioSignIn signs in as the console does: POST /studio/session.
func (c *Client) StudioSignIn(ctx context.Context, email, password string) (StudioSession, error) {
	var out StudioSession
	err := c.do(ctx, http.MethodPost, "/studio/session", map[string]string{"email": email, "password": password}, &out)
	return out, err
}

// StudioSignUp creates an account as the console does: POST /studio/session/register.
func (c *Client) StudioSignUp(ctx context.Context, r omnivibe.Registration) (StudioSession, error) {
	var out StudioSession
	err := c.do(ctx, http.MethodPost, "/studio/session/register", r, &out)
	return out, err
}

// StudioRefresh renews the cookies with the refresh cookie; csrf is the
// value of the StudioCSRFCookie.
func (c *Client) StudioRefresh(ctx context.Context, csrf string) (StudioSession, error) {
	var out StudioSession
	_, err := c.doWith(ctx, http.MethodPost, "/studio/session/refresh", http.Header{StudioCSRFHeader: {csrf}}, nil, &out)
	return out, err
}

// StudioSignOut clears the studio's cookies: DELETE /studio/session.
func (c *Client) StudioSignOut(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "/studio/session", nil, nil)
}
