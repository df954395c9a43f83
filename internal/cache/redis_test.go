package cache_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe/internal/cache"
	"github.com/omnivibepro/omnivibe/internal/cache/redistest"
)

// newRedis returns a cache on url under prefix, closed when the test ends.
func newRedis(t *testing.T, url, prefix string) *cache.Redis {
	t.Helper()
	r, err := cache.NewRedis(context.Background(), cache.RedisOptions{URL: url, Prefix: prefix, LocalBytes: 1 << 20,
		ProbeEvery: 10 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// loader counts its calls and returns a value of its own each time.
type loader struct{ calls atomic.Int64 }

func (l *loader) load(ctx context.Context) ([]byte, error) {
	n := l.calls.Add(1)
	return []byte{byte('0' + n)}, nil
}

func generation(t *testing.T, c *cache.Redis, scope string) uint64 {
	t.Helper()
	g, err := c.Generation(context.Background(), scope)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func fetch(t *testing.T, c *cache.Redis, key string, l *loader) []byte {
	t.Helper()
	v, err := c.Fetch(context.Background(), key, time.Minute, l.load)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestRedisSharesValuesBetweenReplicas(t *testing.T) {
	t.Parallel()
	url := redistest.URL(t)
	prefix := redistest.Prefix(t, url)
	a, b := newRedis(t, url, prefix), newRedis(t, url, prefix)
	var l loader

	// Concurrent misses in one process load once.
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if v, err := a.Fetch(context.Background(), "k", time.Minute, l.load); err != nil || string(v) != "1" {
				t.Errorf("got %q, %v; want the one loaded value", v, err)
			}
		}()
	}
	wg.Wait()
	if n := l.calls.Load(); n != 1 {
		t.Fatalf("16 concurrent misses loaded %d times, want 1", n)
	}
	// The other replica finds the value in Redis.
	if v := fetch(t, b, "k", &l); string(v) != "1" || l.calls.Load() != 1 {
		t.Fatalf("replica b got %q after %d loads; want the shared value without loading", v, l.calls.Load())
	}
	if err := a.Healthy(); err != nil {
		t.Fatalf("healthy: %v", err)
	}
}

func TestRedisBumpOnOneReplicaInvalidatesTheOther(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := redistest.URL(t)
	prefix := redistest.Prefix(t, url)
	a, b := newRedis(t, url, prefix), newRedis(t, url, prefix)
	var l loader

	ga, gb := generation(t, a, "t:1:campaigns"), generation(t, b, "t:1:campaigns")
	if ga != gb {
		t.Fatalf("replicas disagree on the generation: %d and %d", ga, gb)
	}
	key := func(g uint64) string { return "t:1:campaigns:g" + strconv.FormatUint(g, 10) + ":p1" }
	fetch(t, a, key(ga), &l)
	fetch(t, b, key(gb), &l) // both now hold it in their in-process layer
	if err := a.Bump(ctx, "t:1:campaigns"); err != nil {
		t.Fatal(err)
	}
	gb2 := generation(t, b, "t:1:campaigns")
	if gb2 == gb {
		t.Fatalf("replica b still reads generation %d after a bump on replica a", gb)
	}
	if v := fetch(t, b, key(gb2), &l); string(v) != "2" {
		t.Fatalf("replica b got %q under the new generation, want a fresh load", v)
	}
	if other := generation(t, b, "t:2:campaigns"); other == gb2 {
		t.Fatalf("another scope shares the bumped generation %d", other)
	}
}

func TestRedisDownBypassesTheCache(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	c := newRedis(t, "redis://"+addr+"/0", "x:")
	var l loader
	for i := range 3 {
		v, err := c.Fetch(ctx, "k", time.Minute, l.load)
		if err != nil || string(v) != string(rune('1'+i)) {
			t.Fatalf("fetch %d: got %q, %v; want a fresh load every time", i, v, err)
		}
	}
	if _, err := c.Generation(ctx, "s"); !errors.Is(err, cache.ErrRedisDown) {
		t.Fatalf("generation: got %v, want ErrRedisDown", err)
	}
	if err := c.Bump(ctx, "s"); !errors.Is(err, cache.ErrRedisDown) {
		t.Fatalf("bump: got %v, want ErrRedisDown", err)
	}
	if err := c.Healthy(); !errors.Is(err, cache.ErrRedisDown) {
		t.Fatalf("healthy: got %v, want ErrRedisDown", err)
	}
	// Loader errors still reach the caller.
	boom := errors.New("boom")
	if _, err := c.Fetch(ctx, "k", time.Minute, func(context.Context) ([]byte, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("got %v, want the loader's error", err)
	}
}

// TestRedisOutageAbandonsOldAnswers loses a Bump: replica a reaches Redis
// through a proxy that the test cuts while a writes, so a's Bump fails while
// Redis keeps its data. Once the proxy is back, a must replace the epoch, so
// that replica b stops serving the answer cached before the write.
func TestRedisOutageAbandonsOldAnswers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := redistest.URL(t)
	prefix := redistest.Prefix(t, url)
	p := newProxy(t, url)
	a, b := newRedis(t, p.url, prefix), newRedis(t, url, prefix)
	var l loader

	g := generation(t, b, "s")
	if before := fetch(t, b, "s:g"+strconv.FormatUint(g, 10), &l); string(before) != "1" {
		t.Fatalf("got %q", before)
	}
	generation(t, a, "s") // a is connected and healthy
	p.cut()
	if err := a.Bump(ctx, "s"); err == nil {
		t.Fatal("bump through a cut connection succeeded")
	}
	if err := a.Healthy(); !errors.Is(err, cache.ErrRedisDown) {
		t.Fatalf("healthy during the outage: %v", err)
	}
	if v := fetch(t, a, "s:x", &l); string(v) != "2" {
		t.Fatalf("replica a during the outage got %q, want a fresh load", v)
	}
	p.restore()
	deadline := time.Now().Add(10 * time.Second)
	for a.Healthy() != nil {
		if time.Now().After(deadline) {
			t.Fatalf("replica a never recovered: %v", a.Healthy())
		}
		time.Sleep(5 * time.Millisecond)
	}
	g2 := generation(t, b, "s")
	if g2 == g {
		t.Fatalf("replica b still reads generation %d after a's outage", g)
	}
	if v := fetch(t, b, "s:g"+strconv.FormatUint(g2, 10), &l); string(v) != "3" {
		t.Fatalf("replica b got %q after the outage, want a fresh load", v)
	}
}

// TestRedisFlushNeverRepeatsAGeneration empties Redis, as a restart does
// here: the counters start again, under a new epoch.
func TestRedisFlushNeverRepeatsAGeneration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := redistest.URL(t)
	prefix := redistest.Prefix(t, url)
	c := newRedis(t, url, prefix)
	seen := map[uint64]bool{generation(t, c, "s"): true}
	for range 3 {
		if err := c.Bump(ctx, "s"); err != nil {
			t.Fatal(err)
		}
		seen[generation(t, c, "s")] = true
	}
	if err := redistest.DeletePrefix(url, prefix); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		if g := generation(t, c, "s"); seen[g] {
			t.Fatalf("after the flush, generation %d (bump %d) was seen before it", g, i)
		}
		if err := c.Bump(ctx, "s"); err != nil {
			t.Fatal(err)
		}
	}
}

// proxy forwards TCP connections to Redis until cut: then it closes every
// connection and refuses new ones, until restored.
type proxy struct {
	url    string
	target string
	ln     net.Listener

	mu    sync.Mutex
	down  bool
	conns []net.Conn
}

func newProxy(t *testing.T, redisURL string) *proxy {
	t.Helper()
	u, err := url.Parse(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{target: u.Host, ln: ln}
	u.Host = ln.Addr().String()
	p.url = u.String()
	go p.serve()
	t.Cleanup(func() {
		ln.Close()
		p.cut()
	})
	return p
}

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.down {
			p.mu.Unlock()
			c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(up, c); up.Close() }()
		go func() { _, _ = io.Copy(c, up); c.Close() }()
	}
}

func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *proxy) restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = false
}
