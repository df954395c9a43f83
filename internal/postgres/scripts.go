package postgres

import (
	"context"
	"fmt"
	"math"

	"github.com/omnivibepro/omnivibe"
)

const scriptColumns = `id, account_id, content_id, provider, model, language, topic, platform, tone, target_duration,
	hook, body, cta, estimated_duration, cache_key, created_at`

// scriptWhere returns the newest script that matches where, with its blocks,
// in one round trip: the blocks come as arrays beside the script's row.
func (q queries) scriptWhere(ctx context.Context, where string, args ...any) (omnivibe.Script, error) {
	var s omnivibe.Script
	var ords []int32
	var types, texts []string
	var durations, starts, ends []float64
	err := q.db.QueryRow(ctx, `SELECT s.id, s.account_id, s.content_id, s.provider, s.model, s.language, s.topic, s.platform,
		s.tone, s.target_duration, s.hook, s.body, s.cta, s.estimated_duration, s.cache_key, s.created_at,
		b.ords, b.types, b.texts, b.durations, b.starts, b.ends
		FROM (SELECT `+scriptColumns+` FROM scripts WHERE `+where+` ORDER BY id DESC LIMIT 1) s
		CROSS JOIN LATERAL (
			SELECT coalesce(array_agg(ord ORDER BY ord), '{}') AS ords,
				coalesce(array_agg(type ORDER BY ord), '{}') AS types,
				coalesce(array_agg(text ORDER BY ord), '{}') AS texts,
				coalesce(array_agg(duration ORDER BY ord), '{}') AS durations,
				coalesce(array_agg(start_s ORDER BY ord), '{}') AS starts,
				coalesce(array_agg(end_s ORDER BY ord), '{}') AS ends
			FROM script_blocks WHERE script_id = s.id) b`, args...).
		Scan(&s.ID, &s.AccountID, &s.ContentID, &s.Provider, &s.Model, &s.Language, &s.Topic, &s.Platform, &s.Tone,
			&s.TargetDuration, &s.Hook, &s.Body, &s.CTA, &s.EstimatedDuration, &s.CacheKey, &s.CreatedAt,
			&ords, &types, &texts, &durations, &starts, &ends)
	if err != nil {
		return s, notFoundOr(err, "script")
	}
	s.CreatedAt = utc(s.CreatedAt)
	s.Blocks = make([]omnivibe.ScriptBlock, len(ords))
	for i := range ords {
		s.Blocks[i] = omnivibe.ScriptBlock{Order: int(ords[i]), Type: types[i], Text: texts[i], Duration: durations[i], Start: starts[i], End: ends[i]}
	}
	return s, nil
}

func (q queries) LatestScript(ctx context.Context, accountID, contentID int64) (omnivibe.Script, error) {
	return q.scriptWhere(ctx, `content_id = $1 AND account_id = $2`, contentID, accountID)
}

func (q queries) ScriptByCacheKey(ctx context.Context, accountID int64, cacheKey string) (omnivibe.Script, error) {
	return q.scriptWhere(ctx, `account_id = $1 AND cache_key = $2`, accountID, cacheKey)
}

// CreateScript stores the script and its blocks in two statements, whatever
// the number of blocks: the blocks travel as one array per column.
func (q queries) CreateScript(ctx context.Context, s *omnivibe.Script) error {
	// The ord column is an integer (32 bits): an order out of its range is
	// refused before anything is written, never stored wrapped around.
	n := len(s.Blocks)
	ords, types, texts := make([]int32, n), make([]string, n), make([]string, n)
	durations, starts, ends := make([]float64, n), make([]float64, n), make([]float64, n)
	for i, b := range s.Blocks {
		ord := b.Order
		if ord < math.MinInt32 || ord > math.MaxInt32 {
			return fmt.Errorf("script block %d: order %d does not fit the ord column", i, ord)
		}
		ords[i], types[i], texts[i], durations[i], starts[i], ends[i] = int32(ord), b.Type, b.Text, b.Duration, b.Start, b.End
	}
	err := q.db.QueryRow(ctx, `INSERT INTO scripts (account_id, content_id, provider, model, language, topic, platform, tone,
		target_duration, hook, body, cta, estimated_duration, cache_key, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
		s.AccountID, s.ContentID, s.Provider, s.Model, s.Language, s.Topic, s.Platform, s.Tone, s.TargetDuration,
		s.Hook, s.Body, s.CTA, s.EstimatedDuration, s.CacheKey, s.CreatedAt).Scan(&s.ID)
	if err != nil {
		return conflictOr(err, "content", "content no longer exists")
	}
	if n == 0 {
		return nil
	}
	_, err = q.db.Exec(ctx, `INSERT INTO script_blocks (script_id, ord, type, text, duration, start_s, end_s)
		SELECT $1, * FROM unnest($2::integer[], $3::text[], $4::text[], $5::float8[], $6::float8[], $7::float8[])`,
		s.ID, ords, types, texts, durations, starts, ends)
	return err
}
