package providers

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// clock is a settable time for the minute buckets.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestHealthWindows(t *testing.T) {
	c := &clock{t: time.Date(2026, 12, 3, 8, 0, 30, 0, time.UTC)}
	h := NewHealth(c.now)
	open := "closed"
	h.Register(KindTTS, "elevenlabs", 1, func() string { return open })
	h.Register(KindTTS, "espeak", 2, nil)

	// 40 minutes ago: 10 failures of 1 s. Now: 99 successes of 10 ms and one of 100 ms.
	c.t = c.t.Add(-40 * time.Minute)
	for range 10 {
		h.Record(KindTTS, "elevenlabs", time.Second, "server_error", "elevenlabs: HTTP 503")
	}
	c.t = c.t.Add(40 * time.Minute)
	for range 99 {
		h.Record(KindTTS, "elevenlabs", 10*time.Millisecond, "ok", "")
	}
	h.Record(KindTTS, "elevenlabs", 100*time.Millisecond, "ok", "")
	open = "open"

	got := h.Snapshot()
	if len(got) != 2 || got[0].Name != "elevenlabs" || got[1].Name != "espeak" || got[1].Breaker != "none" || got[1].Position != 2 {
		t.Fatalf("snapshot %+v, want elevenlabs then espeak (no breaker)", got)
	}
	el := got[0]
	if el.Breaker != "open" {
		t.Fatalf("breaker %q, want the breaker's own state", el.Breaker)
	}
	if el.Last5m.Requests != 100 || el.Last5m.Failures != 0 || *el.Last5m.SuccessRate != 1 {
		t.Fatalf("last 5 min %+v, want 100 good calls", el.Last5m)
	}
	if p := el.Last5m.LatencyMS; p.P50 < 9.9 || p.P50 > 10.1 || p.P99 < 9.9 || p.P99 > 10.1 {
		t.Fatalf("last 5 min latency %+v, want p50 and p99 at 10 ms (the 100 ms call is the 100th percentile)", p)
	}
	if el.Last60m.Requests != 110 || el.Last60m.Failures != 10 || *el.Last60m.SuccessRate != 100.0/110 {
		t.Fatalf("last 60 min %+v, want 110 calls of which 10 failed", el.Last60m)
	}
	if p := el.Last60m.LatencyMS; p.P95 < 990 || p.P95 > 1010 {
		t.Fatalf("last 60 min p95 %v ms, want the 1 s failures (10 of 110 calls)", p.P95)
	}
	if el.LastError == nil || el.LastError.Outcome != "server_error" || !el.LastError.At.Equal(c.t.Add(-40*time.Minute)) {
		t.Fatalf("last error %+v", el.LastError)
	}

	// An hour later nothing is in either window; the bucket of 40 minutes
	// ago is reused for a new minute without its old counts.
	c.t = c.t.Add(61 * time.Minute)
	h.Record(KindTTS, "elevenlabs", time.Millisecond, "ok", "")
	el = h.Snapshot()[0]
	if el.Last60m.Requests != 1 || el.Last5m.Requests != 1 {
		t.Fatalf("after an hour: %+v / %+v, want only the new call", el.Last5m, el.Last60m)
	}
	if h.Snapshot()[1].Last5m.SuccessRate != nil || h.Snapshot()[1].Last5m.LatencyMS != nil {
		t.Fatal("an unused provider has a success rate or latency")
	}
}

func TestCollector(t *testing.T) {
	h := NewHealth(nil)
	state := "half-open"
	h.Register(KindWriter, "anthropic", 1, func() string { return state })
	h.Register(KindWriter, "local", 2, nil)
	h.Record(KindWriter, "anthropic", time.Second, "timeout", "anthropic did not answer")
	h.Record(KindWriter, "anthropic", time.Second, "timeout", "anthropic did not answer")
	h.Record(KindWriter, "local", time.Millisecond, "ok", "")
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(NewCollector(h))
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			key := f.GetName()
			for _, l := range m.GetLabel() {
				key += " " + l.GetName() + "=" + l.GetValue()
			}
			if m.Counter != nil {
				got[key] = m.GetCounter().GetValue()
			} else {
				got[key] = m.GetGauge().GetValue()
			}
		}
	}
	want := map[string]float64{
		"omnivibe_provider_breaker_state kind=writer provider=anthropic":                  1,
		"omnivibe_provider_requests_total kind=writer outcome=ok provider=local":          1,
		"omnivibe_provider_requests_total kind=writer outcome=timeout provider=anthropic": 2,
	}
	if len(got) != len(want) {
		t.Fatalf("metrics %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("%s = %v, want %v (all: %v)", k, got[k], v, got)
		}
	}
}
