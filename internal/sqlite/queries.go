package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/omnivibepro/omnivibe"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dbtx is what a pool and a transaction have in common, so that every query is
// written once and runs on either.
type dbtx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// queries holds every statement; Store runs them on the read pool, Tx inside
// its transaction. The connections keep their prepared statements (see
// cachingConnector), so plain query strings cost no preparing after the first.
type queries struct {
	db dbtx
}

func (q queries) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return q.db.ExecContext(ctx, query, args...)
}

func (q queries) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return q.db.QueryContext(ctx, query, args...)
}

func (q queries) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return q.db.QueryRowContext(ctx, query, args...)
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
