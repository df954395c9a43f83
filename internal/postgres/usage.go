package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/omnivibepro/omnivibe"
)

func (q queries) Usage(ctx context.Context, accountID int64, period string) (omnivibe.UsageCounts, error) {
	var u omnivibe.UsageCounts
	rows, err := q.db.Query(ctx, `SELECT kind, used FROM monthly_usage WHERE account_id = $1 AND period = $2`, accountID, period)
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

// AddUsage is one upsert whose WHERE clauses are the quota check: a new row
// is inserted only if delta alone fits the limit, an existing one is updated
// only if its new total does. ON CONFLICT DO UPDATE locks the row and checks
// the WHERE against its latest committed version, so concurrent calls on any
// number of replicas queue on the row and can never overshoot.
func (q queries) AddUsage(ctx context.Context, accountID int64, period, kind string, delta int, limit *int) (int, bool, error) {
	max := int64(-1) // -1: unlimited
	if limit != nil {
		max = int64(*limit)
	}
	var used int
	err := q.db.QueryRow(ctx, `INSERT INTO monthly_usage AS u (account_id, period, kind, used)
		SELECT $1, $2, $3, greatest($4::bigint, 0) WHERE $5::bigint < 0 OR $4::bigint <= $5::bigint
		ON CONFLICT (account_id, period, kind) DO UPDATE SET used = greatest(u.used + $4::bigint, 0)
		WHERE $5::bigint < 0 OR $4::bigint <= 0 OR u.used + $4::bigint <= $5::bigint
		RETURNING used`, accountID, period, kind, int64(delta), max).Scan(&used)
	if errors.Is(err, pgx.ErrNoRows) {
		// Refused: report what is used now.
		err = q.db.QueryRow(ctx, `SELECT coalesce(max(used), 0) FROM monthly_usage WHERE account_id = $1 AND period = $2 AND kind = $3`,
			accountID, period, kind).Scan(&used)
		return used, false, err
	}
	return used, err == nil, err
}
