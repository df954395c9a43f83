// Package app assembles OmniVibe Pro from its configuration: the store, the
// cache, the script writer, the service and the HTTP API. `omnivibe serve`
// and the tests that need the whole product build it the same way, here.
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
	"github.com/omnivibepro/omnivibe/internal/service"
	"github.com/omnivibepro/omnivibe/internal/sqlite"
	"github.com/omnivibepro/omnivibe/internal/telemetry"
	"github.com/omnivibepro/omnivibe/internal/tracedstore"
	"github.com/omnivibepro/omnivibe/internal/writer"
)

// App is the assembled product.
type App struct {
	API     *httpapi.Server
	Service *service.Service
	Store   *sqlite.Store
	Writer  *writer.Writer
	// Metrics is nil when metrics are off; Tracing is nil when tracing is off.
	Metrics *telemetry.Metrics
	Tracing *telemetry.Tracing
	// Log is the logger everything uses: with tracing on, it adds trace IDs.
	Log *slog.Logger

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
	if cfg.DatabaseURL != "" || cfg.RedisURL != "" {
		return nil, errors.New("scale-out mode (DATABASE_URL, REDIS_URL) is not supported by this build yet")
	}
	if log, err = a.startTelemetry(ctx, cfg, log); err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	a.Log = log
	secret, err := cfg.Secret()
	if err != nil {
		return nil, fmt.Errorf("jwt secret: %w", err)
	}
	a.Store, err = sqlite.Open(ctx, cfg.SQLitePath(), sqlite.Options{Logger: log})
	if err != nil {
		return nil, err
	}
	a.closers = append(a.closers, a.Store.Close)
	memory := cache.NewMemory(uint64(cfg.CacheBytes)) // #nosec G115 -- Validate keeps CacheBytes at 1 MiB or more
	a.closers = append(a.closers, func() error { memory.Close(); return nil })
	a.observeStores(memory)

	a.Writer, err = writer.New(writer.Config{Provider: cfg.Writer, Model: cfg.WriterModel, BaseURL: cfg.WriterBaseURL,
		APIKey: cfg.WriterAPIKey(), Timeout: cfg.WriterTimeout, Observer: a.writerObserver()}, log, &http.Client{})
	if err != nil {
		return nil, fmt.Errorf("script writer: %w", err)
	}
	var store service.Store = a.Store
	if a.Tracing.Enabled() {
		store = tracedstore.New(a.Store, a.Tracing.Tracer(), "sqlite")
	}
	a.Service, err = service.New(service.Config{JWTSecret: secret, PasswordCost: cfg.PasswordCost},
		service.Deps{Store: store, Cache: memory, Writer: a.Writer, Logger: log})
	if err != nil {
		return nil, err
	}
	a.API = httpapi.New(a.Service, httpapi.Config{MaxBodyBytes: cfg.MaxBodyBytes, CORSOrigins: cfg.CORSOrigins, TrustProxy: cfg.TrustProxy,
		Metrics: a.Metrics, ServeMetrics: cfg.MetricsAddr == "", MetricsToken: cfg.MetricsToken, Tracing: a.Tracing,
		AccessLog: cfg.AccessLog, RateLimits: rateLimits(cfg)}, log)
	return a, nil
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
