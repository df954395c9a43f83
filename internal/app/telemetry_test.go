package app

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe/internal/config"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// syncBuffer is a log sink the app and the test share.
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

// otlpReceiver is an OTLP/HTTP collector: it accepts protobuf export
// requests at /v1/traces, as the OpenTelemetry protocol specifies, and keeps
// what it decoded.
type otlpReceiver struct {
	t     *testing.T
	srv   *httptest.Server
	mu    sync.Mutex
	spans []receivedSpan
	raw   bytes.Buffer // every request body, to search for secrets
}

type receivedSpan struct {
	*tracepb.Span
	resource map[string]string
}

func newOTLPReceiver(t *testing.T) *otlpReceiver {
	o := &otlpReceiver{t: t}
	o.srv = httptest.NewServer(http.HandlerFunc(o.serve))
	t.Cleanup(o.srv.Close)
	return o
}

func (o *otlpReceiver) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" {
		o.t.Errorf("export %s %s (%s), want POST /v1/traces application/x-protobuf", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
		http.Error(w, "bad export", http.StatusBadRequest)
		return
	}
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = gz
	}
	raw, err := io.ReadAll(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var req coltracepb.ExportTraceServiceRequest
	if err := proto.Unmarshal(raw, &req); err != nil {
		o.t.Errorf("export body is not an ExportTraceServiceRequest: %v", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	o.mu.Lock()
	o.raw.Write(raw)
	for _, rs := range req.ResourceSpans {
		res := attrs(rs.GetResource().GetAttributes())
		for _, ss := range rs.ScopeSpans {
			for _, s := range ss.Spans {
				o.spans = append(o.spans, receivedSpan{Span: s, resource: res})
			}
		}
	}
	o.mu.Unlock()
	out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.Write(out)
}

func (o *otlpReceiver) received() []receivedSpan {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]receivedSpan(nil), o.spans...)
}

func attrs(kvs []*commonpb.KeyValue) map[string]string {
	out := map[string]string{}
	for _, kv := range kvs {
		v := kv.GetValue()
		switch {
		case v.GetStringValue() != "":
			out[kv.Key] = v.GetStringValue()
		default:
			out[kv.Key] = fmt.Sprint(v.GetIntValue())
		}
	}
	return out
}

// testApp is the assembled product behind a real HTTP server.
type testApp struct {
	*App
	url  string
	logs *syncBuffer
}

func startApp(t *testing.T, edit func(*config.Config)) *testApp {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.PasswordCost, cfg.PasswordHash = 4, "bcrypt"
	cfg.LogLevel = "debug"
	cfg.MetricsToken = testMetricsToken
	if edit != nil {
		edit(&cfg)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := New(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.API)
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	return &testApp{App: a, url: srv.URL, logs: logs}
}

// call sends a JSON request and decodes a JSON answer into out (if not nil).
func (a *testApp) call(t *testing.T, method, path string, header map[string]string, body any, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	r, err := http.NewRequest(method, a.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		r.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, raw)
		}
	}
	return res.StatusCode
}

func bearer(token string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + token}
}

type tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

func (a *testApp) register(t *testing.T, email, password string) tokens {
	t.Helper()
	var tk tokens
	if status := a.call(t, "POST", "/api/v1/auth/register", nil, map[string]any{"email": email, "password": password, "name": "N"}, &tk); status != 201 {
		t.Fatalf("register %s: %d", email, status)
	}
	return tk
}

func TestTracesReachAnOTLPCollector(t *testing.T) {
	collector := newOTLPReceiver(t)
	a := startApp(t, func(c *config.Config) { c.OTLPEndpoint = collector.srv.URL; c.TraceSampleRatio = 1 })
	tk := a.register(t, "traced@example.com", "Passw0rd!")
	var client struct{ ID int64 }
	a.call(t, "POST", "/api/v1/clients", bearer(tk.AccessToken), map[string]any{"name": "Traced client"}, &client)
	a.call(t, "GET", fmt.Sprintf("/api/v1/clients/%d", client.ID), map[string]string{"Authorization": "Bearer " + tk.AccessToken, "X-Request-ID": "trace-me"}, nil, nil)
	a.call(t, "POST", "/api/v1/writer/generate", bearer(tk.AccessToken), map[string]any{"topic": "AI 비디오 자동화", "target_duration": 30}, nil)
	// A caller's traceparent is continued.
	const parentTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	a.call(t, "GET", "/api/v1/billing/plans", map[string]string{"traceparent": "00-" + parentTrace + "-00f067aa0ba902b7-01"}, nil, nil)
	if err := a.Tracing.ForceFlush(context.Background()); err != nil {
		t.Fatal(err)
	}

	spans := collector.received()
	byID := map[string]receivedSpan{}
	named := map[string][]receivedSpan{}
	for _, s := range spans {
		byID[string(s.SpanId)] = s
		named[s.Name] = append(named[s.Name], s)
		if s.resource["service.name"] != "omnivibe" {
			t.Fatalf("span %q from service %q", s.Name, s.resource["service.name"])
		}
	}
	get := named["GET /api/v1/clients/{id}"]
	if len(get) != 1 {
		t.Fatalf("want one span named by the route pattern, got names %v", names(spans))
	}
	ga := attrs(get[0].Attributes)
	if get[0].Kind != tracepb.Span_SPAN_KIND_SERVER || ga["http.route"] != "/api/v1/clients/{id}" || ga["http.response.status_code"] != "200" ||
		ga["omnivibe.request_id"] != "trace-me" || ga["omnivibe.account_id"] == "0" || ga["http.request.method"] != "GET" {
		t.Errorf("request span %v %v", get[0].Kind, ga)
	}
	// The database call is a child of the request; a write transaction's
	// calls are children of the transaction.
	childOf := func(name string, parent receivedSpan) bool {
		for _, s := range named[name] {
			if bytes.Equal(s.ParentSpanId, parent.SpanId) && bytes.Equal(s.TraceId, parent.TraceId) {
				return true
			}
		}
		return false
	}
	if !childOf("db ClientByID", get[0]) {
		t.Errorf("no db ClientByID span under the request span; spans: %v", names(spans))
	}
	create := named["POST /api/v1/clients"]
	if len(create) != 1 || !childOf("db InTx", create[0]) {
		t.Fatalf("no transaction span under POST /api/v1/clients")
	}
	var tx receivedSpan
	for _, s := range named["db InTx"] {
		if bytes.Equal(s.ParentSpanId, create[0].SpanId) {
			tx = s
		}
	}
	if !childOf("db CreateClient", tx) {
		t.Errorf("db CreateClient is not under its transaction")
	}
	gen := named["POST /api/v1/writer/generate"]
	if len(gen) != 1 {
		t.Fatalf("no generate span: %v", names(spans))
	}
	var writerSpan receivedSpan
	for _, s := range named["writer local"] {
		if bytes.Equal(s.TraceId, gen[0].TraceId) {
			writerSpan = s
		}
	}
	if writerSpan.Span == nil || attrs(writerSpan.Attributes)["omnivibe.provider.outcome"] != "ok" || writerSpan.Kind != tracepb.Span_SPAN_KIND_CLIENT {
		t.Errorf("provider span: %+v", writerSpan.Span)
	}
	plans := named["GET /api/v1/billing/plans"]
	if len(plans) != 1 || fmt.Sprintf("%x", plans[0].TraceId) != parentTrace {
		t.Errorf("the caller's traceparent was not continued")
	}
	// The access line of a traced request carries its trace ID.
	wantTrace := fmt.Sprintf(`"trace_id":"%x"`, get[0].TraceId)
	found := false
	for _, line := range strings.Split(a.logs.String(), "\n") {
		if strings.Contains(line, `"request_id":"trace-me"`) && strings.Contains(line, wantTrace) {
			found = true
		}
	}
	if !found {
		t.Errorf("no log line with request_id trace-me and %s:\n%s", wantTrace, a.logs.String())
	}
}

func names(spans []receivedSpan) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return out
}

func TestSamplingRatio(t *testing.T) {
	collector := newOTLPReceiver(t)
	a := startApp(t, func(c *config.Config) { c.OTLPEndpoint = collector.srv.URL; c.TraceSampleRatio = 0 })
	for i := 0; i < 20; i++ {
		a.call(t, "GET", "/api/v1/billing/plans", nil, nil, nil)
	}
	// Ratio 0 keeps no new trace, but a caller that sampled its trace is
	// followed (parent-based).
	a.call(t, "GET", "/api/v1/billing/plans", map[string]string{"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}, nil, nil)
	a.Tracing.ForceFlush(context.Background())
	if got := collector.received(); len(got) != 1 {
		t.Fatalf("ratio 0 exported %d spans, want only the one of the sampled caller", len(got))
	}
}

func TestTracingOff(t *testing.T) {
	a := startApp(t, nil)
	if a.Tracing != nil || a.Tracing.Enabled() {
		t.Fatal("tracing is on without an endpoint")
	}
	a.call(t, "GET", "/api/v1/billing/plans", map[string]string{"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}, nil, nil)
	if strings.Contains(a.logs.String(), "trace_id") {
		t.Fatal("trace IDs logged with tracing off")
	}
}

// TestVoiceOverTraceFollowsTheJob: the stages of a voice-over are spans of
// the trace of the request that queued it, carried through the job queue.
func TestVoiceOverTraceFollowsTheJob(t *testing.T) {
	collector := newOTLPReceiver(t)
	a := startApp(t, func(c *config.Config) {
		c.OTLPEndpoint, c.TraceSampleRatio = collector.srv.URL, 1
		c.TTS, c.STT, c.Workers = "synthetic", "none", 1
	})
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	tk := a.register(t, "voice-trace@example.com", "Passw0rd!")
	var accepted struct {
		TaskID string `json:"task_id"`
	}
	if code := a.call(t, "POST", "/api/v1/audio/generate", bearer(tk.AccessToken), map[string]any{"text": "hello", "language": "en"}, &accepted); code != 202 {
		t.Fatalf("generate: %d", code)
	}
	var task struct{ Status string }
	for deadline := time.Now().Add(30 * time.Second); task.Status != "succeeded"; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("voice-over still %q", task.Status)
		}
		a.call(t, "GET", "/api/v1/audio/status/"+accepted.TaskID, bearer(tk.AccessToken), nil, &task)
	}
	if err := a.Tracing.ForceFlush(context.Background()); err != nil {
		t.Fatal(err)
	}
	spans := collector.received()
	var request receivedSpan
	for _, s := range spans {
		if s.Name == "POST /api/v1/audio/generate" {
			request = s
		}
	}
	if request.Span == nil {
		t.Fatalf("no request span: %v", names(spans))
	}
	for _, stage := range []string{"job.audio.normalize", "job.audio.synthesize", "job.audio.store"} {
		found := false
		for _, s := range spans {
			if s.Name == stage && bytes.Equal(s.TraceId, request.TraceId) {
				found = true
			}
		}
		if !found {
			t.Errorf("no %s span in the request's trace; spans: %v", stage, names(spans))
		}
	}
}
