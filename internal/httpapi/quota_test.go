package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/service"
)

// TestQuotaOverHTTP: an account on the creator plan (100 scripts a month)
// that has used 85 sends 50 different generates at once over real
// connections. Exactly 15 succeed, the other 35 are the contract's 403
// quota_exceeded, and /billing/usage then says 100 of 100.
func TestQuotaOverHTTP(t *testing.T) {
	h := newHarness(t, Config{})
	srv := httptest.NewServer(h.api)
	defer srv.Close()
	a := h.register("quota")
	if res := h.do(req{method: "PUT", path: "/api/v1/billing/plan", token: a.token, body: map[string]any{"plan": "creator"}}); res.status != 200 {
		t.Fatalf("plan change: %d %s", res.status, res.body)
	}
	limit := 100
	err := h.store.InTx(context.Background(), func(tx service.Tx) error {
		_, ok, err := tx.AddUsage(context.Background(), int64(a.accountID), omnivibe.Period(time.Now()), omnivibe.QuotaScripts, 85, &limit)
		if !ok {
			return fmt.Errorf("could not seed 85 units")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	type answer struct {
		status int
		body   map[string]any
	}
	answers := make([]answer, 50)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			body, _ := json.Marshal(map[string]any{"topic": fmt.Sprintf("동시 요청 %d", i), "platform": "tiktok", "target_duration": 30})
			r, _ := http.NewRequest("POST", srv.URL+"/api/v1/writer/generate", bytes.NewReader(body))
			r.Header.Set("Authorization", "Bearer "+a.token)
			r.Header.Set("Content-Type", "application/json")
			res, err := srv.Client().Do(r)
			if err != nil {
				t.Error(err)
				return
			}
			defer res.Body.Close()
			raw, _ := io.ReadAll(res.Body)
			answers[i].status = res.StatusCode
			json.Unmarshal(raw, &answers[i].body)
		}(i)
	}
	wg.Wait()
	ok, refused := 0, 0
	for _, an := range answers {
		switch {
		case an.status == 200 && an.body["cached"] == false:
			ok++
		case an.status == 403 && an.body["error_code"] == "quota_exceeded" && an.body["action"] == "upgrade_plan" &&
			an.body["quota_limit"] == 100.0 && an.body["plan"] == "creator":
			refused++
		default:
			t.Errorf("unexpected answer %d %v", an.status, an.body)
		}
	}
	if ok != 15 || refused != 35 {
		t.Fatalf("%d generated, %d refused; want exactly 15 and 35", ok, refused)
	}
	usage := h.do(req{method: "GET", path: "/api/v1/billing/usage", token: a.token}).json(t)
	used, limits := usage["used"].(map[string]any), usage["limits"].(map[string]any)
	if used["scripts"] != 100.0 || limits["scripts"] != 100.0 || usage["plan"] != "creator" || usage["period"] != omnivibe.Period(time.Now()) {
		t.Fatalf("usage after the race: %v", usage)
	}
	// A repeat of a generated request is the stored script, free.
	var first map[string]any
	for i, an := range answers {
		if an.status == 200 {
			first = an.body
			res := h.do(req{method: "POST", path: "/api/v1/writer/generate", token: a.token,
				body: map[string]any{"topic": fmt.Sprintf("동시 요청 %d", i), "platform": "tiktok", "target_duration": 30}})
			if res.status != 200 || res.json(t)["cached"] != true {
				t.Fatalf("repeat of a generated request: %d %s", res.status, res.body)
			}
			break
		}
	}
	if first == nil {
		t.Fatal("no success to repeat")
	}
	if u := h.do(req{method: "GET", path: "/api/v1/billing/usage", token: a.token}).json(t); u["used"].(map[string]any)["scripts"] != 100.0 {
		t.Fatalf("a cached answer used quota: %v", u)
	}
}
