package ratelimit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe/internal/cache/redistest"
	"github.com/redis/go-redis/v9"
)

// testRedis returns a client of the test Redis, closed when the test ends,
// and a key prefix of the test's own.
func testRedis(t testing.TB) (*redis.Client, string) {
	t.Helper()
	url := redistest.URL(t)
	prefix := redistest.Prefix(t, url)
	return newClient(t, url, nil), prefix
}

// newClient connects to url, through dial when it is given.
func newClient(t testing.TB, url string, dial func(ctx context.Context, network, addr string) (net.Conn, error)) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	opts.Dialer = dial
	opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout, opts.MaxRetries = time.Second, time.Second, time.Second, -1
	c := redis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	return c
}

// logBuffer collects log lines from any goroutine.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) count(s string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Count(b.buf.String(), s)
}

func (b *logBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(b, nil)) }

// step is one operation of a script run against a limiter: an Allow of key
// (whose decision is compared), a Refund of key, or the clock moving on.
type step struct {
	allow, refund string
	advance       time.Duration
}

// run plays steps on l and returns the decisions of its Allows.
func run(t *testing.T, l Limiter, clock *fakeClock, steps []step) []Decision {
	t.Helper()
	ctx := context.Background()
	var out []Decision
	for _, s := range steps {
		switch {
		case s.allow != "":
			d, err := l.Allow(ctx, s.allow)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, d)
		case s.refund != "":
			if err := l.Refund(ctx, s.refund); err != nil {
				t.Fatal(err)
			}
		default:
			clock.advance(s.advance)
		}
	}
	return out
}

func allows(key string, n int) []step {
	out := make([]step, n)
	for i := range out {
		out[i] = step{allow: key}
	}
	return out
}

// The Redis limiter makes the same decisions as the in-process one, field for
// field, through bursts, refusals, steady refills, partial refills and
// refunds, for limits with whole and fractional intervals.
func TestRedisDecidesAsMemoryDoes(t *testing.T) {
	client, prefix := testRedis(t)
	steps := slices.Concat(
		allows("a", 7),                                     // the burst of 5, then two refusals
		[]step{{advance: 5 * time.Second}}, allows("a", 2), // one token back
		[]step{{advance: 2500 * time.Millisecond}}, allows("a", 2), // half a token: refused
		[]step{{advance: 2500 * time.Millisecond}}, allows("a", 1),
		[]step{{refund: "a"}, {refund: "a"}}, allows("a", 3),
		[]step{{advance: time.Minute}}, allows("a", 1), // full again
		allows("b", 2), []step{{refund: "b"}, {refund: "b"}, {refund: "b"}}, allows("b", 6), // refunds stop at the size
		[]step{{refund: "never-used"}}, allows("never-used", 1),
	)
	for _, l := range []Limit{{Rate: 0.2, Burst: 5}, {Rate: 0.3, Burst: 5}, PerWindow(5, 15*time.Minute)} {
		t.Run(l.String(), func(t *testing.T) {
			memClock, redisClock := newClock(), newClock()
			want := run(t, NewMemory(l, MemoryOptions{Now: memClock.now}), memClock, steps)
			store := NewRedis(client, RedisOptions{Prefix: prefix + l.String() + ":", Now: redisClock.now})
			got := run(t, store.Limiter("test", l, nil), redisClock, steps)
			for i := range want {
				if !sameDecision(got[i], want[i]) {
					t.Errorf("decision %d: Redis %+v, in process %+v", i+1, got[i], want[i])
				}
			}
		})
	}
}

// sameDecision compares decisions, durations to the microsecond the Redis
// limiter computes in.
func sameDecision(a, b Decision) bool {
	near := func(x, y time.Duration) bool { return (x - y).Abs() <= time.Microsecond }
	return a.Allowed == b.Allowed && a.Limit == b.Limit && a.Remaining == b.Remaining &&
		near(a.RetryAfter, b.RetryAfter) && near(a.ResetAfter, b.ResetAfter)
}

// The values the headers carry, spelled out: a burst of 5 at one token per
// 5 s, then the steady rate.
func TestRedisBurstThenRate(t *testing.T) {
	client, prefix := testRedis(t)
	clock := newClock()
	l := NewRedis(client, RedisOptions{Prefix: prefix, Now: clock.now}).Limiter("ip", Limit{Rate: 0.2, Burst: 5}, nil)
	ctx := context.Background()
	for i := range 5 {
		d, err := l.Allow(ctx, "10.0.0.1")
		want := Decision{Allowed: true, Limit: 5, Remaining: 4 - i, ResetAfter: time.Duration(i+1) * 5 * time.Second}
		if err != nil || d != want {
			t.Fatalf("request %d: got %+v, %v; want %+v", i+1, d, err, want)
		}
	}
	refused := Decision{Allowed: false, Limit: 5, Remaining: 0, RetryAfter: 5 * time.Second, ResetAfter: 25 * time.Second}
	if d, _ := l.Allow(ctx, "10.0.0.1"); d != refused {
		t.Fatalf("sixth request: got %+v, want %+v", d, refused)
	}
	// From now on, one request per 5 s passes, and only one.
	for i := range 3 {
		clock.advance(5 * time.Second)
		if d, _ := l.Allow(ctx, "10.0.0.1"); !d.Allowed || d.Remaining != 0 || d.ResetAfter != 25*time.Second {
			t.Fatalf("steady request %d: got %+v", i+1, d)
		}
		if d, _ := l.Allow(ctx, "10.0.0.1"); d != refused {
			t.Fatalf("second request within 5 s: got %+v, want %+v", d, refused)
		}
	}
	// The key lives exactly as long as the bucket is not full.
	ttl, err := client.PTTL(ctx, prefix+"rl:ip:10.0.0.1").Result()
	if err != nil || ttl <= 24*time.Second || ttl > 25*time.Second {
		t.Fatalf("bucket key TTL %v, %v; want just under 25 s", ttl, err)
	}
}

func TestRedisRefund(t *testing.T) {
	client, prefix := testRedis(t)
	clock := newClock()
	l := NewRedis(client, RedisOptions{Prefix: prefix, Now: clock.now}).Limiter("login_email", PerWindow(3, time.Hour), nil)
	ctx := context.Background()
	for i := range 3 {
		if d, _ := l.Allow(ctx, "kim@example.com"); !d.Allowed {
			t.Fatalf("attempt %d refused", i+1)
		}
		if i < 2 {
			if err := l.Refund(ctx, "kim@example.com"); err != nil { // a success does not count
				t.Fatal(err)
			}
		}
	}
	if d, _ := l.Allow(ctx, "kim@example.com"); !d.Allowed || d.Remaining != 1 || d.ResetAfter != 40*time.Minute {
		t.Fatalf("after two refunded attempts and one kept: got %+v, want allowed with 1 left, full in 40m", d)
	}
	// A refund never lifts a bucket above its size, and one of a full
	// bucket leaves no key behind.
	for range 10 {
		if err := l.Refund(ctx, "new@example.com"); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := client.Exists(ctx, prefix+"rl:login_email:new@example.com").Result(); n != 0 {
		t.Fatal("refunds of a full bucket created a key")
	}
	if d, _ := l.Allow(ctx, "new@example.com"); d.Remaining != 2 {
		t.Fatalf("after ten refunds on a full bucket: got %+v, want 2 left of 3", d)
	}
}

// Two replicas, each with its own connection to Redis, share one limit: of
// 40 concurrent requests against a burst of 10, exactly 10 pass, and each of
// them saw a different number of tokens left. The limit runs on Redis's own
// clock, as in production.
func TestRedisLimitSharedByTwoReplicas(t *testing.T) {
	url := redistest.URL(t)
	prefix := redistest.Prefix(t, url)
	limit := Limit{Rate: 0.001, Burst: 10}
	replicas := []*RedisLimiter{
		NewRedis(newClient(t, url, nil), RedisOptions{Prefix: prefix}).Limiter("credential", limit, nil),
		NewRedis(newClient(t, url, nil), RedisOptions{Prefix: prefix}).Limiter("credential", limit, nil),
	}
	var (
		mu        sync.Mutex
		remaining []int
		wg        sync.WaitGroup
		errs      = make(chan error, 40)
	)
	for i := range 40 {
		wg.Go(func() {
			d, err := replicas[i%2].Allow(context.Background(), "k42")
			if err != nil {
				errs <- err
				return
			}
			if d.Allowed {
				mu.Lock()
				remaining = append(remaining, d.Remaining)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	slices.Sort(remaining)
	if fmt.Sprint(remaining) != "[0 1 2 3 4 5 6 7 8 9]" {
		t.Fatalf("allowed requests saw %v tokens left; want exactly 10 allowed, seeing 9 down to 0", remaining)
	}
	for _, r := range replicas {
		if d, _ := r.Allow(context.Background(), "k42"); d.Allowed || d.RetryAfter <= 0 || d.RetryAfter > 1000*time.Second {
			t.Fatalf("after the burst: got %+v, want refused, retry within 1000 s", d)
		}
	}
}

// closedPort returns an address where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// With Redis unreachable, each limit answers from its fallback, without
// errors: limiting goes on in this replica, refunds included, and the outage
// is logged once, not once per request.
func TestRedisDownFallsBackToThisReplica(t *testing.T) {
	clock := newClock()
	logs := &logBuffer{}
	client := newClient(t, "redis://"+closedPort(t), nil)
	store := NewRedis(client, RedisOptions{Logger: logs.logger(), Now: clock.now, RetryEvery: time.Hour})
	limit := Limit{Rate: 0.01, Burst: 3}
	l := store.Limiter("login_ip", limit, NewMemory(limit, MemoryOptions{Now: clock.now}))
	ctx := context.Background()
	var got []bool
	for range 5 {
		d, err := l.Allow(ctx, "10.0.0.9")
		if err != nil {
			t.Fatalf("Allow with Redis down: %v", err)
		}
		got = append(got, d.Allowed)
	}
	if fmt.Sprint(got) != "[true true true false false]" {
		t.Fatalf("with Redis down: allowed %v, want the fallback's burst of 3", got)
	}
	if err := l.Refund(ctx, "10.0.0.9"); err != nil {
		t.Fatalf("Refund with Redis down: %v", err)
	}
	if d, _ := l.Allow(ctx, "10.0.0.9"); !d.Allowed || d.Limit != 3 {
		t.Fatalf("after a refund: got %+v, want allowed by the fallback", d)
	}
	if !errors.Is(store.Healthy(), ErrRedisDown) {
		t.Fatalf("Healthy: %v, want ErrRedisDown", store.Healthy())
	}
	if n := logs.count("Redis is unreachable"); n != 1 {
		t.Fatalf("outage logged %d times, want once:\n%s", n, logs.buf.String())
	}
	// Without a fallback, the limit lets requests through meanwhile.
	open := store.Limiter("open", limit, nil)
	for range 5 {
		if d, err := open.Allow(ctx, "10.0.0.9"); err != nil || !d.Allowed {
			t.Fatalf("no fallback: got %+v, %v; want allowed", d, err)
		}
	}
}

// switchDialer connects to Redis until it is cut off, which also closes the
// connections it made, as a network partition would.
type switchDialer struct {
	mu    sync.Mutex
	cut   bool
	conns []net.Conn
}

func (s *switchDialer) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cut {
		return nil, errors.New("network is cut off")
	}
	c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err == nil {
		s.conns = append(s.conns, c)
	}
	return c, err
}

func (s *switchDialer) setCut(cut bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cut = cut
	if cut {
		for _, c := range s.conns {
			c.Close()
		}
		s.conns = nil
	}
}

// After an outage the limit is shared again: a probe finds Redis back, the
// recovery is logged once, and the replica's requests count in Redis again.
func TestRedisLimitSharedAgainAfterOutage(t *testing.T) {
	url := redistest.URL(t)
	prefix := redistest.Prefix(t, url)
	clock := newClock()
	logs := &logBuffer{}
	link := &switchDialer{}
	limit := Limit{Rate: 0.01, Burst: 4}
	store := NewRedis(newClient(t, url, link.dial), RedisOptions{Prefix: prefix, Logger: logs.logger(), Now: clock.now, RetryEvery: time.Second})
	l := store.Limiter("credential", limit, NewMemory(limit, MemoryOptions{Now: clock.now}))
	other := NewRedis(newClient(t, url, nil), RedisOptions{Prefix: prefix, Now: clock.now}).Limiter("credential", limit, nil)
	ctx := context.Background()

	if d, err := l.Allow(ctx, "u1"); err != nil || d.Remaining != 3 {
		t.Fatalf("before the outage: got %+v, %v", d, err)
	}
	link.setCut(true)
	for range 3 {
		if d, err := l.Allow(ctx, "u1"); err != nil || !d.Allowed {
			t.Fatalf("during the outage: got %+v, %v; want allowed by the fallback", d, err)
		}
	}
	if d, _ := other.Allow(ctx, "u1"); d.Remaining != 2 {
		t.Fatalf("the other replica sees %d left; want 2: the cut-off replica's requests stayed in process", d.Remaining)
	}

	link.setCut(false)
	l.Allow(ctx, "u1") // within RetryEvery of the failure: no probe yet
	if store.Healthy() == nil {
		t.Fatal("Redis was tried again before RetryEvery passed")
	}
	clock.advance(time.Second)
	l.Allow(ctx, "u1") // answered by the fallback, starts the probe
	for deadline := time.Now().Add(10 * time.Second); store.Healthy() != nil; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the probe never found Redis back")
		}
	}
	// The shared bucket held 4: one taken before the outage, one by the
	// other replica during it, and now one each.
	if d, err := l.Allow(ctx, "u1"); err != nil || !d.Allowed || d.Remaining != 1 {
		t.Fatalf("after the outage: got %+v, %v; want allowed from the shared bucket, 1 left", d, err)
	}
	if d, _ := other.Allow(ctx, "u1"); !d.Allowed || d.Remaining != 0 {
		t.Fatalf("the other replica: got %+v, want the last token", d)
	}
	if d, _ := l.Allow(ctx, "u1"); d.Allowed {
		t.Fatalf("after the other replica took the last token: got %+v, want refused", d)
	}
	if down, up := logs.count("Redis is unreachable"), logs.count("Redis answers again"); down != 1 || up != 1 {
		t.Fatalf("logged %d outages and %d recoveries, want one each:\n%s", down, up, logs.buf.String())
	}
}

// A disabled limit never calls Redis.
func TestRedisDisabledLimitAllowsEverything(t *testing.T) {
	client := newClient(t, "redis://"+closedPort(t), nil)
	l := NewRedis(client, RedisOptions{}).Limiter("off", Limit{}, nil)
	for range 100 {
		if d, err := l.Allow(context.Background(), "x"); err != nil || !d.Allowed {
			t.Fatalf("a disabled limit answered %+v, %v", d, err)
		}
	}
}

// BenchmarkRedisAllowOneKey is the cost of a shared limit per request: one
// script run (EVALSHA) on the local Redis, both cores calling on one key.
func BenchmarkRedisAllowOneKey(b *testing.B) {
	client, prefix := testRedis(b)
	l := NewRedis(client, RedisOptions{Prefix: prefix}).Limiter("credential", Limit{Rate: 1e9, Burst: 1e9}, nil)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if d, err := l.Allow(ctx, "u:1"); err != nil || !d.Allowed {
				b.Fatalf("got %+v, %v", d, err)
			}
		}
	})
}
