package jobs

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/omnivibepro/omnivibe/internal/service"
)

// NewPostgres returns a queue on PostgreSQL, after applying River's
// migrations (River takes an advisory lock, so replicas starting together
// do not race). Workers are told of new jobs at once by LISTEN/NOTIFY, and
// any worker of any process picks a job up.
func NewPostgres(ctx context.Context, pool *pgxpool.Pool, cfg Config, log *slog.Logger) (*Queue[pgx.Tx], error) {
	cfg.defaults()
	driver := riverpgxv5.New(pool)
	migrator, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: log.With("component", "river-migrate")})
	if err != nil {
		return nil, err
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return nil, fmt.Errorf("river migrations: %w", err)
	}
	run := &lateRunner{}
	client, err := river.NewClient(driver, riverConfig(cfg, run, log, false))
	if err != nil {
		return nil, err
	}
	return &Queue[pgx.Tx]{client: client, run: run, cfg: cfg, log: log, txOf: func(tx service.Tx) (pgx.Tx, error) {
		pt, ok := tx.(interface{ PgxTx() pgx.Tx })
		if !ok {
			return nil, fmt.Errorf("jobs: transaction %T is not a PostgreSQL transaction", tx)
		}
		return pt.PgxTx(), nil
	}}, nil
}
