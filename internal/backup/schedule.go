package backup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"time"
)

// Schedule keeps the last Keep daily backups of Source in Dir, taking one a
// day at At after midnight UTC. A server that was down at that time takes the
// day's backup when it starts.
type Schedule struct {
	Source string
	Dir    string
	Keep   int
	At     time.Duration
	Method Method
	Log    *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Hold, when set, is called around each copy; the SQLite store uses it to
	// hold its WAL checkpoints, which would otherwise wait for the copy's
	// read transaction while blocking writers.
	Hold func() (release func())
	// Done, when set, is told of every backup (metrics).
	Done func(r Result, end time.Time, err error)
}

// dailyName is the file name of a day's backup; names sort by date.
var dailyName = regexp.MustCompile(`^omnivibe-\d{4}-\d{2}-\d{2}\.db$`)

func fileFor(day time.Time) string { return "omnivibe-" + day.UTC().Format("2006-01-02") + ".db" }

// Run takes the daily backups until ctx ends.
func (s *Schedule) Run(ctx context.Context) {
	now := s.now()
	if due := s.dueToday(now); due {
		s.take(ctx, now)
	}
	for {
		now := s.now()
		// Measured on the schedule's own clock (Now), not the wall clock: the
		// two differ in tests, and a wait computed across them fires at once.
		t := time.NewTimer(s.next(now).Sub(now))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		s.take(ctx, s.now())
	}
}

// dueToday reports whether today's backup time has passed without a backup.
func (s *Schedule) dueToday(now time.Time) bool {
	midnight := now.UTC().Truncate(24 * time.Hour)
	if now.Before(midnight.Add(s.At)) {
		return false
	}
	_, err := os.Stat(filepath.Join(s.Dir, fileFor(now)))
	return errors.Is(err, os.ErrNotExist)
}

// next is the first backup time after now.
func (s *Schedule) next(now time.Time) time.Time {
	at := now.UTC().Truncate(24 * time.Hour).Add(s.At)
	if !at.After(now) {
		at = at.Add(24 * time.Hour)
	}
	return at
}

func (s *Schedule) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// take makes the backup of now's day and prunes the old ones; failures are
// logged and reported, and the next day tries again.
func (s *Schedule) take(ctx context.Context, now time.Time) {
	r, err := s.TakeDaily(ctx, now)
	if s.Done != nil {
		s.Done(r, s.now(), err)
	}
	if err != nil {
		s.logger().Error("daily backup failed", "err", err)
		return
	}
	s.logger().Info("daily backup taken", "path", r.Path, "bytes", r.Bytes, "took", r.Took.String())
}

// TakeDaily makes the backup of now's day (replacing one already taken that
// day) and keeps only the newest Keep backups.
func (s *Schedule) TakeDaily(ctx context.Context, now time.Time) (Result, error) {
	if s.Keep <= 0 {
		return Result{}, errors.New("backups are off (keep 0)")
	}
	dst := filepath.Join(s.Dir, fileFor(now))
	if s.Hold != nil {
		release := s.Hold()
		defer release()
	}
	tmp := dst + ".new"
	os.Remove(tmp)
	r, err := Online(ctx, s.Source, tmp, s.Method)
	if err != nil {
		return r, err
	}
	if err := os.Rename(tmp, dst); err != nil {
		return r, err
	}
	r.Path = dst
	if _, err := Prune(s.Dir, s.Keep); err != nil {
		return r, fmt.Errorf("prune old backups: %w", err)
	}
	return r, nil
}

func (s *Schedule) logger() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// Prune deletes all but the newest keep daily backups in dir and returns
// what it deleted. Other files are left alone.
func Prune(dir string, keep int) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var daily []string
	for _, e := range entries {
		if e.Type().IsRegular() && dailyName.MatchString(e.Name()) {
			daily = append(daily, e.Name())
		}
	}
	slices.Sort(daily)
	var removed []string
	for len(daily) > keep {
		path := filepath.Join(dir, daily[0])
		if err := os.Remove(path); err != nil {
			return removed, err
		}
		removed = append(removed, path)
		daily = daily[1:]
	}
	return removed, nil
}
