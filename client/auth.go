package client

import (
	"context"
	"net/http"
	"strconv"

	"github.com/omnivibepro/omnivibe"
)

// CreatedAPIKey is the answer of CreateAPIKey. Key is the secret, shown this
// one time only.
type CreatedAPIKey struct {
	omnivibe.APIKey
	Key string `json:"key"`
}

// Register creates an account (on the free plan) and its owner, and keeps the
// owner's tokens for the calls that follow.
func (c *Client) Register(ctx context.Context, r omnivibe.Registration) (omnivibe.TokenPair, error) {
	var pair omnivibe.TokenPair
	if err := c.do(ctx, http.MethodPost, apiPrefix+"/auth/register", r, &pair); err != nil {
		return omnivibe.TokenPair{}, err
	}
	c.setTokens(pair)
	return pair, nil
}

// Login signs in and keeps the tokens for the calls that follow.
func (c *Client) Login(ctx context.Context, email, password string) (omnivibe.TokenPair, error) {
	in := struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}{email, password}
	var pair omnivibe.TokenPair
	if err := c.do(ctx, http.MethodPost, apiPrefix+"/auth/login", in, &pair); err != nil {
		return omnivibe.TokenPair{}, err
	}
	c.setTokens(pair)
	return pair, nil
}

// Refresh trades a refresh token for a new pair, which the client keeps. Each
// refresh token works once; using one twice ends its login (401).
func (c *Client) Refresh(ctx context.Context, refreshToken string) (omnivibe.TokenPair, error) {
	in := struct {
		RefreshToken string `json:"refresh_token"`
	}{refreshToken}
	var pair omnivibe.TokenPair
	if err := c.do(ctx, http.MethodPost, apiPrefix+"/auth/refresh", in, &pair); err != nil {
		return omnivibe.TokenPair{}, err
	}
	c.setTokens(pair)
	return pair, nil
}

// Me returns the caller's user and account.
func (c *Client) Me(ctx context.Context) (omnivibe.Me, error) {
	var me omnivibe.Me
	err := c.do(ctx, http.MethodGet, apiPrefix+"/auth/me", nil, &me)
	return me, err
}

// CreateAPIKey makes a key that acts as the caller.
func (c *Client) CreateAPIKey(ctx context.Context, in omnivibe.NewAPIKey) (CreatedAPIKey, error) {
	var key CreatedAPIKey
	err := c.do(ctx, http.MethodPost, apiPrefix+"/auth/api-keys", in, &key)
	return key, err
}

// ListAPIKeys lists the caller's working keys (never their secrets).
func (c *Client) ListAPIKeys(ctx context.Context) ([]omnivibe.APIKey, error) {
	var out struct {
		APIKeys []omnivibe.APIKey `json:"api_keys"`
	}
	err := c.do(ctx, http.MethodGet, apiPrefix+"/auth/api-keys", nil, &out)
	return out.APIKeys, err
}

// RevokeAPIKey stops one of the caller's keys at once.
func (c *Client) RevokeAPIKey(ctx context.Context, id int64) error {
	return c.do(ctx, http.MethodDelete, apiPrefix+"/auth/api-keys/"+strconv.FormatInt(id, 10), nil, nil)
}
