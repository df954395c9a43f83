package loadtest

import (
	"strings"
	"testing"
	"time"
)

func TestParseSLO(t *testing.T) {
	got := mustParseSLO(t, "p50=200ms, p95=500ms,p99=1s,p99.9=1500,errors=1%,rps=100,avg=300ms,max=5s")
	want := []SLO{
		{Metric: "p50", Percentile: 50, Latency: 200 * time.Millisecond, Spec: "p50=200ms"},
		{Metric: "p95", Percentile: 95, Latency: 500 * time.Millisecond, Spec: "p95=500ms"},
		{Metric: "p99", Percentile: 99, Latency: time.Second, Spec: "p99=1s"},
		{Metric: "p99.9", Percentile: 99.9, Latency: 1500 * time.Millisecond, Spec: "p99.9=1500"},
		{Metric: "errors", MaxErrorRatio: 0.01, Spec: "errors=1%"},
		{Metric: "rps", MinRPS: 100, Spec: "rps=100"},
		{Metric: "avg", Latency: 300 * time.Millisecond, Spec: "avg=300ms"},
		{Metric: "max", Latency: 5 * time.Second, Spec: "max=5s"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d targets, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("target %d: got %+v, want %+v", i, got[i], want[i])
		}
	}

	ep := mustParseSLO(t, "GET /api/v1/audio/status/[id]:p99=120ms,errors=0.005")
	if len(ep) != 2 || ep[0].Endpoint != "GET /api/v1/audio/status/[id]" || ep[1].MaxErrorRatio != 0.005 {
		t.Errorf("per-endpoint targets: %+v", ep)
	}
	if agg := mustParseSLO(t, "Aggregated:p50=1s"); agg[0].Endpoint != "" {
		t.Errorf("Aggregated: should mean the whole run, got endpoint %q", agg[0].Endpoint)
	}

	for _, bad := range []string{
		"", "p50", "p101=1s", "px=1s", "q=1", "p50=fast", "p50=-1s", "errors=5", "errors=150%", "rps=-1",
		"GET /api/v1/nope:p50=1ms", "get /api/v1/campaigns:p50=1ms",
	} {
		if _, err := ParseSLO(bad); err == nil {
			t.Errorf("ParseSLO(%q) accepted a bad target", bad)
		}
	}
}

func TestCheckSLOs(t *testing.T) {
	res := syntheticResult() // P99 30 ms overall, GET campaigns P99 30 ms, 25 % errors, 2 req/s
	tests := []struct {
		spec    string
		met     bool
		message string
	}{
		{"p99=1s", true, "whole run p99: 30ms ≤ 1s"},
		{"p50=5ms", false, "whole run p50: 10ms > 5ms"},
		{"errors=1%", false, "whole run errors: 25% (1 of 4 requests) > 1%"},
		{"errors=0.3", true, "whole run errors: 25% (1 of 4 requests) ≤ 30%"},
		{"rps=1", true, "whole run rps: 2.0 req/s ≥ 1"},
		{"rps=3", false, "whole run rps: 2.0 req/s < 3"},
		{"avg=17ms", false, "whole run avg: 17.5ms > 17ms"},
		{"max=30.1ms", true, "whole run max: 30ms ≤ 30.1ms"},
		{"GET /api/v1/campaigns:p99=25ms", false, "GET /api/v1/campaigns p99: 30ms > 25ms"},
		{"GET /api/v1/campaigns:p99=31ms", true, "GET /api/v1/campaigns p99: 30ms ≤ 31ms"},
		{"POST /api/v1/campaigns:errors=50%", false, "POST /api/v1/campaigns errors: 100% (1 of 1 requests) > 50%"},
		{"POST /api/v1/audio/generate:p99=1s", false, "POST /api/v1/audio/generate p99=1s: no requests were recorded"},
	}
	for _, tt := range tests {
		got := CheckSLOs(res, mustParseSLO(t, tt.spec))
		if len(got) != 1 {
			t.Fatalf("%s: %d verdicts", tt.spec, len(got))
		}
		if got[0].Met != tt.met || got[0].Message != tt.message {
			t.Errorf("%s: met=%v %q, want met=%v %q", tt.spec, got[0].Met, got[0].Message, tt.met, tt.message)
		}
	}
	res.SLOs = CheckSLOs(res, mustParseSLO(t, "p99=1s"))
	if !res.SLOsMet() {
		t.Error("SLOsMet() false with every target met")
	}
	res.SLOs = append(res.SLOs, CheckSLOs(res, mustParseSLO(t, "p50=1ms"))...)
	if res.SLOsMet() {
		t.Error("SLOsMet() true with a target missed")
	}
	if !strings.Contains(res.SLOs[1].Message, "p50") {
		t.Errorf("message %q does not name the metric", res.SLOs[1].Message)
	}
}
