package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// TestConcurrentCreateAndList has 200 goroutines create and list campaigns at
// once over real connections. Some names repeat on purpose: every create is
// 201 or 409, exactly one 201 per name, no create is lost, and nothing answers
// 500 (SQLITE_BUSY would surface as one).
func TestConcurrentCreateAndList(t *testing.T) {
	h := newHarness(t, Config{})
	srv := httptest.NewServer(h.api)
	defer srv.Close()
	a := h.register("busy")
	clientID := h.create(a.token, "/api/v1/clients", map[string]any{"name": "C"})

	const workers, names = 200, 150
	var mu sync.Mutex
	statuses := map[int]int{}
	createdNames := map[string]int{}
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			name := fmt.Sprintf("Campaign %d", i%names)
			body, _ := json.Marshal(map[string]any{"client_id": clientID, "name": name, "concept_tone": "casual"})
			status := call(t, srv.URL, a.token, "POST", "/api/v1/campaigns", body)
			listStatus := call(t, srv.URL, a.token, "GET", "/api/v1/campaigns?page_size=100", nil)
			mu.Lock()
			defer mu.Unlock()
			statuses[status]++
			statuses[listStatus]++
			if status == 201 {
				createdNames[name]++
			}
		}(i)
	}
	wg.Wait()
	for status, n := range statuses {
		if status != 200 && status != 201 && status != 409 {
			t.Errorf("%d answers of status %d", n, status)
		}
	}
	if statuses[201] != names || statuses[409] != workers-names || statuses[200] != workers {
		t.Fatalf("statuses %v: want %d×201, %d×409, %d×200", statuses, names, workers-names, workers)
	}
	for name, n := range createdNames {
		if n != 1 {
			t.Errorf("%q created %d times", name, n)
		}
	}
	res := h.do(req{method: "GET", path: "/api/v1/campaigns?page_size=1", token: a.token})
	if got := res.json(t)["total"]; got != float64(names) {
		t.Fatalf("total %v, want %d: a create was lost", got, names)
	}
}

func call(t *testing.T, base, token, method, path string, body []byte) int {
	req, err := http.NewRequest(method, base+path, bytes.NewReader(body))
	if err != nil {
		t.Error(err)
		return 0
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 500 {
		t.Errorf("%s %s: %d %s", method, path, res.StatusCode, b)
	}
	return res.StatusCode
}
