package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe/internal/config"
)

// testMetricsToken is the metrics token of the tests' apps (startApp): the
// API's address serves /metrics to its bearer only.
const testMetricsToken = "test-metrics-token"

func scrape(t *testing.T, url string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", url+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+testMetricsToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("/metrics: %d %s", res.StatusCode, b)
	}
	return string(b)
}

// TestMetricsOfTheWholeProduct checks that the assembled product feeds every
// family: the database pools, the cache, the script writer and the job hooks.
func TestMetricsOfTheWholeProduct(t *testing.T) {
	a := startApp(t, func(c *config.Config) { c.TTS, c.STT, c.Workers = "synthetic", "none", 1 })
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	tk := a.register(t, "scraped@example.com", "Passw0rd!")
	for i := 0; i < 3; i++ {
		a.call(t, "GET", "/api/v1/campaigns", bearer(tk.AccessToken), nil, nil)
	}
	a.call(t, "POST", "/api/v1/writer/generate", bearer(tk.AccessToken), map[string]any{"topic": "metrics"}, nil)
	// A voice-over run by the real queue feeds the job families.
	var accepted struct {
		TaskID string `json:"task_id"`
	}
	if code := a.call(t, "POST", "/api/v1/audio/generate", bearer(tk.AccessToken), map[string]any{"text": "안녕하세요", "language": "ko"}, &accepted); code != 202 {
		t.Fatalf("generate: %d", code)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var task struct{ Status string }
		a.call(t, "GET", "/api/v1/audio/status/"+accepted.TaskID, bearer(tk.AccessToken), nil, &task)
		if task.Status == "succeeded" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("voice-over still %s", task.Status)
		}
	}
	// The similarity family is fed only by verified attempts; no recognizer here.
	a.Metrics.Similarity("ko", 0.93)
	text := scrape(t, a.url)
	for _, want := range []string{
		`omnivibe_db_open_connections{pool="writer"} 1`,
		`omnivibe_db_max_open_connections{pool="writer"} 1`,
		`omnivibe_db_open_connections{pool="reader"}`,
		`omnivibe_cache_hits_total{cache="memory"}`,
		`omnivibe_cache_misses_total{cache="memory"}`,
		`omnivibe_provider_call_duration_seconds_count{kind="writer",outcome="ok",provider="local"} 1`,
		`omnivibe_http_requests_total{method="GET",route="/api/v1/campaigns",status_class="2xx"} 3`,
		`omnivibe_jobs_queue_depth{queue="audio",state="waiting"}`,
		`omnivibe_jobs_finished_total{kind="audio",outcome="succeeded"} 1`,
		`omnivibe_jobs_attempts_bucket{kind="audio",le="1"} 1`,
		`omnivibe_jobs_stage_duration_seconds_count{kind="audio",outcome="ok",stage="synthesize"} 1`,
		`omnivibe_jobs_stage_duration_seconds_count{kind="audio",outcome="ok",stage="store"} 1`,
		`omnivibe_provider_call_duration_seconds_count{kind="tts",outcome="ok",provider="synthetic"} 1`,
		`omnivibe_audio_similarity_bucket{language="ko",le="0.95"} 1`,
		`# TYPE omnivibe_backup_last_success_timestamp_seconds gauge`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if hits := metric(text, `omnivibe_cache_hits_total{cache="memory"}`); hits == "0" {
		t.Error("three identical lists and no cache hit counted")
	}
}

func metric(text, series string) string {
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			return v
		}
	}
	return ""
}

// By default (no metrics token, no address of their own) the API's address
// does not serve /metrics: anyone can reach it, and the metrics show the
// server's traffic and errors. The probe read them there.
func TestMetricsNotOnTheAPIAddressByDefault(t *testing.T) {
	a := startApp(t, func(c *config.Config) { c.MetricsToken = config.Default().MetricsToken })
	if a.Metrics == nil {
		t.Fatal("metrics are not recorded by default")
	}
	for _, header := range []map[string]string{nil, bearer(""), bearer(testMetricsToken)} {
		if s := a.call(t, "GET", "/metrics", header, nil, nil); s != 404 {
			t.Fatalf("/metrics on the API's address without a configured token (%v): %d, want 404", header, s)
		}
	}
}

func TestMetricsOff(t *testing.T) {
	a := startApp(t, func(c *config.Config) { c.Metrics = false })
	if a.Metrics != nil {
		t.Fatal("metrics made while off")
	}
	if s := a.call(t, "GET", "/metrics", nil, nil, nil); s != 404 {
		t.Fatalf("/metrics while off: %d", s)
	}
}

// TestDefaultLimitsLetTheLoadScenarioRun replays the report's scenario shape
// from one address (127.0.0.1) with the default configuration: 100 sign-ups
// at once (faster than the report's 10 s), every user moving to pro and
// creating a client, then a burst of reads on one token well past what the
// users make. Not one answer may be 429.
func TestDefaultLimitsLetTheLoadScenarioRun(t *testing.T) {
	a := startApp(t, func(c *config.Config) { c.LogLevel = "warn" })
	var limited atomic.Int32
	count := func(status int) {
		if status == http.StatusTooManyRequests {
			limited.Add(1)
		}
	}
	users := make([]tokens, 100)
	var wg sync.WaitGroup
	for i := range users {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var tk tokens
			count(a.call(t, "POST", "/api/v1/auth/register", nil, map[string]any{"email": fmt.Sprintf("user-%d@load.example", i), "password": "Passw0rd!", "name": "U"}, &tk))
			users[i] = tk
			count(a.call(t, "PUT", "/api/v1/billing/plan", bearer(tk.AccessToken), map[string]any{"plan": "pro"}, nil))
			count(a.call(t, "POST", "/api/v1/clients", bearer(tk.AccessToken), map[string]any{"name": "C"}, nil))
			count(a.call(t, "GET", "/api/v1/billing/plans", nil, nil, nil))
		}(i)
	}
	wg.Wait()
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 250; i++ {
				count(a.call(t, "GET", "/api/v1/campaigns", bearer(users[0].AccessToken), nil, nil))
			}
		}()
	}
	wg.Wait()
	if n := limited.Load(); n != 0 {
		t.Fatalf("%d answers were 429 under the default limits", n)
	}
}
