// Package cache holds the caches of encoded answers: Memory in process (the
// embedded default) and, scaled out, one shared through Redis.
package cache

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/maypok86/otter/v2"
	"github.com/maypok86/otter/v2/stats"
)

// entry is a cached value with the lifetime its writer asked for.
type entry struct {
	data []byte
	ttl  time.Duration
}

// Memory is an in-process cache: W-TinyLFU eviction bounded by bytes, one load
// per key however many callers miss at once, and generation counters that live
// as long as the process.
type Memory struct {
	c     *otter.Cache[string, entry]
	stats *stats.Counter

	// generations maps a scope to its current generation. Each Bump takes a
	// fresh value of next, so a generation is never reused, even if two bumps
	// race. Scopes are never evicted: forgetting one would bring back answers
	// cached under an older generation.
	generations sync.Map // string -> uint64
	next        atomic.Uint64
}

// NewMemory returns a cache that keeps at most maxBytes of keys and values.
func NewMemory(maxBytes uint64) *Memory {
	st := stats.NewCounter()
	return &Memory{
		stats: st,
		c: otter.Must(&otter.Options[string, entry]{
			MaximumWeight:    maxBytes,
			Weigher:          func(k string, e entry) uint32 { return uint32(len(k) + len(e.data) + 64) }, // #nosec G115 -- entries are encoded API answers, far below 4 GiB
			ExpiryCalculator: otter.ExpiryWritingFunc(func(e otter.Entry[string, entry]) time.Duration { return e.Value.ttl }),
			StatsRecorder:    st,
		}),
	}
}

// Fetch returns the value under key, loading it once for all concurrent callers.
func (m *Memory) Fetch(ctx context.Context, key string, ttl time.Duration, load func(context.Context) ([]byte, error)) ([]byte, error) {
	e, err := m.c.Get(ctx, key, otter.LoaderFunc[string, entry](func(ctx context.Context, _ string) (entry, error) {
		data, err := load(ctx)
		return entry{data: data, ttl: ttl}, err
	}))
	return e.data, err
}

// Generation returns the current generation of scope.
func (m *Memory) Generation(_ context.Context, scope string) (uint64, error) {
	if g, ok := m.generations.Load(scope); ok {
		return g.(uint64), nil
	}
	return 0, nil
}

// Bump moves the generation of scope on.
func (m *Memory) Bump(_ context.Context, scope string) error {
	m.generations.Store(scope, m.next.Add(1))
	return nil
}

// Stats reports hits, misses and evictions since the cache was made.
func (m *Memory) Stats() stats.Stats { return m.stats.Snapshot() }

// Close stops the cache's background work.
func (m *Memory) Close() { m.c.StopAllGoroutines() }
