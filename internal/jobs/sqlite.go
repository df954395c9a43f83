package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/omnivibepro/omnivibe/internal/service"
)

// NewSQLite returns a queue on the SQLite database whose single writer
// connection pool is db (River must share it: a second writer would meet
// SQLITE_BUSY). Nothing can notify workers of new jobs there, so they poll
// (Config.PollInterval).
func NewSQLite(ctx context.Context, db *sql.DB, cfg Config, log *slog.Logger) (*Queue[*sql.Tx], error) {
	return newQueue(ctx, riversqlite.New(db), cfg, log, true, func(tx service.Tx) (*sql.Tx, error) {
		st, ok := tx.(interface{ SQLTx() *sql.Tx })
		if !ok {
			return nil, fmt.Errorf("jobs: transaction %T is not a SQLite transaction", tx)
		}
		return st.SQLTx(), nil
	})
}
