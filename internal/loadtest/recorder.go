package loadtest

import (
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Latencies are recorded in microseconds from 1 µs up to one hour with three
// significant digits: every reported percentile is within 0.1 % of the true value.
// Longer latencies are clamped to one hour (the request timeout is far below it).
const (
	histHighestMicros = int64(time.Hour / time.Microsecond)
	histDigits        = 3
)

func newHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(1, histHighestMicros, histDigits)
}

// micros converts a latency to the histogram's unit, clamped to its range.
func micros(d time.Duration) int64 {
	us := (int64(d) + 500) / 1000
	if us < 0 {
		return 0
	}
	if us > histHighestMicros {
		return histHighestMicros
	}
	return us
}

// counters are one endpoint's numbers over some span of time. Failed requests are
// counted in requests and their latency is recorded too, as Locust does.
type counters struct {
	hist     *hdrhistogram.Histogram // allocated on first use: unused endpoints cost nothing
	requests int64
	failures int64
	bytes    int64
	sumNanos int64
	minNanos int64
	maxNanos int64
}

func (c *counters) add(latency time.Duration, size int64, failed bool) {
	if c.hist == nil {
		c.hist = newHistogram()
	}
	_ = c.hist.RecordValue(micros(latency)) // micros clamps, so the value is always in range
	ns := int64(latency)
	if c.requests == 0 || ns < c.minNanos {
		c.minNanos = ns
	}
	if ns > c.maxNanos {
		c.maxNanos = ns
	}
	c.requests++
	c.sumNanos += ns
	c.bytes += size
	if failed {
		c.failures++
	}
}

func (c *counters) merge(o *counters) {
	if o.requests == 0 {
		return
	}
	if c.hist == nil {
		c.hist = newHistogram()
	}
	c.hist.Merge(o.hist)
	if c.requests == 0 || o.minNanos < c.minNanos {
		c.minNanos = o.minNanos
	}
	if o.maxNanos > c.maxNanos {
		c.maxNanos = o.maxNanos
	}
	c.requests += o.requests
	c.failures += o.failures
	c.bytes += o.bytes
	c.sumNanos += o.sumNanos
}

func (c *counters) reset() {
	if c.requests > 0 {
		c.hist.Reset()
	}
	hist := c.hist
	*c = counters{hist: hist}
}

// failureKey groups failures as Locust's failures table does: by request and kind.
type failureKey struct {
	ep   endpointID
	kind string
}

// interval holds everything recorded over a span of time, per endpoint.
type interval struct {
	eps      [numEndpoints]counters
	failures map[failureKey]int64
	// startLag is, in the open model, how late requests were sent after their
	// scheduled start (the generator's own delay, already inside every latency).
	startLag counters
}

// newInterval allocates every histogram up front: allocating (and zeroing) one
// on the first request of an endpoint would stall the requests of the first
// second, and in the open model that start-up stall makes the pool grow.
func newInterval() *interval {
	iv := &interval{}
	for i := range iv.eps {
		iv.eps[i].hist = newHistogram()
	}
	iv.startLag.hist = newHistogram()
	return iv
}

func (iv *interval) add(ep endpointID, latency time.Duration, size int64, failKind string, lag time.Duration) {
	iv.eps[ep].add(latency, size, failKind != "")
	if lag >= 0 {
		iv.startLag.add(lag, 0, false)
	}
	if failKind != "" {
		if iv.failures == nil {
			iv.failures = make(map[failureKey]int64)
		}
		iv.failures[failureKey{ep, failKind}]++
	}
}

func (iv *interval) merge(o *interval) {
	for i := range o.eps {
		iv.eps[i].merge(&o.eps[i])
	}
	iv.startLag.merge(&o.startLag)
	if len(o.failures) > 0 && iv.failures == nil {
		iv.failures = make(map[failureKey]int64, len(o.failures))
	}
	for k, n := range o.failures {
		iv.failures[k] += n
	}
}

func (iv *interval) reset() {
	for i := range iv.eps {
		iv.eps[i].reset()
	}
	iv.startLag.reset()
	clear(iv.failures)
}

// shard is one lock-protected recording buffer. Workers are spread over shards so
// that a lock is almost never contended; the padding keeps two shards' locks off
// one cache line.
type shard struct {
	mu  sync.Mutex
	cur *interval
	_   [48]byte
}

// recorder is the hot-path side of the statistics: workers record into their
// shard, and once a second the collector swaps each shard's buffer for an empty
// one and merges the full one outside the lock.
type recorder struct {
	shards []shard
	spare  []*interval // owned by the collector, one per shard
}

func newRecorder(numShards int) *recorder {
	if numShards < 1 {
		numShards = 1
	}
	r := &recorder{shards: make([]shard, numShards), spare: make([]*interval, numShards)}
	for i := range r.shards {
		r.shards[i].cur = newInterval()
		r.spare[i] = newInterval()
	}
	return r
}

// record adds one finished request. failKind is empty for a success, else the kind
// of failure as listed in the failures table. lag is the open model's start delay,
// negative when there is none to record.
func (r *recorder) record(shardIndex int, ep endpointID, latency time.Duration, size int64, failKind string, lag time.Duration) {
	s := &r.shards[shardIndex%len(r.shards)]
	s.mu.Lock()
	s.cur.add(ep, latency, size, failKind, lag)
	s.mu.Unlock()
}

// drain moves everything recorded since the last drain into dst. Only the
// collector calls it, so the spare buffers need no lock of their own.
func (r *recorder) drain(dst *interval) {
	for i := range r.shards {
		s := &r.shards[i]
		full := r.spare[i]
		s.mu.Lock()
		s.cur, full = full, s.cur
		s.mu.Unlock()
		dst.merge(full)
		full.reset()
		r.spare[i] = full
	}
}
