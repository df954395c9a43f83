package app_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/client"
	"github.com/omnivibepro/omnivibe/internal/config"
)

// hostedVoices is the far side of the network for a chain
// OMNIVIBE_TTS=elevenlabs,openai: one test server that speaks ElevenLabs'
// POST /v1/text-to-speech/{voice} (here only ever failing, as set) and
// OpenAI's /v1/audio/speech (a short WAV), since both providers take their
// base URL from OMNIVIBE_SPEECH_BASE_URL.
type hostedVoices struct {
	*httptest.Server
	elevenStatus        atomic.Int32 // what ElevenLabs answers
	openaiStatus        atomic.Int32 // 0: OpenAI serves
	elevenCalls, openai atomic.Int32
}

func newHostedVoices(t *testing.T) *hostedVoices {
	v := &hostedVoices{}
	v.elevenStatus.Store(http.StatusServiceUnavailable)
	wav := silenceWAV(16000, 0.5)
	v.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasPrefix(r.URL.Path, "/v1/text-to-speech/"):
			v.elevenCalls.Add(1)
			if r.Header.Get("xi-api-key") != "el-test" {
				w.WriteHeader(http.StatusUnauthorized)
				io.WriteString(w, `{"detail":{"status":"invalid_api_key","message":"Invalid API key"}}`)
				return
			}
			w.WriteHeader(int(v.elevenStatus.Load()))
			io.WriteString(w, `{"detail":{"status":"system_busy","message":"The system is experiencing heavy traffic, please try again later."}}`)
		case r.URL.Path == "/v1/audio/speech" && r.Header.Get("Authorization") == "Bearer sk-test":
			v.openai.Add(1)
			if s := int(v.openaiStatus.Load()); s != 0 {
				w.WriteHeader(s)
				io.WriteString(w, `{"error":{"message":"The server had an error while processing your request.","type":"server_error"}}`)
				return
			}
			w.Header().Set("Content-Type", "audio/wav")
			w.Write(wav)
		default:
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"error":{"message":"Unknown request URL","type":"invalid_request_error"}}`)
		}
	}))
	t.Cleanup(v.Close)
	return v
}

func voiceChain(v *hostedVoices, elevenKey string) func(*config.Config) {
	return func(c *config.Config) {
		c.TTS, c.STT, c.SpeechBaseURL = "elevenlabs,openai", "none", v.URL
		c.ElevenLabsAPIKey, c.OpenAIAPIKey = elevenKey, "sk-test"
	}
}

func providerStatus(t *testing.T, list []omnivibe.ProviderStatus, kind, name string) omnivibe.ProviderStatus {
	t.Helper()
	for _, p := range list {
		if p.Kind == kind && p.Name == name {
			return p
		}
	}
	t.Fatalf("no %s provider %s in %+v", kind, name, list)
	return omnivibe.ProviderStatus{}
}

func TestVoiceChainFirstDownSecondServes(t *testing.T) {
	v := newHostedVoices(t)
	s := start(t, voiceChain(v, "el-test"))
	c := owner(t, s, "free")
	acc, err := c.GenerateAudio(context.Background(), omnivibe.AudioRequest{Text: "Spring sale starts today.", Language: "en"}, "")
	if err != nil {
		t.Fatal(err)
	}
	task := wait(t, c, acc.TaskID)
	if task.Status != omnivibe.AudioSucceeded || task.Synthesizer != "openai" {
		t.Fatalf("status %s by %q, want succeeded by openai: %+v", task.Status, task.Synthesizer, task)
	}
	if len(task.ProvidersSkipped) != 1 {
		t.Fatalf("providers_skipped %+v, want elevenlabs once", task.ProvidersSkipped)
	}
	sk := task.ProvidersSkipped[0]
	if sk.Provider != "elevenlabs" || sk.Stage != "synthesize" || sk.Attempt != 1 || sk.Code != "server_error" || sk.Status != 503 || !strings.Contains(sk.Message, "heavy traffic") {
		t.Fatalf("skip %+v, want elevenlabs' 503 in synthesize of attempt 1", sk)
	}

	list, err := c.Providers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	el, oa := providerStatus(t, list, "tts", "elevenlabs"), providerStatus(t, list, "tts", "openai")
	if el.Position != 1 || oa.Position != 2 || el.Breaker != "closed" || oa.Breaker != "closed" {
		t.Fatalf("elevenlabs %+v, openai %+v: want positions 1, 2 and closed breakers", el, oa)
	}
	if el.Last5m.Requests != 1 || el.Last5m.Failures != 1 || *el.Last5m.SuccessRate != 0 || el.LastError == nil || !strings.Contains(el.LastError.Message, "503") {
		t.Fatalf("elevenlabs health %+v (last error %+v), want one failed call with its 503", el.Last5m, el.LastError)
	}
	if oa.Last60m.Requests != 1 || *oa.Last60m.SuccessRate != 1 || oa.Last5m.LatencyMS == nil || oa.Last5m.LatencyMS.P99 < oa.Last5m.LatencyMS.P50 || oa.LastError != nil {
		t.Fatalf("openai health %+v, want one good call with latencies", oa.Last5m)
	}
}

func TestVoiceChainRejectionDoesNotFallThrough(t *testing.T) {
	v := newHostedVoices(t)
	s := start(t, voiceChain(v, "el-wrong"))
	c := owner(t, s, "free")
	acc, err := c.GenerateAudio(context.Background(), omnivibe.AudioRequest{Text: "Spring sale starts today.", Language: "en"}, "")
	if err != nil {
		t.Fatal(err)
	}
	task := wait(t, c, acc.TaskID)
	if task.Status != omnivibe.AudioFailed || task.Error == nil || task.Error.Code != "provider_rejected" || task.Error.Provider != "elevenlabs" {
		t.Fatalf("task %+v (error %+v), want failed by elevenlabs' rejection", task, task.Error)
	}
	if !strings.Contains(task.Error.Message, "401") || v.openai.Load() != 0 || len(task.ProvidersSkipped) != 0 {
		t.Fatalf("error %q, %d OpenAI calls, skipped %+v: the 401 must end the task without trying OpenAI", task.Error.Message, v.openai.Load(), task.ProvidersSkipped)
	}
}

func TestVoiceChainAllDown(t *testing.T) {
	v := newHostedVoices(t)
	v.openaiStatus.Store(http.StatusBadGateway)
	s := start(t, voiceChain(v, "el-test"))
	c := owner(t, s, "free")
	acc, err := c.GenerateAudio(context.Background(), omnivibe.AudioRequest{Text: "Spring sale starts today.", Language: "en"}, "")
	if err != nil {
		t.Fatal(err)
	}
	task := wait(t, c, acc.TaskID)
	if task.Status != omnivibe.AudioFailed || task.Error == nil || task.Error.Code != "provider_unavailable" || !task.Error.Retryable {
		t.Fatalf("task %+v (error %+v), want failed as provider_unavailable", task, task.Error)
	}
	msg := task.Error.Message
	if !strings.Contains(msg, "elevenlabs") || !strings.Contains(msg, "503") || !strings.Contains(msg, "openai") || !strings.Contains(msg, "502") {
		t.Fatalf("error %q does not give each provider's reason", msg)
	}
	if len(task.ProvidersSkipped) != 2 || task.ProvidersSkipped[0].Provider != "elevenlabs" || task.ProvidersSkipped[1].Provider != "openai" {
		t.Fatalf("providers_skipped %+v, want elevenlabs then openai", task.ProvidersSkipped)
	}
	// The job tried the chain three times (its retries), so both breakers
	// (three failures) are open now.
	list, err := c.Providers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"elevenlabs", "openai"} {
		p := providerStatus(t, list, "tts", name)
		if p.Breaker != "open" || p.Last5m.Failures != 3 || p.Last5m.Successes != 0 {
			t.Fatalf("%s: breaker %s, %+v, want open after 3 failures", name, p.Breaker, p.Last5m)
		}
	}
	// Prometheus sees the same.
	metrics := scrapeMetrics(t, s.base)
	for _, line := range []string{
		`omnivibe_provider_breaker_state{kind="tts",provider="elevenlabs"} 2`,
		`omnivibe_provider_breaker_state{kind="tts",provider="openai"} 2`,
		`omnivibe_provider_requests_total{kind="tts",outcome="unavailable",provider="elevenlabs"} 3`,
	} {
		if !strings.Contains(metrics, line) {
			t.Errorf("/metrics lacks %s", line)
		}
	}
}

// TestProvidersNeedsSignIn: the health view is for signed-in users only.
func TestProvidersNeedsSignIn(t *testing.T) {
	s := start(t, func(c *config.Config) { c.TTS, c.STT = "synthetic", "none" })
	resp, err := http.Get(s.base + "/api/v1/providers")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d without a token, want 401", resp.StatusCode)
	}
	list, err := owner(t, s, "free").Providers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	w, tts := providerStatus(t, list, "writer", "local"), providerStatus(t, list, "tts", "synthetic")
	if w.Breaker != "none" || tts.Position != 1 || tts.Last5m.Requests != 0 || tts.Last5m.SuccessRate != nil {
		t.Fatalf("writer %+v, tts %+v: a single provider has no breaker and, unused, no rate", w, tts)
	}
}

// chatCompletions is the far side of an OpenAI-compatible writer that
// answers every POST /v1/chat/completions with status and OpenAI's error body.
func chatCompletions(t *testing.T, status int) (*httptest.Server, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if r.URL.Path != "/v1/chat/completions" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, `{"error":{"message":"The server is overloaded or not ready yet.","type":"server_error","code":null}}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func TestWriterChainFallsThroughToLocal(t *testing.T) {
	srv, calls := chatCompletions(t, http.StatusServiceUnavailable)
	s := start(t, func(c *config.Config) {
		c.Writer, c.WriterBaseURL, c.OpenAIAPIKey, c.TTS, c.STT = "openai,local", srv.URL+"/v1", "sk-test", "synthetic", "none"
	})
	c := owner(t, s, "free")
	res, err := c.GenerateScript(context.Background(), omnivibe.ScriptRequest{Topic: "home cafe latte art", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Provider != "local" || len(res.ProvidersSkipped) != 1 {
		t.Fatalf("written by %q, skipped %+v: want local after openai", res.Provider, res.ProvidersSkipped)
	}
	if sk := res.ProvidersSkipped[0]; sk.Provider != "openai" || sk.Stage != "write" || sk.Code != "unavailable" || !strings.Contains(sk.Message, "503") {
		t.Fatalf("skip %+v, want openai's 503", sk)
	}
	list, err := c.Providers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	oa, local := providerStatus(t, list, "writer", "openai"), providerStatus(t, list, "writer", "local")
	if oa.Position != 1 || local.Position != 2 || oa.Breaker != "closed" || local.Breaker != "none" {
		t.Fatalf("openai %+v, local %+v", oa, local)
	}
	if oa.Last5m.Failures != int64(calls.Load()) || oa.Last5m.Successes != 0 || local.Last5m.Successes != 1 || oa.LastError == nil {
		t.Fatalf("openai %+v (%d requests made), local %+v", oa.Last5m, calls.Load(), local.Last5m)
	}
}

func TestWriterChainRefusalDoesNotFallThrough(t *testing.T) {
	srv, _ := chatCompletions(t, http.StatusUnauthorized)
	s := start(t, func(c *config.Config) {
		c.Writer, c.WriterBaseURL, c.OpenAIAPIKey, c.TTS, c.STT = "openai,local", srv.URL+"/v1", "sk-test", "synthetic", "none"
	})
	c := owner(t, s, "free")
	_, err := c.GenerateScript(context.Background(), omnivibe.ScriptRequest{Topic: "home cafe latte art", Language: "en"})
	var ce *client.Error
	if !asClientError(err, &ce) || ce.Status != http.StatusServiceUnavailable {
		t.Fatalf("err = %v, want 503 from the refused key", err)
	}
	list, err := c.Providers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if local := providerStatus(t, list, "writer", "local"); local.Last60m.Requests != 0 {
		t.Fatalf("the local writer was called after a 401: %+v", local.Last60m)
	}
}

// metricsToken is the metrics token of the apps start makes: the API's
// address serves /metrics to its bearer only.
const metricsToken = "test-metrics-token"

func scrapeMetrics(t *testing.T, base string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+metricsToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d %s", res.StatusCode, b)
	}
	return string(b)
}
