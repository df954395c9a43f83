package loadtest

import (
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// exactPercentile is the nearest-rank percentile of sorted values.
func exactPercentile(sorted []time.Duration, p float64) time.Duration {
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[max(rank, 1)-1]
}

func TestHistogramPercentilesAreWithinPrecision(t *testing.T) {
	rec := newRecorder(8)
	rng := rand.New(rand.NewPCG(5, 6))
	values := make([]time.Duration, 0, 80000)
	for range cap(values) {
		// Log-uniform from 50 µs to 5 s: every bucket magnitude gets values.
		values = append(values, time.Duration(math.Exp(rng.Float64()*math.Log(1e5))*50)*time.Microsecond)
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(values); i += 8 {
				rec.record(w, epListCampaigns, values[i], 100, "", -1)
			}
		}()
	}
	wg.Wait()
	col := newCollector(rec, time.Now())
	col.tick(time.Now(), 0, 0)
	eps, total, _ := col.snapshot(time.Now())
	if len(eps) != 1 || total.Requests != int64(len(values)) {
		t.Fatalf("got %d endpoints and %d requests, want 1 and %d", len(eps), total.Requests, len(values))
	}
	slices.Sort(values)
	for _, p := range append([]float64{1, 10, 25}, reportPercentiles...) {
		want := exactPercentile(values, p)
		got := total.Percentile(p)
		// Three significant digits: within 0.1 % (plus the 1 µs unit).
		if tol := want/1000 + time.Microsecond; got < want-tol || got > want+tol {
			t.Errorf("P%g = %s, exact %s (tolerance %s)", p, got, want, tol)
		}
	}
	if total.Min != values[0] || total.Max != values[len(values)-1] {
		t.Errorf("min/max %s/%s, want exactly %s/%s", total.Min, total.Max, values[0], values[len(values)-1])
	}
	var sum time.Duration
	for _, v := range values {
		sum += v
	}
	if want := sum / time.Duration(len(values)); total.Mean != want {
		t.Errorf("mean %s, want exactly %s", total.Mean, want)
	}
	if total.ContentBytes != int64(100*len(values)) {
		t.Errorf("content bytes %d, want %d", total.ContentBytes, 100*len(values))
	}
}

func TestInjectedLatencyShowsInPercentiles(t *testing.T) {
	const base, jitter = 10 * time.Millisecond, 4 * time.Millisecond
	var mu sync.Mutex
	var slept []time.Duration
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		d := base + rand.N(jitter)
		time.Sleep(d)
		mu.Lock()
		slept = append(slept, d)
		mu.Unlock()
		trivialHandler(w, r)
	})
	opts := testOptions(1500*time.Millisecond, 8, srv.URL)
	opts.NoWait = true
	res := mustRun(t, opts)

	if res.Total.Failures != 0 || res.Total.Requests != srv.seen.Load() {
		t.Fatalf("%d failures, %d requests reported, server saw %d:%s", res.Total.Failures, res.Total.Requests, srv.seen.Load(), describeFailures(res))
	}
	mu.Lock()
	slices.Sort(slept)
	mu.Unlock()
	// Each request took at least what the server slept on it, so the k-th fastest
	// request took at least the k-th shortest sleep: every client percentile is at
	// least the server's, within the histogram's precision. No upper bound: the
	// machine may be slower than the test assumes.
	if res.Total.Min < base {
		t.Errorf("min %s is below the injected %s", res.Total.Min, base)
	}
	for _, p := range []float64{50, 75, 90, 95, 99, 100} {
		got, floor := res.Total.Percentile(p), exactPercentile(slept, p)
		if got < floor-floor/1000 {
			t.Errorf("P%g = %s, below the server's own P%g sleep of %s", p, got, p, floor)
		}
	}
	if p50 := res.Total.Percentile(50); p50 < base+jitter/4 {
		t.Errorf("P50 = %s, want at least %s (base plus a quarter of the uniform jitter)", p50, base+jitter/4)
	}
}

func TestOpenModelShowsServerStallsInTheTail(t *testing.T) {
	// Every 150th request holds the server's only lock for a second: every other
	// request queues behind it, as behind a stop-the-world pause. A closed-model
	// generator would stop sending during the stall and hide it; the open model
	// keeps starting requests and charges their wait to them.
	const stall = time.Second
	var lock sync.Mutex
	var n atomic.Int64
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		lock.Lock()
		if n.Add(1)%150 == 0 {
			time.Sleep(stall)
		}
		lock.Unlock()
		trivialHandler(w, r)
	})
	opts := testOptions(3*time.Second, 4, srv.URL)
	opts.Rate = 200
	res := mustRun(t, opts)

	if res.Total.Failures != 0 {
		t.Fatalf("failures:%s", describeFailures(res))
	}
	if got, want := res.Total.Requests, srv.seen.Load(); got != want {
		t.Errorf("reported %d requests, server saw %d", got, want)
	}
	if p99 := res.Total.Percentile(99); p99 < stall*9/10 {
		t.Errorf("P99 = %s with a %s stall every 150 requests at 200 req/s, want at least %s", p99, stall, stall*9/10)
	}
	// The queueing shows well below P99 too: a stall delays a whole second of starts.
	if p90 := res.Total.Percentile(90); p90 < stall/2 {
		t.Errorf("P90 = %s, want at least %s", p90, stall/2)
	}
}

func TestReportedCountEqualsServerCount(t *testing.T) {
	for _, model := range []string{"closed", "open"} {
		t.Run(model, func(t *testing.T) {
			srv := newCountingServer(t, trivialHandler)
			opts := testOptions(time.Second, 8, srv.URL)
			if model == "open" {
				opts.Rate = 2000
			} else {
				opts.NoWait = true
			}
			res := mustRun(t, opts)
			if res.Total.Failures != 0 {
				t.Fatalf("failures:%s", describeFailures(res))
			}
			if res.Total.Requests == 0 || res.Total.Requests != srv.seen.Load() {
				t.Errorf("reported %d requests, server saw %d", res.Total.Requests, srv.seen.Load())
			}
			var sum int64
			for _, e := range res.Endpoints {
				sum += e.Requests
			}
			if sum != res.Total.Requests {
				t.Errorf("endpoints add up to %d, Aggregated says %d", sum, res.Total.Requests)
			}
			last := res.History[len(res.History)-1]
			if last.TotalRequests != res.Total.Requests {
				t.Errorf("last history point has %d requests, total %d", last.TotalRequests, res.Total.Requests)
			}
		})
	}
}

func TestOpenModelKeepsSendingToAStalledServer(t *testing.T) {
	// The server answers nothing for the first second of the schedule. An open
	// model must keep starting requests during it (200/s: about 200 at once);
	// a closed one would stop at its number of users.
	const stall = time.Second
	var inStall, peak atomic.Int64
	var stallOnce sync.Once
	release := make(chan struct{})
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/auth/register", "/api/v1/billing/plan", "/api/v1/clients":
		default:
			stallOnce.Do(func() { time.AfterFunc(stall, func() { close(release) }) })
			n := inStall.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			select {
			case <-release:
			case <-r.Context().Done():
			}
			inStall.Add(-1)
		}
		trivialHandler(w, r)
	})
	opts := testOptions(2*time.Second, 4, srv.URL)
	opts.Rate = 200
	opts.ignoreCPU = true
	res := mustRun(t, opts)
	if res.Total.Failures != 0 {
		t.Fatalf("failures:%s", describeFailures(res))
	}
	// About 200 arrive when the generator keeps its schedule; a busy machine
	// delays some until after the stall. A closed model would send at most 4
	// (its users), so ten times that is proof enough.
	t.Logf("peak %d requests at once at the stalled server", peak.Load())
	if p := peak.Load(); p < 40 {
		t.Errorf("at most %d requests reached the stalled server at once, want about 200 (one every 5 ms for 1 s)", p)
	}
	if p99 := res.Total.Percentile(99); p99 < stall*9/10 {
		t.Errorf("P99 = %s, want at least %s", p99, stall*9/10)
	}
}
