package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/omnivibepro/omnivibe"
)

// CreateWebhook adds an endpoint (owner or admin). The answer's Secret is
// the signing secret, shown this once: keep it to verify deliveries.
func (c *Client) CreateWebhook(ctx context.Context, in omnivibe.WebhookInput) (omnivibe.Webhook, error) {
	var out omnivibe.Webhook
	err := c.do(ctx, http.MethodPost, apiPrefix+"/webhooks", in, &out)
	return out, err
}

// ListWebhooks returns the account's endpoints, without secrets.
func (c *Client) ListWebhooks(ctx context.Context) ([]omnivibe.Webhook, error) {
	var out omnivibe.WebhookList
	err := c.do(ctx, http.MethodGet, apiPrefix+"/webhooks", nil, &out)
	return out.Webhooks, err
}

// Webhook returns one endpoint; DisabledReason says why the server turned it off.
func (c *Client) Webhook(ctx context.Context, id int64) (omnivibe.Webhook, error) {
	var out omnivibe.Webhook
	err := c.do(ctx, http.MethodGet, webhookPath(id), nil, &out)
	return out, err
}

// UpdateWebhook changes the fields set in in; Enabled true turns a disabled
// endpoint on again.
func (c *Client) UpdateWebhook(ctx context.Context, id int64, in omnivibe.WebhookInput) (omnivibe.Webhook, error) {
	var out omnivibe.Webhook
	err := c.do(ctx, http.MethodPatch, webhookPath(id), in, &out)
	return out, err
}

// DeleteWebhook deletes an endpoint and its deliveries.
func (c *Client) DeleteWebhook(ctx context.Context, id int64) error {
	return c.do(ctx, http.MethodDelete, webhookPath(id), nil, nil)
}

// RotateWebhookSecret replaces the signing secret; the answer's Secret is the
// new one. The old one keeps signing for the overlap (unset: 24 h).
func (c *Client) RotateWebhookSecret(ctx context.Context, id int64, in omnivibe.WebhookRotation) (omnivibe.Webhook, error) {
	var out omnivibe.Webhook
	err := c.do(ctx, http.MethodPost, webhookPath(id)+"/rotate-secret", in, &out)
	return out, err
}

// TestWebhook sends the endpoint a webhook.test event and returns its delivery.
func (c *Client) TestWebhook(ctx context.Context, id int64) (omnivibe.WebhookDelivery, error) {
	var out omnivibe.WebhookDelivery
	err := c.do(ctx, http.MethodPost, webhookPath(id)+"/test", nil, &out)
	return out, err
}

// WebhookDeliveries returns a page of an endpoint's deliveries, newest
// first; page and pageSize of 0 take the server's defaults.
func (c *Client) WebhookDeliveries(ctx context.Context, id int64, page, pageSize int) (omnivibe.DeliveryPage, error) {
	q := url.Values{}
	setPage(q, page, pageSize)
	var out omnivibe.DeliveryPage
	err := c.do(ctx, http.MethodGet, withQuery(webhookPath(id)+"/deliveries", q), nil, &out)
	return out, err
}

// RetryWebhookDelivery sends a finished delivery again.
func (c *Client) RetryWebhookDelivery(ctx context.Context, id, deliveryID int64) (omnivibe.WebhookDelivery, error) {
	var out omnivibe.WebhookDelivery
	err := c.do(ctx, http.MethodPost, webhookPath(id)+"/deliveries/"+strconv.FormatInt(deliveryID, 10)+"/retry", nil, &out)
	return out, err
}

func webhookPath(id int64) string { return apiPrefix + "/webhooks/" + strconv.FormatInt(id, 10) }
