package httpapi

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe/internal/cache"
	"github.com/omnivibepro/omnivibe/internal/filestore"
	"github.com/omnivibepro/omnivibe/internal/jobs"
	"github.com/omnivibepro/omnivibe/internal/service"
	"github.com/omnivibepro/omnivibe/internal/speech"
	"github.com/omnivibepro/omnivibe/internal/sqlite"
	"github.com/omnivibepro/omnivibe/internal/webhook"
	"github.com/omnivibepro/omnivibe/internal/writer"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// testSecret signs the test server's tokens; tests forge tokens with others.
var testSecret = []byte("test-secret-test-secret-test-secret!")

// harness is the real API on a temporary SQLite database. Every answer it
// sees is checked against the OpenAPI document: a status the document does
// not list, or a body its schema refuses, fails the test.
type harness struct {
	t     *testing.T
	api   *Server
	svc   *service.Service
	store *sqlite.Store
	queue *jobs.Queue[*sql.Tx]

	schemas *openAPISchemas
}

func newHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "api.db"), sqlite.Options{CheckpointEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	mem := cache.NewMemory(16 << 20)
	t.Cleanup(mem.Close)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	w, err := writer.New(writer.Config{Provider: writer.ProviderLocal}, log, nil)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := service.New(service.Config{JWTSecret: testSecret, PasswordCost: 4, PasswordAlgorithm: service.PasswordBcrypt}, service.Deps{Store: store, Cache: mem, Writer: w, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	// Voice-overs with real River workers and the synthetic voice (no
	// network, no local engines needed), checked by no recognizer.
	queue, err := jobs.NewSQLite(context.Background(), store.Writer(), jobs.Config{Workers: 1}, log)
	if err != nil {
		t.Fatal(err)
	}
	files, err := filestore.Open(filepath.Join(t.TempDir(), "audio"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { files.Close() })
	synth, err := speech.NewSynthesizer(speech.Config{TTS: speech.ProviderSynthetic, SyntheticDuration: func(text, lang string) float64 { return writer.Estimate(text, lang).Seconds }})
	if err != nil {
		t.Fatal(err)
	}
	queue.SetRunner(svc)
	svc.UseAudio(queue, files, service.Speech{Synthesizer: synth, Recognizer: speech.NoRecognizer{}}, nil)
	// Webhooks with the server's defaults (https only, no internal address);
	// tests with local receivers loosen them (useWebhooks).
	box, err := webhook.NewBox(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	svc.UseWebhooks(queue, webhook.NewSender(webhook.Config{}), box, service.WebhookConfig{})
	if err := queue.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		queue.Stop(ctx)
	})
	api := New(svc, cfg, log)
	return &harness{t: t, api: api, svc: svc, store: store, queue: queue, schemas: loadSchemas(t, api)}
}

// response is one answer, decoded loosely for assertions.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.body)
	}
	return m
}

func (r response) code() string {
	var e struct {
		Code string `json:"error_code"`
	}
	_ = json.Unmarshal(r.body, &e)
	return e.Code
}

// req describes one request.
type req struct {
	method, path string
	token        string // bearer credential
	body         any    // string: sent as is; other values: JSON-encoded
	header       map[string]string
	remoteAddr   string // default 192.0.2.1:1234, httptest's
}

func (h *harness) do(r req) response {
	h.t.Helper()
	var body io.Reader
	switch b := r.body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		body = bytes.NewReader(enc)
	}
	hr := httptest.NewRequest(r.method, r.path, body)
	if r.remoteAddr != "" {
		hr.RemoteAddr = r.remoteAddr
	}
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if r.token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.header {
		if v == "" {
			hr.Header.Del(k)
		} else {
			hr.Header.Set(k, v)
		}
	}
	pattern := h.pattern(hr)
	rec := httptest.NewRecorder()
	h.api.ServeHTTP(rec, hr)
	res := response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	if res.status == 500 {
		h.t.Errorf("%s %s: got 500, an internal error: %s", r.method, r.path, res.body)
	}
	if res.header.Get("X-Request-Id") == "" {
		h.t.Errorf("%s %s: no X-Request-ID", r.method, r.path)
	}
	h.schemas.check(h.t, r.method+" "+r.path, pattern, res)
	return res
}

// pattern finds the route a request reaches, as ServeHTTP would route it.
func (h *harness) pattern(r *http.Request) string {
	if !cleanPath(strings.TrimSuffix(r.URL.Path, "/")) {
		return ""
	}
	clone := r.Clone(context.Background())
	if p := clone.URL.Path; len(p) > 1 && strings.HasSuffix(p, "/") {
		clone.URL.Path = strings.TrimSuffix(p, "/")
	}
	_, pattern := h.api.mux.Handler(clone)
	return pattern
}

// account is a registered owner with its token.
type account struct {
	token, refresh string
	accountID      float64
	userID         float64
	email          string
}

var emailSeq struct {
	sync.Mutex
	n int
}

func (h *harness) register(name string) account {
	h.t.Helper()
	emailSeq.Lock()
	emailSeq.n++
	email := name + "-" + itoa(emailSeq.n) + "@example.com"
	emailSeq.Unlock()
	res := h.do(req{method: "POST", path: "/api/v1/auth/register", body: map[string]any{"email": email, "password": "Passw0rd!", "name": name}})
	if res.status != 201 {
		h.t.Fatalf("register: %d %s", res.status, res.body)
	}
	m := res.json(h.t)
	return account{token: m["access_token"].(string), refresh: m["refresh_token"].(string),
		accountID: m["account"].(map[string]any)["id"].(float64), userID: m["user"].(map[string]any)["id"].(float64), email: email}
}

// create POSTs body and returns the new resource's id.
func (h *harness) create(token, path string, body any) float64 {
	h.t.Helper()
	res := h.do(req{method: "POST", path: path, token: token, body: body})
	if res.status != 201 {
		h.t.Fatalf("POST %s: %d %s", path, res.status, res.body)
	}
	return res.json(h.t)["id"].(float64)
}

func itoa(n int) string { return strconv.Itoa(n) }

// openAPISchemas validates answers against the served OpenAPI document.
type openAPISchemas struct {
	doc      map[string]any
	compiler *jsonschema.Compiler
	mu       sync.Mutex
	compiled map[string]*jsonschema.Schema
}

func loadSchemas(t *testing.T, api *Server) *openAPISchemas {
	t.Helper()
	raw, err := api.openAPIJSON()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("openapi.json", doc); err != nil {
		t.Fatal(err)
	}
	return &openAPISchemas{doc: doc.(map[string]any), compiler: c, compiled: map[string]*jsonschema.Schema{}}
}

func (o *openAPISchemas) check(t *testing.T, what, pattern string, res response) {
	t.Helper()
	if pattern == "" {
		// Not a route: the answer is a 404 or 405 error body.
		if res.status != 404 && res.status != 405 && res.status != 204 && res.status != 413 {
			t.Errorf("%s: no route, yet status %d", what, res.status)
		}
		if len(res.body) > 0 {
			o.validate(t, what, "#/components/schemas/Error", res)
		}
		return
	}
	method, path, _ := strings.Cut(pattern, " ")
	path = strings.TrimSuffix(path, "{$}") // the document names "/{$}" as "/"
	op, ok := o.doc["paths"].(map[string]any)[path].(map[string]any)[strings.ToLower(method)].(map[string]any)
	if !ok {
		t.Errorf("%s: route %q is not in the OpenAPI document", what, pattern)
		return
	}
	resp, ok := op["responses"].(map[string]any)[itoa(res.status)].(map[string]any)
	if !ok {
		t.Errorf("%s: status %d is not documented for %s", what, res.status, pattern)
		return
	}
	content, _ := resp["content"].(map[string]any)
	if content == nil {
		if len(res.body) != 0 {
			t.Errorf("%s: %d documents no body, got %s", what, res.status, res.body)
		}
		return
	}
	media, ok := content["application/json"].(map[string]any)
	if !ok {
		return // not JSON (docs)
	}
	ref, _ := media["schema"].(map[string]any)["$ref"].(string)
	if ref != "" {
		o.validate(t, what, ref, res)
	}
}

func (o *openAPISchemas) validate(t *testing.T, what, ref string, res response) {
	t.Helper()
	o.mu.Lock()
	sch, ok := o.compiled[ref]
	if !ok {
		var err error
		if sch, err = o.compiler.Compile("openapi.json" + ref); err != nil {
			o.mu.Unlock()
			t.Fatalf("compile %s: %v", ref, err)
		}
		o.compiled[ref] = sch
	}
	o.mu.Unlock()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(res.body))
	if err != nil {
		t.Errorf("%s: body is not JSON: %s", what, res.body)
		return
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("%s: %d body does not match %s: %v\nbody: %s", what, res.status, ref, err, res.body)
	}
}

// httptestTLSRequest serves one request that arrived over TLS.
func httptestTLSRequest(h *harness, path string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", "https://example.com"+path, nil)
	rec := httptest.NewRecorder()
	h.api.ServeHTTP(rec, r)
	return rec
}

// newTestRequest is a request from remoteAddr.
func newTestRequest(method, path, remoteAddr string) *http.Request {
	r := httptest.NewRequest(method, path, nil)
	r.RemoteAddr = remoteAddr
	return r
}

// httpNewRequest is a request with an optional bearer token.
func httpNewRequest(method, url, token string) (*http.Request, error) {
	r, err := http.NewRequest(method, url, nil)
	if err == nil && token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	return r, err
}
