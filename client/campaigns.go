package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/omnivibepro/omnivibe"
)

// CreateCampaign plans a campaign for a client of the account. Build in with
// omnivibe.Some: fields left unset are not sent and take the server's defaults.
func (c *Client) CreateCampaign(ctx context.Context, in omnivibe.CampaignInput) (omnivibe.Campaign, error) {
	var out omnivibe.Campaign
	err := c.do(ctx, http.MethodPost, apiPrefix+"/campaigns", in, &out)
	return out, err
}

// ListCampaigns returns one page of the account's campaigns, newest first.
// Zero fields of f are not sent: any client, any status, any name, and the
// server's default page.
func (c *Client) ListCampaigns(ctx context.Context, f omnivibe.CampaignFilter) (omnivibe.CampaignPage, error) {
	q := url.Values{}
	if f.ClientID != 0 {
		q.Set("client_id", strconv.FormatInt(f.ClientID, 10))
	}
	if f.Status != "" {
		q.Set("status", f.Status)
	}
	if f.Query != "" {
		q.Set("q", f.Query)
	}
	setPage(q, f.Page, f.PageSize)
	var out omnivibe.CampaignPage
	err := c.do(ctx, http.MethodGet, withQuery(apiPrefix+"/campaigns", q), nil, &out)
	return out, err
}

// Campaign returns one campaign of the account.
func (c *Client) Campaign(ctx context.Context, id int64) (omnivibe.Campaign, error) {
	var out omnivibe.Campaign
	err := c.do(ctx, http.MethodGet, campaignPath(id), nil, &out)
	return out, err
}

// UpdateCampaign changes the fields set in in; the others stay as they are. A
// field set to null (Optional with Set and Null) is cleared.
func (c *Client) UpdateCampaign(ctx context.Context, id int64, in omnivibe.CampaignInput) (omnivibe.Campaign, error) {
	var out omnivibe.Campaign
	err := c.do(ctx, http.MethodPatch, campaignPath(id), in, &out)
	return out, err
}

// DeleteCampaign deletes a campaign with its contents, scripts and audio.
func (c *Client) DeleteCampaign(ctx context.Context, id int64) error {
	return c.do(ctx, http.MethodDelete, campaignPath(id), nil, nil)
}

func campaignPath(id int64) string { return apiPrefix + "/campaigns/" + strconv.FormatInt(id, 10) }
