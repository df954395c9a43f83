package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/omnivibepro/omnivibe/internal/cache"
	"github.com/omnivibepro/omnivibe/internal/config"
	"github.com/omnivibepro/omnivibe/internal/httpapi"
	"github.com/omnivibepro/omnivibe/internal/ratelimit"
	"github.com/omnivibepro/omnivibe/internal/telemetry"
	"github.com/omnivibepro/omnivibe/internal/writer"
)

// Version names this build in traces.
const Version = "1.0.0"

// startTelemetry makes the metrics registry (when on) and the tracer (when an
// OTLP endpoint is set), and the logger that puts trace IDs in log lines.
func (a *App) startTelemetry(ctx context.Context, cfg config.Config, log *slog.Logger) (*slog.Logger, error) {
	if cfg.Metrics {
		a.Metrics = telemetry.NewMetrics()
	}
	headers, err := telemetry.ParseHeaders(cfg.OTLPHeaders)
	if err != nil {
		return log, err
	}
	a.Tracing, err = telemetry.NewTracing(ctx, telemetry.TracingConfig{Endpoint: cfg.OTLPEndpoint, Headers: headers,
		SampleRatio: cfg.TraceSampleRatio, ServiceName: "omnivibe", ServiceVersion: Version})
	if err != nil {
		return log, err
	}
	if a.Tracing == nil {
		return log, nil
	}
	a.closers = append(a.closers, func() error {
		// Send the spans still buffered, but never hold the shutdown long.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return a.Tracing.Shutdown(ctx)
	})
	return slog.New(telemetry.WithTraceIDs(log.Handler())), nil
}

// observeStores reports the database pools and the cache in the metrics.
func (a *App) observeStores(memory *cache.Memory) {
	a.Metrics.AddDBPool("writer", a.Store.WriterStats)
	a.Metrics.AddDBPool("reader", a.Store.ReaderStats)
	a.Metrics.AddCache("memory", func() telemetry.CacheStats {
		s := memory.Stats()
		return telemetry.CacheStats{Hits: s.Hits, Misses: s.Misses, Evictions: s.Evictions}
	})
}

// writerObserver reports script writer calls as metrics and spans.
func (a *App) writerObserver() writer.Observer {
	observe := telemetry.ProviderObserver(a.Metrics, a.Tracing)
	return func(ctx context.Context, c writer.Call) {
		observe(ctx, telemetry.ProviderCall{Kind: "writer", Provider: c.Provider, Model: c.Model, Outcome: c.Outcome,
			Attempt: c.Attempt, Status: c.Status, Start: c.Start, Duration: c.Duration})
	}
}

// rateLimits builds the API's limits from the configuration, in process.
// Scaled out, the same limits come from a shared store instead.
func rateLimits(cfg config.Config) httpapi.RateLimits {
	opts := ratelimit.MemoryOptions{MaxKeys: cfg.RateLimitMaxKeys}
	var l httpapi.RateLimits
	if cfg.RateLimitIP > 0 {
		l.IP = ratelimit.NewMemory(ratelimit.Limit{Rate: float64(cfg.RateLimitIP), Burst: cfg.RateLimitIPBurst}, opts)
	}
	if cfg.RateLimitCredential > 0 {
		l.Credential = ratelimit.NewMemory(ratelimit.Limit{Rate: float64(cfg.RateLimitCredential), Burst: cfg.RateLimitCredentialBurst}, opts)
	}
	if cfg.LoginFailuresPerEmail > 0 {
		l.LoginEmail = ratelimit.NewMemory(ratelimit.PerWindow(cfg.LoginFailuresPerEmail, cfg.LoginFailuresWindow), opts)
	}
	if cfg.LoginFailuresPerIP > 0 {
		l.LoginIP = ratelimit.NewMemory(ratelimit.PerWindow(cfg.LoginFailuresPerIP, cfg.LoginFailuresWindow), opts)
	}
	return l
}
