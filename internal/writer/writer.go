package writer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Errors a caller maps to HTTP answers. Every error Write returns for a provider failure
// wraps exactly one of them, with detail that never contains an API key.
var (
	// ErrUnavailable means the provider could not be used: it refused the request, kept
	// failing after the retries, answered with something that is not its protocol, or
	// the circuit breaker is open because it has been failing (503).
	ErrUnavailable = errors.New("script writer unavailable")
	// ErrTimeout means the provider did not answer in time, including the retries (504).
	ErrTimeout = errors.New("script writer timed out")
	// ErrUnusableAnswer means the provider answered but the answer holds no complete
	// script (a hook, at least one body point and a call to action) (503).
	ErrUnusableAnswer = errors.New("script writer gave an unusable answer")
)

// Request is what a script is written from. The caller has validated it; Write only
// fills the contract's defaults for empty fields and rejects values outside the enums.
type Request struct {
	Topic    string
	Platform string // youtube (default), instagram, tiktok, facebook
	// Tone is professional (default), friendly, casual, humorous, serious or energetic.
	Tone     string
	Language string // ko (default), en, ja, zh
	Audience string // optional: who the video speaks to
	// CampaignName is optional context; hosted models see it in the prompt.
	CampaignName string
	// TargetDuration is the length of the video in seconds, 10-600 (default 60).
	TargetDuration int
}

// Block is one timed part of a script.
type Block struct {
	Order    int
	Type     string // hook, body or cta
	Text     string
	Duration float64 // seconds, at least 3
	Start    float64 // seconds from the start of the video
	End      float64 // Start + Duration
}

// Block types.
const (
	BlockHook = "hook"
	BlockBody = "body"
	BlockCTA  = "cta"
)

// Script is a written and timed script.
type Script struct {
	Provider string // local, anthropic or openai
	Model    string
	Hook     string
	Body     string // the body blocks' texts joined with newlines
	CTA      string
	// Blocks are the hook, 1-5 body blocks and the call to action, in order.
	Blocks []Block
	// EstimatedDuration is the sum of the block durations, within ±10 % of the target.
	EstimatedDuration float64
	// Skipped lists, when a Chain wrote the script, the writers before Provider
	// that failed, and why.
	Skipped []Skip
}

// Provider names.
const (
	ProviderLocal     = "local"
	ProviderAnthropic = "anthropic"
	ProviderOpenAI    = "openai"
)

// Default settings of Config.
const (
	DefaultAnthropicBaseURL = "https://api.anthropic.com"
	DefaultOpenAIBaseURL    = "https://api.openai.com/v1"
	DefaultAnthropicModel   = "claude-haiku-4-5"
	DefaultOpenAIModel      = "gpt-4o-mini"
	DefaultTimeout          = 30 * time.Second
	DefaultMaxRetries       = 2
	DefaultRetryBaseDelay   = 500 * time.Millisecond
	DefaultMaxRetryDelay    = 10 * time.Second
	DefaultBreakerFailures  = 5
	DefaultBreakerCooldown  = 30 * time.Second
	DefaultMaxTokens        = 2048
)

// Config chooses and tunes the provider. Only Provider decides which provider is used:
// an API key being set does not switch away from the local writer.
type Config struct {
	// Provider is local (default: no network), anthropic or openai.
	Provider string
	// Model is the hosted model; default claude-haiku-4-5 for anthropic and gpt-4o-mini
	// for openai. The local writer ignores it.
	Model string
	// BaseURL is where the hosted API lives: default https://api.anthropic.com (the
	// path /v1/messages is appended) or https://api.openai.com/v1 (/chat/completions is
	// appended; point it at any OpenAI-compatible server, such as a self-hosted one).
	BaseURL string
	// APIKey authenticates to the hosted API. Required for anthropic, and for openai at
	// its default base URL; a self-hosted OpenAI-compatible server may need none.
	APIKey string
	// Timeout bounds each attempt (default 30 s).
	Timeout time.Duration
	// MaxRetries is how many times a failed attempt (429, 5xx, timeout, connection
	// error) is retried (default 2; a negative value means no retries).
	MaxRetries int
	// RetryBaseDelay is the first backoff delay, doubled on each retry with jitter
	// (default 500 ms).
	RetryBaseDelay time.Duration
	// MaxRetryDelay caps one backoff delay, and a Retry-After longer than it ends the
	// retries at once instead of holding the request (default 10 s).
	MaxRetryDelay time.Duration
	// BreakerFailures is how many consecutive failed attempts open the circuit breaker
	// (default 5).
	BreakerFailures int
	// BreakerCooldown is how long an open breaker fails calls fast before it lets one
	// trial call through (default 30 s).
	BreakerCooldown time.Duration
	// MaxTokens bounds the length of the hosted model's answer (default 2048).
	MaxTokens int
	// Observer, when set, is told of every provider call (metrics, traces).
	Observer Observer
}

// withDefaults returns cfg with every empty field set to its default.
func (cfg Config) withDefaults() Config {
	cfg.Provider = strings.ToLower(strings.TrimSpace(cfg.Provider))
	if cfg.Provider == "" {
		cfg.Provider = ProviderLocal
	}
	switch cfg.Provider {
	case ProviderAnthropic:
		cfg.Model = cmpOr(cfg.Model, DefaultAnthropicModel)
		cfg.BaseURL = cmpOr(cfg.BaseURL, DefaultAnthropicBaseURL)
	case ProviderOpenAI:
		cfg.Model = cmpOr(cfg.Model, DefaultOpenAIModel)
		cfg.BaseURL = cmpOr(cfg.BaseURL, DefaultOpenAIBaseURL)
	case ProviderLocal:
		cfg.Model = localModel
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = DefaultMaxRetries
	} else if cfg.MaxRetries < 0 {
		cfg.MaxRetries = 0
	}
	if cfg.RetryBaseDelay == 0 {
		cfg.RetryBaseDelay = DefaultRetryBaseDelay
	}
	if cfg.MaxRetryDelay == 0 {
		cfg.MaxRetryDelay = DefaultMaxRetryDelay
	}
	if cfg.BreakerFailures == 0 {
		cfg.BreakerFailures = DefaultBreakerFailures
	}
	if cfg.BreakerCooldown == 0 {
		cfg.BreakerCooldown = DefaultBreakerCooldown
	}
	if cfg.MaxTokens == 0 {
		cfg.MaxTokens = DefaultMaxTokens
	}
	return cfg
}

// validate names the first bad field of a config that has its defaults filled in.
func (cfg Config) validate() error {
	switch cfg.Provider {
	case ProviderLocal:
		return nil
	case ProviderAnthropic, ProviderOpenAI:
	default:
		return fmt.Errorf("writer config: Provider: %q is not one of local, anthropic, openai", cfg.Provider)
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("writer config: BaseURL: %q is not an http or https URL", cfg.BaseURL)
	}
	if cfg.APIKey == "" {
		if cfg.Provider == ProviderAnthropic {
			return errors.New("writer config: APIKey: required for the anthropic provider")
		}
		if cfg.BaseURL == DefaultOpenAIBaseURL {
			return errors.New("writer config: APIKey: required for the openai provider at its default base URL")
		}
	}
	switch {
	case cfg.Timeout < 0:
		return fmt.Errorf("writer config: Timeout: %v is negative", cfg.Timeout)
	case cfg.RetryBaseDelay < 0:
		return fmt.Errorf("writer config: RetryBaseDelay: %v is negative", cfg.RetryBaseDelay)
	case cfg.MaxRetryDelay < cfg.RetryBaseDelay:
		return fmt.Errorf("writer config: MaxRetryDelay: %v is shorter than RetryBaseDelay %v", cfg.MaxRetryDelay, cfg.RetryBaseDelay)
	case cfg.BreakerFailures < 1:
		return fmt.Errorf("writer config: BreakerFailures: %d is below 1", cfg.BreakerFailures)
	case cfg.BreakerCooldown < 0:
		return fmt.Errorf("writer config: BreakerCooldown: %v is negative", cfg.BreakerCooldown)
	case cfg.MaxTokens < 256:
		return fmt.Errorf("writer config: MaxTokens: %d is below 256, too short for a script", cfg.MaxTokens)
	}
	return nil
}

func cmpOr(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// draft is a script before timing: what a provider writes.
type draft struct {
	hook string
	body []string
	cta  string
}

// drafter is the one interface every provider implements.
type drafter interface {
	draft(ctx context.Context, req Request) (draft, error)
}

// Writer writes timed scripts with the configured provider. It is safe for concurrent
// use.
type Writer struct {
	provider string
	model    string
	drafter  drafter
	// observeDraft is the Observer when the drafter does not report its own
	// calls (the local writer); nil otherwise.
	observeDraft Observer
}

// New returns a Writer for cfg. A nil logger discards logs; a nil httpClient is replaced
// by a client of its own (attempt timeouts come from Config.Timeout, not the client).
func New(cfg Config, logger *slog.Logger, httpClient *http.Client) (*Writer, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if httpClient == nil {
		httpClient = &http.Client{}
	}
	w := &Writer{provider: cfg.Provider, model: cfg.Model}
	switch cfg.Provider {
	case ProviderLocal:
		w.drafter = localDrafter{}
		w.observeDraft = cfg.Observer
	case ProviderAnthropic:
		w.drafter = newHostedDrafter(cfg, logger, httpClient, anthropicProtocol{})
	case ProviderOpenAI:
		w.drafter = newHostedDrafter(cfg, logger, httpClient, openAIProtocol{})
	}
	return w, nil
}

// Name returns the provider's name: local, anthropic or openai.
func (w *Writer) Name() string { return w.provider }

// Model returns the model the provider writes with.
func (w *Writer) Model() string { return w.model }

// Write writes a script for req and times it with the reading-speed model.
func (w *Writer) Write(ctx context.Context, req Request) (Script, error) {
	req, err := normalizeRequest(req)
	if err != nil {
		return Script{}, err
	}
	start := time.Now()
	d, err := w.drafter.draft(ctx, req)
	if w.observeDraft != nil {
		w.observeDraft(ctx, Call{Provider: w.provider, Model: w.model, Attempt: 1, Outcome: callOutcome(0, err), Start: start, Duration: time.Since(start)})
	}
	if err != nil {
		return Script{}, err
	}
	return assemble(w.provider, w.model, d, req.Language, req.TargetDuration), nil
}

// normalizeRequest fills the contract's defaults and rejects values no caller that
// validated its input could send.
func normalizeRequest(req Request) (Request, error) {
	req.Topic = strings.TrimSpace(req.Topic)
	req.Audience = strings.TrimSpace(req.Audience)
	req.CampaignName = strings.TrimSpace(req.CampaignName)
	req.Platform = strings.ToLower(strings.TrimSpace(req.Platform))
	req.Tone = strings.ToLower(strings.TrimSpace(req.Tone))
	req.Language = strings.ToLower(strings.TrimSpace(req.Language))
	req.Platform = cmpOr(req.Platform, "youtube")
	req.Tone = cmpOr(req.Tone, "professional")
	req.Language = cmpOr(req.Language, "ko")
	if req.TargetDuration == 0 {
		req.TargetDuration = 60
	}
	switch {
	case req.Topic == "":
		return req, errors.New("writer: request without a topic")
	case !slices.Contains([]string{"youtube", "instagram", "tiktok", "facebook"}, req.Platform):
		return req, fmt.Errorf("writer: unsupported platform %q", req.Platform)
	case !slices.Contains([]string{"professional", "friendly", "casual", "humorous", "serious", "energetic"}, req.Tone):
		return req, fmt.Errorf("writer: unsupported tone %q", req.Tone)
	case !slices.Contains([]string{"ko", "en", "ja", "zh"}, req.Language):
		return req, fmt.Errorf("writer: unsupported language %q", req.Language)
	case req.TargetDuration < 10 || req.TargetDuration > 600:
		return req, fmt.Errorf("writer: target duration %d s is outside 10-600", req.TargetDuration)
	}
	return req, nil
}
