package sqlite

import (
	"context"
	"encoding/json"

	"github.com/omnivibepro/omnivibe"
)

const contentColumns = `id, account_id, campaign_id, title, topic, platform, language, target_duration, target_audience,
	keywords, publish_date, status, created_at, updated_at`

func scanContent(row interface{ Scan(...any) error }) (omnivibe.Content, error) {
	var c omnivibe.Content
	var created, updated int64
	var keywords string
	err := row.Scan(&c.ID, &c.AccountID, &c.CampaignID, &c.Title, &c.Topic, &c.Platform, &c.Language, &c.TargetDuration,
		&c.TargetAudience, &keywords, &c.PublishDate, &c.Status, &created, &updated)
	if err != nil {
		return c, err
	}
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	c.Keywords = []string{}
	return c, json.Unmarshal([]byte(keywords), &c.Keywords)
}

func keywordsJSON(k []string) (string, error) {
	if k == nil {
		k = []string{}
	}
	b, err := json.Marshal(k)
	return string(b), err
}

func (q queries) ContentByID(ctx context.Context, accountID, id int64) (omnivibe.Content, error) {
	c, err := scanContent(q.queryRow(ctx, `SELECT `+contentColumns+` FROM contents WHERE id = ? AND account_id = ?`, id, accountID))
	return c, notFoundOr(err, "content")
}

// ListContents lists one campaign's contents; the campaign belongs to the
// account (checked by the caller), and account_id is repeated as a guard.
func (q queries) ListContents(ctx context.Context, accountID, campaignID int64, status string, page, pageSize int) ([]omnivibe.Content, int, error) {
	where := `campaign_id = ? AND account_id = ?`
	args := []any{campaignID, accountID}
	if status != "" {
		where += ` AND status = ?`
		args = append(args, status)
	}
	var total int
	if err := q.queryRow(ctx, `SELECT count(*) FROM contents WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	contents := []omnivibe.Content{}
	if total == 0 || offset(page, pageSize) >= total {
		return contents, total, nil
	}
	rows, err := q.query(ctx, `SELECT `+contentColumns+` FROM contents WHERE `+where+` ORDER BY id DESC LIMIT ? OFFSET ?`,
		append(args, pageSize, offset(page, pageSize))...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanContent(rows)
		if err != nil {
			return nil, 0, err
		}
		contents = append(contents, c)
	}
	return contents, total, rows.Err()
}

func (q queries) CreateContent(ctx context.Context, c *omnivibe.Content) error {
	keywords, err := keywordsJSON(c.Keywords)
	if err != nil {
		return err
	}
	return q.queryRow(ctx, `INSERT INTO contents (account_id, campaign_id, title, topic, platform, language, target_duration,
		target_audience, keywords, publish_date, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.AccountID, c.CampaignID, c.Title, c.Topic, c.Platform, c.Language, c.TargetDuration, c.TargetAudience, keywords,
		c.PublishDate, c.Status, micros(c.CreatedAt), micros(c.UpdatedAt)).Scan(&c.ID)
}

func (q queries) UpdateContent(ctx context.Context, c omnivibe.Content) error {
	keywords, err := keywordsJSON(c.Keywords)
	if err != nil {
		return err
	}
	res, err := q.exec(ctx, `UPDATE contents SET title = ?, topic = ?, platform = ?, language = ?, target_duration = ?,
		target_audience = ?, keywords = ?, publish_date = ?, status = ?, updated_at = ? WHERE id = ? AND account_id = ?`,
		c.Title, c.Topic, c.Platform, c.Language, c.TargetDuration, c.TargetAudience, keywords, c.PublishDate, c.Status,
		micros(c.UpdatedAt), c.ID, c.AccountID)
	return mustAffect(res, err, "content")
}

func (q queries) DeleteContent(ctx context.Context, accountID, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM contents WHERE id = ? AND account_id = ?`, id, accountID)
	return mustAffect(res, err, "content")
}
