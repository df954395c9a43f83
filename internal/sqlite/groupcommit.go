package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/omnivibepro/omnivibe/internal/service"
)

// maxBatch bounds how many transactions share one commit.
const maxBatch = 64

// errClosed answers transactions asked of a closed store.
var errClosed = errors.New("sqlite: store is closed")

// txRequest is one caller's transaction, waiting for the writer.
type txRequest struct {
	ctx  context.Context
	fn   func(service.Tx) error
	done chan error
}

// InTx runs fn as one transaction on the writer connection, and returns when
// it is committed (or rolled back).
//
// Transactions asked for at the same time share one SQLite transaction, each
// inside its own savepoint: a failing one rolls back to its savepoint and the
// others commit together (group commit). A commit writes the WAL; sharing it
// was worth a third of the time of a script generation under load, and
// nothing changes for the caller: its writes are atomic, serial with every
// other transaction's, and durable when InTx returns nil.
//
// InTx waits for the outcome even if ctx ends meanwhile, so that its answer
// is always the truth about the write; a transaction whose ctx has ended
// before its turn does not run.
func (s *Store) InTx(ctx context.Context, fn func(service.Tx) error) error {
	req := &txRequest{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case s.txs <- req:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.stop:
		return errClosed
	}
	return <-req.done
}

// writeLoop is the single writer: it takes the waiting transactions and runs
// them in batches until the store closes.
func (s *Store) writeLoop() {
	defer s.stopped.Done()
	for {
		var first *txRequest
		select {
		case first = <-s.txs:
		case <-s.stop:
			return
		}
		batch := []*txRequest{first}
	more:
		for len(batch) < maxBatch {
			select {
			case r := <-s.txs:
				batch = append(batch, r)
			default:
				break more
			}
		}
		s.runBatch(batch)
	}
}

// runBatch runs a batch in one transaction and answers each caller.
func (s *Store) runBatch(batch []*txRequest) {
	results := make([]error, len(batch))
	defer func() {
		for i, r := range batch {
			r.done <- results[i]
		}
	}()
	// The transaction outlives any one caller: it must not end with the
	// first caller's context. Each caller's statements use its own.
	tx, err := s.writer.BeginTx(context.Background(), nil)
	if err != nil {
		for i := range results {
			results[i] = fmt.Errorf("begin: %w", err)
		}
		return
	}
	t := &Tx{queries: queries{db: tx}, tx: tx}
	if len(batch) == 1 { // alone: no savepoint needed
		if results[0] = run(batch[0], t); results[0] != nil {
			_ = tx.Rollback()
			return
		}
		if err := tx.Commit(); err != nil {
			results[0] = fmt.Errorf("commit: %w", err)
		}
		return
	}
	for i, r := range batch {
		if _, err := tx.Exec("SAVEPOINT item"); err != nil {
			s.abort(tx, results, fmt.Errorf("savepoint: %w", err))
			return
		}
		if results[i] = run(r, t); results[i] != nil {
			if _, err := tx.Exec("ROLLBACK TO item"); err != nil {
				s.abort(tx, results, fmt.Errorf("rollback to savepoint: %w", err))
				return
			}
		}
		if _, err := tx.Exec("RELEASE item"); err != nil {
			s.abort(tx, results, fmt.Errorf("release savepoint: %w", err))
			return
		}
	}
	if err := tx.Commit(); err != nil {
		for i := range results {
			if results[i] == nil {
				results[i] = fmt.Errorf("commit: %w", err)
			}
		}
	}
}

// abort rolls the whole batch back: every caller that had not failed on its
// own learns that its write did not happen.
func (s *Store) abort(tx *sql.Tx, results []error, err error) {
	_ = tx.Rollback()
	s.log.Error("write batch rolled back", "err", err)
	for i := range results {
		if results[i] == nil {
			results[i] = err
		}
	}
}

// run runs one caller's fn, turning a panic into an error so that one bad
// transaction cannot take the writer, and every other caller, down.
func run(r *txRequest, t *Tx) (err error) {
	if err := r.ctx.Err(); err != nil {
		return err
	}
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic in transaction: %v", v)
		}
	}()
	return r.fn(t)
}
