// Package service holds every business rule of OmniVibe Pro, once, for both
// databases. It declares the small interfaces it needs (Store, Cache and, as the
// product grows, the writer, queue and speech engines); the HTTP layer only
// decodes, calls a method here and encodes.
package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/maypok86/otter/v2"
	"github.com/omnivibepro/omnivibe"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/sync/singleflight"
)

// Cache keeps encoded answers. Keys that hold answers derived from an account's
// data include a generation number of that data; Bump moves the generation on,
// so every answer cached before a write is never read again (and expires).
//
// A cache shared over the network may be unreachable. Then Generation and
// Bump fail and the service answers from the store, so the cache's outage
// costs speed, never answers; Fetch's errors are load's.
type Cache interface {
	// Fetch returns the value under key, calling load once (for all concurrent
	// callers) when it is missing, and keeping the result for ttl.
	Fetch(ctx context.Context, key string, ttl time.Duration, load func(context.Context) ([]byte, error)) ([]byte, error)
	// Generation returns the current generation of scope: a number that
	// changes with every Bump of scope (and may change at other times, never
	// back to a value it had).
	Generation(ctx context.Context, scope string) (uint64, error)
	// Bump moves the generation of scope on.
	Bump(ctx context.Context, scope string) error
}

// Config holds the service's settings; zero values take the defaults noted.
type Config struct {
	// JWTSecret signs access tokens (HS256). Required, at least 32 bytes.
	JWTSecret []byte
	// AccessTokenTTL is the life of an access token; default 30 min.
	AccessTokenTTL time.Duration
	// RefreshTokenTTL is the life of a refresh token; default 7 days.
	RefreshTokenTTL time.Duration
	// PasswordAlgorithm hashes new passwords: PasswordArgon2id (the
	// default, at OWASP's parameters) or PasswordBcrypt (see passwords.go).
	PasswordAlgorithm string
	// PasswordCost is the bcrypt cost when the algorithm is bcrypt; default
	// bcrypt.DefaultCost (10).
	PasswordCost int
	// PasswordWorkers is how many passwords are hashed or checked at once;
	// default max(1, NumCPU-1), so one core stays free for other requests.
	PasswordWorkers int
	// PasswordQueue is how many password requests may wait for a worker
	// before the next is refused with busy; default 32 per worker.
	PasswordQueue int
	// VerifyWorkers is how many voice-overs are verified at once (uploads
	// and the pipeline's attempts alike); default max(1, NumCPU-1), so one
	// core stays free for other requests.
	VerifyWorkers int
	// VerifyQueue is how many verification requests may wait for a worker
	// before the next is refused with busy; default 4 per worker.
	VerifyQueue int
	// ListCacheTTL bounds how long a cached list is kept; default 5 min.
	// Correctness does not depend on it: writes move the generation on.
	ListCacheTTL time.Duration
}

// Service is the application: every use case is a method.
type Service struct {
	store  Store
	cache  Cache
	writer Writer
	// providerHealth records every configured provider's calls; nil until
	// UseProviderHealth.
	providerHealth ProviderHealth
	cfg            Config

	// Voice-overs, enabled by UseAudio.
	queue    Queue
	files    AudioFiles
	speech   Speech
	audioObs AudioObserver
	// hooks delivers events to the accounts' webhooks, enabled by UseWebhooks.
	hooks *webhooks
	now   func() time.Time
	log   *slog.Logger

	// scriptFlights lets concurrent identical script requests share one call
	// to the writer.
	scriptFlights singleflight.Group

	// passwords runs every password hash and check (passwords.go).
	passwords *Pool
	// verifications runs every verification of a voice-over (audio_verify.go).
	verifications *Pool
	// principals keeps resolved credentials (principals.go).
	principals *otter.Cache[[sha256.Size]byte, principalEntry]

	// dummyHash is compared against when a login names an unknown email, so
	// that unknown emails and wrong passwords take the same time.
	dummyHash []byte

	// cacheTrouble keeps cache failures from writing one log line per request.
	cacheTrouble throttle
}

// Deps are the collaborators of a Service.
type Deps struct {
	Store  Store
	Cache  Cache
	Writer Writer
	Logger *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Passwords runs password hashing; default a pool of
	// Config.PasswordWorkers and Config.PasswordQueue.
	Passwords *Pool
	// Verifications runs voice-over verification; default a pool of
	// Config.VerifyWorkers and Config.VerifyQueue.
	Verifications *Pool
}

// New returns a Service; it fails when the configuration cannot work.
func New(cfg Config, deps Deps) (*Service, error) {
	if len(cfg.JWTSecret) < 32 {
		return nil, errors.New("service: JWT secret must be at least 32 bytes")
	}
	if deps.Store == nil || deps.Cache == nil || deps.Writer == nil {
		return nil, errors.New("service: store, cache and writer are required")
	}
	if cfg.AccessTokenTTL <= 0 {
		cfg.AccessTokenTTL = 30 * time.Minute
	}
	if cfg.RefreshTokenTTL <= 0 {
		cfg.RefreshTokenTTL = 7 * 24 * time.Hour
	}
	if cfg.PasswordCost == 0 {
		cfg.PasswordCost = bcrypt.DefaultCost
	}
	switch cfg.PasswordAlgorithm {
	case "":
		cfg.PasswordAlgorithm = PasswordArgon2id
	case PasswordArgon2id, PasswordBcrypt:
	default:
		return nil, fmt.Errorf("service: unknown password algorithm %q", cfg.PasswordAlgorithm)
	}
	if cfg.PasswordWorkers <= 0 {
		cfg.PasswordWorkers = defaultPoolWorkers()
	}
	if cfg.PasswordQueue <= 0 {
		cfg.PasswordQueue = passwordQueuePerWorker * cfg.PasswordWorkers
	}
	if cfg.VerifyWorkers <= 0 {
		cfg.VerifyWorkers = defaultPoolWorkers()
	}
	if cfg.VerifyQueue <= 0 {
		cfg.VerifyQueue = verifyQueuePerWorker * cfg.VerifyWorkers
	}
	if cfg.ListCacheTTL <= 0 {
		cfg.ListCacheTTL = 5 * time.Minute
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Passwords == nil {
		deps.Passwords = NewPasswordPool(cfg.PasswordWorkers, cfg.PasswordQueue)
	}
	if deps.Verifications == nil {
		deps.Verifications = NewVerifyPool(cfg.VerifyWorkers, cfg.VerifyQueue)
	}
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	s := &Service{store: deps.Store, cache: deps.Cache, writer: deps.Writer, cfg: cfg, now: deps.Now, log: deps.Logger,
		cacheTrouble: throttle{every: cacheLogEvery}, passwords: deps.Passwords, verifications: deps.Verifications, principals: newPrincipalCache()}
	dummy := make([]byte, 16)
	_, _ = rand.Read(dummy)
	h, err := s.hashNow(fmt.Sprintf("%x", dummy))
	if err != nil {
		return nil, err
	}
	s.dummyHash = h
	return s, nil
}

// NotReadyError names the dependency that does not answer.
type NotReadyError struct {
	Component string // "database", "cache", ...
	Err       error
}

func (e *NotReadyError) Error() string { return e.Component + ": " + e.Err.Error() }
func (e *NotReadyError) Unwrap() error { return e.Err }

// Component names the dependency a Ready error is about, or "a dependency".
func Component(err error) string {
	var nr *NotReadyError
	if errors.As(err, &nr) {
		return nr.Component
	}
	return "a dependency"
}

// Ready reports whether the service's dependencies answer.
func (s *Service) Ready(ctx context.Context) error {
	if err := s.store.Ping(ctx); err != nil {
		return &NotReadyError{Component: "database", Err: err}
	}
	if _, err := s.cache.Generation(ctx, "readyz"); err != nil {
		return &NotReadyError{Component: "cache", Err: err}
	}
	return nil
}

// clock returns the current time in UTC, truncated to what the stores keep, so
// that what is returned after a write equals what is read back later.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Principal is who is calling: a user of an account, by token or API key.
type Principal struct {
	UserID    int64
	AccountID int64
	Role      omnivibe.Role
	// APIKeyID is set when the caller used an API key.
	APIKeyID int64
}

// canWrite is the rule for creating, changing and deleting the account's resources.
func (p Principal) canWrite() error {
	if !p.Role.CanWrite() {
		return omnivibe.Errorf(omnivibe.CodeForbidden, "your role (%s) may only read", p.Role)
	}
	return nil
}

// canManage is the rule for managing the account's members and settings.
func (p Principal) canManage() error {
	if !p.Role.CanManage() {
		return omnivibe.Errorf(omnivibe.CodeForbidden, "only an owner or admin may do this")
	}
	return nil
}

// scope names the cache generation of one kind of an account's data.
func scope(accountID int64, kind string) string { return fmt.Sprintf("t:%d:%s", accountID, kind) }

// bump moves a cache generation on after a committed write. The request's
// cancellation does not stop it: the write happened, and a skipped bump would
// leave old answers in the cache. A failure is logged, not returned; a cache
// that loses a bump is the one to make up for it (see cache.Redis).
func (s *Service) bump(ctx context.Context, scope string) {
	if err := s.cache.Bump(context.WithoutCancel(ctx), scope); err != nil {
		s.cacheFailed("cache generation bump failed", err, "scope", scope)
	}
}

// cached returns the answer of load through the cache, under the current
// generation of scope: at key scope:g{generation}:suffix. When the cache
// cannot tell the generation, it is bypassed and load answers.
func (s *Service) cached(ctx context.Context, scope, suffix string, ttl time.Duration, load func(context.Context) ([]byte, error)) ([]byte, error) {
	gen, err := s.cache.Generation(ctx, scope)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		s.cacheFailed("cache bypassed", err, "scope", scope)
		return load(ctx)
	}
	return s.cache.Fetch(ctx, scope+":g"+strconv.FormatUint(gen, 10)+":"+suffix, ttl, load)
}

// cacheLogEvery is the most often a cache failure is logged: while a shared
// cache is down every request meets it, and the log needs to say so, not to
// repeat it thousands of times a second.
const cacheLogEvery = 10 * time.Second

// cacheFailed logs a cache failure, at most once per cacheLogEvery, with the
// number of failures left unlogged since the previous line.
func (s *Service) cacheFailed(msg string, err error, args ...any) {
	if ok, unlogged := s.cacheTrouble.allow(s.now()); ok {
		s.log.Warn(msg, append(args, "err", err, "unlogged_since_last", unlogged)...)
	}
}

// throttle lets an event through at most once per period and counts the
// ones it holds back.
type throttle struct {
	every time.Duration

	mu      sync.Mutex
	last    time.Time
	skipped int
}

// allow reports whether the event at now may pass, and how many were held
// back since the last that did.
func (t *throttle) allow(now time.Time) (bool, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.last.IsZero() && now.Sub(t.last) < t.every {
		t.skipped++
		return false, 0
	}
	skipped := t.skipped
	t.last, t.skipped = now, 0
	return true, skipped
}
