package ratelimit

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)} }

func TestMemoryBurstThenRate(t *testing.T) {
	clock := newClock()
	m := NewMemory(Limit{Rate: 2, Burst: 5}, MemoryOptions{Now: clock.now})
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		d, _ := m.Allow(ctx, "a")
		if !d.Allowed || d.Remaining != 4-i || d.Limit != 5 {
			t.Fatalf("request %d: got %+v, want allowed with %d remaining", i+1, d, 4-i)
		}
	}
	d, _ := m.Allow(ctx, "a")
	if d.Allowed || d.Remaining != 0 || d.RetryAfter != 500*time.Millisecond || d.ResetAfter != 2500*time.Millisecond {
		t.Fatalf("sixth request: got %+v, want refused, retry after 500ms, full after 2.5s", d)
	}
	// Refusals take nothing: after the advertised wait, the next request passes.
	for i := 0; i < 3; i++ {
		m.Allow(ctx, "a")
	}
	clock.advance(d.RetryAfter)
	if d, _ := m.Allow(ctx, "a"); !d.Allowed {
		t.Fatalf("after Retry-After: got %+v, want allowed", d)
	}
	// Other keys have their own bucket.
	if d, _ := m.Allow(ctx, "b"); !d.Allowed || d.Remaining != 4 {
		t.Fatalf("another key: got %+v", d)
	}
}

func TestMemoryRefund(t *testing.T) {
	clock := newClock()
	m := NewMemory(PerWindow(3, time.Hour), MemoryOptions{Now: clock.now})
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if d, _ := m.Allow(ctx, "kim@example.com"); !d.Allowed {
			t.Fatalf("attempt %d refused", i+1)
		}
		if i < 2 {
			_ = m.Refund(ctx, "kim@example.com") // a success does not count
		}
	}
	if d, _ := m.Allow(ctx, "kim@example.com"); !d.Allowed || d.Remaining != 1 {
		t.Fatalf("after two refunded attempts and one kept: got %+v, want allowed with 1 left", d)
	}
	// A refund never lifts a bucket above its size.
	for i := 0; i < 10; i++ {
		_ = m.Refund(ctx, "new@example.com")
	}
	if d, _ := m.Allow(ctx, "new@example.com"); d.Remaining != 2 {
		t.Fatalf("after ten refunds on a full bucket: got %+v, want 2 left of 3", d)
	}
}

func TestMemoryForgetsFullBuckets(t *testing.T) {
	clock := newClock()
	m := NewMemory(Limit{Rate: 10, Burst: 10}, MemoryOptions{Now: clock.now})
	ctx := context.Background()
	for i := 0; i < 1000; i++ {
		m.Allow(ctx, fmt.Sprint("10.0.0.", i))
	}
	if m.Len() != 1000 {
		t.Fatalf("kept %d buckets, want 1000", m.Len())
	}
	clock.advance(2 * time.Second) // every bucket has refilled
	// A shard sweeps when a new key arrives in it; this many new keys reach
	// every one of the 64 shards (all but certainly: 1 in 10^7 runs misses one).
	const fresh = 64 * 20
	for i := 0; i < fresh; i++ {
		m.Allow(ctx, fmt.Sprint("fresh-", i))
	}
	if n := m.Len(); n != fresh {
		t.Fatalf("kept %d buckets after the old ones refilled, want only the %d new ones", n, fresh)
	}
}

func TestMemoryBoundsKeys(t *testing.T) {
	clock := newClock()
	m := NewMemory(PerWindow(5, time.Hour), MemoryOptions{MaxKeys: 640, Now: clock.now})
	ctx := context.Background()
	for i := 0; i < 100_000; i++ {
		m.Allow(ctx, fmt.Sprint("spray-", i))
	}
	if n := m.Len(); n > 640 {
		t.Fatalf("kept %d buckets, want at most 640", n)
	}
}

func TestDisabledLimitAllowsEverything(t *testing.T) {
	m := NewMemory(Limit{}, MemoryOptions{})
	for i := 0; i < 1000; i++ {
		if d, _ := m.Allow(context.Background(), "x"); !d.Allowed {
			t.Fatal("a disabled limit refused a request")
		}
	}
	if m.Len() != 0 {
		t.Fatal("a disabled limit kept buckets")
	}
}

func TestMemoryConcurrentCallersNeverOvershoot(t *testing.T) {
	clock := newClock()
	m := NewMemory(Limit{Rate: 0.001, Burst: 100}, MemoryOptions{Now: clock.now})
	var mu sync.Mutex
	allowed := 0
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				if d, _ := m.Allow(context.Background(), "shared"); d.Allowed {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if allowed != 100 {
		t.Fatalf("%d of 800 concurrent requests allowed, want exactly the burst of 100", allowed)
	}
}

func BenchmarkMemoryAllowOneKey(b *testing.B) {
	m := NewMemory(Limit{Rate: 1e9, Burst: 1e9}, MemoryOptions{})
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.Allow(ctx, "u:1")
		}
	})
}
