package httpapi

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// The benchmarks run the real API on SQLite in-process (no network), so a
// profile shows where the server's own time goes:
//   go test -run '^$' -bench . -cpuprofile cpu.out ./internal/httpapi

func benchHarness(b *testing.B) (*harness, account, float64) {
	t := &testing.T{}
	h := newHarness(t, Config{})
	h.t = t
	a := h.register("bench")
	clientID := h.create(a.token, "/api/v1/clients", map[string]any{"name": "C"})
	return h, a, clientID
}

func BenchmarkListCampaigns(b *testing.B) {
	h, a, clientID := benchHarness(b)
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
			h.api.ServeHTTP(w, r)
			if w.Code != 200 {
				b.Fatalf("status %d", w.Code)
			}
		}
	})
}

func BenchmarkCreateCampaign(b *testing.B) {
	h, a, clientID := benchHarness(b)
	var n atomic.Int64
	b.SetParallelism(25) // 50 requests at once on 2 cores, as under wrk -c100
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := fmt.Sprintf(`{"client_id":%v,"name":"bench %d","concept_tone":"casual","concept_style":"minimal","target_duration":60}`, clientID, n.Add(1))
			r := httptest.NewRequest("POST", "/api/v1/campaigns", strings.NewReader(body))
			r.Header.Set("Authorization", "Bearer "+a.token)
			r.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			h.api.ServeHTTP(w, r)
			if w.Code != 201 {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
		}
	})
}

func BenchmarkGenerateScriptUncached(b *testing.B) {
	h, a, _ := benchHarness(b)
	h.do(req{method: "PUT", path: "/api/v1/billing/plan", token: a.token, body: map[string]any{"plan": "pro"}})
	var n atomic.Int64
	b.SetParallelism(25)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := fmt.Sprintf(`{"campaign_name":"Campaign 7","topic":"AI 비디오 자동화 %d","platform":"youtube","target_duration":%d}`, n.Add(1), 60+n.Load()%121)
			r := httptest.NewRequest("POST", "/api/v1/writer/generate", strings.NewReader(body))
			r.Header.Set("Authorization", "Bearer "+a.token)
			r.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			h.api.ServeHTTP(w, r)
			if w.Code != 200 {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
		}
	})
}
