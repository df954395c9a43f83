package app

import (
	"context"
	"path/filepath"
	"sync"
	"time"

	"github.com/omnivibepro/omnivibe/internal/backup"
	"github.com/omnivibepro/omnivibe/internal/config"
)

// StartBackups keeps the last cfg.BackupKeep daily backups of the embedded
// database in DataDir/backups, until the returned stop is called (it waits
// for a backup in progress). With BackupKeep 0 it does nothing.
func (a *App) StartBackups(ctx context.Context, cfg config.Config) (stop func()) {
	at, err := cfg.BackupTime()
	if cfg.BackupKeep <= 0 || err != nil || a.SQLite == nil {
		return func() {} // PostgreSQL is backed up with its own tools
	}
	s := &backup.Schedule{
		Source: a.SQLite.Path(),
		Dir:    filepath.Join(cfg.DataDir, "backups"),
		Keep:   cfg.BackupKeep,
		At:     at,
		Log:    a.Log,
		Hold:   a.SQLite.HoldCheckpoints,
		Done:   func(r backup.Result, end time.Time, err error) { a.Metrics.BackupDone(r.Took, end, err) },
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.Run(ctx)
	}()
	return func() {
		cancel()
		wg.Wait()
	}
}
