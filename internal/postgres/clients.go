package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/omnivibepro/omnivibe"
)

const clientColumns = `id, account_id, name, industry, brand_color, logo_url, contact_email, website_url, created_at, updated_at`

func scanClient(row pgx.Row) (omnivibe.Client, error) {
	var c omnivibe.Client
	err := row.Scan(&c.ID, &c.AccountID, &c.Name, &c.Industry, &c.BrandColor, &c.LogoURL, &c.ContactEmail, &c.WebsiteURL, &c.CreatedAt, &c.UpdatedAt)
	c.CreatedAt, c.UpdatedAt = utc(c.CreatedAt), utc(c.UpdatedAt)
	return c, err
}

func (q queries) ClientByID(ctx context.Context, accountID, id int64) (omnivibe.Client, error) {
	c, err := scanClient(q.db.QueryRow(ctx, `SELECT `+clientColumns+` FROM clients WHERE id = $1 AND account_id = $2`+q.lock, id, accountID))
	return c, notFoundOr(err, "client")
}

func (q queries) ListClients(ctx context.Context, accountID int64, page, pageSize int) ([]omnivibe.Client, int, error) {
	return pageOf(ctx, q.db, `SELECT count(*) FROM clients WHERE account_id = $1`,
		`SELECT `+clientColumns+` FROM clients WHERE account_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3`,
		[]any{accountID}, pageSize, offset(page, pageSize), scanClient)
}

func (q queries) CreateClient(ctx context.Context, c *omnivibe.Client) error {
	return q.db.QueryRow(ctx, `INSERT INTO clients (account_id, name, industry, brand_color, logo_url, contact_email, website_url, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		c.AccountID, c.Name, c.Industry, c.BrandColor, c.LogoURL, c.ContactEmail, c.WebsiteURL, c.CreatedAt, c.UpdatedAt).Scan(&c.ID)
}

func (q queries) UpdateClient(ctx context.Context, c omnivibe.Client) error {
	tag, err := q.db.Exec(ctx, `UPDATE clients SET name = $1, industry = $2, brand_color = $3, logo_url = $4, contact_email = $5, website_url = $6, updated_at = $7
		WHERE id = $8 AND account_id = $9`,
		c.Name, c.Industry, c.BrandColor, c.LogoURL, c.ContactEmail, c.WebsiteURL, c.UpdatedAt, c.ID, c.AccountID)
	return mustAffect(tag, err, "client")
}

func (q queries) DeleteClient(ctx context.Context, accountID, id int64) error {
	tag, err := q.db.Exec(ctx, `DELETE FROM clients WHERE id = $1 AND account_id = $2`, id, accountID)
	if err != nil {
		return conflictOr(err, "client", "client still has campaigns; delete them first")
	}
	return mustAffect(tag, nil, "client")
}
