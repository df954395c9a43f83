package postgres

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/omnivibepro/omnivibe"
)

const contentColumns = `id, account_id, campaign_id, title, topic, platform, language, target_duration, target_audience,
	keywords, publish_date, status, created_at, updated_at`

func scanContent(row pgx.Row) (omnivibe.Content, error) {
	var c omnivibe.Content
	var keywords []byte
	err := row.Scan(&c.ID, &c.AccountID, &c.CampaignID, &c.Title, &c.Topic, &c.Platform, &c.Language, &c.TargetDuration,
		&c.TargetAudience, &keywords, &c.PublishDate, &c.Status, &c.CreatedAt, &c.UpdatedAt)
	if err != nil {
		return c, err
	}
	c.CreatedAt, c.UpdatedAt = utc(c.CreatedAt), utc(c.UpdatedAt)
	c.Keywords = []string{}
	return c, json.Unmarshal(keywords, &c.Keywords)
}

// keywordsJSON encodes keywords for the jsonb column; pgx sends []byte to
// jsonb as the JSON text it is.
func keywordsJSON(k []string) ([]byte, error) {
	if k == nil {
		k = []string{}
	}
	return json.Marshal(k)
}

func (q queries) ContentByID(ctx context.Context, accountID, id int64) (omnivibe.Content, error) {
	c, err := scanContent(q.db.QueryRow(ctx, `SELECT `+contentColumns+` FROM contents WHERE id = $1 AND account_id = $2`+q.lock, id, accountID))
	return c, notFoundOr(err, "content")
}

// ListContents lists one campaign's contents; the campaign belongs to the
// account (checked by the caller), and account_id is repeated as a guard.
func (q queries) ListContents(ctx context.Context, accountID, campaignID int64, status string, page, pageSize int) ([]omnivibe.Content, int, error) {
	where := `campaign_id = $1 AND account_id = $2`
	args := []any{campaignID, accountID}
	if status != "" {
		where += ` AND status = $3`
		args = append(args, status)
	}
	limit, off := "$"+strconv.Itoa(len(args)+1), "$"+strconv.Itoa(len(args)+2)
	return pageOf(ctx, q.db, `SELECT count(*) FROM contents WHERE `+where,
		`SELECT `+contentColumns+` FROM contents WHERE `+where+` ORDER BY id DESC LIMIT `+limit+` OFFSET `+off,
		args, pageSize, offset(page, pageSize), scanContent)
}

func (q queries) CreateContent(ctx context.Context, c *omnivibe.Content) error {
	keywords, err := keywordsJSON(c.Keywords)
	if err != nil {
		return err
	}
	return q.db.QueryRow(ctx, `INSERT INTO contents (account_id, campaign_id, title, topic, platform, language, target_duration,
		target_audience, keywords, publish_date, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
		c.AccountID, c.CampaignID, c.Title, c.Topic, c.Platform, c.Language, c.TargetDuration, c.TargetAudience, keywords,
		c.PublishDate, c.Status, c.CreatedAt, c.UpdatedAt).Scan(&c.ID)
}

func (q queries) UpdateContent(ctx context.Context, c omnivibe.Content) error {
	keywords, err := keywordsJSON(c.Keywords)
	if err != nil {
		return err
	}
	tag, err := q.db.Exec(ctx, `UPDATE contents SET title = $1, topic = $2, platform = $3, language = $4, target_duration = $5,
		target_audience = $6, keywords = $7, publish_date = $8, status = $9, updated_at = $10 WHERE id = $11 AND account_id = $12`,
		c.Title, c.Topic, c.Platform, c.Language, c.TargetDuration, c.TargetAudience, keywords, c.PublishDate, c.Status,
		c.UpdatedAt, c.ID, c.AccountID)
	return mustAffect(tag, err, "content")
}

func (q queries) DeleteContent(ctx context.Context, accountID, id int64) error {
	tag, err := q.db.Exec(ctx, `DELETE FROM contents WHERE id = $1 AND account_id = $2`, id, accountID)
	return mustAffect(tag, err, "content")
}
