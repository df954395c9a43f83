package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/omnivibepro/omnivibe/internal/backup"
	"github.com/omnivibepro/omnivibe/internal/config"
)

// backupCmd writes a consistent copy of the embedded database to a file,
// while the server may be running and writing to it.
func backupCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("backup", "Copy the SQLite database to FILE while the server runs (it keeps serving\nand writing). FILE must not exist. Usage: omnivibe backup [flags] FILE", stderr)
	compact := fs.Bool("compact", false, "copy with VACUUM INTO (defragmented, a little slower) instead of the page copy")
	var file string
	if n := len(args); n > 0 && !strings.HasPrefix(args[n-1], "-") {
		file, args = args[n-1], args[:n-1]
	}
	cfg, err := config.Load(fs, args, getenv)
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	if err != nil {
		if strings.Contains(err.Error(), "flag provided but not defined") {
			return errUsage
		}
		return fmt.Errorf("configuration: %w", err)
	}
	if file == "" {
		fs.Usage()
		return errUsage
	}
	if cfg.DatabaseURL != "" {
		return errors.New("DATABASE_URL is set: back PostgreSQL up with its own tools (pg_dump, base backups)")
	}
	if _, err := os.Stat(cfg.SQLitePath()); err != nil { // #nosec G703 -- the operator's own data directory, in a command the operator runs
		return fmt.Errorf("no database at %s (set --data-dir): %w", cfg.SQLitePath(), err)
	}
	method := backup.PageCopy
	if *compact {
		method = backup.Vacuum
	}
	dst, err := filepath.Abs(file)
	if err != nil {
		return err
	}
	r, err := backup.Online(ctx, cfg.SQLitePath(), dst, method)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup of %s written to %s (%d bytes in %s); integrity check ok\n", cfg.SQLitePath(), r.Path, r.Bytes, r.Took.Round(1e6))
	return nil
}
