package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/omnivibepro/omnivibe"
)

func (q queries) AccountByID(ctx context.Context, id int64) (omnivibe.Account, error) {
	var a omnivibe.Account
	err := q.db.QueryRow(ctx, `SELECT id, name, plan, created_at, updated_at FROM accounts WHERE id = $1`+q.lock, id).
		Scan(&a.ID, &a.Name, &a.Plan, &a.CreatedAt, &a.UpdatedAt)
	a.CreatedAt, a.UpdatedAt = utc(a.CreatedAt), utc(a.UpdatedAt)
	return a, notFoundOr(err, "account")
}

func (q queries) CreateAccount(ctx context.Context, a *omnivibe.Account) error {
	return q.db.QueryRow(ctx, `INSERT INTO accounts (name, plan, created_at, updated_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		a.Name, a.Plan, a.CreatedAt, a.UpdatedAt).Scan(&a.ID)
}

func (q queries) UpdateAccount(ctx context.Context, a omnivibe.Account) error {
	tag, err := q.db.Exec(ctx, `UPDATE accounts SET name = $1, plan = $2, updated_at = $3 WHERE id = $4`,
		a.Name, a.Plan, a.UpdatedAt, a.ID)
	return mustAffect(tag, err, "account")
}

const userColumns = `id, account_id, email, name, role, password_hash, created_at, updated_at, token_key`

func scanUser(row pgx.Row) (omnivibe.User, error) {
	var u omnivibe.User
	err := row.Scan(&u.ID, &u.AccountID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &u.CreatedAt, &u.UpdatedAt, &u.TokenKey)
	u.CreatedAt, u.UpdatedAt = utc(u.CreatedAt), utc(u.UpdatedAt)
	return u, err
}

func (q queries) UserByID(ctx context.Context, id int64) (omnivibe.User, error) {
	u, err := scanUser(q.db.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`+q.lock, id))
	return u, notFoundOr(err, "user")
}

func (q queries) UserByEmail(ctx context.Context, email string) (omnivibe.User, error) {
	u, err := scanUser(q.db.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email = $1`, email))
	return u, notFoundOr(err, "user")
}

func (q queries) ListUsers(ctx context.Context, accountID int64) ([]omnivibe.User, error) {
	return collect(ctx, q.db, scanUser, `SELECT `+userColumns+` FROM users WHERE account_id = $1 ORDER BY id`, accountID)
}

func (q queries) CountOwners(ctx context.Context, accountID int64) (int, error) {
	var n int
	err := q.db.QueryRow(ctx, `SELECT count(*) FROM users WHERE account_id = $1 AND role = 'owner'`, accountID).Scan(&n)
	return n, err
}

func (q queries) CreateUser(ctx context.Context, u *omnivibe.User) error {
	err := q.db.QueryRow(ctx, `INSERT INTO users (account_id, email, name, role, password_hash, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, token_key`,
		u.AccountID, u.Email, u.Name, u.Role, u.PasswordHash, u.CreatedAt, u.UpdatedAt).Scan(&u.ID, &u.TokenKey)
	return conflictOr(err, "user", "email is already registered")
}

func (q queries) UpdateUser(ctx context.Context, u omnivibe.User) error {
	tag, err := q.db.Exec(ctx, `UPDATE users SET name = $1, role = $2, password_hash = $3, updated_at = $4 WHERE id = $5 AND account_id = $6`,
		u.Name, u.Role, u.PasswordHash, u.UpdatedAt, u.ID, u.AccountID)
	return mustAffect(tag, err, "user")
}

func (q queries) DeleteUser(ctx context.Context, accountID, id int64) error {
	tag, err := q.db.Exec(ctx, `DELETE FROM users WHERE id = $1 AND account_id = $2`, id, accountID)
	return mustAffect(tag, err, "user")
}

const apiKeyColumns = `id, account_id, user_id, name, prefix, hash, created_at, last_used_at, expires_at, revoked_at` // #nosec G101 -- column names, not a credential

func scanAPIKey(row pgx.Row) (omnivibe.APIKey, error) {
	var k omnivibe.APIKey
	err := row.Scan(&k.ID, &k.AccountID, &k.UserID, &k.Name, &k.Prefix, &k.Hash, &k.CreatedAt, &k.LastUsedAt, &k.ExpiresAt, &k.RevokedAt)
	k.CreatedAt = utc(k.CreatedAt)
	k.LastUsedAt, k.ExpiresAt, k.RevokedAt = utcPtr(k.LastUsedAt), utcPtr(k.ExpiresAt), utcPtr(k.RevokedAt)
	return k, err
}

func (q queries) APIKeyByHash(ctx context.Context, hash []byte) (omnivibe.APIKey, error) {
	k, err := scanAPIKey(q.db.QueryRow(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE hash = $1`, hash))
	return k, notFoundOr(err, "api key")
}

func (q queries) ListAPIKeys(ctx context.Context, accountID, userID int64) ([]omnivibe.APIKey, error) {
	return collect(ctx, q.db, scanAPIKey, `SELECT `+apiKeyColumns+` FROM api_keys
		WHERE user_id = $1 AND account_id = $2 AND revoked_at IS NULL ORDER BY id DESC`, userID, accountID)
}

func (q queries) CreateAPIKey(ctx context.Context, k *omnivibe.APIKey) error {
	err := q.db.QueryRow(ctx, `INSERT INTO api_keys (account_id, user_id, name, prefix, hash, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		k.AccountID, k.UserID, k.Name, k.Prefix, k.Hash, k.CreatedAt, k.ExpiresAt).Scan(&k.ID)
	return conflictOr(err, "api key", "api key already exists")
}

func (q queries) RevokeAPIKey(ctx context.Context, accountID, userID, id int64, at time.Time) error {
	tag, err := q.db.Exec(ctx, `UPDATE api_keys SET revoked_at = $1
		WHERE id = $2 AND account_id = $3 AND user_id = $4 AND revoked_at IS NULL`, at, id, accountID, userID)
	return mustAffect(tag, err, "api key")
}

func (q queries) TouchAPIKey(ctx context.Context, id int64, at time.Time) error {
	_, err := q.db.Exec(ctx, `UPDATE api_keys SET last_used_at = $1 WHERE id = $2`, at, id)
	return err
}

func (q queries) RefreshTokenByHash(ctx context.Context, hash []byte) (omnivibe.RefreshToken, error) {
	var t omnivibe.RefreshToken
	err := q.db.QueryRow(ctx, `SELECT id, user_id, family, hash, expires_at, used_at, created_at FROM refresh_tokens WHERE hash = $1`, hash).
		Scan(&t.ID, &t.UserID, &t.Family, &t.Hash, &t.ExpiresAt, &t.UsedAt, &t.CreatedAt)
	t.ExpiresAt, t.UsedAt, t.CreatedAt = utc(t.ExpiresAt), utcPtr(t.UsedAt), utc(t.CreatedAt)
	return t, notFoundOr(err, "refresh token")
}

func (q queries) CreateRefreshToken(ctx context.Context, t *omnivibe.RefreshToken) error {
	return q.db.QueryRow(ctx, `INSERT INTO refresh_tokens (user_id, family, hash, expires_at, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, t.UserID, t.Family, t.Hash, t.ExpiresAt, t.CreatedAt).Scan(&t.ID)
}

// MarkRefreshTokenUsed is one conditional UPDATE: of two concurrent calls,
// the second waits for the first's row lock, then finds used_at set.
func (q queries) MarkRefreshTokenUsed(ctx context.Context, id int64, at time.Time) (bool, error) {
	tag, err := q.db.Exec(ctx, `UPDATE refresh_tokens SET used_at = $1 WHERE id = $2 AND used_at IS NULL`, at, id)
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() == 1, nil
}

func (q queries) RevokeRefreshFamily(ctx context.Context, family string, at time.Time) error {
	_, err := q.db.Exec(ctx, `UPDATE refresh_tokens SET used_at = $1 WHERE family = $2 AND used_at IS NULL`, at, family)
	return err
}

func (q queries) DeleteExpiredRefreshTokens(ctx context.Context, before time.Time) (int64, error) {
	tag, err := q.db.Exec(ctx, `DELETE FROM refresh_tokens WHERE expires_at < $1`, before)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}
