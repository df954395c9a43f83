package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/omnivibepro/omnivibe"
)

// CreateContent adds a video or post to a campaign. Platform and target
// duration default from the campaign when unset.
func (c *Client) CreateContent(ctx context.Context, campaignID int64, in omnivibe.ContentInput) (omnivibe.Content, error) {
	var out omnivibe.Content
	err := c.do(ctx, http.MethodPost, campaignPath(campaignID)+"/contents", in, &out)
	return out, err
}

// ListContents returns one page of a campaign's contents, newest first. Zero
// fields of f are not sent.
func (c *Client) ListContents(ctx context.Context, campaignID int64, f omnivibe.ContentFilter) (omnivibe.ContentPage, error) {
	q := url.Values{}
	if f.Status != "" {
		q.Set("status", f.Status)
	}
	setPage(q, f.Page, f.PageSize)
	var out omnivibe.ContentPage
	err := c.do(ctx, http.MethodGet, withQuery(campaignPath(campaignID)+"/contents", q), nil, &out)
	return out, err
}

// Content returns one content of the account.
func (c *Client) Content(ctx context.Context, id int64) (omnivibe.Content, error) {
	var out omnivibe.Content
	err := c.do(ctx, http.MethodGet, contentPath(id), nil, &out)
	return out, err
}

// UpdateContent changes the fields set in in; the others stay as they are.
func (c *Client) UpdateContent(ctx context.Context, id int64, in omnivibe.ContentInput) (omnivibe.Content, error) {
	var out omnivibe.Content
	err := c.do(ctx, http.MethodPatch, contentPath(id), in, &out)
	return out, err
}

// DeleteContent deletes a content with its scripts and audio.
func (c *Client) DeleteContent(ctx context.Context, id int64) error {
	return c.do(ctx, http.MethodDelete, contentPath(id), nil, nil)
}

// ContentScript returns the latest script written for a content; not_found
// when none has been written yet.
func (c *Client) ContentScript(ctx context.Context, id int64) (omnivibe.Script, error) {
	var out omnivibe.Script
	err := c.do(ctx, http.MethodGet, contentPath(id)+"/script", nil, &out)
	return out, err
}

func contentPath(id int64) string { return apiPrefix + "/contents/" + strconv.FormatInt(id, 10) }
