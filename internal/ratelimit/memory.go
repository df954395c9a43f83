package ratelimit

import (
	"context"
	"hash/maphash"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// DefaultMaxKeys bounds the buckets a Memory keeps when MemoryOptions leaves it 0.
const DefaultMaxKeys = 100_000

// shardCount spreads the buckets over locks so that callers with different
// keys rarely wait for each other.
const shardCount = 64

// MemoryOptions tunes a Memory; zero values take the defaults noted.
type MemoryOptions struct {
	// MaxKeys bounds how many buckets are kept (default DefaultMaxKeys). Past
	// it, the least recently used of a sample is forgotten, which gives that
	// key a fresh bucket: memory stays bounded however many addresses call.
	MaxKeys int
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Memory is a Limiter whose buckets live in this process. A bucket that has
// refilled completely is forgotten, since a full bucket and a new one are the
// same: only keys that used part of their limit recently take memory.
type Memory struct {
	limit    Limit
	perShard int
	now      func() time.Time
	seed     maphash.Seed
	// fullAfter is how long an unused bucket takes to refill from empty.
	fullAfter time.Duration
	shards    [shardCount]shard
}

type shard struct {
	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	lim      *rate.Limiter
	lastUsed time.Time // guarded by the shard's lock
}

var _ Limiter = (*Memory)(nil)

// NewMemory returns an in-process Limiter with limit l for every key.
func NewMemory(l Limit, opts MemoryOptions) *Memory {
	if opts.MaxKeys <= 0 {
		opts.MaxKeys = DefaultMaxKeys
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	m := &Memory{limit: l, perShard: max(1, opts.MaxKeys/shardCount), now: opts.Now, seed: maphash.MakeSeed()}
	if l.Enabled() {
		m.fullAfter = seconds(float64(l.Burst) / l.Rate)
	}
	for i := range m.shards {
		m.shards[i].buckets = make(map[string]*bucket)
	}
	return m
}

// Limit returns the limit of every bucket.
func (m *Memory) Limit() Limit { return m.limit }

// Allow takes one token from key's bucket if it has one.
func (m *Memory) Allow(_ context.Context, key string) (Decision, error) {
	if !m.limit.Enabled() {
		return Decision{Allowed: true}, nil
	}
	now := m.now()
	lim := m.bucket(key, now)
	r := lim.ReserveN(now, 1)
	if delay := r.DelayFrom(now); !r.OK() || delay > 0 {
		// Hand the token back: a refused request must not push the
		// caller's next chance further away.
		r.CancelAt(now)
		return decide(m.limit, false, lim.TokensAt(now)), nil
	}
	return decide(m.limit, true, lim.TokensAt(now)), nil
}

// Refund gives key's bucket one token back, up to its size.
func (m *Memory) Refund(_ context.Context, key string) error {
	if !m.limit.Enabled() {
		return nil
	}
	now := m.now()
	// A negative reservation adds tokens; the limiter caps them at the burst
	// the next time it counts.
	m.bucket(key, now).AllowN(now, -1)
	return nil
}

// Len reports how many buckets are kept.
func (m *Memory) Len() int {
	n := 0
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.Lock()
		n += len(s.buckets)
		s.mu.Unlock()
	}
	return n
}

// bucket returns key's limiter, making it if needed.
func (m *Memory) bucket(key string, now time.Time) *rate.Limiter {
	s := &m.shards[maphash.String(m.seed, key)%shardCount]
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.buckets[key]; ok {
		b.lastUsed = now
		return b.lim
	}
	if now.Sub(s.lastSweep) >= m.fullAfter || len(s.buckets) >= m.perShard {
		s.sweep(now, m.fullAfter)
	}
	if len(s.buckets) >= m.perShard {
		s.evictSample()
	}
	b := &bucket{lim: rate.NewLimiter(rate.Limit(m.limit.Rate), m.limit.Burst), lastUsed: now}
	s.buckets[key] = b
	return b.lim
}

// sweep forgets the buckets that have been unused long enough to be full.
func (s *shard) sweep(now time.Time, fullAfter time.Duration) {
	s.lastSweep = now
	for k, b := range s.buckets {
		if now.Sub(b.lastUsed) >= fullAfter {
			delete(s.buckets, k)
		}
	}
}

// evictSample forgets the least recently used of a few buckets; map
// iteration order is random, so they are a random sample.
func (s *shard) evictSample() {
	const sample = 8
	var oldestKey string
	var oldest time.Time
	i := 0
	for k, b := range s.buckets {
		if i == 0 || b.lastUsed.Before(oldest) {
			oldestKey, oldest = k, b.lastUsed
		}
		if i++; i == sample {
			break
		}
	}
	delete(s.buckets, oldestKey)
}
