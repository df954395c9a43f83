// Package app assembles OmniVibe Pro from its configuration: the store, the
// cache, the script writer, the speech engines, the job queue, the service
// and the HTTP API. `omnivibe serve`, `omnivibe worker` and the tests that
// need the whole product build it the same way, here.
//
// The embedded default is SQLite in the data directory, an in-process cache
// and the job queue on the same SQLite file. DATABASE_URL selects PostgreSQL
// (and the job queue on it) and REDIS_URL the shared Redis cache and rate
// limits, each on its own: that is the scaled-out mode, where any number of
// replicas and workers share the same data.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/omnivibepro/omnivibe/internal/cache"
	"github.com/omnivibepro/omnivibe/internal/config"
	"github.com/omnivibepro/omnivibe/internal/filestore"
	"github.com/omnivibepro/omnivibe/internal/httpapi"
	"github.com/omnivibepro/omnivibe/internal/jobs"
	"github.com/omnivibepro/omnivibe/internal/postgres"
	"github.com/omnivibepro/omnivibe/internal/providers"
	"github.com/omnivibepro/omnivibe/internal/ratelimit"
	"github.com/omnivibepro/omnivibe/internal/service"
	"github.com/omnivibepro/omnivibe/internal/sqlite"
	"github.com/omnivibepro/omnivibe/internal/telemetry"
	"github.com/omnivibepro/omnivibe/internal/tracedstore"
	"github.com/omnivibepro/omnivibe/internal/web"
	"github.com/omnivibepro/omnivibe/internal/webhook"
)

// App is the assembled product.
type App struct {
	API     *httpapi.Server
	Service *service.Service
	Writer  service.Writer
	// Health records every configured provider's calls (GET /api/v1/providers).
	Health *providers.Health
	Speech service.Speech
	// Metrics is nil when metrics are off; Tracing is nil when tracing is off.
	Metrics *telemetry.Metrics
	Tracing *telemetry.Tracing
	// Log is the logger everything uses: with tracing on, it adds trace IDs.
	Log *slog.Logger

	// Store is the database the service uses, whichever it is.
	Store service.Store
	// SQLite is the embedded store; nil when DATABASE_URL selects PostgreSQL.
	SQLite *sqlite.Store
	// Postgres is the scaled-out store; nil in the embedded default.
	Postgres *postgres.Store

	// Cache is the cache the service uses, whichever it is.
	Cache service.Cache
	// Redis is the shared cache; nil unless REDIS_URL is set.
	Redis  *cache.Redis
	memory *cache.Memory
	// RateLimits keeps the API's rate limits in the same Redis, shared by
	// the replicas; nil unless REDIS_URL is set (the limits are in process).
	RateLimits *ratelimit.Redis

	// Queue is the voice-over job queue, on the same database as Store.
	Queue Queue

	started   bool
	stopDepth context.CancelFunc
	closers   []func() error
}

// Queue is the job queue as the app drives it.
type Queue interface {
	service.Queue
	SetRunner(jobs.Runner)
	Depth(ctx context.Context) (int, error)
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
}

// New builds the product from cfg. Close releases what it opened, in reverse.
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (_ *App, err error) {
	a := &App{}
	defer func() {
		if err != nil {
			_ = a.Close()
		}
	}()
	if log, err = a.startTelemetry(ctx, cfg, log); err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	a.Log = log
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
	a.observeStores()

	a.Health = providers.NewHealth(nil)
	if a.Metrics != nil {
		a.Metrics.Registry().MustRegister(providers.NewCollector(a.Health))
	}
	a.Writer, err = a.newWriter(cfg, log)
	if err != nil {
		return nil, fmt.Errorf("script writer: %w", err)
	}
	store := a.Store
	if a.Tracing.Enabled() {
		store = tracedstore.New(a.Store, a.Tracing.Tracer(), a.databaseSystem())
	}
	a.Service, err = service.New(service.Config{JWTSecret: secret, PasswordCost: cfg.PasswordCost, PasswordAlgorithm: cfg.PasswordHash},
		service.Deps{Store: store, Cache: a.Cache, Writer: a.Writer, Logger: log})
	if err != nil {
		return nil, err
	}
	a.Service.UseProviderHealth(a.Health)
	if err := a.useAudio(ctx, cfg, log); err != nil {
		return nil, err
	}
	if a.Redis != nil {
		a.RateLimits = ratelimit.NewRedis(a.Redis.Client(), ratelimit.RedisOptions{Prefix: cfg.RedisPrefix, Logger: log})
	}
	sessionKey, err := web.KeyFromSecret(secret)
	if err != nil {
		return nil, err
	}
	a.API = httpapi.New(a.Service, httpapi.Config{MaxBodyBytes: cfg.MaxBodyBytes, CORSOrigins: cfg.CORSOrigins, TrustProxy: cfg.TrustProxy, SessionKey: sessionKey,
		Metrics: a.Metrics, ServeMetrics: cfg.MetricsAddr == "", MetricsToken: cfg.MetricsToken, Tracing: a.Tracing,
		AccessLog: cfg.AccessLog, RateLimits: rateLimits(cfg, a.RateLimits)}, log)
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
	if cfg.CacheBytes < 0 { // Validate refuses it too; this guards a Config built without it
		return fmt.Errorf("cache size %d bytes is negative", cfg.CacheBytes)
	}
	cacheBytes := uint64(cfg.CacheBytes)
	if cfg.RedisURL != "" {
		cache.RouteRedisLibraryLogs(log)
		r, err := cache.NewRedis(ctx, cache.RedisOptions{URL: cfg.RedisURL, Prefix: cfg.RedisPrefix,
			LocalBytes: cacheBytes, Logger: log})
		if err != nil {
			return err
		}
		a.Redis, a.Cache = r, r
		a.closers = append(a.closers, r.Close)
		return nil
	}
	memory := cache.NewMemory(cacheBytes)
	a.Cache, a.memory = memory, memory
	a.closers = append(a.closers, func() error { memory.Close(); return nil })
	return nil
}

// useAudio sets up voice-overs: the speech engines, the audio files and the
// job queue (on the store's database), whose workers call back into the service.
func (a *App) useAudio(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	sp, err := a.newSpeech(cfg, log)
	if err != nil {
		return err
	}
	a.Speech = sp
	files, err := filestore.Open(cfg.AudioRoot())
	if err != nil {
		return fmt.Errorf("audio directory: %w", err)
	}
	a.closers = append(a.closers, files.Close)
	qc := jobs.Config{Workers: cfg.WorkerCount(), JobTimeout: cfg.JobTimeout, RescueAfter: cfg.JobRescueAfter}
	if a.Tracing.Enabled() {
		qc.Inject, qc.Extract = a.Tracing.Inject, a.Tracing.Extract
	}
	if a.Postgres != nil {
		a.Queue, err = jobs.NewPostgres(ctx, a.Postgres.Pool(), qc, log)
	} else {
		// Every process working this file is on this machine: a lock file
		// tells a dead worker's jobs from a live one's (jobs/orphans.go).
		qc.WorkerLock = cfg.SQLitePath() + ".workers.lock"
		a.Queue, err = jobs.NewSQLite(ctx, a.SQLite.Writer(), qc, log)
	}
	if err != nil {
		return err
	}
	a.Queue.SetRunner(a.Service)
	a.Service.UseAudio(a.Queue, files, a.Speech, audioObserver{m: a.Metrics, t: a.Tracing})
	return a.useWebhooks(cfg)
}

// useWebhooks sets up the deliveries of events to the accounts' webhooks, on
// the same queue; their secrets are sealed with a key derived from the
// server secret.
func (a *App) useWebhooks(cfg config.Config) error {
	secret, err := cfg.Secret()
	if err != nil {
		return err
	}
	box, err := webhook.NewBox(secret)
	if err != nil {
		return err
	}
	sender := webhook.NewSender(webhook.Config{Policy: webhook.Policy{AllowLoopback: cfg.WebhooksAllowInsecure,
		AllowPrivate: cfg.WebhooksAllowPrivate}})
	q, ok := a.Queue.(service.WebhookQueue)
	if !ok {
		return fmt.Errorf("webhooks: queue %T cannot enqueue deliveries", a.Queue)
	}
	a.Service.UseWebhooks(q, sender, box, service.WebhookConfig{AllowInsecure: cfg.WebhooksAllowInsecure})
	return nil
}

// databaseSystem names the database in traces.
func (a *App) databaseSystem() string {
	if a.Postgres != nil {
		return "postgresql"
	}
	return "sqlite"
}

// Database names the database for logs: the SQLite file, or PostgreSQL's
// user@host:port/database.
func (a *App) Database() string {
	if a.Postgres != nil {
		return "postgresql " + a.Postgres.Name()
	}
	return "sqlite " + a.SQLite.Path()
}

// Start starts the background workers, and the queue depth reports. They run
// until Stop: ctx gives them its values, not its end, because River cancels
// running jobs when its start context ends, and a SIGTERM must let them finish
// within the shutdown timeout instead.
func (a *App) Start(ctx context.Context) error {
	ctx = context.WithoutCancel(ctx)
	if err := a.Queue.Start(ctx); err != nil {
		return err
	}
	a.started = true
	if a.Metrics != nil {
		ctx, cancel := context.WithCancel(ctx)
		a.stopDepth = cancel
		go a.reportQueueDepth(ctx, a.Queue)
	}
	return nil
}

// Stop lets running jobs finish until ctx ends; unfinished ones run again later.
func (a *App) Stop(ctx context.Context) error {
	if !a.started {
		return nil
	}
	a.started = false
	if a.stopDepth != nil {
		a.stopDepth()
	}
	return a.Queue.Stop(ctx)
}

// Close stops the workers if they still run (giving jobs a few seconds), then
// releases everything New opened, the database last.
func (a *App) Close() error {
	var errs []error
	if a.started {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		errs = append(errs, a.Stop(ctx))
		cancel()
	}
	for i := len(a.closers) - 1; i >= 0; i-- {
		errs = append(errs, a.closers[i]())
	}
	a.closers = nil
	return errors.Join(errs...)
}
