package service

import (
	"context"
	"strings"

	"github.com/omnivibepro/omnivibe"
)

// CreateContent adds a content to one of the account's campaigns; platform and
// target duration default from the campaign.
func (s *Service) CreateContent(ctx context.Context, p Principal, campaignID int64, in omnivibe.ContentInput) (omnivibe.Content, error) {
	if err := p.canWrite(); err != nil {
		return omnivibe.Content{}, err
	}
	var c omnivibe.Content
	err := s.store.InTx(ctx, func(tx Tx) error {
		campaign, err := tx.CampaignByID(ctx, p.AccountID, campaignID)
		if err != nil {
			return err
		}
		c = omnivibe.NewContent(campaign)
		if err := in.Apply(&c, true); err != nil {
			return err
		}
		now := s.clock()
		c.AccountID, c.CreatedAt, c.UpdatedAt = p.AccountID, now, now
		return tx.CreateContent(ctx, &c)
	})
	return c, err
}

// Content returns one content of the caller's account.
func (s *Service) Content(ctx context.Context, p Principal, id int64) (omnivibe.Content, error) {
	return s.store.ContentByID(ctx, p.AccountID, id)
}

// ListContents returns a page of a campaign's contents, newest first.
func (s *Service) ListContents(ctx context.Context, p Principal, campaignID int64, f omnivibe.ContentFilter) (omnivibe.ContentPage, error) {
	f.Status = strings.ToLower(f.Status)
	if err := f.Validate(); err != nil {
		return omnivibe.ContentPage{}, err
	}
	if _, err := s.store.CampaignByID(ctx, p.AccountID, campaignID); err != nil {
		return omnivibe.ContentPage{}, err
	}
	contents, total, err := s.store.ListContents(ctx, p.AccountID, campaignID, f.Status, f.Page, f.PageSize)
	return omnivibe.ContentPage{Contents: contents, Total: total, Page: f.Page, PageSize: f.PageSize}, err
}

// UpdateContent changes the fields sent.
func (s *Service) UpdateContent(ctx context.Context, p Principal, id int64, in omnivibe.ContentInput) (omnivibe.Content, error) {
	if err := p.canWrite(); err != nil {
		return omnivibe.Content{}, err
	}
	var c omnivibe.Content
	err := s.store.InTx(ctx, func(tx Tx) error {
		var err error
		if c, err = tx.ContentByID(ctx, p.AccountID, id); err != nil {
			return err
		}
		if err := in.Apply(&c, false); err != nil {
			return err
		}
		c.UpdatedAt = s.clock()
		return tx.UpdateContent(ctx, c)
	})
	return c, err
}

// DeleteContent deletes a content with its scripts and audio.
func (s *Service) DeleteContent(ctx context.Context, p Principal, id int64) error {
	if err := p.canWrite(); err != nil {
		return err
	}
	var files []string
	err := s.store.InTx(ctx, func(tx Tx) error {
		var err error
		if files, err = tx.AudioFiles(ctx, p.AccountID, 0, id); err != nil {
			return err
		}
		return tx.DeleteContent(ctx, p.AccountID, id)
	})
	if err == nil {
		s.removeAudioFiles(files)
	}
	return err
}

// ContentScript returns the latest script of a content.
func (s *Service) ContentScript(ctx context.Context, p Principal, id int64) (omnivibe.Script, error) {
	if _, err := s.store.ContentByID(ctx, p.AccountID, id); err != nil {
		return omnivibe.Script{}, err
	}
	return s.store.LatestScript(ctx, p.AccountID, id)
}
