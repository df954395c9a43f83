package cache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrRedisDown is what Generation and Bump return while Redis cannot be
// reached; Fetch then calls its loader directly instead.
var ErrRedisDown = errors.New("cache: Redis is unreachable")

// RedisOptions configure a Redis cache.
type RedisOptions struct {
	// URL is redis://[user:password@]host:port[/db] or rediss://. Timeouts
	// and pool sizes may be set in it (dial_timeout, read_timeout, ...); those
	// it leaves unset default to DialTimeout 1 s, ReadTimeout and
	// WriteTimeout 500 ms, one retry and two dial attempts, so that a Redis
	// that stops answering costs one request about a second, not minutes.
	URL string
	// Prefix starts every key; deployments that share one Redis need
	// distinct prefixes. Default "omnivibe:".
	Prefix string
	// LocalBytes bounds the in-process layer; default 16 MiB.
	LocalBytes uint64
	// ProbeEvery is how often an unreachable Redis is tried again; default 1 s.
	ProbeEvery time.Duration
	// Logger receives the outages and recoveries; default slog.Default().
	Logger *slog.Logger
}

// Redis is the cache the replicas of a scaled-out deployment share.
//
// Generations live in Redis, so a Bump on one replica moves the generation
// every replica reads; values live in Redis with their TTL, under keys that
// contain the generation; and a small in-process layer in front keeps values
// by the same keys. The in-process layer cannot serve an answer of an old
// generation: a key names its generation, and the generation is read from
// Redis for every request, so after a Bump nobody asks for the old key.
//
// A generation is packed from two numbers: an epoch that belongs to the whole
// cache (bits 32-62) and the scope's counter (bits 0-31, moved on by INCR).
// The epoch is a random number, set when Redis has none (a new or restarted
// Redis, which keeps nothing) and replaced after every outage this process
// sees. An outage may have swallowed a Bump: the write was committed but its
// generation never moved, so answers cached before it would be served again
// once Redis is back. Replacing the epoch abandons every answer cached before
// the outage, on every replica, at the cost of one reload of each. The same
// random epoch makes a flushed or restarted Redis safe: counters start again
// from zero, but under a new epoch, so no generation repeats.
//
// While Redis is unreachable the cache steps aside: Fetch calls its loader,
// Generation and Bump fail fast with ErrRedisDown (the service then answers
// from the database), Healthy reports the outage, and a background probe
// tries Redis every ProbeEvery. Once it answers, the probe replaces the epoch
// and only then is the cache used again.
//
// What remains: a replica that loses Redis cannot tell the others, so until
// it is back (or the values' TTL runs out) the others may serve answers that
// the lost Bump should have retired; and generation counters must never be
// evicted while values survive, so Redis must run with maxmemory-policy
// noeviction or a volatile-* policy (values carry a TTL, counters do not).
// New logs a warning when it finds an allkeys-* policy.
type Redis struct {
	client   *redis.Client
	local    *Memory
	prefix   string
	epochKey string
	log      *slog.Logger
	probe    time.Duration

	down    atomic.Bool
	mu      sync.Mutex
	lastErr error // why Redis was last found unreachable

	stop    chan struct{}
	stopped sync.WaitGroup
	closed  sync.Once
}

// NewRedis connects to Redis. It fails only when the options are wrong: a
// Redis that does not answer yet makes a cache that starts stepped aside and
// takes over once Redis answers.
func NewRedis(ctx context.Context, opts RedisOptions) (*Redis, error) {
	ropts, err := redis.ParseURL(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("redis url: %w", err)
	}
	if ropts.DialTimeout == 0 {
		ropts.DialTimeout = time.Second
	}
	if ropts.ReadTimeout == 0 {
		ropts.ReadTimeout = 500 * time.Millisecond
	}
	if ropts.WriteTimeout == 0 {
		ropts.WriteTimeout = 500 * time.Millisecond
	}
	if ropts.MaxRetries == 0 {
		ropts.MaxRetries = 1
	}
	if ropts.DialerRetries == 0 {
		ropts.DialerRetries = 2
	}
	if opts.Prefix == "" {
		opts.Prefix = "omnivibe:"
	}
	if opts.LocalBytes == 0 {
		opts.LocalBytes = 16 << 20
	}
	if opts.ProbeEvery <= 0 {
		opts.ProbeEvery = time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	r := &Redis{
		client:   redis.NewClient(ropts),
		local:    NewMemory(opts.LocalBytes),
		prefix:   opts.Prefix,
		epochKey: opts.Prefix + "epoch",
		log:      opts.Logger,
		probe:    opts.ProbeEvery,
		stop:     make(chan struct{}),
	}
	pctx, cancel := context.WithTimeout(ctx, ropts.DialTimeout+ropts.ReadTimeout)
	defer cancel()
	if err := r.client.Ping(pctx).Err(); err != nil {
		r.fail(err)
	} else {
		r.checkEvictionPolicy(pctx)
	}
	r.stopped.Add(1)
	go r.probeLoop()
	return r, nil
}

// checkEvictionPolicy warns when Redis may evict generation counters.
// Managed Redis services often refuse CONFIG; then nothing is said.
func (r *Redis) checkEvictionPolicy(ctx context.Context) {
	policy, err := r.client.ConfigGet(ctx, "maxmemory-policy").Result()
	if err != nil {
		return
	}
	if p := policy["maxmemory-policy"]; strings.HasPrefix(p, "allkeys-") {
		r.log.Warn("cache: Redis may evict generation counters and serve stale answers; set maxmemory-policy to noeviction or volatile-lru",
			"maxmemory-policy", p)
	}
}

func (r *Redis) genKey(scope string) string { return r.prefix + "g:" + scope }
func (r *Redis) valueKey(key string) string { return r.prefix + "v:" + key }

// Fetch returns the value under key: from the in-process layer, else from
// Redis, else from load (once for all concurrent callers in this process),
// stored in both for ttl. When Redis cannot be reached it returns what load
// returns.
func (r *Redis) Fetch(ctx context.Context, key string, ttl time.Duration, load func(context.Context) ([]byte, error)) ([]byte, error) {
	if r.down.Load() {
		return load(ctx)
	}
	return r.local.Fetch(ctx, key, ttl, func(ctx context.Context) ([]byte, error) {
		return r.fetchShared(ctx, key, ttl, load)
	})
}

func (r *Redis) fetchShared(ctx context.Context, key string, ttl time.Duration, load func(context.Context) ([]byte, error)) ([]byte, error) {
	vk := r.valueKey(key)
	data, err := r.client.Get(ctx, vk).Bytes()
	if err == nil {
		return data, nil
	}
	if !errors.Is(err, redis.Nil) {
		r.failUnlessCanceled(ctx, err)
		return load(ctx)
	}
	if data, err = load(ctx); err != nil {
		return nil, err
	}
	if err := r.client.Set(ctx, vk, data, ttl).Err(); err != nil {
		r.failUnlessCanceled(ctx, err)
	}
	return data, nil
}

// epochShift places the epoch above the scope's counter in a generation.
const epochShift = 32

// Generation returns the generation of scope: the cache's epoch and the
// scope's counter, read in one round trip.
func (r *Redis) Generation(ctx context.Context, scope string) (uint64, error) {
	if r.down.Load() {
		return 0, r.unavailable()
	}
	vals, err := r.client.MGet(ctx, r.epochKey, r.genKey(scope)).Result()
	if err != nil {
		r.failUnlessCanceled(ctx, err)
		return 0, err
	}
	epoch, err := parseCounter(vals[0])
	if err == nil && vals[0] == nil {
		epoch, err = r.initEpoch(ctx)
	}
	if err != nil {
		r.failUnlessCanceled(ctx, err)
		return 0, err
	}
	counter, err := parseCounter(vals[1])
	if err != nil {
		r.fail(err)
		return 0, err
	}
	return epoch<<epochShift | counter&(1<<epochShift-1), nil
}

// parseCounter reads a number stored in Redis; nil (no key) is zero.
func parseCounter(v any) (uint64, error) {
	if v == nil {
		return 0, nil
	}
	s, ok := v.(string)
	if !ok {
		return 0, fmt.Errorf("cache: unexpected %T in Redis", v)
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("cache: counter %q in Redis: %w", s, err)
	}
	return n, nil
}

// newEpoch returns a random epoch of 31 bits, never zero.
func newEpoch() uint64 { return 1 + rand.Uint64N(1<<31-1) } // #nosec G404 -- an epoch must differ from the last one, not be secret (keys are never shown to clients); math/rand/v2's ChaCha8 is seeded by the OS

// initEpoch sets an epoch where Redis has none and returns the one that is
// set: this one, or another replica's that got there first.
func (r *Redis) initEpoch(ctx context.Context) (uint64, error) {
	mine := newEpoch()
	prev, err := r.client.SetArgs(ctx, r.epochKey, mine, redis.SetArgs{Mode: "NX", Get: true}).Result()
	if errors.Is(err, redis.Nil) {
		return mine, nil
	}
	if err != nil {
		return 0, err
	}
	return parseCounter(prev)
}

// Bump moves the generation of scope on. The caller's cancellation does not
// stop it: the write it follows is committed, and a lost Bump would let old
// answers be served. When it fails the cache steps aside until Redis is back
// and the epoch is replaced.
func (r *Redis) Bump(ctx context.Context, scope string) error {
	if r.down.Load() {
		return r.unavailable()
	}
	if err := r.client.Incr(context.WithoutCancel(ctx), r.genKey(scope)).Err(); err != nil {
		r.fail(err)
		return err
	}
	return nil
}

// Healthy reports whether Redis answered the last time it was asked: nil,
// or why the cache is stepped aside.
func (r *Redis) Healthy() error {
	if !r.down.Load() {
		return nil
	}
	return r.unavailable()
}

func (r *Redis) unavailable() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.lastErr == nil {
		return ErrRedisDown
	}
	return fmt.Errorf("%w: %v", ErrRedisDown, r.lastErr)
}

// failUnlessCanceled is fail, except when the caller gave up: a canceled
// request says nothing about Redis.
func (r *Redis) failUnlessCanceled(ctx context.Context, err error) {
	if ctx.Err() != nil {
		return
	}
	r.fail(err)
}

// fail steps the cache aside after Redis did not answer, saying so once per
// outage.
func (r *Redis) fail(err error) {
	r.mu.Lock()
	r.lastErr = err
	r.mu.Unlock()
	if r.down.CompareAndSwap(false, true) {
		r.log.Warn("cache: Redis is unreachable; answering from the database until it is back", "err", err)
	}
}

func (r *Redis) probeLoop() {
	defer r.stopped.Done()
	t := time.NewTicker(r.probe)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-t.C:
			if r.down.Load() {
				r.recover()
			}
		}
	}
}

// recover replaces the epoch, which both proves that Redis answers and
// abandons every answer cached before the outage; then the cache is used
// again.
func (r *Redis) recover() {
	// The client's own dial, read and write timeouts bound the attempt.
	if err := r.client.Set(context.Background(), r.epochKey, newEpoch(), 0).Err(); err != nil {
		r.mu.Lock()
		r.lastErr = err
		r.mu.Unlock()
		return
	}
	r.mu.Lock()
	r.lastErr = nil
	r.mu.Unlock()
	r.down.Store(false)
	r.log.Info("cache: Redis answers again; answers cached before the outage are abandoned")
}

// Client is the cache's connection pool, for the other state the replicas
// share through the same Redis (the rate limits) to use its connections and
// timeouts. Close closes it.
func (r *Redis) Client() *redis.Client { return r.client }

// redisLibraryLogs makes RouteRedisLibraryLogs take effect once.
var redisLibraryLogs sync.Once

// RouteRedisLibraryLogs sends what the Redis client library prints itself
// (one line per failed dial, unstructured, on stderr) to log at debug level:
// the cache already reports each outage and recovery once. The library keeps
// one logger per process, so only the first call counts; call it before any
// cache is made.
func RouteRedisLibraryLogs(log *slog.Logger) {
	redisLibraryLogs.Do(func() { redis.SetLogger(libraryLogger{log}) })
}

type libraryLogger struct{ log *slog.Logger }

func (l libraryLogger) Printf(ctx context.Context, format string, v ...any) {
	l.log.DebugContext(ctx, fmt.Sprintf(format, v...), "component", "go-redis")
}

// Close stops the probe and closes the connections. It is safe to call more
// than once.
func (r *Redis) Close() error {
	var err error
	r.closed.Do(func() {
		close(r.stop)
		r.stopped.Wait()
		r.local.Close()
		err = r.client.Close()
	})
	return err
}
