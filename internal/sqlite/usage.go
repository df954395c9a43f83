package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/omnivibepro/omnivibe"
)

func (q queries) Usage(ctx context.Context, accountID int64, period string) (omnivibe.UsageCounts, error) {
	var u omnivibe.UsageCounts
	rows, err := q.query(ctx, `SELECT kind, used FROM monthly_usage WHERE account_id = ? AND period = ?`, accountID, period)
	if err != nil {
		return u, err
	}
	defer rows.Close()
	for rows.Next() {
		var kind string
		var used int
		if err := rows.Scan(&kind, &used); err != nil {
			return u, err
		}
		u.Set(kind, used)
	}
	return u, rows.Err()
}

// AddUsage is one upsert whose WHERE clause is the quota check: the row is
// written only if the new total stays within the limit.
func (q queries) AddUsage(ctx context.Context, accountID int64, period, kind string, delta int, limit *int) (int, bool, error) {
	max := int64(-1) // -1: unlimited
	if limit != nil {
		max = int64(*limit)
	}
	var used int
	err := q.queryRow(ctx, `INSERT INTO monthly_usage (account_id, period, kind, used)
		SELECT ?1, ?2, ?3, max(?4, 0) WHERE ?5 < 0 OR ?4 <= ?5
		ON CONFLICT (account_id, period, kind) DO UPDATE SET used = max(used + ?4, 0)
		WHERE ?5 < 0 OR ?4 <= 0 OR used + ?4 <= ?5
		RETURNING used`, accountID, period, kind, delta, max).Scan(&used)
	if errors.Is(err, sql.ErrNoRows) {
		// Refused: report what is used now.
		err = q.queryRow(ctx, `SELECT coalesce(max(used), 0) FROM monthly_usage WHERE account_id = ? AND period = ? AND kind = ?`,
			accountID, period, kind).Scan(&used)
		return used, false, err
	}
	return used, err == nil, err
}
