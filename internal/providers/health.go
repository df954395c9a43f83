package providers

import (
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/omnivibepro/omnivibe"
)

// Kinds of providers.
const (
	KindTTS    = "tts"
	KindSTT    = "stt"
	KindWriter = "writer"
)

// buckets is how many minutes of calls a provider's record keeps: the longest
// window it reports (60 min) plus the minute in progress.
const buckets = 61

// Latency is recorded in microseconds, from 1 µs to 10 min, to two
// significant digits (1 % error): a finer histogram would cost ~160 KiB per
// bucket, this one ~23 KiB, allocated only for minutes with calls.
const (
	minMicros = 1
	maxMicros = int64(10 * time.Minute / time.Microsecond)
	sigFigs   = 2
)

// Health records the calls of every configured provider: per minute, how
// many succeeded and failed and how long they took, for the last hour. It
// is safe for concurrent use; a call costs one lock and one histogram
// insert.
type Health struct {
	now func() time.Time

	mu      sync.Mutex
	entries []*entry // in registration order: kind, then position in the chain
}

type entry struct {
	kind, name string
	position   int
	breaker    func() string

	minutes   [buckets]minute
	totals    map[string]int64 // calls by outcome since the start, for the metrics
	lastError *omnivibe.ProviderLastError
}

// minute is the calls of one provider in one minute.
type minute struct {
	at        int64 // Unix minute this bucket holds; a bucket of an older minute is stale
	successes int64
	failures  int64
	latency   *hdrhistogram.Histogram
}

// NewHealth returns an empty record; a nil now is time.Now.
func NewHealth(now func() time.Time) *Health {
	if now == nil {
		now = time.Now
	}
	return &Health{now: now}
}

// Register adds a configured provider at its 1-based position in the chain
// of its kind. breaker reports its circuit breaker's state ("closed",
// "open", "half-open"); nil means the provider has none. Registering the
// same kind and name again replaces the position and breaker.
func (h *Health) Register(kind, name string, position int, breaker func() string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if e := h.find(kind, name); e != nil {
		e.position, e.breaker = position, breaker
		return
	}
	h.entries = append(h.entries, &entry{kind: kind, name: name, position: position, breaker: breaker, totals: map[string]int64{}})
}

func (h *Health) find(kind, name string) *entry {
	for _, e := range h.entries {
		if e.kind == kind && e.name == name {
			return e
		}
	}
	return nil
}

// Record adds a finished call of a provider. outcome is "ok" for a success,
// otherwise a short name of the failure (timeout, server_error,
// rate_limited, ...), and message its explanation; the last one is kept.
// Calls of providers never registered are recorded too (they are shown
// with position 0). A nil Health records nothing.
func (h *Health) Record(kind, name string, took time.Duration, outcome, message string) {
	if h == nil {
		return
	}
	now := h.now()
	h.mu.Lock()
	defer h.mu.Unlock()
	e := h.find(kind, name)
	if e == nil {
		e = &entry{kind: kind, name: name, totals: map[string]int64{}}
		h.entries = append(h.entries, e)
	}
	e.totals[outcome]++
	at := now.Unix() / 60
	m := &e.minutes[at%buckets]
	if m.at != at {
		m.at, m.successes, m.failures = at, 0, 0
		if m.latency != nil {
			m.latency.Reset()
		}
	}
	if m.latency == nil {
		m.latency = hdrhistogram.New(minMicros, maxMicros, sigFigs)
	}
	_ = m.latency.RecordValue(min(max(took.Microseconds(), minMicros), maxMicros))
	if outcome == "ok" {
		m.successes++
		return
	}
	m.failures++
	e.lastError = &omnivibe.ProviderLastError{Outcome: outcome, Message: message, At: now.UTC()}
}

// Snapshot returns every provider's status, in registration order.
func (h *Health) Snapshot() []omnivibe.ProviderStatus {
	now := h.now().Unix() / 60
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]omnivibe.ProviderStatus, 0, len(h.entries))
	for _, e := range h.entries {
		s := omnivibe.ProviderStatus{Kind: e.kind, Name: e.name, Position: e.position, Breaker: "none",
			Last5m: e.window(now, 5), Last60m: e.window(now, 60)}
		if e.breaker != nil {
			s.Breaker = e.breaker()
		}
		if e.lastError != nil {
			le := *e.lastError
			s.LastError = &le
		}
		out = append(out, s)
	}
	return out
}

// window sums the last n minutes up to the minute now.
func (e *entry) window(now int64, n int) omnivibe.ProviderWindow {
	var w omnivibe.ProviderWindow
	var merged *hdrhistogram.Histogram
	for i := range e.minutes {
		m := &e.minutes[i]
		if m.latency == nil || m.at > now || m.at <= now-int64(n) {
			continue
		}
		w.Successes += m.successes
		w.Failures += m.failures
		if merged == nil {
			merged = hdrhistogram.New(minMicros, maxMicros, sigFigs)
		}
		merged.Merge(m.latency)
	}
	w.Requests = w.Successes + w.Failures
	if w.Requests == 0 {
		return w
	}
	rate := float64(w.Successes) / float64(w.Requests)
	w.SuccessRate = &rate
	ms := func(q float64) float64 { return float64(merged.ValueAtQuantile(q)) / 1000 }
	w.LatencyMS = &omnivibe.LatencyPercentiles{P50: ms(50), P95: ms(95), P99: ms(99)}
	return w
}

// Totals calls fn with each provider's calls since the start, by outcome,
// and its breaker state (nil when it has none), for the metrics.
func (h *Health) Totals(fn func(kind, name string, byOutcome map[string]int64, breaker func() string)) {
	h.mu.Lock()
	type row struct {
		kind, name string
		totals     map[string]int64
		breaker    func() string
	}
	rows := make([]row, 0, len(h.entries))
	for _, e := range h.entries {
		t := make(map[string]int64, len(e.totals))
		for k, v := range e.totals {
			t[k] = v
		}
		rows = append(rows, row{e.kind, e.name, t, e.breaker})
	}
	h.mu.Unlock()
	for _, r := range rows {
		fn(r.kind, r.name, r.totals, r.breaker)
	}
}
