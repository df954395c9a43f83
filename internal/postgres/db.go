// Package postgres is the Store of the scaled-out mode: PostgreSQL through a
// pgx connection pool, shared by any number of API replicas and workers.
//
// Where the embedded SQLite store relies on its single writer to make write
// transactions serial, this store takes row locks instead: LockAccount locks
// the account's row, every row a write transaction reads by id is locked
// against concurrent writers (FOR NO KEY UPDATE) until the transaction ends,
// so a read that decides a write cannot be overtaken, and the quota check is a
// single conditional upsert. Transactions run at READ COMMITTED.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/omnivibepro/omnivibe/internal/service"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options tunes a Store. The zero value is a sensible default.
type Options struct {
	// MaxConns bounds the pool. Default pool_max_conns in the URL, else the
	// larger of 8 and 4 × GOMAXPROCS: a transaction that waits for a row
	// lock holds its connection, and reads must not queue behind it. Mind
	// the server's max_connections (100 by default) across all replicas.
	MaxConns int32
}

// Store is the PostgreSQL Store. Reads run on the pool, InTx in one
// transaction on one pooled connection.
type Store struct {
	queries
	pool *pgxpool.Pool
	name string
}

var _ service.Store = (*Store)(nil)

// Open connects to the database at url (postgres://...), applies the embedded
// migrations under an advisory lock, and returns the Store. Runtime parameters
// in the URL reach every connection: ?search_path=name puts the tables in
// that schema.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database url: %w", err)
	}
	switch {
	case opts.MaxConns > 0:
		cfg.MaxConns = opts.MaxConns
	case !strings.Contains(url, "pool_max_conns"):
		cfg.MaxConns = int32(min(max(8, 4*runtime.GOMAXPROCS(0)), math.MaxInt32))
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to %s: %w", redact(cfg), err)
	}
	if _, err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return &Store{queries: queries{db: pool}, pool: pool, name: redact(cfg)}, nil
}

// redact names a database without its password.
func redact(cfg *pgxpool.Config) string {
	c := cfg.ConnConfig
	return fmt.Sprintf("%s@%s:%d/%s", c.User, c.Host, c.Port, c.Database)
}

// Name is the database, as user@host:port/database (never the password).
func (s *Store) Name() string { return s.name }

// Pool is the connection pool, for the job queue that shares the database.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// Close closes the pool, waiting for connections in use to be returned.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// InTx runs fn in one transaction: committed when fn returns nil, rolled back
// otherwise, and also when fn panics, so the connection always goes back to
// the pool.
func (s *Store) InTx(ctx context.Context, fn func(service.Tx) error) (err error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			// The rollback's own error adds nothing: a connection that
			// cannot roll back is closed by pgx, not reused.
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if err := fn(&Tx{queries: queries{db: tx, lock: lockForUpdate}, tx: tx}); err != nil {
		return err
	}
	committed = true
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Tx is one write transaction.
type Tx struct {
	queries
	tx pgx.Tx
}

var _ service.Tx = (*Tx)(nil)

// PgxTx is the underlying transaction, for the job queue to enqueue in it.
func (t *Tx) PgxTx() pgx.Tx { return t.tx }

// LockAccount locks the account's row until the transaction ends, so that
// the transactions of one account that call it run one after another. The
// lock is FOR NO KEY UPDATE: it excludes every other locker and writer of
// the row just as FOR UPDATE would, but not the inserts that merely
// reference the account (they take FOR KEY SHARE), which need not wait.
func (t *Tx) LockAccount(ctx context.Context, accountID int64) error {
	var id int64
	err := t.db.QueryRow(ctx, `SELECT id FROM accounts WHERE id = $1`+lockForUpdate, accountID).Scan(&id)
	return notFoundOr(err, "account")
}

// Migrate applies the embedded migrations to the database at url and returns
// the versions applied, without keeping a Store open.
func Migrate(ctx context.Context, url string) ([]int, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database url: %w", err)
	}
	cfg.MaxConns = 1
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	return migrate(ctx, pool)
}

// migration is one embedded file: its version is the number before the
// first "_" of its name.
type migration struct {
	version int
	name    string
	body    string
}

func loadMigrations() ([]migration, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []migration
	for _, name := range names {
		base := path.Base(name)
		version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number", base)
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: version, name: base, body: string(body)})
	}
	return out, nil
}

// migrate applies the new migrations in one transaction that first takes a
// transaction-level advisory lock: replicas that start at once queue on the
// lock, and each one after the first finds the work done. The lock's key is
// derived from the schema, so databases (or schemas) migrate independently.
// DDL is transactional in PostgreSQL, so a failed migration leaves nothing.
func migrate(ctx context.Context, pool *pgxpool.Pool) ([]int, error) {
	all, err := loadMigrations()
	if err != nil {
		return nil, err
	}
	var applied []int
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('omnivibe.migrate.' || current_schema(), 0))`); err != nil {
			return fmt.Errorf("migration lock: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return fmt.Errorf("migrations table: %w", err)
		}
		rows, err := tx.Query(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
		if err != nil {
			return err
		}
		applied, err = pgx.CollectRows(rows, pgx.RowTo[int])
		if err != nil {
			return err
		}
		done := make(map[int]bool, len(applied))
		for _, v := range applied {
			done[v] = true
		}
		for _, m := range all {
			if done[m.version] {
				continue
			}
			// Exec without arguments runs the file as a simple query, so
			// one file may hold many statements.
			if _, err := tx.Exec(ctx, m.body); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, m.version); err != nil {
				return err
			}
			applied = append(applied, m.version)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(applied) == 0 {
		return nil, errors.New("no migrations embedded")
	}
	sort.Ints(applied)
	return applied, nil
}
