package loadtest

import (
	"cmp"
	"slices"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// reportPercentiles are Locust's PERCENTILES_TO_REPORT, in percent, and
// percentileLabels their column names in Locust's CSV files.
var (
	reportPercentiles = []float64{50, 66, 75, 80, 90, 95, 98, 99, 99.9, 99.99, 100}
	percentileLabels  = []string{"50%", "66%", "75%", "80%", "90%", "95%", "98%", "99%", "99.9%", "99.99%", "100%"}
)

// windowSeconds is how far back the "current" numbers look (live line, history
// Requests/s): ten seconds, as in Locust.
const windowSeconds = 10

// EndpointStats are the numbers of one request type, or of all of them (the
// "Aggregated" row), over the whole run.
type EndpointStats struct {
	Method            string // empty for the Aggregated row
	Name              string
	Requests          int64 // including failed ones, as in Locust
	Failures          int64
	ContentBytes      int64 // response body bytes received
	Min, Max, Mean    time.Duration
	RequestsPerSecond float64
	FailuresPerSecond float64

	hist *hdrhistogram.Histogram
}

// Percentile returns the latency below which p percent (0-100) of the requests
// finished, within the histogram's precision (three significant digits).
func (s *EndpointStats) Percentile(p float64) time.Duration {
	if s.hist == nil || s.Requests == 0 {
		return 0
	}
	return time.Duration(s.hist.ValueAtPercentile(p)) * time.Microsecond
}

// Percentiles returns the latencies at Locust's reported percentiles
// (50, 66, 75, 80, 90, 95, 98, 99, 99.9, 99.99, 100).
func (s *EndpointStats) Percentiles() []time.Duration {
	out := make([]time.Duration, len(reportPercentiles))
	if s.hist == nil || s.Requests == 0 {
		return out
	}
	for i, v := range s.hist.ValueAtPercentilesSlice(reportPercentiles) {
		out[i] = time.Duration(v) * time.Microsecond
	}
	return out
}

// FailureRatio is failures divided by requests (0 when there were none).
func (s *EndpointStats) FailureRatio() float64 {
	if s.Requests == 0 {
		return 0
	}
	return float64(s.Failures) / float64(s.Requests)
}

// AverageContentSize is the mean response body size in bytes.
func (s *EndpointStats) AverageContentSize() float64 {
	if s.Requests == 0 {
		return 0
	}
	return float64(s.ContentBytes) / float64(s.Requests)
}

// Label is "METHOD /name", or "Aggregated".
func (s *EndpointStats) Label() string {
	if s.Method == "" {
		return s.Name
	}
	return s.Method + " " + s.Name
}

// FailureStats is one row of the failures table: how often one request failed in
// one way.
type FailureStats struct {
	Method      string
	Name        string
	Error       string
	Occurrences int64
}

// HistoryPoint is what the collector saw at one tick (once a second).
type HistoryPoint struct {
	Time     time.Time
	Elapsed  time.Duration
	Users    int // running users (closed model) or provisioned accounts (open model)
	InFlight int // requests sent and not yet answered

	// This tick's own numbers: what finished since the previous tick.
	Requests, Failures int64
	P50, P95, P99      time.Duration

	// The current window (the last ten seconds), as on the live line.
	WindowRequestsPerSecond float64
	WindowFailuresPerSecond float64
	WindowP50, WindowP95    time.Duration

	// Everything so far, as Locust's stats_history.csv reports it.
	TotalRequests, TotalFailures int64
	TotalMin, TotalMax           time.Duration
	TotalMean                    time.Duration
	TotalContentBytes            int64
	TotalPercentiles             []time.Duration // at reportPercentiles
}

// collector turns the recorder's buffers into running totals, a ten-second window
// and the history, once a second.
type collector struct {
	rec   *recorder
	start time.Time

	cum interval // everything so far, per endpoint
	sec interval // scratch: what one tick drained

	ring      [windowSeconds]counters // aggregated per tick, newest at ringNext-1
	ringTimes [windowSeconds]time.Time
	ringNext  int
	ringLen   int
	lastTick  time.Time

	window counters // scratch for the window's merge
	total  counters // scratch for the cumulative aggregate

	history []HistoryPoint
}

func newCollector(rec *recorder, start time.Time) *collector {
	return &collector{rec: rec, start: start, lastTick: start}
}

// tick drains the recorder and appends a history point.
func (c *collector) tick(now time.Time, users, inFlight int) HistoryPoint {
	c.rec.drain(&c.sec)

	agg := &c.ring[c.ringNext]
	agg.reset()
	for i := range c.sec.eps {
		agg.merge(&c.sec.eps[i])
	}
	c.ringTimes[c.ringNext] = c.lastTick // the tick's span begins at the previous tick
	c.ringNext = (c.ringNext + 1) % windowSeconds
	if c.ringLen < windowSeconds {
		c.ringLen++
	}
	// The window starts where the oldest tick still in the ring began.
	windowStart := c.ringTimes[(c.ringNext-c.ringLen+windowSeconds)%windowSeconds]
	c.lastTick = now

	c.cum.merge(&c.sec)
	c.sec.reset()

	c.window.reset()
	for i := 0; i < c.ringLen; i++ {
		c.window.merge(&c.ring[i])
	}
	c.total.reset()
	for i := range c.cum.eps {
		c.total.merge(&c.cum.eps[i])
	}

	p := HistoryPoint{
		Time:              now,
		Elapsed:           now.Sub(c.start),
		Users:             users,
		InFlight:          inFlight,
		Requests:          agg.requests,
		Failures:          agg.failures,
		P50:               counterPercentile(agg, 50),
		P95:               counterPercentile(agg, 95),
		P99:               counterPercentile(agg, 99),
		WindowP50:         counterPercentile(&c.window, 50),
		WindowP95:         counterPercentile(&c.window, 95),
		TotalRequests:     c.total.requests,
		TotalFailures:     c.total.failures,
		TotalMin:          time.Duration(c.total.minNanos),
		TotalMax:          time.Duration(c.total.maxNanos),
		TotalPercentiles:  make([]time.Duration, len(reportPercentiles)),
		TotalContentBytes: c.total.bytes,
	}
	if span := now.Sub(windowStart).Seconds(); span > 0 {
		p.WindowRequestsPerSecond = float64(c.window.requests) / span
		p.WindowFailuresPerSecond = float64(c.window.failures) / span
	}
	if c.total.requests > 0 {
		p.TotalMean = time.Duration(c.total.sumNanos / c.total.requests)
		for i, v := range c.total.hist.ValueAtPercentilesSlice(reportPercentiles) {
			p.TotalPercentiles[i] = time.Duration(v) * time.Microsecond
		}
	}
	c.history = append(c.history, p)
	return p
}

func counterPercentile(c *counters, p float64) time.Duration {
	if c.requests == 0 {
		return 0
	}
	return time.Duration(c.hist.ValueAtPercentile(p)) * time.Microsecond
}

// snapshot builds the run's final statistics. Call it after the last tick.
func (c *collector) snapshot(end time.Time) (eps []EndpointStats, total EndpointStats, failures []FailureStats) {
	secs := end.Sub(c.start).Seconds()
	build := func(method, name string, ct *counters) EndpointStats {
		s := EndpointStats{
			Method:       method,
			Name:         name,
			Requests:     ct.requests,
			Failures:     ct.failures,
			ContentBytes: ct.bytes,
			Min:          time.Duration(ct.minNanos),
			Max:          time.Duration(ct.maxNanos),
		}
		if ct.requests > 0 {
			s.Mean = time.Duration(ct.sumNanos / ct.requests)
			s.hist = ct.hist.Clone()
		}
		if secs > 0 {
			s.RequestsPerSecond = float64(ct.requests) / secs
			s.FailuresPerSecond = float64(ct.failures) / secs
		}
		return s
	}
	var all counters
	for i := range c.cum.eps {
		ct := &c.cum.eps[i]
		if ct.requests == 0 {
			continue
		}
		e := endpoints[i]
		eps = append(eps, build(e.Method, e.Name, ct))
		all.merge(ct)
	}
	// Locust sorts its rows by (name, method).
	slices.SortFunc(eps, func(a, b EndpointStats) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Method, b.Method))
	})
	total = build("", "Aggregated", &all)

	for k, n := range c.cum.failures {
		e := endpoints[k.ep]
		failures = append(failures, FailureStats{Method: e.Method, Name: e.Name, Error: k.kind, Occurrences: n})
	}
	slices.SortFunc(failures, func(a, b FailureStats) int {
		return cmp.Or(cmp.Compare(b.Occurrences, a.Occurrences), cmp.Compare(a.Name, b.Name),
			cmp.Compare(a.Method, b.Method), cmp.Compare(a.Error, b.Error))
	})
	return eps, total, failures
}
