package service

import (
	"context"
	"strings"

	"github.com/omnivibepro/omnivibe"
)

// Account returns the caller's workspace.
func (s *Service) Account(ctx context.Context, p Principal) (omnivibe.Account, error) {
	return s.store.AccountByID(ctx, p.AccountID)
}

// RenameAccount changes the workspace's name (owner or admin).
func (s *Service) RenameAccount(ctx context.Context, p Principal, name omnivibe.Optional[string]) (omnivibe.Account, error) {
	if err := p.canManage(); err != nil {
		return omnivibe.Account{}, err
	}
	var a omnivibe.Account
	err := s.store.InTx(ctx, func(tx Tx) error {
		var err error
		if a, err = tx.AccountByID(ctx, p.AccountID); err != nil {
			return err
		}
		if !name.Set {
			return nil
		}
		n := strings.TrimSpace(name.Value)
		if err := omnivibe.ValidateAccountName(n); err != nil {
			return err
		}
		a.Name, a.UpdatedAt = n, s.clock()
		return tx.UpdateAccount(ctx, a)
	})
	return a, err
}

// ListMembers lists the users of the caller's account.
func (s *Service) ListMembers(ctx context.Context, p Principal) ([]omnivibe.User, error) {
	return s.store.ListUsers(ctx, p.AccountID)
}

// AddMember creates a user in the caller's account (owner or admin; only an
// owner may make another owner).
func (s *Service) AddMember(ctx context.Context, p Principal, m omnivibe.NewMember) (omnivibe.User, error) {
	if err := p.canManage(); err != nil {
		return omnivibe.User{}, err
	}
	if err := m.Validate(); err != nil {
		return omnivibe.User{}, err
	}
	if m.Role == omnivibe.RoleOwner && p.Role != omnivibe.RoleOwner {
		return omnivibe.User{}, omnivibe.Errorf(omnivibe.CodeForbidden, "only an owner may grant the owner role")
	}
	hash, err := s.hashPassword(ctx, m.Password)
	if err != nil {
		return omnivibe.User{}, err
	}
	now := s.clock()
	u := omnivibe.User{AccountID: p.AccountID, Email: m.Email, Name: m.Name, Role: m.Role, PasswordHash: string(hash), CreatedAt: now, UpdatedAt: now}
	err = s.store.InTx(ctx, func(tx Tx) error { return tx.CreateUser(ctx, &u) })
	return u, err
}

// ChangeMemberRole changes a member's role. Only an owner may grant or take
// away the owner role, and an account always keeps at least one owner.
func (s *Service) ChangeMemberRole(ctx context.Context, p Principal, userID int64, role omnivibe.Optional[omnivibe.Role]) (omnivibe.User, error) {
	if err := p.canManage(); err != nil {
		return omnivibe.User{}, err
	}
	if !role.Set || role.Null {
		var v omnivibe.Violations
		v.Add("role", "is required")
		return omnivibe.User{}, v.Err()
	}
	if err := omnivibe.ValidateRole("role", role.Value); err != nil {
		return omnivibe.User{}, err
	}
	var u omnivibe.User
	err := s.store.InTx(ctx, func(tx Tx) error {
		if err := tx.LockAccount(ctx, p.AccountID); err != nil {
			return err
		}
		var err error
		if u, err = s.memberOf(ctx, tx, p.AccountID, userID); err != nil {
			return err
		}
		if u.Role == role.Value {
			return nil
		}
		if (u.Role == omnivibe.RoleOwner || role.Value == omnivibe.RoleOwner) && p.Role != omnivibe.RoleOwner {
			return omnivibe.Errorf(omnivibe.CodeForbidden, "only an owner may grant or take away the owner role")
		}
		if u.Role == omnivibe.RoleOwner {
			if err := lastOwnerRule(ctx, tx, p.AccountID); err != nil {
				return err
			}
		}
		u.Role, u.UpdatedAt = role.Value, s.clock()
		return tx.UpdateUser(ctx, u)
	})
	if err != nil {
		return omnivibe.User{}, err
	}
	// The member's tokens and API keys both carry the cached role.
	s.bump(ctx, scope(p.AccountID, "auth"))
	s.bump(ctx, "auth:keys")
	return u, nil
}

// RemoveMember deletes a user of the caller's account, under the same rules as
// ChangeMemberRole. Their tokens and API keys stop working at once.
func (s *Service) RemoveMember(ctx context.Context, p Principal, userID int64) error {
	if err := p.canManage(); err != nil {
		return err
	}
	err := s.store.InTx(ctx, func(tx Tx) error {
		if err := tx.LockAccount(ctx, p.AccountID); err != nil {
			return err
		}
		u, err := s.memberOf(ctx, tx, p.AccountID, userID)
		if err != nil {
			return err
		}
		if u.Role == omnivibe.RoleOwner {
			if p.Role != omnivibe.RoleOwner {
				return omnivibe.Errorf(omnivibe.CodeForbidden, "only an owner may remove an owner")
			}
			if err := lastOwnerRule(ctx, tx, p.AccountID); err != nil {
				return err
			}
		}
		return tx.DeleteUser(ctx, p.AccountID, userID)
	})
	if err != nil {
		return err
	}
	s.bump(ctx, scope(p.AccountID, "auth"))
	s.bump(ctx, "auth:keys")
	return nil
}

// memberOf returns a user of the account; users of other accounts are not found.
func (s *Service) memberOf(ctx context.Context, tx Tx, accountID, userID int64) (omnivibe.User, error) {
	u, err := tx.UserByID(ctx, userID)
	if err == nil && u.AccountID != accountID {
		return omnivibe.User{}, omnivibe.NotFound("user")
	}
	return u, err
}

// lastOwnerRule refuses to take the owner role from the account's last owner.
func lastOwnerRule(ctx context.Context, tx Tx, accountID int64) error {
	n, err := tx.CountOwners(ctx, accountID)
	if err != nil {
		return err
	}
	if n <= 1 {
		return omnivibe.Errorf(omnivibe.CodeConflict, "an account must keep at least one owner")
	}
	return nil
}
