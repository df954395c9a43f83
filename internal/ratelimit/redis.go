package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisOptions configure the limits kept in Redis.
type RedisOptions struct {
	// Prefix starts every key, followed by "rl:", the limit's name, ":" and
	// the caller's key. Default "omnivibe:".
	Prefix string
	// RetryEvery is how often an unreachable Redis is tried again; default
	// 1 s.
	RetryEvery time.Duration
	// Logger receives each outage and each recovery, once; default
	// slog.Default().
	Logger *slog.Logger
	// Now, when set, is the clock the limits are computed with (tests move
	// it by hand). By default the limits use Redis's own clock (TIME), the
	// one clock every replica shares, so that replicas whose clocks differ
	// still agree on every bucket. Now (default time.Now) also times the
	// retries during an outage.
	Now func() time.Time
}

// Redis keeps token buckets in one Redis, so that every replica of a
// scaled-out deployment counts against the same limits. Each bucket is one
// key holding its theoretical arrival time (GCRA: the moment the bucket would
// be full again), with a TTL that ends exactly then, so only buckets in use
// take memory. Allow and Refund are each one Lua script, so concurrent
// replicas never read a bucket the other is changing.
//
// While Redis cannot be reached, each limit answers from its fallback (see
// Limiter) without waiting for Redis: the outage and the recovery are logged
// once each for all the limits of this Redis, and while it lasts a request
// at most every RetryEvery starts a PING in the background, whose answer
// ends the outage.
type Redis struct {
	client  redis.UniversalClient
	prefix  string
	log     *slog.Logger
	now     func() time.Time
	useNow  bool
	retry   time.Duration
	allow   *redis.Script
	refund  *redis.Script
	down    atomic.Bool
	retryAt atomic.Int64 // UnixNano from which a request may try Redis again
}

// ErrRedisDown is what Healthy reports during an outage.
var ErrRedisDown = errors.New("ratelimit: Redis is unreachable; limits are per replica")

// NewRedis returns the limits kept in client's Redis (a *redis.Client, or a
// cluster client: a bucket is one key, so a cluster spreads them). The
// client's own timeouts bound each call.
func NewRedis(client redis.UniversalClient, opts RedisOptions) *Redis {
	if opts.Prefix == "" {
		opts.Prefix = "omnivibe:"
	}
	if opts.RetryEvery <= 0 {
		opts.RetryEvery = time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	r := &Redis{client: client, prefix: opts.Prefix + "rl:", log: opts.Logger, now: opts.Now, useNow: opts.Now != nil,
		retry: opts.RetryEvery, allow: redis.NewScript(scriptClock() + allowScript), refund: redis.NewScript(scriptClock() + refundScript)}
	if r.now == nil {
		r.now = time.Now
	}
	return r
}

// Limiter returns the limit called name, with l for every key. Names keep
// the limits' keys apart (two limits may both be keyed by client address).
//
// fallback answers while Redis cannot be reached: an in-process Limiter
// with the same limit keeps limiting, each replica on its own, so the
// deployment as a whole allows up to replicas times the limit until Redis is
// back. A nil fallback lets every request through meanwhile.
func (r *Redis) Limiter(name string, l Limit, fallback Limiter) *RedisLimiter {
	rl := &RedisLimiter{store: r, limit: l, prefix: r.prefix + name + ":", fallback: fallback}
	if l.Enabled() {
		interval := 1e6 / l.Rate // microseconds per token
		rl.interval = interval
		rl.intervalArg = strconv.FormatFloat(interval, 'g', -1, 64)
		rl.burstArg = strconv.Itoa(l.Burst)
	}
	return rl
}

// RedisLimiter is one limit kept in Redis; see Redis.
type RedisLimiter struct {
	store    *Redis
	limit    Limit
	prefix   string
	fallback Limiter

	interval              float64 // microseconds between tokens
	intervalArg, burstArg string
}

var _ Limiter = (*RedisLimiter)(nil)

// Limit returns the limit of every bucket.
func (l *RedisLimiter) Limit() Limit { return l.limit }

// Allow takes one token from key's bucket if it has one.
func (l *RedisLimiter) Allow(ctx context.Context, key string) (Decision, error) {
	if !l.limit.Enabled() {
		return Decision{Allowed: true}, nil
	}
	if !l.store.tryRedis() {
		return l.fallbackAllow(ctx, key)
	}
	res, err := l.store.allow.Run(ctx, l.store.client, []string{l.prefix + key}, l.intervalArg, l.burstArg, l.store.nowArg()).Slice()
	if err == nil {
		var d Decision
		if d, err = l.decision(res); err == nil {
			l.store.answered()
			return d, nil
		}
	}
	if ctx.Err() != nil {
		return Decision{}, ctx.Err() // the caller gave up: that says nothing about Redis
	}
	l.store.failed(err)
	return l.fallbackAllow(ctx, key)
}

// decision reads the script's answer: whether the request was allowed, and
// how far the bucket's theoretical arrival time now lies ahead, in
// microseconds.
func (l *RedisLimiter) decision(res []any) (Decision, error) {
	if len(res) != 2 {
		return Decision{}, fmt.Errorf("ratelimit: unexpected answer %v from Redis", res)
	}
	allowed, ok1 := res[0].(int64)
	aheadText, ok2 := res[1].(string)
	ahead, err := strconv.ParseFloat(aheadText, 64)
	if !ok1 || !ok2 || err != nil {
		return Decision{}, fmt.Errorf("ratelimit: unexpected answer %v from Redis", res)
	}
	tokens := float64(l.limit.Burst) - ahead/l.interval
	// The arrival time moves in steps of a fractional interval; a whole
	// number of tokens must read as whole despite the rounding on the way.
	if whole := math.Round(tokens); math.Abs(tokens-whole) < 1e-6 {
		tokens = whole
	}
	return decide(l.limit, allowed == 1, tokens), nil
}

// Refund gives key's bucket one token back, up to its size.
func (l *RedisLimiter) Refund(ctx context.Context, key string) error {
	if !l.limit.Enabled() {
		return nil
	}
	if !l.store.tryRedis() {
		return l.fallbackRefund(ctx, key)
	}
	err := l.store.refund.Run(ctx, l.store.client, []string{l.prefix + key}, l.intervalArg, l.store.nowArg()).Err()
	if err == nil {
		l.store.answered()
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	l.store.failed(err)
	return l.fallbackRefund(ctx, key)
}

func (l *RedisLimiter) fallbackAllow(ctx context.Context, key string) (Decision, error) {
	if l.fallback == nil {
		return Decision{Allowed: true}, nil
	}
	return l.fallback.Allow(ctx, key)
}

func (l *RedisLimiter) fallbackRefund(ctx context.Context, key string) error {
	if l.fallback == nil {
		return nil
	}
	return l.fallback.Refund(ctx, key)
}

// Healthy reports whether the limits are shared through Redis: nil, or
// ErrRedisDown while each replica limits on its own.
func (r *Redis) Healthy() error {
	if r.down.Load() {
		return ErrRedisDown
	}
	return nil
}

// tryRedis reports whether a request should go to Redis: while it answers.
// During an outage the first request after each RetryEvery starts a probe
// instead, so that no request waits for a Redis that may not answer.
func (r *Redis) tryRedis() bool {
	if !r.down.Load() {
		return true
	}
	now := r.now().UnixNano()
	at := r.retryAt.Load()
	if now >= at && r.retryAt.CompareAndSwap(at, now+r.retry.Nanoseconds()) {
		go r.probe()
	}
	return false
}

// probe asks Redis whether it is back. It ends within the client's dial and
// read timeouts, and at most one runs per RetryEvery.
func (r *Redis) probe() {
	if err := r.client.Ping(context.Background()).Err(); err != nil {
		return
	}
	r.answered()
}

// failed notes that Redis did not answer, saying so once per outage.
func (r *Redis) failed(err error) {
	r.retryAt.Store(r.now().UnixNano() + r.retry.Nanoseconds())
	if r.down.CompareAndSwap(false, true) {
		r.log.Warn("rate limits: Redis is unreachable; each replica limits on its own until it is back", "err", err)
	}
}

// answered notes that Redis answered, saying so when it ends an outage.
func (r *Redis) answered() {
	if r.down.Load() && r.down.CompareAndSwap(true, false) {
		r.log.Info("rate limits: Redis answers again; the limits are shared by the replicas again")
	}
}

// gcraEpoch is where the scripts' clock starts. Counting microseconds from
// 2025 rather than 1970 keeps the numbers small enough that Lua's doubles
// hold them to a few nanoseconds for decades.
const gcraEpoch = 1735689600 // 2025-01-01T00:00:00Z

// nowArg is the time the scripts compute with: "" for Redis's own clock, or
// microseconds since gcraEpoch on the configured one.
func (r *Redis) nowArg() string {
	if !r.useNow {
		return ""
	}
	return strconv.FormatFloat(float64(r.now().Sub(time.Unix(gcraEpoch, 0)).Nanoseconds())/1e3, 'f', -1, 64)
}

// scriptClock is the scripts' first lines: the interval (ARGV[1]) and the
// time, from ARGV's last argument or else Redis's clock. Times are
// microseconds since gcraEpoch, as doubles, and the arrival time is stored
// with all 17 digits (Lua's tostring keeps 14). Reading TIME before a write
// needs effects replication, the default since Redis 5 and the only mode
// since 7; older servers are asked for it.
func scriptClock() string {
	return fmt.Sprintf(`
if redis.replicate_commands then redis.replicate_commands() end
local now = tonumber(ARGV[#ARGV])
if not now then
  local t = redis.call('TIME')
  now = (tonumber(t[1]) - %d) * 1000000 + tonumber(t[2])
end
local interval = tonumber(ARGV[1])
`, gcraEpoch)
}

// allowScript takes a token: KEYS[1] is the bucket, ARGV interval
// (microseconds per token), burst and the time. A request is allowed when
// the arrival time, moved on by one interval, lies at most burst intervals
// ahead (with a thousandth of an interval for the doubles' rounding). It
// answers {allowed, how far the arrival time lies ahead}; a refused request
// changes nothing.
const allowScript = `
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local ahead = tat - now + interval
if ahead > (burst + 0.001) * interval then
  return {0, string.format('%.17g', tat - now)}
end
redis.call('SET', KEYS[1], string.format('%.17g', now + ahead), 'PX', math.ceil(ahead / 1000))
return {1, string.format('%.17g', ahead)}
`

// refundScript gives a token back: the arrival time moves one interval
// earlier, but never before now (a full bucket, whose key goes).
const refundScript = `
local tat = tonumber(redis.call('GET', KEYS[1]))
if not tat then return 0 end
local ahead = tat - now - interval
if ahead <= 0 then
  redis.call('DEL', KEYS[1])
  return 0
end
redis.call('SET', KEYS[1], string.format('%.17g', now + ahead), 'PX', math.ceil(ahead / 1000))
return 1
`
