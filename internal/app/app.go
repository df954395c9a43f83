// Package app assembles OmniVibe Pro from its configuration: the store, the
// cache, the script writer, the service and the HTTP API. `omnivibe serve`
// and the tests that need the whole product build it the same way, here.
//
// The embedded default is SQLite in the data directory and an in-process
// cache. DATABASE_URL selects PostgreSQL and REDIS_URL the shared Redis
// cache, each on its own: that is the scaled-out mode, where any number of
// replicas serve the same data.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/omnivibepro/omnivibe/internal/cache"
	"github.com/omnivibepro/omnivibe/internal/config"
	"github.com/omnivibepro/omnivibe/internal/httpapi"
	"github.com/omnivibepro/omnivibe/internal/postgres"
	"github.com/omnivibepro/omnivibe/internal/service"
	"github.com/omnivibepro/omnivibe/internal/sqlite"
	"github.com/omnivibepro/omnivibe/internal/writer"
)

// App is the assembled product.
type App struct {
	API     *httpapi.Server
	Service *service.Service
	Writer  *writer.Writer

	// Store is the database the service uses, whichever it is.
	Store service.Store
	// SQLite is the embedded store; nil when DATABASE_URL selects PostgreSQL.
	SQLite *sqlite.Store
	// Postgres is the scaled-out store; nil in the embedded default.
	Postgres *postgres.Store

	// Cache is the cache the service uses, whichever it is.
	Cache service.Cache
	// Redis is the shared cache; nil unless REDIS_URL is set.
	Redis *cache.Redis

	closers []func() error
}

// New builds the product from cfg. Close releases what it opened, in reverse.
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (_ *App, err error) {
	a := &App{}
	defer func() {
		if err != nil {
			_ = a.Close()
		}
	}()
	secret, err := cfg.Secret()
	if err != nil {
		return nil, fmt.Errorf("jwt secret: %w", err)
	}
	if err := a.openStore(ctx, cfg, log); err != nil {
		return nil, err
	}
	if err := a.openCache(ctx, cfg, log); err != nil {
		return nil, err
	}

	a.Writer, err = writer.New(writer.Config{Provider: cfg.Writer, Model: cfg.WriterModel, BaseURL: cfg.WriterBaseURL,
		APIKey: cfg.WriterAPIKey(), Timeout: cfg.WriterTimeout}, log, &http.Client{})
	if err != nil {
		return nil, fmt.Errorf("script writer: %w", err)
	}
	a.Service, err = service.New(service.Config{JWTSecret: secret, PasswordCost: cfg.PasswordCost},
		service.Deps{Store: a.Store, Cache: a.Cache, Writer: a.Writer, Logger: log})
	if err != nil {
		return nil, err
	}
	a.API = httpapi.New(a.Service, httpapi.Config{MaxBodyBytes: cfg.MaxBodyBytes, CORSOrigins: cfg.CORSOrigins, TrustProxy: cfg.TrustProxy}, log)
	return a, nil
}

// openStore opens PostgreSQL when DATABASE_URL is set, else the SQLite file
// in the data directory; either applies its migrations first.
func (a *App) openStore(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	if cfg.DatabaseURL != "" {
		pg, err := postgres.Open(ctx, cfg.DatabaseURL, postgres.Options{})
		if err != nil {
			return fmt.Errorf("postgresql: %w", err)
		}
		a.Postgres, a.Store = pg, pg
		a.closers = append(a.closers, pg.Close)
		return nil
	}
	lite, err := sqlite.Open(ctx, cfg.SQLitePath(), sqlite.Options{Logger: log})
	if err != nil {
		return err
	}
	a.SQLite, a.Store = lite, lite
	a.closers = append(a.closers, lite.Close)
	return nil
}

// openCache connects to Redis when REDIS_URL is set (a Redis that does not
// answer yet is not an error: the cache steps aside until it does), else
// makes the in-process cache.
func (a *App) openCache(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	if cfg.RedisURL != "" {
		cache.RouteRedisLibraryLogs(log)
		r, err := cache.NewRedis(ctx, cache.RedisOptions{URL: cfg.RedisURL, Prefix: cfg.RedisPrefix,
			LocalBytes: uint64(cfg.CacheBytes), Logger: log})
		if err != nil {
			return err
		}
		a.Redis, a.Cache = r, r
		a.closers = append(a.closers, r.Close)
		return nil
	}
	memory := cache.NewMemory(uint64(cfg.CacheBytes))
	a.Cache = memory
	a.closers = append(a.closers, func() error { memory.Close(); return nil })
	return nil
}

// Database names the database for logs: the SQLite file, or PostgreSQL's
// user@host:port/database.
func (a *App) Database() string {
	if a.Postgres != nil {
		return "postgresql " + a.Postgres.Name()
	}
	return "sqlite " + a.SQLite.Path()
}

// Close releases everything New opened, the database last.
func (a *App) Close() error {
	var errs []error
	for i := len(a.closers) - 1; i >= 0; i-- {
		errs = append(errs, a.closers[i]())
	}
	a.closers = nil
	return errors.Join(errs...)
}
