package sqlite

import (
	"context"

	"github.com/omnivibepro/omnivibe"
)

const clientColumns = `id, account_id, name, industry, brand_color, logo_url, contact_email, website_url, created_at, updated_at`

func scanClient(row interface{ Scan(...any) error }) (omnivibe.Client, error) {
	var c omnivibe.Client
	var created, updated int64
	err := row.Scan(&c.ID, &c.AccountID, &c.Name, &c.Industry, &c.BrandColor, &c.LogoURL, &c.ContactEmail, &c.WebsiteURL, &created, &updated)
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return c, err
}

func (q queries) ClientByID(ctx context.Context, accountID, id int64) (omnivibe.Client, error) {
	c, err := scanClient(q.queryRow(ctx, `SELECT `+clientColumns+` FROM clients WHERE id = ? AND account_id = ?`, id, accountID))
	return c, notFoundOr(err, "client")
}

func (q queries) ListClients(ctx context.Context, accountID int64, page, pageSize int) ([]omnivibe.Client, int, error) {
	var total int
	if err := q.queryRow(ctx, `SELECT count(*) FROM clients WHERE account_id = ?`, accountID).Scan(&total); err != nil {
		return nil, 0, err
	}
	clients := []omnivibe.Client{}
	if total == 0 {
		return clients, 0, nil
	}
	rows, err := q.query(ctx, `SELECT `+clientColumns+` FROM clients WHERE account_id = ? ORDER BY id DESC LIMIT ? OFFSET ?`,
		accountID, pageSize, offset(page, pageSize))
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanClient(rows)
		if err != nil {
			return nil, 0, err
		}
		clients = append(clients, c)
	}
	return clients, total, rows.Err()
}

func (q queries) CreateClient(ctx context.Context, c *omnivibe.Client) error {
	return q.queryRow(ctx, `INSERT INTO clients (account_id, name, industry, brand_color, logo_url, contact_email, website_url, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.AccountID, c.Name, c.Industry, c.BrandColor, c.LogoURL, c.ContactEmail, c.WebsiteURL, micros(c.CreatedAt), micros(c.UpdatedAt)).Scan(&c.ID)
}

func (q queries) UpdateClient(ctx context.Context, c omnivibe.Client) error {
	res, err := q.exec(ctx, `UPDATE clients SET name = ?, industry = ?, brand_color = ?, logo_url = ?, contact_email = ?, website_url = ?, updated_at = ?
		WHERE id = ? AND account_id = ?`,
		c.Name, c.Industry, c.BrandColor, c.LogoURL, c.ContactEmail, c.WebsiteURL, micros(c.UpdatedAt), c.ID, c.AccountID)
	return mustAffect(res, err, "client")
}

func (q queries) DeleteClient(ctx context.Context, accountID, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM clients WHERE id = ? AND account_id = ?`, id, accountID)
	if err != nil {
		return conflictOr(err, "client", "client still has campaigns; delete them first")
	}
	return mustAffect(res, nil, "client")
}
