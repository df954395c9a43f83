package service

import (
	"context"

	"github.com/omnivibepro/omnivibe"
)

// Usage reports the caller's account's use of its monthly quotas.
func (s *Service) Usage(ctx context.Context, p Principal) (omnivibe.Usage, error) {
	a, err := s.store.AccountByID(ctx, p.AccountID)
	if err != nil {
		return omnivibe.Usage{}, err
	}
	plan, _ := omnivibe.PlanByID(a.Plan)
	now := s.clock()
	period := omnivibe.Period(now)
	used, err := s.store.Usage(ctx, p.AccountID, period)
	return omnivibe.Usage{Plan: a.Plan, Period: period, Used: used, Limits: plan.Quotas, ResetsAt: omnivibe.PeriodEnd(now)}, err
}

// ChangePlan moves the account to another plan (owner only; v1 has no payment provider).
func (s *Service) ChangePlan(ctx context.Context, p Principal, c omnivibe.PlanChange) (omnivibe.Usage, error) {
	if p.Role != omnivibe.RoleOwner {
		return omnivibe.Usage{}, omnivibe.Errorf(omnivibe.CodeForbidden, "only an owner may change the plan")
	}
	if err := c.Validate(); err != nil {
		return omnivibe.Usage{}, err
	}
	err := s.store.InTx(ctx, func(tx Tx) error {
		a, err := tx.AccountByID(ctx, p.AccountID)
		if err != nil {
			return err
		}
		if a.Plan == c.Plan {
			return nil
		}
		a.Plan, a.UpdatedAt = c.Plan, s.clock()
		return tx.UpdateAccount(ctx, a)
	})
	if err != nil {
		return omnivibe.Usage{}, err
	}
	return s.Usage(ctx, p)
}

// quotaLeft fails with quota_exceeded when the account has no unit of kind
// left this month. It only reads: consumeQuota is what enforces the quota.
func (s *Service) quotaLeft(ctx context.Context, accountID int64, kind string) error {
	a, err := s.store.AccountByID(ctx, accountID)
	if err != nil {
		return err
	}
	plan, _ := omnivibe.PlanByID(a.Plan)
	limit := plan.Quotas.Limit(kind)
	if limit == nil {
		return nil
	}
	used, err := s.store.Usage(ctx, accountID, omnivibe.Period(s.clock()))
	if err != nil {
		return err
	}
	n := used.Of(kind)
	if n >= *limit {
		return quotaError(plan, kind, n, *limit)
	}
	return nil
}

func quotaError(plan omnivibe.Plan, kind string, used, limit int) error {
	return &omnivibe.Error{
		Code:    omnivibe.CodeQuotaExceeded,
		Message: "the " + plan.Name + " plan's monthly " + kind + " quota is used up",
		Quota:   &omnivibe.QuotaDetail{Kind: kind, Used: used, Limit: limit, Plan: plan.ID},
	}
}

// consumeQuota takes one unit of kind from the account's monthly quota inside
// tx, or fails with quota_exceeded. It is the only place quotas are enforced.
func (s *Service) consumeQuota(ctx context.Context, tx Tx, accountID int64, kind string) error {
	a, err := tx.AccountByID(ctx, accountID)
	if err != nil {
		return err
	}
	plan, _ := omnivibe.PlanByID(a.Plan)
	limit := plan.Quotas.Limit(kind)
	used, ok, err := tx.AddUsage(ctx, accountID, omnivibe.Period(s.clock()), kind, 1, limit)
	if err != nil {
		return err
	}
	if !ok {
		return quotaError(plan, kind, used, *limit)
	}
	return nil
}
