package main

// The probe suite repeats what an outside security probe of the embedded
// default tried (issue 25): tenancy across every route that takes an ID, the
// role matrix, tampered credentials, IDs reused after a delete, webhook
// addresses inside the server's network, and control characters in every
// text field. It runs against a real server, started as users start it
// (run, on a free port, with a temporary data directory), over plain HTTP
// so that requests no client would send can be sent. Every answer passes
// through one recorder, and any 5xx fails the test that got it.
//
// It lives here, beside the end-to-end test, because only package main can
// start the server through run; the route list comes from routes.go itself
// (httpapi.New(...).Routes()), so a route added there without a probe fails
// the suite's coverage checks.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe/internal/httpapi"
)

// probeSecret signs the probe server's tokens, so that the token tests can
// forge ones the server would accept and change one thing at a time.
const probeSecret = "probe-secret-probe-secret-probe-secret!"

// probePassword is every probe user's password.
const probePassword = "Passw0rd-probe"

// probe is one server and an HTTP client whose every answer is recorded.
type probe struct {
	t    *testing.T
	base string
	hc   *http.Client

	mu      sync.Mutex
	answers int
	failed  []string // the 5xx answers: method, path, status, body
	emails  int
}

// startProbe starts a server with the synthetic voice and no recognizer
// (voice-overs finish in milliseconds, with no speech engine installed), a
// known JWT secret, and extra on top.
func startProbe(t *testing.T, extra map[string]string) *probe {
	t.Helper()
	env := map[string]string{
		"OMNIVIBE_TTS":         "synthetic",
		"OMNIVIBE_STT":         "none",
		"OMNIVIBE_WORKERS":     "2",
		"OMNIVIBE_JWT_SECRET":  probeSecret,
		"OMNIVIBE_BACKUP_KEEP": "0",
		"OMNIVIBE_ACCESS_LOG":  "false",
	}
	maps.Copy(env, extra)
	srv := startServerWith(t, t.TempDir(), env)
	p := &probe{t: t, base: srv.base}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	p.hc = &http.Client{
		Transport:     recorder{p: p, next: transport},
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	// Registered after startServerWith's cleanup, so it runs before the
	// server stops.
	t.Cleanup(func() {
		transport.CloseIdleConnections()
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, f := range p.failed {
			t.Errorf("a 5xx answer: %s", f)
		}
		t.Logf("%d answers, %d of them 5xx", p.answers, len(p.failed))
	})
	return p
}

// recorder counts every answer and keeps the 5xx ones.
type recorder struct {
	p    *probe
	next http.RoundTripper
}

func (r recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := r.next.RoundTrip(req)
	if err != nil {
		return res, err
	}
	r.p.mu.Lock()
	defer r.p.mu.Unlock()
	r.p.answers++
	if res.StatusCode >= 500 {
		body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
		res.Body.Close()
		res.Body = io.NopCloser(bytes.NewReader(body))
		r.p.failed = append(r.p.failed, fmt.Sprintf("%s %s: %d %.300s", req.Method, req.URL.RequestURI(), res.StatusCode, body))
	}
	return res, nil
}

// call is one request.
type call struct {
	method, path string
	token        string            // sent as Authorization: Bearer
	header       map[string]string // more headers; "" deletes one
	body         any               // string or []byte: sent as is; other values: as JSON
}

// reply is one answer.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) String() string { return fmt.Sprintf("%d %.400s", r.status, r.body) }

// object decodes the body as a JSON object (nil if it is not one).
func (r reply) object() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(r.body, &m)
	return m
}

// code is the error answer's error_code.
func (r reply) code() string {
	s, _ := r.object()["error_code"].(string)
	return s
}

// fields are the fields the error answer names.
func (r reply) fields() []string {
	var out []string
	errs, _ := r.object()["errors"].([]any)
	for _, e := range errs {
		if m, ok := e.(map[string]any); ok {
			f, _ := m["field"].(string)
			out = append(out, f)
		}
	}
	return out
}

// id is the number the body holds under key (the resource's "id" by default).
func (r reply) id(key ...string) int64 {
	k := "id"
	if len(key) > 0 {
		k = key[0]
	}
	f, _ := r.object()[k].(float64)
	return int64(f)
}

func (p *probe) do(c call) reply {
	p.t.Helper()
	var body io.Reader
	switch b := c.body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			p.t.Fatal(err)
		}
		body = bytes.NewReader(enc)
	}
	req, err := http.NewRequestWithContext(p.t.Context(), c.method, p.base+c.path, body)
	if err != nil {
		p.t.Fatalf("%s %s: %v", c.method, c.path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range c.header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	res, err := p.hc.Do(req)
	if err != nil {
		p.t.Fatalf("%s %s: %v", c.method, c.path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		p.t.Fatalf("%s %s: reading the answer: %v", c.method, c.path, err)
	}
	return reply{status: res.StatusCode, header: res.Header, body: data}
}

// must sends c and fails the test unless the answer has status want.
func (p *probe) must(want int, c call) reply {
	p.t.Helper()
	r := p.do(c)
	if r.status != want {
		p.t.Fatalf("%s %s: got %s, want %d", c.method, c.path, r, want)
	}
	return r
}

// user is a signed-in user.
type user struct {
	id, accountID int64
	email         string
	token         string // access token
	refresh       string
}

func (p *probe) nextEmail(name string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.emails++
	return fmt.Sprintf("%s-%d@probe.example", name, p.emails)
}

// register creates an account and its owner, and moves it to the pro plan
// (no monthly quota gets in the way of the probes).
func (p *probe) register(name string) user {
	p.t.Helper()
	email := p.nextEmail(name)
	r := p.must(201, call{method: "POST", path: "/api/v1/auth/register",
		body: map[string]any{"email": email, "password": probePassword, "name": name, "account_name": name + " agency"}})
	u := tokenUser(r, email)
	p.must(200, call{method: "PUT", path: "/api/v1/billing/plan", token: u.token, body: map[string]any{"plan": "pro"}})
	return u
}

func tokenUser(r reply, email string) user {
	m := r.object()
	u, _ := m["user"].(map[string]any)
	a, _ := m["account"].(map[string]any)
	access, _ := m["access_token"].(string)
	refresh, _ := m["refresh_token"].(string)
	uid, _ := u["id"].(float64)
	aid, _ := a["id"].(float64)
	return user{id: int64(uid), accountID: int64(aid), email: email, token: access, refresh: refresh}
}

// login signs email in.
func (p *probe) login(email string) user {
	p.t.Helper()
	r := p.must(200, call{method: "POST", path: "/api/v1/auth/login", body: map[string]any{"email": email, "password": probePassword}})
	return tokenUser(r, email)
}

// addMember adds a user of role to owner's account and signs it in.
func (p *probe) addMember(by user, name, role string) user {
	p.t.Helper()
	email := p.nextEmail(name)
	r := p.must(201, call{method: "POST", path: "/api/v1/account/users", token: by.token,
		body: map[string]any{"email": email, "name": name, "password": probePassword, "role": role}})
	u := p.login(email)
	if u.id != r.id() {
		p.t.Fatalf("the member added has id %d, its sign-in %d", r.id(), u.id)
	}
	return u
}

// create POSTs body and returns the new resource's id.
func (p *probe) create(token, path string, body any) int64 {
	p.t.Helper()
	return p.must(201, call{method: "POST", path: path, token: token, body: body}).id()
}

// apiKey creates an API key of u and returns its id and the key.
func (p *probe) apiKey(u user, name string) (int64, string) {
	p.t.Helper()
	r := p.must(201, call{method: "POST", path: "/api/v1/auth/api-keys", token: u.token, body: map[string]any{"name": name}})
	key, _ := r.object()["key"].(string)
	return r.id(), key
}

// audioTask queues a voice-over and waits for it to finish.
func (p *probe) audioTask(token string, body map[string]any) string {
	p.t.Helper()
	r := p.must(202, call{method: "POST", path: "/api/v1/audio/generate", token: token, body: body})
	id, _ := r.object()["task_id"].(string)
	p.waitFor("audio task "+id, func() bool {
		s, _ := p.must(200, call{method: "GET", path: "/api/v1/audio/status/" + id, token: token}).object()["status"].(string)
		return s != "queued" && s != "running"
	})
	return id
}

// testDelivery sends a webhook's test event and waits until its first
// attempt was made.
func (p *probe) testDelivery(token string, hookID int64) map[string]any {
	p.t.Helper()
	d := p.must(202, call{method: "POST", path: fmt.Sprintf("/api/v1/webhooks/%d/test", hookID), token: token}).object()
	return p.waitDelivery(token, hookID, int64(d["id"].(float64)))
}

// waitDelivery waits until a delivery's first attempt was made, and returns it.
func (p *probe) waitDelivery(token string, hookID, deliveryID int64) map[string]any {
	p.t.Helper()
	var found map[string]any
	p.waitFor(fmt.Sprintf("delivery %d of webhook %d", deliveryID, hookID), func() bool {
		page := p.must(200, call{method: "GET", path: fmt.Sprintf("/api/v1/webhooks/%d/deliveries?page_size=100", hookID), token: token}).object()
		list, _ := page["deliveries"].([]any)
		for _, d := range list {
			m := d.(map[string]any)
			if int64(m["id"].(float64)) == deliveryID && m["status"] != "pending" {
				found = m
				return true
			}
		}
		return false
	})
	return found
}

// waitFor polls cond for up to 20 s; it is a guard against a hang, not a
// speed requirement.
func (p *probe) waitFor(what string, cond func() bool) {
	p.t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: still not done after 20 s", what)
		}
	}
}

// routes are the patterns of routes.go, as the server registers them.
func routes(t *testing.T) []string {
	t.Helper()
	list := httpapi.New(nil, httpapi.Config{}, slog.New(slog.DiscardHandler)).Routes()
	if len(list) < 50 {
		t.Fatalf("only %d routes: the route list is not the server's", len(list))
	}
	return list
}

// idRoutes are the routes that take the ID of a resource in their path.
func idRoutes(t *testing.T) []string {
	var out []string
	for _, r := range routes(t) {
		if strings.Contains(r, "{") && !strings.Contains(r, "{asset}") && !strings.HasSuffix(r, "{$}") {
			out = append(out, r)
		}
	}
	return out
}

// openAPI is the document the server serves, decoded.
type openAPI struct {
	Paths      map[string]map[string]operationDoc `json:"paths"`
	Components struct {
		Schemas map[string]schemaDoc `json:"schemas"`
	} `json:"components"`
}

type operationDoc struct {
	Security    []map[string][]string `json:"security"`
	RequestBody *struct {
		Content map[string]struct {
			Schema schemaDoc `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
}

type schemaDoc struct {
	Ref        string               `json:"$ref"`
	Type       any                  `json:"type"` // "string" or ["string", "null"]
	Enum       []any                `json:"enum"`
	Format     string               `json:"format"`
	Properties map[string]schemaDoc `json:"properties"`
	Items      *schemaDoc           `json:"items"`
	AnyOf      []schemaDoc          `json:"anyOf"`
}

func (p *probe) openAPI() openAPI {
	p.t.Helper()
	var doc openAPI
	if err := json.Unmarshal(p.must(200, call{method: "GET", path: "/openapi.json"}).body, &doc); err != nil {
		p.t.Fatal(err)
	}
	return doc
}

// operation is the document's operation of a route pattern.
func (d openAPI) operation(pattern string) (operationDoc, bool) {
	method, path, _ := strings.Cut(pattern, " ")
	path = strings.TrimSuffix(path, "{$}")
	op, ok := d.Paths[path][strings.ToLower(method)]
	return op, ok
}

// authed reports whether the document says a route needs credentials.
func (d openAPI) authed(pattern string) bool {
	op, _ := d.operation(pattern)
	return len(op.Security) > 0 && len(op.Security[0]) > 0
}

// resolve follows a schema's $ref.
func (d openAPI) resolve(s schemaDoc) schemaDoc {
	if name, ok := strings.CutPrefix(s.Ref, "#/components/schemas/"); ok {
		return d.Components.Schemas[name]
	}
	return s
}

func (s schemaDoc) isString() bool {
	switch t := s.Type.(type) {
	case string:
		return t == "string" && s.Format != "binary"
	case []any:
		return slices.Contains(t, any("string")) && s.Format != "binary"
	}
	return false
}

func (s schemaDoc) isArray() bool {
	switch t := s.Type.(type) {
	case string:
		return t == "array"
	case []any:
		return slices.Contains(t, any("array"))
	}
	return false
}

// textFields lists the text fields of a request schema, as paths: "name",
// "keywords[]" (every item), "blocks[].text" (a field of every item).
func (d openAPI) textFields(s schemaDoc, prefix string) []string {
	s = d.resolve(s)
	if len(s.AnyOf) > 0 {
		for _, alt := range s.AnyOf {
			if out := d.textFields(alt, prefix); len(out) > 0 {
				return out
			}
		}
		return nil
	}
	switch {
	case s.isString():
		return []string{prefix}
	case s.isArray() && s.Items != nil:
		return d.textFields(*s.Items, prefix+"[]")
	}
	var out []string
	for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
		field := name
		if prefix != "" {
			field = prefix + "." + name
		}
		out = append(out, d.textFields(s.Properties[name], field)...)
	}
	return out
}
