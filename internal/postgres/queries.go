package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/omnivibepro/omnivibe"
)

// querier is what the pool and a transaction have in common. pgx prepares
// each statement once per connection and keeps it (its statement cache), so
// the queries here are plain strings.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

var (
	_ querier = (*pgxpool.Pool)(nil)
	_ querier = (pgx.Tx)(nil)
)

// lockForUpdate ends a transaction's reads of one row by id: the row stays
// locked against other writers until the transaction ends, so the write it
// decides cannot be overtaken (a lost update). NO KEY UPDATE, the lock an
// UPDATE that keeps the key takes, does not block inserts that only
// reference the row.
const lockForUpdate = ` FOR NO KEY UPDATE`

// queries holds every statement; Store runs them on the pool, Tx inside its
// transaction.
type queries struct {
	db querier
	// lock is appended to reads of one row by id: empty on the pool,
	// lockForUpdate in a transaction.
	lock string
}

// utc returns t in UTC: pgx returns timestamptz values in the local zone,
// and times must compare equal to what was written.
func utc(t time.Time) time.Time { return t.UTC() }

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// PostgreSQL's error codes (SQLSTATE) that are conflicts.
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
)

// conflictOr turns a unique or foreign key violation into a conflict with the
// given message, and no rows into not found for resource; other errors pass.
func conflictOr(err error, resource, conflictMessage string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return omnivibe.NotFound(resource)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == uniqueViolation || pe.Code == foreignKeyViolation) {
		return &omnivibe.Error{Code: omnivibe.CodeConflict, Message: conflictMessage, Err: err}
	}
	return err
}

// notFoundOr turns no rows into not found for resource.
func notFoundOr(err error, resource string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return omnivibe.NotFound(resource)
	}
	return err
}

// mustAffect turns an UPDATE or DELETE that touched no row into not found: the
// row does not exist in the caller's account.
func mustAffect(tag pgconn.CommandTag, err error, resource string) error {
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return omnivibe.NotFound(resource)
	}
	return nil
}

// offset is the number of rows before a page.
func offset(page, pageSize int) int { return (page - 1) * pageSize }

// pageOf runs a list's count and its page in one round trip (a pipelined
// batch), and scans the page's rows with scan. A page past the end is empty.
func pageOf[T any](ctx context.Context, db querier, countSQL, pageSQL string, args []any, pageSize, off int,
	scan func(pgx.Row) (T, error)) ([]T, int, error) {
	var b pgx.Batch
	b.Queue(countSQL, args...)
	pageArgs := append(append(make([]any, 0, len(args)+2), args...), pageSize, off)
	b.Queue(pageSQL, pageArgs...)
	br := db.SendBatch(ctx, &b)
	defer br.Close()
	var total int
	if err := br.QueryRow().Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := br.Query()
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	return out, total, br.Close()
}

// collect scans every row of a query with scan.
func collect[T any](ctx context.Context, db querier, scan func(pgx.Row) (T, error), sql string, args ...any) ([]T, error) {
	rows, err := db.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
