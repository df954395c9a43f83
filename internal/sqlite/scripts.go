package sqlite

import (
	"context"
	"strings"
	"sync"

	"github.com/omnivibepro/omnivibe"
)

const scriptColumns = `id, account_id, content_id, provider, model, language, topic, platform, tone, target_duration,
	hook, body, cta, estimated_duration, cache_key, created_at`

func (q queries) scriptWhere(ctx context.Context, where string, args ...any) (omnivibe.Script, error) {
	var s omnivibe.Script
	var created int64
	err := q.queryRow(ctx, `SELECT `+scriptColumns+` FROM scripts WHERE `+where+` ORDER BY id DESC LIMIT 1`, args...).
		Scan(&s.ID, &s.AccountID, &s.ContentID, &s.Provider, &s.Model, &s.Language, &s.Topic, &s.Platform, &s.Tone,
			&s.TargetDuration, &s.Hook, &s.Body, &s.CTA, &s.EstimatedDuration, &s.CacheKey, &created)
	if err != nil {
		return s, notFoundOr(err, "script")
	}
	s.CreatedAt = fromMicros(created)
	rows, err := q.query(ctx, `SELECT ord, type, text, duration, start_s, end_s FROM script_blocks WHERE script_id = ? ORDER BY ord`, s.ID)
	if err != nil {
		return s, err
	}
	defer rows.Close()
	s.Blocks = []omnivibe.ScriptBlock{}
	for rows.Next() {
		var b omnivibe.ScriptBlock
		if err := rows.Scan(&b.Order, &b.Type, &b.Text, &b.Duration, &b.Start, &b.End); err != nil {
			return s, err
		}
		s.Blocks = append(s.Blocks, b)
	}
	return s, rows.Err()
}

func (q queries) LatestScript(ctx context.Context, accountID, contentID int64) (omnivibe.Script, error) {
	return q.scriptWhere(ctx, `content_id = ? AND account_id = ?`, contentID, accountID)
}

func (q queries) ScriptByCacheKey(ctx context.Context, accountID int64, cacheKey string) (omnivibe.Script, error) {
	return q.scriptWhere(ctx, `account_id = ? AND cache_key = ?`, accountID, cacheKey)
}

func (q queries) CreateScript(ctx context.Context, s *omnivibe.Script) error {
	err := q.queryRow(ctx, `INSERT INTO scripts (account_id, content_id, provider, model, language, topic, platform, tone,
		target_duration, hook, body, cta, estimated_duration, cache_key, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		s.AccountID, s.ContentID, s.Provider, s.Model, s.Language, s.Topic, s.Platform, s.Tone, s.TargetDuration,
		s.Hook, s.Body, s.CTA, s.EstimatedDuration, s.CacheKey, micros(s.CreatedAt)).Scan(&s.ID)
	if err != nil {
		return conflictOr(err, "content", "content no longer exists")
	}
	if len(s.Blocks) == 0 {
		return nil
	}
	// One statement for all blocks: a script has at most seven, so there are
	// seven shapes of it to prepare.
	args := make([]any, 0, 7*len(s.Blocks))
	for _, b := range s.Blocks {
		args = append(args, s.ID, b.Order, b.Type, b.Text, b.Duration, b.Start, b.End)
	}
	_, err = q.exec(ctx, insertBlocks(len(s.Blocks)), args...)
	return err
}

var blockInserts sync.Map // number of blocks -> statement

func insertBlocks(n int) string {
	if q, ok := blockInserts.Load(n); ok {
		return q.(string)
	}
	q := `INSERT INTO script_blocks (script_id, ord, type, text, duration, start_s, end_s) VALUES ` +
		strings.TrimSuffix(strings.Repeat(`(?, ?, ?, ?, ?, ?, ?), `, n), ", ")
	blockInserts.Store(n, q)
	return q
}
