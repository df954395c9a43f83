package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"

	"github.com/omnivibepro/omnivibe"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// queries holds every statement; Store runs them on the read pool, Tx inside
// its transaction. Statements are prepared once per connection and reused:
// modernc's driver keeps no statement cache, and preparing took a fifth of the
// time of a campaign insert.
type queries struct {
	stmts *statements
	tx    *sql.Tx // nil outside a transaction
	// missed collects, inside a transaction, the queries not yet prepared on
	// the pool: preparing one there would wait for the single writer
	// connection, which the transaction itself holds. They are prepared once
	// the transaction has released it.
	missed *[]string
}

// statements caches the prepared statements of one pool. The set of queries
// is fixed by the code, so the cache is bounded.
type statements struct {
	db *sql.DB
	m  sync.Map // query string -> *sql.Stmt
}

func (s *statements) get(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := s.lookup(query); ok {
		return st, nil
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.m.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

func (s *statements) lookup(query string) (*sql.Stmt, bool) {
	st, ok := s.m.Load(query)
	if !ok {
		return nil, false
	}
	return st.(*sql.Stmt), true
}

func (s *statements) close() {
	s.m.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
}

// stmt returns the prepared statement of query, bound to the transaction when
// there is one.
func (q queries) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if q.tx == nil {
		return q.stmts.get(ctx, query)
	}
	if st, ok := q.stmts.lookup(query); ok {
		return q.tx.StmtContext(ctx, st), nil
	}
	*q.missed = append(*q.missed, query)
	return q.tx.PrepareContext(ctx, query) // closed with the transaction
}

func (q queries) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := q.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (q queries) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := q.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// row is a *sql.Row that can also carry a failure to prepare.
type row struct {
	*sql.Row
	err error
}

func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.Row.Scan(dest...)
}

func (q queries) queryRow(ctx context.Context, query string, args ...any) row {
	st, err := q.stmt(ctx, query)
	if err != nil {
		return row{err: err}
	}
	return row{Row: st.QueryRowContext(ctx, args...)}
}

// micros and fromMicros convert times to the stored form: microseconds, UTC.
func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

func nullMicros(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMicro(), Valid: true}
}

func timePtr(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromMicros(n.Int64)
	return &t
}

// conflictOr turns a constraint violation into a conflict with the given
// message, and sql.ErrNoRows into not found for resource; other errors pass.
func conflictOr(err error, resource, conflictMessage string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return omnivibe.NotFound(resource)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY,
			sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY, sqlite3.SQLITE_CONSTRAINT_TRIGGER:
			return &omnivibe.Error{Code: omnivibe.CodeConflict, Message: conflictMessage, Err: err}
		}
	}
	return err
}

// notFoundOr turns sql.ErrNoRows into not found for resource.
func notFoundOr(err error, resource string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return omnivibe.NotFound(resource)
	}
	return err
}

// mustAffect turns an UPDATE or DELETE that touched no row into not found: the
// row does not exist in the caller's account.
func mustAffect(res sql.Result, err error, resource string) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return omnivibe.NotFound(resource)
	}
	return nil
}

// offset is the number of rows before a page.
func offset(page, pageSize int) int { return (page - 1) * pageSize }
