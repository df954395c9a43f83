package service

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/omnivibepro/omnivibe"
)

// CreateCampaign plans a campaign for one of the account's clients.
func (s *Service) CreateCampaign(ctx context.Context, p Principal, in omnivibe.CampaignInput) (omnivibe.Campaign, error) {
	if err := p.canWrite(); err != nil {
		return omnivibe.Campaign{}, err
	}
	c := omnivibe.NewCampaign()
	if err := in.Apply(&c, true); err != nil {
		return omnivibe.Campaign{}, err
	}
	now := s.clock()
	c.AccountID, c.CreatedAt, c.UpdatedAt = p.AccountID, now, now
	err := s.store.InTx(ctx, func(tx Tx) error {
		if err := clientRule(ctx, tx, p.AccountID, c.ClientID); err != nil {
			return err
		}
		return tx.CreateCampaign(ctx, &c)
	})
	if err != nil {
		return omnivibe.Campaign{}, err
	}
	s.bump(ctx, scope(p.AccountID, "campaigns"))
	return c, nil
}

// clientRule checks that a campaign's client is one of the account's clients;
// another account's client is reported exactly like a missing one.
func clientRule(ctx context.Context, tx Tx, accountID, clientID int64) error {
	_, err := tx.ClientByID(ctx, accountID, clientID)
	if omnivibe.ErrorCode(err) == omnivibe.CodeNotFound {
		var v omnivibe.Violations
		v.Add("client_id", "must be a client of this account")
		return v.Err()
	}
	return err
}

// Campaign returns one campaign of the caller's account.
func (s *Service) Campaign(ctx context.Context, p Principal, id int64) (omnivibe.Campaign, error) {
	return s.store.CampaignByID(ctx, p.AccountID, id)
}

// CampaignPageJSON returns a page of GET /campaigns, encoded. Pages are cached
// as encoded JSON under the account's campaign generation, which every write
// that can change a page moves on: a list read after a write shows it.
func (s *Service) CampaignPageJSON(ctx context.Context, p Principal, f omnivibe.CampaignFilter) ([]byte, error) {
	f.Status = strings.ToLower(f.Status)
	if err := f.Validate(); err != nil {
		return nil, err
	}
	suffix := "c" + strconv.FormatInt(f.ClientID, 10) + ":p" + strconv.Itoa(f.Page) + ":n" + strconv.Itoa(f.PageSize) +
		":s" + f.Status + ":q" + f.Query // q last: it may contain any character
	return s.cached(ctx, scope(p.AccountID, "campaigns"), suffix, s.cfg.ListCacheTTL, func(ctx context.Context) ([]byte, error) {
		campaigns, total, err := s.store.ListCampaigns(ctx, p.AccountID, f)
		if err != nil {
			return nil, err
		}
		return json.Marshal(omnivibe.CampaignPage{Campaigns: campaigns, Total: total, Page: f.Page, PageSize: f.PageSize})
	})
}

// UpdateCampaign changes the fields sent; an empty input changes nothing.
func (s *Service) UpdateCampaign(ctx context.Context, p Principal, id int64, in omnivibe.CampaignInput) (omnivibe.Campaign, error) {
	if err := p.canWrite(); err != nil {
		return omnivibe.Campaign{}, err
	}
	var c omnivibe.Campaign
	err := s.store.InTx(ctx, func(tx Tx) error {
		var err error
		if c, err = tx.CampaignByID(ctx, p.AccountID, id); err != nil {
			return err
		}
		before := c
		if err := in.Apply(&c, false); err != nil {
			return err
		}
		if in.ClientID.Set && c.ClientID != before.ClientID {
			if err := clientRule(ctx, tx, p.AccountID, c.ClientID); err != nil {
				return err
			}
		}
		c.UpdatedAt = s.clock()
		return tx.UpdateCampaign(ctx, c)
	})
	if err != nil {
		return omnivibe.Campaign{}, err
	}
	s.bump(ctx, scope(p.AccountID, "campaigns"))
	return c, nil
}

// DeleteCampaign deletes a campaign with its contents, scripts and audio.
func (s *Service) DeleteCampaign(ctx context.Context, p Principal, id int64) error {
	if err := p.canWrite(); err != nil {
		return err
	}
	var files []string
	err := s.store.InTx(ctx, func(tx Tx) error {
		var err error
		if files, err = tx.AudioFiles(ctx, p.AccountID, id, 0); err != nil {
			return err
		}
		return tx.DeleteCampaign(ctx, p.AccountID, id)
	})
	if err != nil {
		return err
	}
	s.bump(ctx, scope(p.AccountID, "campaigns"))
	s.removeAudioFiles(files)
	return nil
}
