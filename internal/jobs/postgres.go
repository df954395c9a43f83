package jobs

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/omnivibepro/omnivibe/internal/service"
)

// NewPostgres returns a queue on PostgreSQL. Workers are told of new jobs at
// once by LISTEN/NOTIFY, and any worker of any process picks a job up.
func NewPostgres(ctx context.Context, pool *pgxpool.Pool, cfg Config, log *slog.Logger) (*Queue[pgx.Tx], error) {
	return newQueue(ctx, riverpgxv5.New(pool), cfg, log, false, func(tx service.Tx) (pgx.Tx, error) {
		pt, ok := tx.(interface{ PgxTx() pgx.Tx })
		if !ok {
			return nil, fmt.Errorf("jobs: transaction %T is not a PostgreSQL transaction", tx)
		}
		return pt.PgxTx(), nil
	})
}
