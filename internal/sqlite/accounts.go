package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/omnivibepro/omnivibe"
)

func (q queries) AccountByID(ctx context.Context, id int64) (omnivibe.Account, error) {
	var a omnivibe.Account
	var created, updated int64
	err := q.queryRow(ctx, `SELECT id, name, plan, created_at, updated_at FROM accounts WHERE id = ?`, id).
		Scan(&a.ID, &a.Name, &a.Plan, &created, &updated)
	a.CreatedAt, a.UpdatedAt = fromMicros(created), fromMicros(updated)
	return a, notFoundOr(err, "account")
}

func (q queries) CreateAccount(ctx context.Context, a *omnivibe.Account) error {
	return q.queryRow(ctx, `INSERT INTO accounts (name, plan, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id`,
		a.Name, a.Plan, micros(a.CreatedAt), micros(a.UpdatedAt)).Scan(&a.ID)
}

func (q queries) UpdateAccount(ctx context.Context, a omnivibe.Account) error {
	res, err := q.exec(ctx, `UPDATE accounts SET name = ?, plan = ?, updated_at = ? WHERE id = ?`,
		a.Name, a.Plan, micros(a.UpdatedAt), a.ID)
	return mustAffect(res, err, "account")
}

const userColumns = `id, account_id, email, name, role, password_hash, created_at, updated_at, token_key`

func scanUser(row interface{ Scan(...any) error }) (omnivibe.User, error) {
	var u omnivibe.User
	var created, updated int64
	err := row.Scan(&u.ID, &u.AccountID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &created, &updated, &u.TokenKey)
	u.CreatedAt, u.UpdatedAt = fromMicros(created), fromMicros(updated)
	return u, err
}

func (q queries) UserByID(ctx context.Context, id int64) (omnivibe.User, error) {
	u, err := scanUser(q.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	return u, notFoundOr(err, "user")
}

func (q queries) UserByEmail(ctx context.Context, email string) (omnivibe.User, error) {
	u, err := scanUser(q.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, email))
	return u, notFoundOr(err, "user")
}

func (q queries) ListUsers(ctx context.Context, accountID int64) ([]omnivibe.User, error) {
	rows, err := q.query(ctx, `SELECT `+userColumns+` FROM users WHERE account_id = ? ORDER BY id`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	users := []omnivibe.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		users = append(users, u)
	}
	return users, rows.Err()
}

func (q queries) CountOwners(ctx context.Context, accountID int64) (int, error) {
	var n int
	err := q.queryRow(ctx, `SELECT count(*) FROM users WHERE account_id = ? AND role = 'owner'`, accountID).Scan(&n)
	return n, err
}

func (q queries) CreateUser(ctx context.Context, u *omnivibe.User) error {
	err := q.queryRow(ctx, `INSERT INTO users (account_id, email, name, role, password_hash, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id, token_key`,
		u.AccountID, u.Email, u.Name, u.Role, u.PasswordHash, micros(u.CreatedAt), micros(u.UpdatedAt)).Scan(&u.ID, &u.TokenKey)
	return conflictOr(err, "user", "email is already registered")
}

func (q queries) UpdateUser(ctx context.Context, u omnivibe.User) error {
	res, err := q.exec(ctx, `UPDATE users SET name = ?, role = ?, password_hash = ?, updated_at = ? WHERE id = ? AND account_id = ?`,
		u.Name, u.Role, u.PasswordHash, micros(u.UpdatedAt), u.ID, u.AccountID)
	return mustAffect(res, err, "user")
}

func (q queries) DeleteUser(ctx context.Context, accountID, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM users WHERE id = ? AND account_id = ?`, id, accountID)
	return mustAffect(res, err, "user")
}

const apiKeyColumns = `id, account_id, user_id, name, prefix, hash, created_at, last_used_at, expires_at, revoked_at` // #nosec G101 -- column names, not a credential

func scanAPIKey(row interface{ Scan(...any) error }) (omnivibe.APIKey, error) {
	var k omnivibe.APIKey
	var created int64
	var used, expires, revoked sql.NullInt64
	err := row.Scan(&k.ID, &k.AccountID, &k.UserID, &k.Name, &k.Prefix, &k.Hash, &created, &used, &expires, &revoked)
	k.CreatedAt = fromMicros(created)
	k.LastUsedAt, k.ExpiresAt, k.RevokedAt = timePtr(used), timePtr(expires), timePtr(revoked)
	return k, err
}

func (q queries) APIKeyByHash(ctx context.Context, hash []byte) (omnivibe.APIKey, error) {
	k, err := scanAPIKey(q.queryRow(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE hash = ?`, hash))
	return k, notFoundOr(err, "api key")
}

func (q queries) ListAPIKeys(ctx context.Context, accountID, userID int64) ([]omnivibe.APIKey, error) {
	rows, err := q.query(ctx, `SELECT `+apiKeyColumns+` FROM api_keys
		WHERE user_id = ? AND account_id = ? AND revoked_at IS NULL ORDER BY id DESC`, userID, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	keys := []omnivibe.APIKey{}
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

func (q queries) CreateAPIKey(ctx context.Context, k *omnivibe.APIKey) error {
	err := q.queryRow(ctx, `INSERT INTO api_keys (account_id, user_id, name, prefix, hash, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		k.AccountID, k.UserID, k.Name, k.Prefix, k.Hash, micros(k.CreatedAt), nullMicros(k.ExpiresAt)).Scan(&k.ID)
	return conflictOr(err, "api key", "api key already exists")
}

func (q queries) RevokeAPIKey(ctx context.Context, accountID, userID, id int64, at time.Time) error {
	res, err := q.exec(ctx, `UPDATE api_keys SET revoked_at = ?
		WHERE id = ? AND account_id = ? AND user_id = ? AND revoked_at IS NULL`, micros(at), id, accountID, userID)
	return mustAffect(res, err, "api key")
}

func (q queries) TouchAPIKey(ctx context.Context, id int64, at time.Time) error {
	_, err := q.exec(ctx, `UPDATE api_keys SET last_used_at = ? WHERE id = ?`, micros(at), id)
	return err
}

func (q queries) RefreshTokenByHash(ctx context.Context, hash []byte) (omnivibe.RefreshToken, error) {
	var t omnivibe.RefreshToken
	var expires, created int64
	var used sql.NullInt64
	err := q.queryRow(ctx, `SELECT id, user_id, family, hash, expires_at, used_at, created_at FROM refresh_tokens WHERE hash = ?`, hash).
		Scan(&t.ID, &t.UserID, &t.Family, &t.Hash, &expires, &used, &created)
	t.ExpiresAt, t.UsedAt, t.CreatedAt = fromMicros(expires), timePtr(used), fromMicros(created)
	return t, notFoundOr(err, "refresh token")
}

func (q queries) CreateRefreshToken(ctx context.Context, t *omnivibe.RefreshToken) error {
	return q.queryRow(ctx, `INSERT INTO refresh_tokens (user_id, family, hash, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, t.UserID, t.Family, t.Hash, micros(t.ExpiresAt), micros(t.CreatedAt)).Scan(&t.ID)
}

func (q queries) MarkRefreshTokenUsed(ctx context.Context, id int64, at time.Time) (bool, error) {
	res, err := q.exec(ctx, `UPDATE refresh_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL`, micros(at), id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (q queries) RevokeRefreshFamily(ctx context.Context, family string, at time.Time) error {
	_, err := q.exec(ctx, `UPDATE refresh_tokens SET used_at = ? WHERE family = ? AND used_at IS NULL`, micros(at), family)
	return err
}

func (q queries) DeleteExpiredRefreshTokens(ctx context.Context, before time.Time) (int64, error) {
	res, err := q.exec(ctx, `DELETE FROM refresh_tokens WHERE expires_at < ?`, micros(before))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
