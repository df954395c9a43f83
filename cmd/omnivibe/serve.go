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
	"net/http/pprof"
	"os"
	"strings"
	"time"

	"github.com/omnivibepro/omnivibe/internal/app"
	"github.com/omnivibepro/omnivibe/internal/config"
	"github.com/omnivibepro/omnivibe/internal/httpapi"
	"github.com/omnivibepro/omnivibe/internal/postgres"
	"github.com/omnivibepro/omnivibe/internal/sqlite"
	"github.com/omnivibepro/omnivibe/internal/telemetry"
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
	term := stderr
	if w, ok := stderr.(*bufferedStderr); ok {
		term = w.file
	}
	if format == "auto" {
		format = "json"
		if f, ok := term.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				format = "text"
			}
		}
	}
	if w, ok := stderr.(*bufferedStderr); ok {
		stderr = w.LogWriter // the terminal check above needed the file itself
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(stderr, opts))
}

// bufferedStderr is stderr with log lines batched into few writes (the
// access log writes one line per request), keeping the file underneath for
// newLogger's terminal check.
type bufferedStderr struct {
	*telemetry.LogWriter
	file io.Writer
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
	logOut := &bufferedStderr{LogWriter: telemetry.NewLogWriter(stderr, 64<<10, 200*time.Millisecond), file: stderr}
	defer logOut.Close()
	log := newLogger(cfg, logOut)
	// Listen first: a taken port fails the start before anything else runs.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	log = a.Log
	defer func() {
		if err := a.Close(); err != nil {
			log.Error("close", "err", err)
		}
	}()
	api := a.API
	if err := a.Start(ctx); err != nil {
		return fmt.Errorf("start workers: %w", err)
	}
	defer a.StartBackups(ctx, cfg)()
	switch {
	case cfg.Metrics && cfg.MetricsAddr != "":
		stopMetrics, err := serveMetrics(cfg, a, log)
		if err != nil {
			return err
		}
		defer stopMetrics()
	case cfg.Metrics && cfg.MetricsToken == "":
		// Anyone can reach the API's address: it serves /metrics only to
		// the bearer of a token, so without one they are served nowhere.
		log.Warn("metrics are recorded but not served: set OMNIVIBE_METRICS_ADDR (a listener of their own) or OMNIVIBE_METRICS_TOKEN (a bearer token on the API's address)")
	}
	if cfg.PprofAddr != "" {
		stopPprof, err := servePprof(cfg.PprofAddr, log)
		if err != nil {
			return err
		}
		defer stopPprof()
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
	// Running voice-overs get what is left of the timeout; one that does not
	// finish is rescued and runs again after a restart.
	if err := a.Stop(sctx); err != nil {
		log.Warn("stop workers", "err", err)
	}
	log.Info("stopped")
	return nil
}

func worker(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig("worker", "Run voice-over job workers only (no HTTP API): scale them out next to `serve --workers 0`.", args, getenv, stderr)
	if err != nil {
		return err
	}
	if cfg.WorkerCount() == 0 {
		return errors.New("workers (OMNIVIBE_WORKERS) is 0: a worker process with no workers would do nothing")
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
	if a.Speech.Synthesizer == nil {
		return errors.New("no synthesizer: install espeak-ng or set OMNIVIBE_TTS")
	}
	if err := a.Start(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "omnivibe worker running %d voice-overs at once (%s, checked by %s)\n",
		cfg.WorkerCount(), a.Speech.Synthesizer.Name(), a.Speech.Recognizer.Name())
	<-ctx.Done()
	log.Info("stopping workers", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	return a.Stop(sctx)
}

// serveMetrics serves /metrics on its own address (OMNIVIBE_METRICS_ADDR), so
// that it can be reached by the scraper and not by the API's clients.
func serveMetrics(cfg config.Config, a *app.App, log *slog.Logger) (stop func(), err error) {
	return serveAside("metrics", cfg.MetricsAddr, httpapi.MetricsHandler(a.Metrics, cfg.MetricsToken), 30*time.Second, log)
}

// servePprof serves Go's profiler on its own loopback address
// (OMNIVIBE_PPROF_ADDR), never on the API's: `go tool pprof
// http://ADDR/debug/pprof/profile?seconds=30` profiles the server under the
// load it really gets.
func servePprof(addr string, log *slog.Logger) (stop func(), err error) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	// A CPU profile or trace answers after its ?seconds=.
	return serveAside("pprof", addr, mux, 5*time.Minute, log)
}

// serveAside serves h on a listener of its own, apart from the API's (what
// names it in errors and logs).
func serveAside(what, addr string, h http.Handler, writeTimeout time.Duration, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s address: %w", what, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      writeTimeout,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error(what+" server", "err", err)
		}
	}()
	log.Info("serving "+what, "addr", ln.Addr().String())
	return func() { _ = srv.Close() }, nil
}
