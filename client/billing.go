package client

import (
	"context"
	"net/http"

	"github.com/omnivibepro/omnivibe"
)

// Plans returns the price list. It needs no credentials.
func (c *Client) Plans(ctx context.Context) ([]omnivibe.Plan, error) {
	var out struct {
		Plans []omnivibe.Plan `json:"plans"`
	}
	err := c.do(ctx, http.MethodGet, apiPrefix+"/billing/plans", nil, &out)
	return out.Plans, err
}

// Usage reports the account's use of its monthly quotas.
func (c *Client) Usage(ctx context.Context) (omnivibe.Usage, error) {
	var out omnivibe.Usage
	err := c.do(ctx, http.MethodGet, apiPrefix+"/billing/usage", nil, &out)
	return out, err
}

// ChangePlan moves the account to another plan (owner only) and returns the
// usage under the new plan.
func (c *Client) ChangePlan(ctx context.Context, plan string) (omnivibe.Usage, error) {
	var out omnivibe.Usage
	err := c.do(ctx, http.MethodPut, apiPrefix+"/billing/plan", omnivibe.PlanChange{Plan: plan}, &out)
	return out, err
}
