package httpapi

import (
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe/internal/providers"
)

// TestProvidersAnswerMatchesTheDocument: GET /api/v1/providers needs a
// signed-in user and answers what the health record holds, in the shape the
// OpenAPI document gives (the harness checks every answer against it),
// unused providers included (their rates and latencies are null).
func TestProvidersAnswerMatchesTheDocument(t *testing.T) {
	h := newHarness(t, Config{})
	health := providers.NewHealth(nil)
	health.Register(providers.KindTTS, "elevenlabs", 1, func() string { return "open" })
	health.Register(providers.KindTTS, "espeak", 2, nil)
	health.Record(providers.KindTTS, "elevenlabs", 2*time.Second, "server_error", "elevenlabs: speech provider unavailable (HTTP 503)")
	h.svc.UseProviderHealth(health)

	if res := h.do(req{method: "GET", path: "/api/v1/providers"}); res.status != 401 {
		t.Fatalf("without a token: %d, want 401", res.status)
	}
	a := h.register("ops")
	res := h.do(req{method: "GET", path: "/api/v1/providers", token: a.token})
	if res.status != 200 {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	list := res.json(t)["providers"].([]any)
	if len(list) != 2 {
		t.Fatalf("%d providers, want 2: %s", len(list), res.body)
	}
	el := list[0].(map[string]any)
	if el["name"] != "elevenlabs" || el["breaker"] != "open" || el["last_5m"].(map[string]any)["failures"] != 1.0 || el["last_error"] == nil {
		t.Fatalf("elevenlabs: %v", el)
	}
	if es := list[1].(map[string]any); es["breaker"] != "none" || es["last_60m"].(map[string]any)["success_rate"] != nil {
		t.Fatalf("espeak: %v", es)
	}
}
