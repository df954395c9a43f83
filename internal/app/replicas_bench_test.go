package app_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/client"
)

// The benchmarks run the whole API scaled out, on PostgreSQL and Redis,
// in-process (no HTTP client), like internal/httpapi's benchmarks on SQLite:
//
//	scripts/test-deps.sh go test -run '^$' -bench . -benchmem ./internal/app ./internal/httpapi
//
// A request reads two generations from Redis (the caller's principal and
// the list) and then finds the answers in the in-process layer.

// benchReplica is a scaled-out replica with one account, its token and a
// client.
func benchReplica(b *testing.B) (http func(method, path, body string) int, clientID int64) {
	b.Helper()
	cfg := scaledOut(b)
	base, a := replica(b, cfg)
	c := client.New(base)
	pair, err := c.Register(context.Background(), omnivibe.Registration{Email: "bench@example.com", Password: "Passw0rd-ok", Name: "Bench"})
	if err != nil {
		b.Fatal(err)
	}
	cl, err := c.CreateClient(context.Background(), omnivibe.ClientInput{Name: omnivibe.Some("Client")})
	if err != nil {
		b.Fatal(err)
	}
	return func(method, path, body string) int {
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+pair.AccessToken)
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		w := httptest.NewRecorder()
		a.API.ServeHTTP(w, r)
		return w.Code
	}, cl.ID
}

func BenchmarkScaledOutListCampaigns(b *testing.B) {
	do, clientID := benchReplica(b)
	for i := range 20 {
		if code := do("POST", "/api/v1/campaigns", fmt.Sprintf(`{"client_id":%d,"name":"c%d"}`, clientID, i)); code != 201 {
			b.Fatalf("create: %d", code)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if code := do("GET", "/api/v1/campaigns", ""); code != 200 {
				b.Fatalf("status %d", code)
			}
		}
	})
}

func BenchmarkScaledOutCreateCampaign(b *testing.B) {
	do, clientID := benchReplica(b)
	var n atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := fmt.Sprintf(`{"client_id":%d,"name":"bench %d","concept_tone":"casual","concept_style":"minimal","target_duration":60}`, clientID, n.Add(1))
			if code := do("POST", "/api/v1/campaigns", body); code != 201 {
				b.Fatalf("status %d", code)
			}
		}
	})
}
