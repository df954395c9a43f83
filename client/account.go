package client

import (
	"context"
	"net/http"
	"strconv"

	"github.com/omnivibepro/omnivibe"
)

// Account returns the caller's workspace.
func (c *Client) Account(ctx context.Context) (omnivibe.Account, error) {
	var a omnivibe.Account
	err := c.do(ctx, http.MethodGet, apiPrefix+"/account", nil, &a)
	return a, err
}

// RenameAccount changes the workspace's name (owner or admin).
func (c *Client) RenameAccount(ctx context.Context, name string) (omnivibe.Account, error) {
	in := struct {
		Name string `json:"name"`
	}{name}
	var a omnivibe.Account
	err := c.do(ctx, http.MethodPatch, apiPrefix+"/account", in, &a)
	return a, err
}

// ListMembers lists the users of the caller's account.
func (c *Client) ListMembers(ctx context.Context) ([]omnivibe.User, error) {
	var out struct {
		Users []omnivibe.User `json:"users"`
	}
	err := c.do(ctx, http.MethodGet, apiPrefix+"/account/users", nil, &out)
	return out.Users, err
}

// AddMember creates a user in the caller's account (owner or admin).
func (c *Client) AddMember(ctx context.Context, m omnivibe.NewMember) (omnivibe.User, error) {
	var u omnivibe.User
	err := c.do(ctx, http.MethodPost, apiPrefix+"/account/users", m, &u)
	return u, err
}

// ChangeMemberRole gives a member of the caller's account another role.
func (c *Client) ChangeMemberRole(ctx context.Context, userID int64, role omnivibe.Role) (omnivibe.User, error) {
	in := struct {
		Role omnivibe.Role `json:"role"`
	}{role}
	var u omnivibe.User
	err := c.do(ctx, http.MethodPatch, memberPath(userID), in, &u)
	return u, err
}

// RemoveMember deletes a member of the caller's account; their tokens and API
// keys stop working at once.
func (c *Client) RemoveMember(ctx context.Context, userID int64) error {
	return c.do(ctx, http.MethodDelete, memberPath(userID), nil, nil)
}

func memberPath(userID int64) string {
	return apiPrefix + "/account/users/" + strconv.FormatInt(userID, 10)
}
