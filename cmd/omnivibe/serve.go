package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/omnivibepro/omnivibe/internal/app"
	"github.com/omnivibepro/omnivibe/internal/config"
	"github.com/omnivibepro/omnivibe/internal/postgres"
	"github.com/omnivibepro/omnivibe/internal/sqlite"
)

// loadConfig parses a subcommand's flags over the environment.
func loadConfig(name, summary string, args []string, getenv func(string) string, stderr io.Writer) (config.Config, error) {
	fs := newFlagSet(name, summary, stderr)
	cfg, err := config.Load(fs, args, getenv)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		if strings.Contains(err.Error(), "flag provided but not defined") {
			return cfg, errUsage
		}
		return cfg, fmt.Errorf("configuration: %w", err)
	}
	return cfg, err
}

// newLogger builds the process's logger from the configuration.
func newLogger(cfg config.Config, stderr io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	format := cfg.LogFormat
	if format == "auto" {
		format = "json"
		if f, ok := stderr.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				format = "text"
			}
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(stderr, opts))
}

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig("migrate", "Apply the embedded schema migrations to the database and exit.", args, getenv, stderr)
	if err != nil {
		return err
	}
	if cfg.DatabaseURL != "" {
		versions, err := postgres.Migrate(ctx, cfg.DatabaseURL)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "postgresql database is at migration %d\n", versions[len(versions)-1])
		return nil
	}
	versions, err := sqlite.Migrate(ctx, cfg.SQLitePath())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database %s is at migration %d\n", cfg.SQLitePath(), versions[len(versions)-1])
	return nil
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig("serve", "Run the HTTP API. With no configuration it runs the embedded default:\nSQLite under ./data, in-process cache.", args, getenv, stderr)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer func() {
		if err := a.Close(); err != nil {
			log.Error("close", "err", err)
		}
	}()
	api := a.API

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           api,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(stdout, "omnivibe listening on http://%s (data in %s)\n", ln.Addr(), cfg.DataDir)
	cacheKind := "in-process"
	if a.Redis != nil {
		cacheKind = "redis"
	}
	log.Info("serving", "addr", ln.Addr().String(), "database", a.Database(), "cache", cacheKind, "writer", a.Writer.Name()+"/"+a.Writer.Model())

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}

	// Shutdown: report not ready, let in-flight requests finish, then the
	// deferred closes run (the database last, after a WAL checkpoint).
	log.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	api.SetDraining()
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}
