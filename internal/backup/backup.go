// Package backup takes consistent copies of the embedded SQLite database
// while the server keeps writing to it, and keeps the last few daily copies.
//
// A copy is read in one read transaction on a connection of its own. In WAL
// mode a reader never blocks writers, so the server's writes go on during a
// copy; the copy is the database as of the moment the transaction began.
package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	sqlite "modernc.org/sqlite"
)

// Method is how the pages are copied.
type Method int

const (
	// PageCopy uses SQLite's online backup API in a single step: the pages
	// are copied as they are, which is the fastest way (see benchmarks).
	PageCopy Method = iota
	// Vacuum uses VACUUM INTO: slower, but the copy comes out defragmented.
	Vacuum
)

// Result describes a finished backup.
type Result struct {
	Path  string
	Bytes int64
	Took  time.Duration
}

// Online copies the database at src to dst, which must not exist yet. The
// copy is written to a temporary file beside dst, checked, and renamed into
// place, so dst is either a complete database or absent.
func Online(ctx context.Context, src, dst string, method Method) (Result, error) {
	start := time.Now()
	if _, err := os.Stat(src); err != nil {
		return Result{}, fmt.Errorf("backup source: %w", err)
	}
	if _, err := os.Stat(dst); err == nil {
		return Result{}, fmt.Errorf("backup %s: already exists", dst)
	}
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Result{}, err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(dst)+".partial-*")
	if err != nil {
		return Result{}, err
	}
	tmpPath := tmp.Name()
	tmp.Close()
	// The copy is written by SQLite, which wants to create the file itself.
	os.Remove(tmpPath)
	defer func() {
		for _, p := range []string{tmpPath, tmpPath + "-wal", tmpPath + "-shm", tmpPath + "-journal"} {
			os.Remove(p) // after the rename, only what SQLite left beside the copy
		}
	}()

	db, err := openSource(src)
	if err != nil {
		return Result{}, err
	}
	defer db.Close()
	switch method {
	case Vacuum:
		_, err = db.ExecContext(ctx, "VACUUM INTO ?", tmpPath)
	default:
		err = pageCopy(ctx, db, tmpPath)
		if err == nil {
			err = toRollbackJournal(ctx, tmpPath)
		}
	}
	if err != nil {
		return Result{}, fmt.Errorf("backup of %s: %w", src, err)
	}
	if err := Verify(ctx, tmpPath); err != nil {
		return Result{}, err
	}
	if err := os.Chmod(tmpPath, 0o600); err != nil {
		return Result{}, err
	}
	if err := os.Rename(tmpPath, dst); err != nil {
		return Result{}, err
	}
	st, err := os.Stat(dst)
	if err != nil {
		return Result{}, err
	}
	return Result{Path: dst, Bytes: st.Size(), Took: time.Since(start)}, nil
}

// openSource opens the live database for reading, on one connection of its
// own that waits for locks like the server's connections do.
func openSource(path string) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// backuper is what modernc.org/sqlite's connections offer for the online
// backup API.
type backuper interface {
	NewBackup(dstURI string) (*sqlite.Backup, error)
}

// pageCopy copies every page in one step. Copying in several steps would let
// writers in between, and each write would restart the copy; one step is one
// read transaction, which in WAL mode writers do not wait for.
func pageCopy(ctx context.Context, db *sql.DB, dst string) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		b, ok := dc.(backuper)
		if !ok {
			return errors.New("the SQLite driver offers no online backup")
		}
		bk, err := b.NewBackup(dst)
		if err != nil {
			return err
		}
		_, stepErr := bk.Step(-1)
		return errors.Join(stepErr, bk.Finish())
	})
}

// toRollbackJournal makes a page copy, which keeps the WAL mode of its
// source, a single self-contained file: opened read-only, or copied alone
// elsewhere, it needs no -wal or -shm file beside it. A server that opens it
// switches it back to WAL.
func toRollbackJournal(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return err
	}
	defer db.Close()
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode=DELETE").Scan(&mode); err != nil {
		return err
	}
	if mode != "delete" {
		return fmt.Errorf("backup %s stays in journal mode %q", path, mode)
	}
	return db.Close()
}

// Verify opens a backup and runs SQLite's integrity check on it.
func Verify(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return err
	}
	defer db.Close()
	var result string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&result); err != nil {
		return fmt.Errorf("backup %s: integrity check: %w", path, err)
	}
	if result != "ok" {
		return fmt.Errorf("backup %s: integrity check says %q", path, result)
	}
	return nil
}
