package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/omnivibepro/omnivibe/internal/telemetry"
)

// scrape reads /metrics through the API.
func scrape(t *testing.T, h *harness, token string) string {
	t.Helper()
	r := httptest.NewRequest("GET", "/metrics", nil)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.api.ServeHTTP(rec, r)
	if rec.Code != 200 {
		t.Fatalf("/metrics: %d %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// metricValue finds one sample's value by its name and labels as printed.
func metricValue(text, series string) string {
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			return v
		}
	}
	return ""
}

func TestMetricsByRoutePattern(t *testing.T) {
	h := newHarness(t, Config{Metrics: telemetry.NewMetrics(), ServeMetrics: true, MetricsToken: "scrape-token-123"})
	a := h.register("metrics")
	clientID := h.create(a.token, "/api/v1/clients", map[string]any{"name": "C"})
	for i := 0; i < 3; i++ {
		h.do(req{method: "GET", path: fmt.Sprintf("/api/v1/clients/%v", clientID), token: a.token})
	}
	h.do(req{method: "GET", path: "/api/v1/clients/987654", token: a.token})
	h.do(req{method: "GET", path: "/api/v1/campaigns", token: "forged"})
	h.do(req{method: "GET", path: "/api/v1/no/such/route/42"})
	h.do(req{method: "BREW", path: "/api/v1/campaigns"})

	text := scrape(t, h, "scrape-token-123")
	for series, want := range map[string]string{
		`omnivibe_http_requests_total{method="GET",route="/api/v1/clients/{id}",status_class="2xx"}`:                 "3",
		`omnivibe_http_requests_total{method="GET",route="/api/v1/clients/{id}",status_class="4xx"}`:                 "1",
		`omnivibe_http_errors_total{error_code="not_found",method="GET",route="/api/v1/clients/{id}"}`:               "1",
		`omnivibe_http_errors_total{error_code="unauthorized",method="GET",route="/api/v1/campaigns"}`:               "1",
		`omnivibe_http_requests_total{method="POST",route="/api/v1/auth/register",status_class="2xx"}`:               "1",
		`omnivibe_http_request_duration_seconds_count{method="GET",route="/api/v1/clients/{id}",status_class="2xx"}`: "3",
		`omnivibe_http_requests_total{method="",route="unmatched",status_class="4xx"}`:                               "2",
		`omnivibe_http_errors_total{error_code="method_not_allowed",method="",route="unmatched"}`:                    "1",
		`omnivibe_http_requests_in_flight`: "1", // the scrape itself
	} {
		if got := metricValue(text, series); got != want {
			t.Errorf("%s = %q, want %s", series, got, want)
		}
	}
	// Labels come from patterns, never from paths: no ID, no unknown route,
	// no client-chosen method appears.
	for _, leak := range []string{fmt.Sprintf("/clients/%v\"", clientID), "987654", "/no/such", "BREW"} {
		if strings.Contains(text, leak) {
			t.Errorf("a raw path or method reached the metrics: %q", leak)
		}
	}
	for _, family := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "process_cpu_seconds_total", "go_build_info"} {
		if !strings.Contains(text, "\n"+family) {
			t.Errorf("%s missing: the runtime and process collectors are not registered", family)
		}
	}
}

func TestMetricsProtection(t *testing.T) {
	h := newHarness(t, Config{Metrics: telemetry.NewMetrics(), ServeMetrics: true, MetricsToken: "scrape-token-123"})
	for _, header := range []map[string]string{{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic c2NyYXBlOnRva2Vu"}} {
		if res := h.do(req{method: "GET", path: "/metrics", header: header}); res.status != 401 || res.code() != "unauthorized" {
			t.Errorf("/metrics with %v: %d %s", header, res.status, res.body)
		}
	}
	if !strings.Contains(scrape(t, h, "scrape-token-123"), "omnivibe_http_requests_total") {
		t.Fatal("the right token does not read the metrics")
	}
	// Served on another address, or off, or without a token to require:
	// not found here. Anyone can reach the API's address.
	for _, cfg := range []Config{{Metrics: telemetry.NewMetrics()}, {}, {Metrics: telemetry.NewMetrics(), ServeMetrics: true}} {
		if res := newHarness(t, cfg).do(req{method: "GET", path: "/metrics"}); res.status != 404 {
			t.Errorf("/metrics not served here: %d", res.status)
		}
	}
	// The separate listener's handler checks the same token.
	m := telemetry.NewMetrics()
	srv := httptest.NewServer(MetricsHandler(m, "scrape-token-123"))
	defer srv.Close()
	for token, want := range map[string]int{"": 401, "scrape-token-123": 200} {
		r, _ := httpNewRequest("GET", srv.URL+"/metrics", token)
		res, err := srv.Client().Do(r)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("separate listener with token %q: %d, want %d", token, res.StatusCode, want)
		}
	}
}

// syncBuffer is a log sink the server and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestAccessLog(t *testing.T) {
	h := newHarness(t, Config{AccessLog: true})
	var logs syncBuffer
	h.api.log = slog.New(slog.NewJSONHandler(&logs, nil))
	a := h.register("logged")
	clientID := h.create(a.token, "/api/v1/clients", map[string]any{"name": "C"})
	res := h.do(req{method: "GET", path: fmt.Sprintf("/api/v1/clients/%v?q=secret-search", clientID), token: a.token, header: map[string]string{"X-Request-ID": "req-abc"}})

	var line map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line is not JSON: %s", l)
		}
		if m["request_id"] == "req-abc" {
			line = m
		}
	}
	if line == nil {
		t.Fatalf("no access line for the request:\n%s", logs.String())
	}
	want := map[string]any{"msg": "request", "level": "INFO", "method": "GET", "route": "/api/v1/clients/{id}", "status": 200.0,
		"account_id": a.accountID, "bytes": float64(len(res.body))}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("%s = %v, want %v (line %v)", k, line[k], v, line)
		}
	}
	if d, ok := line["duration_ms"].(float64); !ok || d <= 0 {
		t.Errorf("duration_ms = %v", line["duration_ms"])
	}
	if strings.Contains(logs.String(), "secret-search") {
		t.Error("the query string reached the log")
	}
	if regexp.MustCompile(`"route":"[^"]*/\d+"`).MatchString(logs.String()) {
		t.Error("a raw path with an ID was logged as the route")
	}
}

// BenchmarkRouteMetrics is the cost metrics add to each request.
func BenchmarkRouteMetrics(b *testing.B) {
	m := telemetry.NewMetrics()
	rt := m.Route("GET", "/api/v1/campaigns")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.RequestStarted()
			rt.Observe(200, 1500)
			m.RequestDone()
		}
	})
}

// BenchmarkListCampaignsObserved is BenchmarkListCampaigns with metrics and
// the access log on (to a discarding handler that still formats lines).
func BenchmarkListCampaignsObserved(b *testing.B) {
	h, a, clientID := benchHarness(b)
	h.api = New(h.svc, Config{Metrics: telemetry.NewMetrics(), ServeMetrics: true, MetricsToken: "scrape-token-123", AccessLog: true}, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	for i := 0; i < 20; i++ {
		h.create(a.token, "/api/v1/campaigns", map[string]any{"client_id": clientID, "name": fmt.Sprint("c", i)})
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := httptest.NewRequest("GET", "/api/v1/campaigns", nil)
			r.Header.Set("Authorization", "Bearer "+a.token)
			w := httptest.NewRecorder()
			h.api.ServeHTTP(w, r.WithContext(context.Background()))
			if w.Code != 200 {
				b.Fatalf("status %d", w.Code)
			}
		}
	})
}
