// Package config is the one place settings are defined: every field is an
// environment variable and a flag of the same meaning, with its default in
// its comment, and Validate names the field that is wrong.
package config

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Config is the configuration of every subcommand.
type Config struct {
	// Addr is where serve listens. Default 127.0.0.1:8080. (OMNIVIBE_ADDR, --addr)
	Addr string
	// DataDir holds the SQLite file, the generated JWT secret, audio files and
	// backups. Default ./data. (OMNIVIBE_DATA_DIR, --data-dir)
	DataDir string
	// DatabaseURL selects PostgreSQL (postgres://...); empty means SQLite in
	// DataDir. Default empty. (DATABASE_URL, --database-url)
	DatabaseURL string
	// RedisURL selects the shared Redis cache (redis://...); empty means the
	// in-process cache. Default empty. (REDIS_URL, --redis-url)
	RedisURL string
	// RedisPrefix starts every key OmniVibe Pro writes in Redis, so that
	// deployments (or tests) sharing one Redis never read each other's
	// entries. Default omnivibe:. (OMNIVIBE_REDIS_PREFIX, --redis-prefix)
	RedisPrefix string
	// JWTSecret signs access tokens; empty means generate one on first start
	// and keep it in DataDir/jwt-secret. Default empty. (OMNIVIBE_JWT_SECRET, --jwt-secret)
	JWTSecret string
	// CORSOrigins are the browser origins allowed to call the API, comma
	// separated ("*" for any). Default none. (OMNIVIBE_CORS_ORIGINS, --cors-origins)
	CORSOrigins []string
	// MaxBodyBytes is the largest request body. Default 1048576. (OMNIVIBE_MAX_BODY_BYTES, --max-body-bytes)
	MaxBodyBytes int64
	// TrustProxy believes X-Forwarded-Proto (for HSTS behind a TLS proxy).
	// Default false. (OMNIVIBE_TRUST_PROXY, --trust-proxy)
	TrustProxy bool
	// ShutdownTimeout is how long in-flight requests get to finish on SIGTERM.
	// Default 20s. (OMNIVIBE_SHUTDOWN_TIMEOUT, --shutdown-timeout)
	ShutdownTimeout time.Duration
	// PasswordCost is the bcrypt cost of stored passwords (4-31). Default 10. (OMNIVIBE_PASSWORD_COST, --password-cost)
	PasswordCost int
	// PasswordHash is the algorithm of new password hashes: argon2id (OWASP's
	// m=19 MiB, t=2, p=1) or bcrypt (at PasswordCost). Default argon2id.
	// Hashes of the other algorithm keep working and are replaced at the next
	// login. (OMNIVIBE_PASSWORD_HASH, --password-hash)
	PasswordHash string
	// CacheBytes bounds the in-process cache. Default 67108864 (64 MiB). (OMNIVIBE_CACHE_BYTES, --cache-bytes)
	CacheBytes int64
	// LogFormat is text, json, or auto (text on a terminal, json otherwise).
	// Default auto. (OMNIVIBE_LOG_FORMAT, --log-format)
	LogFormat string
	// LogLevel is debug, info, warn or error. Default info. (OMNIVIBE_LOG_LEVEL, --log-level)
	LogLevel string

	// Writer is the script writer: local (no network), anthropic or openai.
	// A key being present does not switch it. Default local. (OMNIVIBE_WRITER, --writer)
	Writer string
	// WriterModel is the hosted model; default claude-haiku-4-5 (anthropic) or
	// gpt-4o-mini (openai). (OMNIVIBE_WRITER_MODEL, --writer-model)
	WriterModel string
	// WriterBaseURL points openai at any OpenAI-compatible server (or
	// anthropic at a proxy). Default the provider's API. (OMNIVIBE_WRITER_BASE_URL, --writer-base-url)
	WriterBaseURL string
	// WriterTimeout bounds one call to a hosted writer. Default 30s. (OMNIVIBE_WRITER_TIMEOUT, --writer-timeout)
	WriterTimeout time.Duration
	// TTS is the synthesizer of voice-overs: espeak, elevenlabs, openai or
	// synthetic (a generated signal for load tests; never a default). Empty
	// means espeak when espeak-ng is installed. (OMNIVIBE_TTS, --tts)
	TTS string
	// STT is the recognizer that checks voice-overs: pocketsphinx, openai or
	// none. Empty means pocketsphinx when installed, else none. (OMNIVIBE_STT, --stt)
	STT string
	// Workers is how many voice-overs this process works at once; 0 leaves
	// them to `omnivibe worker`; -1 means one per CPU. Default -1. (OMNIVIBE_WORKERS, --workers)
	Workers int
	// JobTimeout bounds one run of a voice-over job. Default 10m. (OMNIVIBE_JOB_TIMEOUT, --job-timeout)
	JobTimeout time.Duration
	// JobRescueAfter is when a running job is taken for dead (its worker was
	// killed) and run again; 0 means JobTimeout + 1m. (OMNIVIBE_JOB_RESCUE_AFTER, --job-rescue-after)
	JobRescueAfter time.Duration
	// AudioDir holds the audio files; scaled out, a directory every replica
	// and worker shares. Default <data-dir>/audio. (OMNIVIBE_AUDIO_DIR, --audio-dir)
	AudioDir string
	// SpeechBaseURL points the hosted speech providers (ElevenLabs, OpenAI)
	// elsewhere, e.g. at a proxy. Default their APIs. (OMNIVIBE_SPEECH_BASE_URL, --speech-base-url)
	SpeechBaseURL string
	// ElevenLabsModel is the ElevenLabs model; default eleven_multilingual_v2. (OMNIVIBE_ELEVENLABS_MODEL, --elevenlabs-model)
	ElevenLabsModel string
	// OpenAITTSModel and OpenAISTTModel are OpenAI's speech models; defaults
	// gpt-4o-mini-tts and whisper-1. (OMNIVIBE_OPENAI_TTS_MODEL, OMNIVIBE_OPENAI_STT_MODEL)
	OpenAITTSModel, OpenAISTTModel string
	// WebhooksAllowInsecure lets webhooks use http:// URLs on this machine and
	// deliveries reach loopback addresses, for receivers run beside the
	// server. Default false. (OMNIVIBE_WEBHOOKS_ALLOW_INSECURE, --webhooks-allow-insecure)
	WebhooksAllowInsecure bool
	// WebhooksAllowPrivate lets deliveries reach private and carrier-grade
	// NAT addresses (receivers in the same network); link-local and metadata
	// addresses stay refused. Default false. (OMNIVIBE_WEBHOOKS_ALLOW_PRIVATE, --webhooks-allow-private)
	WebhooksAllowPrivate bool
	// ElevenLabsAPIKey is the ElevenLabs key. Environment only. (ELEVENLABS_API_KEY)
	ElevenLabsAPIKey string
	// AnthropicAPIKey is the Anthropic key. Environment only. (ANTHROPIC_API_KEY)
	AnthropicAPIKey string
	// OpenAIAPIKey is the OpenAI key. Environment only. (OPENAI_API_KEY)
	OpenAIAPIKey string

	// Metrics serves Prometheus metrics at /metrics. Default true. (OMNIVIBE_METRICS, --metrics)
	Metrics bool
	// MetricsAddr serves /metrics on this address instead of the API's, for a
	// port only the scraper reaches. Default empty: the API's address, with
	// MetricsToken only. (OMNIVIBE_METRICS_ADDR, --metrics-addr)
	MetricsAddr string
	// MetricsToken must be sent as "Authorization: Bearer <token>" to read
	// /metrics. The API's address serves /metrics only with one, since anyone
	// can reach it. Environment only. (OMNIVIBE_METRICS_TOKEN)
	MetricsToken string
	// PprofAddr serves Go's profiler (net/http/pprof) on this loopback
	// address, to profile the server under the load it really gets.
	// Default empty (off). (OMNIVIBE_PPROF_ADDR, --pprof-addr)
	PprofAddr string
	// AccessLog logs one line per request. Default true. (OMNIVIBE_ACCESS_LOG, --access-log)
	AccessLog bool
	// OTLPEndpoint turns tracing on: spans go to this OTLP/HTTP base URL
	// (+ /v1/traces). Default empty (off). (OTEL_EXPORTER_OTLP_ENDPOINT, --otlp-endpoint)
	OTLPEndpoint string
	// OTLPHeaders are sent with every export, as key=value pairs separated by
	// commas. Environment only. (OTEL_EXPORTER_OTLP_HEADERS)
	OTLPHeaders string
	// TraceSampleRatio is the share of new traces kept, 0-1; requests with a
	// sampled traceparent are always kept. Default 1. (OTEL_TRACES_SAMPLER_ARG, --trace-sample-ratio)
	TraceSampleRatio float64
	// RateLimitIP is the requests per second one client address may make to
	// the API's unauthenticated POST routes (register, login, refresh); 0 turns
	// it off. Default 20. (OMNIVIBE_RATE_LIMIT_IP, --rate-limit-ip)
	RateLimitIP int
	// RateLimitIPBurst is how many of those may come at once. Default 200. (OMNIVIBE_RATE_LIMIT_IP_BURST, --rate-limit-ip-burst)
	RateLimitIPBurst int
	// RateLimitCredential is the requests per second one API key or user may
	// make; 0 turns it off. Default 50000. (OMNIVIBE_RATE_LIMIT_CREDENTIAL, --rate-limit-credential)
	RateLimitCredential int
	// RateLimitCredentialBurst is how many of those may come at once. Default 50000. (OMNIVIBE_RATE_LIMIT_CREDENTIAL_BURST, --rate-limit-credential-burst)
	RateLimitCredentialBurst int
	// LoginFailuresPerEmailAddress is how many failed logins an email may
	// have from one client address per LoginFailuresEmailAddressWindow before
	// logins to it from that address answer 429; 0 turns it off. Default 5.
	// (OMNIVIBE_LOGIN_FAILURES_PER_EMAIL_ADDRESS, --login-failures-per-email-address)
	LoginFailuresPerEmailAddress int
	// LoginFailuresEmailAddressWindow is its window. Default 1h.
	// (OMNIVIBE_LOGIN_FAILURES_EMAIL_ADDRESS_WINDOW, --login-failures-email-address-window)
	LoginFailuresEmailAddressWindow time.Duration
	// LoginFailuresPerEmail is the ceiling of an email's failed logins from
	// every address together, per LoginFailuresEmailWindow; 0 turns it off.
	// Default 200. (OMNIVIBE_LOGIN_FAILURES_PER_EMAIL, --login-failures-per-email)
	LoginFailuresPerEmail int
	// LoginFailuresEmailWindow is its window. Default 24h.
	// (OMNIVIBE_LOGIN_FAILURES_EMAIL_WINDOW, --login-failures-email-window)
	LoginFailuresEmailWindow time.Duration
	// LoginFailuresPerIP is how many failed logins one client address may
	// have over every email per LoginFailuresWindow. Default 50. (OMNIVIBE_LOGIN_FAILURES_PER_IP, --login-failures-per-ip)
	LoginFailuresPerIP int
	// LoginFailuresWindow is the window of the per-address limit. Default 15m. (OMNIVIBE_LOGIN_FAILURES_WINDOW, --login-failures-window)
	LoginFailuresWindow time.Duration
	// RateLimitMaxKeys bounds the buckets each limit keeps in memory. Default 100000. (OMNIVIBE_RATE_LIMIT_MAX_KEYS, --rate-limit-max-keys)
	RateLimitMaxKeys int
	// BackupKeep is how many daily backups serve keeps in DataDir/backups;
	// 0 turns them off. Default 7. (OMNIVIBE_BACKUP_KEEP, --backup-keep)
	BackupKeep int
	// BackupAt is the time of day (UTC, HH:MM) of the daily backup. Default 03:00. (OMNIVIBE_BACKUP_AT, --backup-at)
	BackupAt string
}

// Load reads the environment (through getenv) and then the flags in args, so a
// flag overrides its variable. It returns flag.ErrHelp for -h/--help, after
// printing the usage to the flag set's output.
func Load(fs *flag.FlagSet, args []string, getenv func(string) string) (Config, error) {
	var c Config
	var cors string
	fields := []struct {
		name, env, def, usage string
		target                any
	}{
		{"addr", "OMNIVIBE_ADDR", "127.0.0.1:8080", "address to listen on", &c.Addr},
		{"data-dir", "OMNIVIBE_DATA_DIR", "./data", "directory of the SQLite file, JWT secret, audio files and backups", &c.DataDir},
		{"database-url", "DATABASE_URL", "", "postgres://... to use PostgreSQL instead of SQLite", &c.DatabaseURL},
		{"redis-url", "REDIS_URL", "", "redis://... to share the cache and the rate limits through Redis", &c.RedisURL},
		{"redis-prefix", "OMNIVIBE_REDIS_PREFIX", "omnivibe:", "prefix of every Redis key (deployments sharing a Redis need their own)", &c.RedisPrefix},
		{"jwt-secret", "OMNIVIBE_JWT_SECRET", "", "secret that signs access tokens (default: generated, kept in the data directory)", &c.JWTSecret},
		{"cors-origins", "OMNIVIBE_CORS_ORIGINS", "", "comma-separated browser origins allowed to call the API (* for any)", &cors},
		{"max-body-bytes", "OMNIVIBE_MAX_BODY_BYTES", "1048576", "largest request body in bytes", &c.MaxBodyBytes},
		{"trust-proxy", "OMNIVIBE_TRUST_PROXY", "false", "trust X-Forwarded-Proto from a TLS-terminating proxy", &c.TrustProxy},
		{"shutdown-timeout", "OMNIVIBE_SHUTDOWN_TIMEOUT", "20s", "time in-flight requests get to finish on SIGTERM", &c.ShutdownTimeout},
		{"password-cost", "OMNIVIBE_PASSWORD_COST", "10", "bcrypt cost of stored passwords (4-31)", &c.PasswordCost},
		{"password-hash", "OMNIVIBE_PASSWORD_HASH", "argon2id", "algorithm of new password hashes: argon2id or bcrypt", &c.PasswordHash},
		{"cache-bytes", "OMNIVIBE_CACHE_BYTES", "67108864", "size bound of the in-process cache in bytes", &c.CacheBytes},
		{"log-format", "OMNIVIBE_LOG_FORMAT", "auto", "text, json, or auto (text on a terminal)", &c.LogFormat},
		{"log-level", "OMNIVIBE_LOG_LEVEL", "info", "debug, info, warn or error", &c.LogLevel},
		{"writer", "OMNIVIBE_WRITER", "local", "script writer: local, anthropic or openai, or a fallback chain of them (anthropic,openai,local)", &c.Writer},
		{"writer-model", "OMNIVIBE_WRITER_MODEL", "", "hosted writer model (default claude-haiku-4-5 or gpt-4o-mini)", &c.WriterModel},
		{"writer-base-url", "OMNIVIBE_WRITER_BASE_URL", "", "base URL of the hosted writer (any OpenAI-compatible server for openai)", &c.WriterBaseURL},
		{"writer-timeout", "OMNIVIBE_WRITER_TIMEOUT", "30s", "time limit of one call to a hosted writer", &c.WriterTimeout},
		{"tts", "OMNIVIBE_TTS", "", "voice-over synthesizer: espeak, elevenlabs, openai or synthetic, or a fallback chain (elevenlabs,openai,espeak); default espeak when installed", &c.TTS},
		{"stt", "OMNIVIBE_STT", "", "voice-over checker: pocketsphinx, openai or none, or a fallback chain (openai,pocketsphinx); default pocketsphinx when installed", &c.STT},
		{"workers", "OMNIVIBE_WORKERS", "-1", "voice-overs worked at once in this process (0: none, -1: one per CPU)", &c.Workers},
		{"job-timeout", "OMNIVIBE_JOB_TIMEOUT", "10m", "time limit of one voice-over job", &c.JobTimeout},
		{"job-rescue-after", "OMNIVIBE_JOB_RESCUE_AFTER", "0s", "when a running job is taken for dead and run again (0: job timeout + 1m)", &c.JobRescueAfter},
		{"audio-dir", "OMNIVIBE_AUDIO_DIR", "", "directory of the audio files (default <data-dir>/audio; shared when scaled out)", &c.AudioDir},
		{"speech-base-url", "OMNIVIBE_SPEECH_BASE_URL", "", "base URL of the hosted speech provider (default its API)", &c.SpeechBaseURL},
		{"elevenlabs-model", "OMNIVIBE_ELEVENLABS_MODEL", "", "ElevenLabs model (default eleven_multilingual_v2)", &c.ElevenLabsModel},
		{"openai-tts-model", "OMNIVIBE_OPENAI_TTS_MODEL", "", "OpenAI speech model (default gpt-4o-mini-tts)", &c.OpenAITTSModel},
		{"openai-stt-model", "OMNIVIBE_OPENAI_STT_MODEL", "", "OpenAI transcription model (default whisper-1)", &c.OpenAISTTModel},
		{"webhooks-allow-insecure", "OMNIVIBE_WEBHOOKS_ALLOW_INSECURE", "false", "let webhooks use http:// and reach this machine (local receivers)", &c.WebhooksAllowInsecure},
		{"webhooks-allow-private", "OMNIVIBE_WEBHOOKS_ALLOW_PRIVATE", "false", "let webhook deliveries reach private network addresses", &c.WebhooksAllowPrivate},

		{"metrics", "OMNIVIBE_METRICS", "true", "serve Prometheus metrics at /metrics", &c.Metrics},
		{"metrics-addr", "OMNIVIBE_METRICS_ADDR", "", "serve /metrics on this address (else on the API's, only with OMNIVIBE_METRICS_TOKEN)", &c.MetricsAddr},
		{"pprof-addr", "OMNIVIBE_PPROF_ADDR", "", "serve Go's profiler (/debug/pprof/) on this loopback address (empty: off)", &c.PprofAddr},
		{"access-log", "OMNIVIBE_ACCESS_LOG", "true", "log one line per request", &c.AccessLog},
		{"otlp-endpoint", "OTEL_EXPORTER_OTLP_ENDPOINT", "", "OTLP/HTTP base URL to send traces to (empty: tracing off)", &c.OTLPEndpoint},
		{"trace-sample-ratio", "OTEL_TRACES_SAMPLER_ARG", "1", "share of new traces kept, 0-1 (parent-based)", &c.TraceSampleRatio},
		{"rate-limit-ip", "OMNIVIBE_RATE_LIMIT_IP", "20", "requests/s per client address to register, login and refresh (0: off)", &c.RateLimitIP},
		{"rate-limit-ip-burst", "OMNIVIBE_RATE_LIMIT_IP_BURST", "200", "burst of the per-address limit", &c.RateLimitIPBurst},
		{"rate-limit-credential", "OMNIVIBE_RATE_LIMIT_CREDENTIAL", "50000", "requests/s per API key or user (0: off)", &c.RateLimitCredential},
		{"rate-limit-credential-burst", "OMNIVIBE_RATE_LIMIT_CREDENTIAL_BURST", "50000", "burst of the per-credential limit", &c.RateLimitCredentialBurst},
		{"login-failures-per-email-address", "OMNIVIBE_LOGIN_FAILURES_PER_EMAIL_ADDRESS", "5", "failed logins per email from one client address per its window before 429 (0: off)", &c.LoginFailuresPerEmailAddress},
		{"login-failures-email-address-window", "OMNIVIBE_LOGIN_FAILURES_EMAIL_ADDRESS_WINDOW", "1h", "window of the per email and address limit", &c.LoginFailuresEmailAddressWindow},
		{"login-failures-per-email", "OMNIVIBE_LOGIN_FAILURES_PER_EMAIL", "200", "failed logins per email from every address per its window before 429 (0: off)", &c.LoginFailuresPerEmail},
		{"login-failures-email-window", "OMNIVIBE_LOGIN_FAILURES_EMAIL_WINDOW", "24h", "window of the per-email ceiling", &c.LoginFailuresEmailWindow},
		{"login-failures-per-ip", "OMNIVIBE_LOGIN_FAILURES_PER_IP", "50", "failed logins per client address per window before 429 (0: off)", &c.LoginFailuresPerIP},
		{"login-failures-window", "OMNIVIBE_LOGIN_FAILURES_WINDOW", "15m", "window of the per-address limit", &c.LoginFailuresWindow},
		{"rate-limit-max-keys", "OMNIVIBE_RATE_LIMIT_MAX_KEYS", "100000", "buckets each rate limit keeps in memory", &c.RateLimitMaxKeys},
		{"backup-keep", "OMNIVIBE_BACKUP_KEEP", "7", "daily backups kept in <data-dir>/backups (0: none)", &c.BackupKeep},
		{"backup-at", "OMNIVIBE_BACKUP_AT", "03:00", "time of day (UTC, HH:MM) of the daily backup", &c.BackupAt},
	}
	var errs []error
	for _, f := range fields {
		def := f.def
		if v, ok := lookup(getenv, f.env); ok {
			def = v
		}
		usage := fmt.Sprintf("%s (env %s)", f.usage, f.env)
		switch t := f.target.(type) {
		case *string:
			fs.StringVar(t, f.name, def, usage)
		case *int:
			n, err := strconv.Atoi(def)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not a whole number", f.env, def))
			}
			fs.IntVar(t, f.name, n, usage)
		case *int64:
			n, err := strconv.ParseInt(def, 10, 64)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not a whole number", f.env, def))
			}
			fs.Int64Var(t, f.name, n, usage)
		case *bool:
			b, err := strconv.ParseBool(def)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not true or false", f.env, def))
			}
			fs.BoolVar(t, f.name, b, usage)
		case *time.Duration:
			d, err := time.ParseDuration(def)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not a duration (like 20s)", f.env, def))
			}
			fs.DurationVar(t, f.name, d, usage)
		case *float64:
			x, err := strconv.ParseFloat(def, 64)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not a number", f.env, def))
			}
			fs.Float64Var(t, f.name, x, usage)
		}
	}
	// Secrets come from the environment only: a flag would show in `ps`.
	c.AnthropicAPIKey = strings.TrimSpace(getenv("ANTHROPIC_API_KEY"))
	c.OpenAIAPIKey = strings.TrimSpace(getenv("OPENAI_API_KEY"))
	c.ElevenLabsAPIKey = strings.TrimSpace(getenv("ELEVENLABS_API_KEY"))
	c.MetricsToken = strings.TrimSpace(getenv("OMNIVIBE_METRICS_TOKEN"))
	c.OTLPHeaders = strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_HEADERS"))
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if len(errs) > 0 {
		return c, errors.Join(errs...)
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	for _, o := range strings.Split(cors, ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.CORSOrigins = append(c.CORSOrigins, o)
		}
	}
	return c, c.Validate()
}

// lookup reads a variable; an empty value counts as unset.
func lookup(getenv func(string) string, name string) (string, bool) {
	v := strings.TrimSpace(getenv(name))
	return v, v != ""
}

// Validate names the first setting that cannot work.
func (c Config) Validate() error {
	switch {
	case c.Addr == "":
		return errors.New("addr (OMNIVIBE_ADDR) is empty")
	case c.DataDir == "":
		return errors.New("data-dir (OMNIVIBE_DATA_DIR) is empty")
	case c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://"):
		return errors.New("database-url (DATABASE_URL) must start with postgres://")
	case c.RedisURL != "" && !strings.HasPrefix(c.RedisURL, "redis://") && !strings.HasPrefix(c.RedisURL, "rediss://"):
		return errors.New("redis-url (REDIS_URL) must start with redis:// or rediss://")
	case c.RedisPrefix == "":
		return errors.New("redis-prefix (OMNIVIBE_REDIS_PREFIX) is empty")
	case c.JWTSecret != "" && len(c.JWTSecret) < 32:
		return errors.New("jwt-secret (OMNIVIBE_JWT_SECRET) must be at least 32 characters")
	case c.MaxBodyBytes < 1024:
		return errors.New("max-body-bytes (OMNIVIBE_MAX_BODY_BYTES) must be at least 1024")
	case c.ShutdownTimeout <= 0:
		return errors.New("shutdown-timeout (OMNIVIBE_SHUTDOWN_TIMEOUT) must be positive")
	case c.PasswordCost < 4 || c.PasswordCost > 31:
		return errors.New("password-cost (OMNIVIBE_PASSWORD_COST) must be 4-31")
	case c.PasswordHash != "argon2id" && c.PasswordHash != "bcrypt":
		return errors.New("password-hash (OMNIVIBE_PASSWORD_HASH) must be argon2id or bcrypt")
	case c.CacheBytes < 1<<20:
		return errors.New("cache-bytes (OMNIVIBE_CACHE_BYTES) must be at least 1048576")
	case c.LogFormat != "auto" && c.LogFormat != "text" && c.LogFormat != "json":
		return errors.New("log-format (OMNIVIBE_LOG_FORMAT) must be text, json or auto")
	case c.LogLevel != "debug" && c.LogLevel != "info" && c.LogLevel != "warn" && c.LogLevel != "error":
		return errors.New("log-level (OMNIVIBE_LOG_LEVEL) must be debug, info, warn or error")
	case c.WriterTimeout <= 0:
		return errors.New("writer-timeout (OMNIVIBE_WRITER_TIMEOUT) must be positive")
	case c.providersError() != nil:
		return c.providersError()
	case c.Workers < -1:
		return errors.New("workers (OMNIVIBE_WORKERS) must be -1 (one per CPU), 0 or more")
	case c.JobTimeout <= 0:
		return errors.New("job-timeout (OMNIVIBE_JOB_TIMEOUT) must be positive")
	case c.JobRescueAfter != 0 && c.JobRescueAfter <= c.JobTimeout:
		return errors.New("job-rescue-after (OMNIVIBE_JOB_RESCUE_AFTER) must be longer than job-timeout, or live jobs would run twice")
	}
	return c.validateOperations()
}

// validateOperations names the first bad setting of metrics, tracing, rate
// limits and backups.
func (c Config) validateOperations() error {
	switch {
	case c.PprofAddr != "" && !loopbackAddr(c.PprofAddr):
		return errors.New("pprof-addr (OMNIVIBE_PPROF_ADDR) must be a loopback address such as 127.0.0.1:6060: the profiler shows the process's memory and code to whoever reaches it")
	case c.OTLPEndpoint != "" && !strings.HasPrefix(c.OTLPEndpoint, "http://") && !strings.HasPrefix(c.OTLPEndpoint, "https://"):
		return errors.New("otlp-endpoint (OTEL_EXPORTER_OTLP_ENDPOINT) must start with http:// or https://")
	case c.TraceSampleRatio < 0 || c.TraceSampleRatio > 1:
		return errors.New("trace-sample-ratio (OTEL_TRACES_SAMPLER_ARG) must be between 0 and 1")
	case c.RateLimitIP < 0 || c.RateLimitIPBurst < 0 || c.RateLimitIP > 0 && c.RateLimitIPBurst < 1:
		return errors.New("rate-limit-ip (OMNIVIBE_RATE_LIMIT_IP) must be 0 or more, with a burst of at least 1")
	case c.RateLimitCredential < 0 || c.RateLimitCredentialBurst < 0 || c.RateLimitCredential > 0 && c.RateLimitCredentialBurst < 1:
		return errors.New("rate-limit-credential (OMNIVIBE_RATE_LIMIT_CREDENTIAL) must be 0 or more, with a burst of at least 1")
	case c.LoginFailuresPerEmailAddress < 0 || c.LoginFailuresPerEmail < 0 || c.LoginFailuresPerIP < 0:
		return errors.New("login-failures-per-email-address, -per-email and -per-ip (OMNIVIBE_LOGIN_FAILURES_PER_*) must be 0 or more")
	case c.LoginFailuresWindow <= 0:
		return errors.New("login-failures-window (OMNIVIBE_LOGIN_FAILURES_WINDOW) must be positive")
	case c.LoginFailuresEmailAddressWindow <= 0:
		return errors.New("login-failures-email-address-window (OMNIVIBE_LOGIN_FAILURES_EMAIL_ADDRESS_WINDOW) must be positive")
	case c.LoginFailuresEmailWindow <= 0:
		return errors.New("login-failures-email-window (OMNIVIBE_LOGIN_FAILURES_EMAIL_WINDOW) must be positive")
	case c.RateLimitMaxKeys < 1000:
		return errors.New("rate-limit-max-keys (OMNIVIBE_RATE_LIMIT_MAX_KEYS) must be at least 1000")
	case c.BackupKeep < 0:
		return errors.New("backup-keep (OMNIVIBE_BACKUP_KEEP) must be 0 or more")
	}
	if _, err := c.BackupTime(); err != nil {
		return err
	}
	return nil
}

// BackupTime is BackupAt as hours and minutes after midnight UTC.
func (c Config) BackupTime() (time.Duration, error) {
	t, err := time.Parse("15:04", c.BackupAt)
	if err != nil {
		return 0, errors.New("backup-at (OMNIVIBE_BACKUP_AT) must be a time of day like 03:00")
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// WriterAPIKey is the key of the configured hosted writer ("" for local);
// for a chain, the key of its first member.
func (c Config) WriterAPIKey() string {
	return c.WriterAPIKeyOf(strings.TrimSpace(strings.Split(c.Writer, ",")[0]))
}

// WriterAPIKeyOf is the key of the named hosted writer ("" for local).
func (c Config) WriterAPIKeyOf(name string) string {
	switch name {
	case "anthropic":
		return c.AnthropicAPIKey
	case "openai":
		return c.OpenAIAPIKey
	}
	return ""
}

// AudioRoot is the directory of the audio files.
func (c Config) AudioRoot() string {
	if c.AudioDir != "" {
		return c.AudioDir
	}
	return filepath.Join(c.DataDir, "audio")
}

// WorkerCount is Workers with -1 resolved to the number of CPUs.
func (c Config) WorkerCount() int {
	if c.Workers < 0 {
		return runtime.NumCPU()
	}
	return c.Workers
}

// SQLitePath is the database file of the embedded default.
func (c Config) SQLitePath() string { return filepath.Join(c.DataDir, "omnivibe.db") }

// Secret returns the JWT secret: the configured one, else the one kept in the
// data directory, generated on first use. Keeping it means a restart logs
// nobody out.
func (c Config) Secret() ([]byte, error) {
	if c.JWTSecret != "" {
		return []byte(c.JWTSecret), nil
	}
	path := filepath.Join(c.DataDir, "jwt-secret")
	b, err := os.ReadFile(path) // #nosec G304 -- the secret file in the operator's own data directory
	if err == nil {
		s := strings.TrimSpace(string(b))
		if len(s) < 32 {
			return nil, fmt.Errorf("%s holds fewer than 32 characters; delete it to generate a new one", path)
		}
		return []byte(s), nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return nil, err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	secret := hex.EncodeToString(raw)
	// Written to a temporary file, then linked into place: link fails if the
	// file exists, so when two processes start at once both end up with the
	// one that was linked first, and neither ever reads a half-written file.
	tmp, err := os.CreateTemp(c.DataDir, "jwt-secret-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(secret + "\n"); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, os.ErrExist) {
		return c.Secret()
	} else if err != nil {
		return nil, err
	}
	return []byte(secret), nil
}

// Default returns the configuration with every default and nothing from the
// environment: the embedded default, for tests and tools.
func Default() Config {
	fs := flag.NewFlagSet("default", flag.ContinueOnError)
	c, err := Load(fs, nil, func(string) string { return "" })
	if err != nil {
		panic("config: the defaults do not validate: " + err.Error())
	}
	return c
}

// loopbackAddr is true for host:port where host is a loopback IP or
// "localhost".
func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
