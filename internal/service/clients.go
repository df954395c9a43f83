package service

import (
	"context"

	"github.com/omnivibepro/omnivibe"
)

// CreateClient adds a customer of the agency.
func (s *Service) CreateClient(ctx context.Context, p Principal, in omnivibe.ClientInput) (omnivibe.Client, error) {
	if err := p.canWrite(); err != nil {
		return omnivibe.Client{}, err
	}
	var c omnivibe.Client
	if err := in.Apply(&c, true); err != nil {
		return omnivibe.Client{}, err
	}
	now := s.clock()
	c.AccountID, c.CreatedAt, c.UpdatedAt = p.AccountID, now, now
	err := s.store.InTx(ctx, func(tx Tx) error { return tx.CreateClient(ctx, &c) })
	return c, err
}

// Client returns one client of the caller's account.
func (s *Service) Client(ctx context.Context, p Principal, id int64) (omnivibe.Client, error) {
	return s.store.ClientByID(ctx, p.AccountID, id)
}

// ListClients returns a page of the account's clients, newest first.
func (s *Service) ListClients(ctx context.Context, p Principal, page, pageSize int) (omnivibe.ClientPage, error) {
	if err := omnivibe.ValidatePage(page, pageSize); err != nil {
		return omnivibe.ClientPage{}, err
	}
	clients, total, err := s.store.ListClients(ctx, p.AccountID, page, pageSize)
	return omnivibe.ClientPage{Clients: clients, Total: total, Page: page, PageSize: pageSize}, err
}

// UpdateClient changes the fields sent.
func (s *Service) UpdateClient(ctx context.Context, p Principal, id int64, in omnivibe.ClientInput) (omnivibe.Client, error) {
	if err := p.canWrite(); err != nil {
		return omnivibe.Client{}, err
	}
	var c omnivibe.Client
	err := s.store.InTx(ctx, func(tx Tx) error {
		var err error
		if c, err = tx.ClientByID(ctx, p.AccountID, id); err != nil {
			return err
		}
		if err := in.Apply(&c, false); err != nil {
			return err
		}
		c.UpdatedAt = s.clock()
		return tx.UpdateClient(ctx, c)
	})
	return c, err
}

// DeleteClient deletes a client that has no campaigns left.
func (s *Service) DeleteClient(ctx context.Context, p Principal, id int64) error {
	if err := p.canWrite(); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Tx) error { return tx.DeleteClient(ctx, p.AccountID, id) })
}
