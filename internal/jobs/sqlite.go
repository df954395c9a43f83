package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/omnivibepro/omnivibe/internal/service"
)

// NewSQLite returns a queue on the SQLite database whose single writer
// connection pool is db (River must share it: a second writer would meet
// SQLITE_BUSY), after applying River's migrations to it.
func NewSQLite(ctx context.Context, db *sql.DB, cfg Config, log *slog.Logger) (*Queue[*sql.Tx], error) {
	cfg.defaults()
	driver := riversqlite.New(db)
	migrator, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: log.With("component", "river-migrate")})
	if err != nil {
		return nil, err
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return nil, fmt.Errorf("river migrations: %w", err)
	}
	run := &lateRunner{}
	client, err := river.NewClient(driver, riverConfig(cfg, run, log, true))
	if err != nil {
		return nil, err
	}
	return &Queue[*sql.Tx]{client: client, run: run, cfg: cfg, log: log, txOf: func(tx service.Tx) (*sql.Tx, error) {
		st, ok := tx.(interface{ SQLTx() *sql.Tx })
		if !ok {
			return nil, fmt.Errorf("jobs: transaction %T is not a SQLite transaction", tx)
		}
		return st.SQLTx(), nil
	}}, nil
}
