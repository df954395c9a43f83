package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/omnivibepro/omnivibe"
)

// CreateClient adds a customer of the agency. Build in with omnivibe.Some:
// fields left unset are not sent.
func (c *Client) CreateClient(ctx context.Context, in omnivibe.ClientInput) (omnivibe.Client, error) {
	var out omnivibe.Client
	err := c.do(ctx, http.MethodPost, apiPrefix+"/clients", in, &out)
	return out, err
}

// ListClients returns one page of the account's clients; page and pageSize
// of 0 take the server's defaults (1 and 20).
func (c *Client) ListClients(ctx context.Context, page, pageSize int) (omnivibe.ClientPage, error) {
	q := url.Values{}
	setPage(q, page, pageSize)
	var out omnivibe.ClientPage
	err := c.do(ctx, http.MethodGet, withQuery(apiPrefix+"/clients", q), nil, &out)
	return out, err
}

// Client returns one client of the account.
func (c *Client) Client(ctx context.Context, id int64) (omnivibe.Client, error) {
	var out omnivibe.Client
	err := c.do(ctx, http.MethodGet, clientPath(id), nil, &out)
	return out, err
}

// UpdateClient changes the fields set in in; the others stay as they are.
func (c *Client) UpdateClient(ctx context.Context, id int64, in omnivibe.ClientInput) (omnivibe.Client, error) {
	var out omnivibe.Client
	err := c.do(ctx, http.MethodPatch, clientPath(id), in, &out)
	return out, err
}

// DeleteClient deletes a client; one that still has campaigns is a conflict.
func (c *Client) DeleteClient(ctx context.Context, id int64) error {
	return c.do(ctx, http.MethodDelete, clientPath(id), nil, nil)
}

func clientPath(id int64) string { return apiPrefix + "/clients/" + strconv.FormatInt(id, 10) }

// setPage adds the paging parameters that differ from the server's defaults.
func setPage(q url.Values, page, pageSize int) {
	if page != 0 {
		q.Set("page", strconv.Itoa(page))
	}
	if pageSize != 0 {
		q.Set("page_size", strconv.Itoa(pageSize))
	}
}

// withQuery appends q to path when it has parameters.
func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}
