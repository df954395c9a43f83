// Package ratelimit decides whether a caller may make one more request. A
// Limiter is one token bucket per key (a client address, a credential, an
// email): Memory keeps the buckets in this process with golang.org/x/time/rate;
// RedisLimiter keeps them in Redis (GCRA), where the replicas of a scaled-out
// deployment share them, and falls back to a Memory while Redis is away.
package ratelimit

import (
	"context"
	"fmt"
	"math"
	"time"
)

// Limit is a token bucket: Burst requests at once, refilled at Rate per
// second. A zero Rate means no limit.
type Limit struct {
	Rate  float64
	Burst int
}

// PerWindow is n requests per window, all of which may come at once.
func PerWindow(n int, window time.Duration) Limit {
	if n <= 0 || window <= 0 {
		return Limit{}
	}
	return Limit{Rate: float64(n) / window.Seconds(), Burst: n}
}

// Enabled reports whether the limit limits anything.
func (l Limit) Enabled() bool { return l.Rate > 0 && l.Burst > 0 }

// String describes the limit for logs.
func (l Limit) String() string {
	if !l.Enabled() {
		return "off"
	}
	return fmt.Sprintf("%g/s burst %d", l.Rate, l.Burst)
}

// Decision is the answer for one request, with what the rate-limit headers
// of the answer say.
type Decision struct {
	// Allowed is false when the bucket was empty; nothing was taken then.
	Allowed bool
	// Limit is the bucket size (X-RateLimit-Limit).
	Limit int
	// Remaining is the whole tokens left after this request (X-RateLimit-Remaining).
	Remaining int
	// RetryAfter is how long until one token is back; zero when allowed.
	RetryAfter time.Duration
	// ResetAfter is how long until the bucket is full again (X-RateLimit-Reset).
	ResetAfter time.Duration
}

// Limiter is a set of token buckets, one per key, all with the same Limit.
// Implementations are safe for concurrent use.
type Limiter interface {
	// Allow takes one token from key's bucket if it has one.
	Allow(ctx context.Context, key string) (Decision, error)
	// Refund gives back one token that Allow took, up to the bucket's size:
	// for attempts that turned out not to count (a login that succeeded).
	Refund(ctx context.Context, key string) error
}

// decide builds a Decision from the tokens left after the request (negative:
// the request was refused and needs that many more).
func decide(l Limit, allowed bool, tokens float64) Decision {
	d := Decision{Allowed: allowed, Limit: l.Burst}
	if tokens > 0 {
		d.Remaining = int(math.Floor(tokens))
	}
	if !allowed {
		d.RetryAfter = seconds((1 - tokens) / l.Rate)
	}
	d.ResetAfter = seconds((float64(l.Burst) - tokens) / l.Rate)
	return d
}

func seconds(s float64) time.Duration {
	if s <= 0 {
		return 0
	}
	return time.Duration(s * float64(time.Second))
}
