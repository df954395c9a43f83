// Package sqlite is the Store of the embedded default: one SQLite file in WAL
// mode, one writer connection that runs immediate transactions (so a transaction
// that reads and then writes never meets SQLITE_BUSY), and a pool of read-only
// connections for everything else.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/omnivibepro/omnivibe/internal/service"
	"modernc.org/sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options tunes a Store. The zero value is a sensible default.
type Options struct {
	// Readers is the size of the read-only pool; default 2 × GOMAXPROCS.
	Readers int
	// BusyTimeout is how long a connection waits for a lock; default 5 s.
	BusyTimeout time.Duration
	// CheckpointEvery is the period of the passive WAL checkpoint; default
	// 1 min, negative disables it.
	CheckpointEvery time.Duration
	// Logger receives checkpoint failures; default slog.Default().
	Logger *slog.Logger
}

// Store is the SQLite Store. Reads run on the read-only pool; InTx runs on the
// single writer connection.
type Store struct {
	queries
	writer *sql.DB
	reader *sql.DB
	path   string
	log    *slog.Logger

	txs      chan *txRequest // transactions waiting for the writer (writeLoop)
	stop     chan struct{}
	stopped  sync.WaitGroup
	closeErr error
	closed   sync.Once

	// checkpointHolds counts backups in progress: a WAL checkpoint would wait
	// for their read transaction while blocking every writer.
	checkpointHolds atomic.Int32
}

var _ service.Store = (*Store)(nil)

// Open opens (creating if needed) the database file at path, applies the
// embedded migrations, and starts the periodic WAL checkpoint.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if opts.Readers <= 0 {
		opts.Readers = 2 * runtime.GOMAXPROCS(0)
	}
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = 5 * time.Second
	}
	if opts.CheckpointEvery == 0 {
		opts.CheckpointEvery = time.Minute
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create database directory: %w", err)
	}
	busy := strconv.FormatInt(opts.BusyTimeout.Milliseconds(), 10)
	common := url.Values{}
	common.Add("_pragma", "busy_timeout("+busy+")")
	common.Add("_pragma", "foreign_keys(1)")
	common.Add("_pragma", "synchronous(NORMAL)")
	common.Add("_pragma", "temp_store(MEMORY)")
	common.Add("_pragma", "cache_size(-32000)")

	w := url.Values{}
	for k, v := range common {
		w[k] = append([]string(nil), v...)
	}
	w.Add("_pragma", "journal_mode(WAL)")
	w.Add("_pragma", "journal_size_limit(67108864)") // the WAL shrinks back to 64 MiB when it restarts
	w.Set("_txlock", "immediate")
	writer := sql.OpenDB(cachingConnector{dsn: "file:" + path + "?" + w.Encode(), driver: &sqlite.Driver{}})
	// One writer: SQLite allows one at a time anyway, and queueing in Go is
	// cheaper and fairer than spinning on the busy handler.
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)
	if err := writer.PingContext(ctx); err != nil {
		writer.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := migrate(ctx, writer); err != nil {
		writer.Close()
		return nil, err
	}

	r := url.Values{}
	for k, v := range common {
		r[k] = append([]string(nil), v...)
	}
	r.Add("_pragma", "query_only(1)")
	reader := sql.OpenDB(cachingConnector{dsn: "file:" + path + "?" + r.Encode(), driver: &sqlite.Driver{}})
	reader.SetMaxOpenConns(opts.Readers)
	reader.SetMaxIdleConns(opts.Readers)
	reader.SetConnMaxLifetime(0)
	reader.SetConnMaxIdleTime(0)

	s := &Store{queries: queries{db: reader}, writer: writer, reader: reader, path: path, log: opts.Logger,
		stop: make(chan struct{}), txs: make(chan *txRequest)}
	s.stopped.Add(1)
	go s.writeLoop() // #nosec G118 -- the writer outlives Open's context by design; Close stops it
	if opts.CheckpointEvery > 0 {
		s.stopped.Add(1)
		go s.checkpointLoop(opts.CheckpointEvery) // #nosec G118 -- the loop outlives Open's context by design; Close stops it
	}
	return s, nil
}

// Writer returns the single writer connection pool, for the job queue that
// must share it (River on SQLite enqueues in the application's transactions).
func (s *Store) Writer() *sql.DB { return s.writer }

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Ping checks both pools.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.reader.PingContext(ctx); err != nil {
		return err
	}
	return s.writer.PingContext(ctx)
}

// Close stops the checkpoint loop, truncates the WAL and closes both pools.
// It is safe to call more than once.
func (s *Store) Close() error {
	s.closed.Do(func() {
		close(s.stop)
		s.stopped.Wait()
		rerr := s.reader.Close()
		_, cerr := s.writer.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		s.closeErr = errors.Join(rerr, cerr, s.writer.Close())
	})
	return s.closeErr
}

// checkpointLoop keeps the WAL from growing without bound under steady writes.
// The checkpoint is PASSIVE: a TRUNCATE checkpoint waits for every reader to
// leave the WAL, and on the single writer connection that wait (up to the
// busy timeout under steady reads) would stall every write behind it. The
// WAL file is kept small by journal_size_limit instead, which truncates it
// whenever SQLite starts it over.
func (s *Store) checkpointLoop(every time.Duration) {
	defer s.stopped.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			if s.checkpointHolds.Load() > 0 {
				continue
			}
			if err := s.Checkpoint(context.Background()); err != nil {
				s.log.Warn("wal checkpoint", "err", err)
			}
		}
	}
}

// Checkpoint copies what it can of the WAL into the database without waiting
// for readers; what readers still need is copied next period.
func (s *Store) Checkpoint(ctx context.Context) error {
	var busy, logPages, done int
	return s.writer.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logPages, &done)
}

// Tx is one write transaction.
type Tx struct {
	queries
	tx *sql.Tx
}

var _ service.Tx = (*Tx)(nil)

// SQLTx is the underlying transaction, for the job queue to enqueue in it.
func (t *Tx) SQLTx() *sql.Tx { return t.tx }

// LockAccount does nothing: write transactions on the single writer are serial.
func (t *Tx) LockAccount(context.Context, int64) error { return nil }

// Migrate applies the embedded migrations to the database at path and returns
// the versions applied, without starting a Store.
func Migrate(ctx context.Context, path string) ([]int, error) {
	s, err := Open(ctx, path, Options{CheckpointEvery: -1})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return s.appliedVersions(ctx)
}

func (s *Store) appliedVersions(ctx context.Context) ([]int, error) {
	rows, err := s.writer.QueryContext(ctx, "SELECT version FROM schema_migrations ORDER BY version")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// migrate applies, in order and each in its own transaction, the migrations
// whose version (the number before the first "_" of the file name) is new.
func migrate(ctx context.Context, db *sql.DB) error {
	return migrateThrough(ctx, db, math.MaxInt)
}

// migrateThrough applies the migrations up to version last (tests start from
// an older schema with it).
func migrateThrough(ctx context.Context, db *sql.DB, last int) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("migrations table: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		base := filepath.Base(name)
		version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with a number", base)
		}
		if version > last {
			break
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		if err := applyMigration(ctx, db, version, string(body)); err != nil {
			return fmt.Errorf("migration %s: %w", base, err)
		}
	}
	return nil
}

// rebuildsTables is the first line of a migration that rebuilds tables the
// way SQLite documents for changes ALTER TABLE cannot make
// (https://www.sqlite.org/lang_altertable.html#otheralter): it runs with
// foreign keys off, so that dropping the old table neither cascades into its
// children nor fails, and is committed only if PRAGMA foreign_key_check then
// finds every reference intact.
const rebuildsTables = "-- migrate: rebuilds tables with foreign keys off"

func applyMigration(ctx context.Context, db *sql.DB, version int, body string) (err error) {
	// One connection for the pragma and the transaction: foreign_keys is a
	// setting of the connection, and cannot change inside a transaction.
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if strings.HasPrefix(body, rebuildsTables) {
		if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
			return err
		}
		defer func() { err = errors.Join(err, foreignKeysOn(ctx, conn)) }()
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations WHERE version = ?", version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, body); err != nil {
		return err
	}
	if err := foreignKeyCheck(ctx, tx); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", version, time.Now().UnixMicro()); err != nil {
		return err
	}
	return tx.Commit()
}

// foreignKeyCheck fails when a row refers to a parent that does not exist,
// naming the first few.
func foreignKeyCheck(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return err
	}
	defer rows.Close()
	var bad []string
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fk int
		if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
			return err
		}
		if len(bad) < 5 {
			bad = append(bad, fmt.Sprintf("%s row %d (its %s is missing)", table, rowid.Int64, parent))
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(bad) > 0 {
		return fmt.Errorf("foreign keys broken, nothing changed: %s", strings.Join(bad, "; "))
	}
	return nil
}

// foreignKeysOn turns foreign keys back on for the connection and checks
// that they are: the writer must never run without them.
func foreignKeysOn(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = ON"); err != nil {
		return fmt.Errorf("foreign keys back on: %w", err)
	}
	var on int
	if err := conn.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&on); err != nil || on != 1 {
		return fmt.Errorf("foreign keys are not back on (%d): %v", on, err)
	}
	return nil
}
