// Package app assembles OmniVibe Pro from its configuration: the store, the
// cache, the script writer, the service and the HTTP API. `omnivibe serve`
// and the tests that need the whole product build it the same way, here.
package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/omnivibepro/omnivibe/internal/cache"
	"github.com/omnivibepro/omnivibe/internal/config"
	"github.com/omnivibepro/omnivibe/internal/filestore"
	"github.com/omnivibepro/omnivibe/internal/httpapi"
	"github.com/omnivibepro/omnivibe/internal/jobs"
	"github.com/omnivibepro/omnivibe/internal/service"
	"github.com/omnivibepro/omnivibe/internal/speech"
	"github.com/omnivibepro/omnivibe/internal/sqlite"
	"github.com/omnivibepro/omnivibe/internal/writer"
)

// App is the assembled product.
type App struct {
	API     *httpapi.Server
	Service *service.Service
	Store   *sqlite.Store
	Writer  *writer.Writer
	Queue   *jobs.Queue[*sql.Tx]
	Speech  service.Speech

	started bool
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
	secret, err := cfg.Secret()
	if err != nil {
		return nil, fmt.Errorf("jwt secret: %w", err)
	}
	a.Store, err = sqlite.Open(ctx, cfg.SQLitePath(), sqlite.Options{Logger: log})
	if err != nil {
		return nil, err
	}
	a.closers = append(a.closers, a.Store.Close)
	memory := cache.NewMemory(uint64(cfg.CacheBytes))
	a.closers = append(a.closers, func() error { memory.Close(); return nil })

	a.Writer, err = writer.New(writer.Config{Provider: cfg.Writer, Model: cfg.WriterModel, BaseURL: cfg.WriterBaseURL,
		APIKey: cfg.WriterAPIKey(), Timeout: cfg.WriterTimeout}, log, &http.Client{})
	if err != nil {
		return nil, fmt.Errorf("script writer: %w", err)
	}
	a.Service, err = service.New(service.Config{JWTSecret: secret, PasswordCost: cfg.PasswordCost},
		service.Deps{Store: a.Store, Cache: memory, Writer: a.Writer, Logger: log})
	if err != nil {
		return nil, err
	}
	if err := a.useAudio(ctx, cfg, log); err != nil {
		return nil, err
	}
	a.API = httpapi.New(a.Service, httpapi.Config{MaxBodyBytes: cfg.MaxBodyBytes, CORSOrigins: cfg.CORSOrigins, TrustProxy: cfg.TrustProxy}, log)
	return a, nil
}

// useAudio sets up voice-overs: the speech engines, the audio files and the
// job queue, whose workers call back into the service.
func (a *App) useAudio(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	sp, err := newSpeech(cfg, log)
	if err != nil {
		return err
	}
	a.Speech = sp
	files, err := filestore.Open(cfg.AudioRoot())
	if err != nil {
		return fmt.Errorf("audio directory: %w", err)
	}
	a.closers = append(a.closers, files.Close)
	a.Queue, err = jobs.NewSQLite(ctx, a.Store.Writer(), jobs.Config{Workers: cfg.WorkerCount(), JobTimeout: cfg.JobTimeout,
		RescueAfter: cfg.JobRescueAfter}, log)
	if err != nil {
		return err
	}
	a.Queue.SetRunner(a.Service)
	a.Service.UseAudio(a.Queue, files, sp)
	return nil
}

// newSpeech builds the configured synthesizer and recognizer, defaulting to
// the local engines when they are installed. Without a synthesizer the
// server still runs, and answers voice-over requests with 503.
func newSpeech(cfg config.Config, log *slog.Logger) (service.Speech, error) {
	sc := speech.Config{
		TTS: cfg.TTS, STT: cfg.STT,
		ElevenLabs: speech.ElevenLabsConfig{APIKey: cfg.ElevenLabsAPIKey, BaseURL: cfg.SpeechBaseURL, ModelID: cfg.ElevenLabsModel},
		OpenAI: speech.OpenAIConfig{APIKey: cfg.OpenAIAPIKey, BaseURL: cfg.SpeechBaseURL, SpeechModel: cfg.OpenAITTSModel,
			TranscriptionModel: cfg.OpenAISTTModel},
		SyntheticDuration: func(text, language string) float64 { return writer.Estimate(text, language).Seconds },
	}
	local := speech.DetectLocalEngines(sc)
	if sc.TTS == "" {
		sc.TTS = local.DefaultTTS()
	}
	if sc.STT == "" {
		sc.STT = local.DefaultSTT()
	}
	var sp service.Speech
	if sc.TTS == "" {
		log.Warn("voice-overs are off: espeak-ng is not installed and no synthesizer is configured (OMNIVIBE_TTS)")
	} else {
		synth, err := speech.NewSynthesizer(sc)
		if err != nil {
			return sp, err
		}
		sp.Synthesizer = synth
	}
	rec, err := speech.NewRecognizer(sc)
	if err != nil {
		return sp, err
	}
	sp.Recognizer = rec
	if sc.TTS == speech.ProviderSynthetic {
		log.Warn("voice-overs use the synthetic voice: a generated signal, not speech, for load tests only")
	}
	return sp, nil
}

// Start starts the background workers.
func (a *App) Start(ctx context.Context) error {
	if err := a.Queue.Start(ctx); err != nil {
		return err
	}
	a.started = true
	return nil
}

// Stop lets running jobs finish until ctx ends; unfinished ones run again later.
func (a *App) Stop(ctx context.Context) error {
	if !a.started {
		return nil
	}
	a.started = false
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
