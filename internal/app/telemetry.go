package app

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/omnivibepro/omnivibe/internal/config"
	"github.com/omnivibepro/omnivibe/internal/httpapi"
	"github.com/omnivibepro/omnivibe/internal/providers"
	"github.com/omnivibepro/omnivibe/internal/ratelimit"
	"github.com/omnivibepro/omnivibe/internal/speech"
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

// observeStores reports the database pools and the in-process cache in the
// metrics.
func (a *App) observeStores() {
	if a.SQLite != nil {
		a.Metrics.AddDBPool("writer", a.SQLite.WriterStats)
		a.Metrics.AddDBPool("reader", a.SQLite.ReaderStats)
	}
	if a.memory != nil {
		a.Metrics.AddCache("memory", func() telemetry.CacheStats {
			s := a.memory.Stats()
			return telemetry.CacheStats{Hits: s.Hits, Misses: s.Misses, Evictions: s.Evictions}
		})
	}
}

// writerObserver reports script writer calls as metrics and spans.
func (a *App) writerObserver() writer.Observer {
	observe := telemetry.ProviderObserver(a.Metrics, a.Tracing)
	return func(ctx context.Context, c writer.Call) {
		observe(ctx, telemetry.ProviderCall{Kind: "writer", Provider: c.Provider, Model: c.Model, Outcome: c.Outcome,
			Attempt: c.Attempt, Status: c.Status, Start: c.Start, Duration: c.Duration})
		a.recordWriterCall(ctx, c)
	}
}

// rateLimits builds the API's limits from the configuration: in this
// process, or, when shared is set (REDIS_URL), in Redis, where every replica
// counts against the same buckets.
//
// While Redis cannot be reached, every shared limit falls back to an
// in-process one of the same size, so each replica goes on limiting on its
// own (the deployment then allows up to replicas times each limit). That is
// the right failure for all four: failing open would lift the per-address
// and failed-login limits exactly when nobody can watch them, and failing
// closed would turn a Redis outage into refusing every sign-in and every
// signed-in request.
func rateLimits(cfg config.Config, shared *ratelimit.Redis) httpapi.RateLimits {
	opts := ratelimit.MemoryOptions{MaxKeys: cfg.RateLimitMaxKeys}
	limiter := func(name string, l ratelimit.Limit) ratelimit.Limiter {
		local := ratelimit.NewMemory(l, opts)
		if shared == nil {
			return local
		}
		return shared.Limiter(name, l, local)
	}
	var l httpapi.RateLimits
	if cfg.RateLimitIP > 0 {
		l.IP = limiter("ip", ratelimit.Limit{Rate: float64(cfg.RateLimitIP), Burst: cfg.RateLimitIPBurst})
	}
	if cfg.RateLimitCredential > 0 {
		l.Credential = limiter("credential", ratelimit.Limit{Rate: float64(cfg.RateLimitCredential), Burst: cfg.RateLimitCredentialBurst})
	}
	if cfg.LoginFailuresPerEmailAddress > 0 {
		l.LoginEmailAddress = limiter("login_email_address", ratelimit.PerWindow(cfg.LoginFailuresPerEmailAddress, cfg.LoginFailuresEmailAddressWindow))
	}
	if cfg.LoginFailuresPerEmail > 0 {
		l.LoginEmail = limiter("login_email", ratelimit.PerWindow(cfg.LoginFailuresPerEmail, cfg.LoginFailuresEmailWindow))
	}
	if cfg.LoginFailuresPerIP > 0 {
		l.LoginIP = limiter("login_ip", ratelimit.PerWindow(cfg.LoginFailuresPerIP, cfg.LoginFailuresWindow))
	}
	return l
}

// audioObserver reports the voice-over pipeline as metrics and spans.
type audioObserver struct {
	m *telemetry.Metrics
	t *telemetry.Tracing
}

func (o audioObserver) StartStage(ctx context.Context, stage string) (context.Context, func(error)) {
	started := time.Now()
	ctx, end := o.t.StartStage(ctx, "audio", stage)
	return ctx, func(err error) {
		o.m.JobStage("audio", stage, time.Since(started), err)
		end(err)
	}
}

func (o audioObserver) Finished(status string, attempts int, took time.Duration) {
	o.m.JobFinished("audio", status, attempts, took)
}

func (o audioObserver) Scored(language string, similarity float64) {
	o.m.Similarity(language, similarity)
}

// observedSynthesizer reports each call of a synthesizer as a provider call.
type observedSynthesizer struct {
	speech.Synthesizer
	observe func(context.Context, telemetry.ProviderCall)
	health  *providers.Health
}

func (o observedSynthesizer) Synthesize(ctx context.Context, text, language, voice string) (speech.Audio, error) {
	start := time.Now()
	a, err := o.Synthesizer.Synthesize(ctx, text, language, voice)
	c := providerCall("tts", o.Name(), start, err)
	o.observe(ctx, c)
	recordCall(o.health, c, err)
	return a, err
}

// ForAttempt keeps the inner synthesizer's attempt variation (espeak slows
// down) under observation.
func (o observedSynthesizer) ForAttempt(n int) speech.Synthesizer {
	if v, ok := o.Synthesizer.(interface{ ForAttempt(int) speech.Synthesizer }); ok {
		return observedSynthesizer{Synthesizer: v.ForAttempt(n), observe: o.observe, health: o.health}
	}
	return o
}

// observedRecognizer reports each call of a recognizer as a provider call.
type observedRecognizer struct {
	speech.Recognizer
	observe func(context.Context, telemetry.ProviderCall)
	health  *providers.Health
}

func (o observedRecognizer) Transcribe(ctx context.Context, audio speech.Audio, language, expected string) (string, error) {
	start := time.Now()
	text, err := o.Recognizer.Transcribe(ctx, audio, language, expected)
	c := providerCall("stt", o.Name(), start, err)
	o.observe(ctx, c)
	recordCall(o.health, c, err)
	return text, err
}

// VerifyWords is speech.Verify on the inner recognizer, observed like
// Transcribe: without it the wrapper would hide the inner recognizer's own
// word-level check (the local utterance verification, OpenAI's word times).
func (o observedRecognizer) VerifyWords(ctx context.Context, audio speech.Audio, language, expected string) (speech.Verification, error) {
	start := time.Now()
	v, err := speech.Verify(ctx, o.Recognizer, audio, language, expected)
	c := providerCall("stt", o.Name(), start, err)
	o.observe(ctx, c)
	recordCall(o.health, c, err)
	return v, err
}

// providerCall describes a finished speech call; the outcome names the kind
// of failure the speech package reports.
func providerCall(kind, provider string, start time.Time, err error) telemetry.ProviderCall {
	c := telemetry.ProviderCall{Kind: kind, Provider: provider, Outcome: "ok", Attempt: 1, Start: start, Duration: time.Since(start)}
	var pe *speech.ProviderError
	if errors.As(err, &pe) {
		c.Status = pe.Status
	}
	switch {
	case err == nil:
	case errors.Is(err, context.DeadlineExceeded):
		c.Outcome = "timeout"
	case errors.Is(err, speech.ErrProviderUnavailable):
		c.Outcome = "unavailable"
	case errors.Is(err, speech.ErrProviderRejected), errors.Is(err, speech.ErrUnsupportedLanguage):
		c.Outcome = "refused"
	default:
		c.Outcome = "error"
	}
	return c
}

// depthEvery is how often the queue's depth is read for the metrics.
const depthEvery = 15 * time.Second

// reportQueueDepth reads the voice-over queue's depth until ctx ends.
func (a *App) reportQueueDepth(ctx context.Context, q interface {
	Depth(context.Context) (int, error)
}) {
	t := time.NewTicker(depthEvery)
	defer t.Stop()
	for {
		if n, err := q.Depth(ctx); err == nil {
			a.Metrics.SetQueueDepth("audio", "waiting", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
