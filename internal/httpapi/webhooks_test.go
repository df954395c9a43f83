package httpapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe/internal/service"
	"github.com/omnivibepro/omnivibe/internal/webhook"
)

// useWebhooks turns webhooks on in the harness. local lets them use http://
// URLs on this machine and reach loopback receivers, which every test that
// runs a receiver needs; without it the server's defaults apply.
func (h *harness) useWebhooks(local bool, tls *httptest.Server) {
	h.t.Helper()
	box, err := webhook.NewBox(testSecret)
	if err != nil {
		h.t.Fatal(err)
	}
	cfg := webhook.Config{Policy: webhook.Policy{AllowLoopback: local}}
	if tls != nil {
		cfg.TLS = tls.Client().Transport.(*http.Transport).TLSClientConfig
	}
	h.svc.UseWebhooks(h.queue, webhook.NewSender(cfg), box, service.WebhookConfig{AllowInsecure: local})
}

// delivery is one request a receiver got.
type delivery struct {
	header http.Header
	body   []byte
}

// hookReceiver is a local endpoint (the far side of the network, as a
// customer's server would be) that answers each request with the next of
// statuses (the last repeats) and hands what it got to the test.
func hookReceiver(t *testing.T, statuses ...int) (*httptest.Server, chan delivery) {
	got := make(chan delivery, 20)
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		status := statuses[min(n, len(statuses)-1)]
		n++
		mu.Unlock()
		w.WriteHeader(status)
		io.WriteString(w, `{"received":true}`)
		got <- delivery{r.Header.Clone(), b}
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

// next waits for the receiver's next request; the deadline only keeps a
// broken build from hanging, it measures nothing.
func next(t *testing.T, got chan delivery) delivery {
	t.Helper()
	select {
	case d := <-got:
		return d
	case <-time.After(30 * time.Second):
		t.Fatal("no delivery arrived")
		return delivery{}
	}
}

// standardWebhooksVerify is a receiver's check, written from the Standard
// Webhooks specification with the standard library only, sharing no code
// with the server's signing.
func standardWebhooksVerify(secret string, h http.Header, body []byte) bool {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, key)
	io.WriteString(mac, h.Get("webhook-id")+"."+h.Get("webhook-timestamp")+"."+string(body))
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, sig := range strings.Split(h.Get("webhook-signature"), " ") {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return true
		}
	}
	return false
}

func (h *harness) createHook(token, url string, events ...string) map[string]any {
	h.t.Helper()
	res := h.do(req{method: "POST", path: "/api/v1/webhooks", token: token, body: map[string]any{"url": url, "events": events}})
	if res.status != 201 {
		h.t.Fatalf("create webhook: %d %s", res.status, res.body)
	}
	return res.json(h.t)
}

func (h *harness) deliveries(token string, hookID float64) []any {
	h.t.Helper()
	res := h.do(req{method: "GET", path: "/api/v1/webhooks/" + itoa(int(hookID)) + "/deliveries", token: token})
	if res.status != 200 {
		h.t.Fatalf("deliveries: %d %s", res.status, res.body)
	}
	return res.json(h.t)["deliveries"].([]any)
}

// waitDelivery polls the deliveries until the first is in a final state.
func (h *harness) waitDelivery(token string, hookID float64, status string) map[string]any {
	h.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if ds := h.deliveries(token, hookID); len(ds) > 0 {
			d := ds[0].(map[string]any)
			if d["status"] == status {
				return d
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	h.t.Fatalf("no delivery reached %s: %v", status, h.deliveries(token, hookID))
	return nil
}

func TestWebhookRulesAndRoles(t *testing.T) {
	h := newHarness(t, Config{})
	h.useWebhooks(true, nil)
	owner := h.register("hookowner")
	stranger := h.register("hookstranger")
	for _, role := range []string{"member", "viewer"} {
		h.create(owner.token, "/api/v1/account/users", map[string]any{"email": role + "-hook@example.com", "name": role, "password": "Passw0rd!", "role": role})
	}
	login := func(email string) string {
		res := h.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]any{"email": email, "password": "Passw0rd!"}})
		return res.json(t)["access_token"].(string)
	}

	hook := h.createHook(owner.token, "https://hooks.example.com/omnivibe", "audio.succeeded", "audio.failed", "audio.succeeded")
	secret, _ := hook["secret"].(string)
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret %q, want whsec_...", secret)
	}
	if key, err := base64.StdEncoding.DecodeString(secret[6:]); err != nil || len(key) < 24 {
		t.Fatalf("secret key: %d bytes, %v; want at least 24", len(key), err)
	}
	if ev := hook["events"].([]any); len(ev) != 2 || hook["enabled"] != true {
		t.Fatalf("events %v enabled %v; want two events, enabled", ev, hook["enabled"])
	}
	id := itoa(int(hook["id"].(float64)))
	got := h.do(req{method: "GET", path: "/api/v1/webhooks/" + id, token: owner.token})
	if got.status != 200 || strings.Contains(string(got.body), secret[6:]) || strings.Contains(string(got.body), `"secret"`) {
		t.Fatalf("GET shows the secret again: %d %s", got.status, got.body)
	}
	if list := h.do(req{method: "GET", path: "/api/v1/webhooks", token: owner.token}); strings.Contains(string(list.body), `"secret"`) {
		t.Fatalf("the list shows secrets: %s", list.body)
	}

	for _, tc := range []struct {
		name        string
		method, p   string
		token       string
		body        any
		status      int
		field, code string
	}{
		{"member may not create", "POST", "/api/v1/webhooks", login("member-hook@example.com"), map[string]any{"url": "https://a.example/", "events": []string{"audio.failed"}}, 403, "", "forbidden"},
		{"viewer may not list", "GET", "/api/v1/webhooks", login("viewer-hook@example.com"), nil, 403, "", "forbidden"},
		{"member may not read", "GET", "/api/v1/webhooks/" + id, login("member-hook@example.com"), nil, 403, "", "forbidden"},
		{"other account: not found", "GET", "/api/v1/webhooks/" + id, stranger.token, nil, 404, "", "not_found"},
		{"other account may not delete", "DELETE", "/api/v1/webhooks/" + id, stranger.token, nil, 404, "", "not_found"},
		{"plain http elsewhere", "POST", "/api/v1/webhooks", owner.token, map[string]any{"url": "http://hooks.example.com/", "events": []string{"audio.failed"}}, 422, "url", "validation_error"},
		{"not a URL", "POST", "/api/v1/webhooks", owner.token, map[string]any{"url": "hooks", "events": []string{"audio.failed"}}, 422, "url", "validation_error"},
		{"credentials in the URL", "POST", "/api/v1/webhooks", owner.token, map[string]any{"url": "https://u:p@hooks.example.com/", "events": []string{"audio.failed"}}, 422, "url", "validation_error"},
		{"unknown event", "POST", "/api/v1/webhooks", owner.token, map[string]any{"url": "https://a.example/", "events": []string{"audio.done"}}, 422, "events", "validation_error"},
		{"no events", "POST", "/api/v1/webhooks", owner.token, map[string]any{"url": "https://a.example/", "events": []string{}}, 422, "events", "validation_error"},
		{"events missing", "POST", "/api/v1/webhooks", owner.token, map[string]any{"url": "https://a.example/"}, 422, "events", "validation_error"},
		{"events of the wrong type", "POST", "/api/v1/webhooks", owner.token, map[string]any{"url": "https://a.example/", "events": "audio.failed"}, 400, "", "invalid_json"},
		{"overlap too long", "POST", "/api/v1/webhooks/" + id + "/rotate-secret", owner.token, map[string]any{"overlap_seconds": 8 * 24 * 3600}, 422, "overlap_seconds", "validation_error"},
		{"moved to a private address", "PATCH", "/api/v1/webhooks/" + id, owner.token, map[string]any{"url": "https://[2002:a00:1::1]/"}, 422, "url", "validation_error"},
		{"delivery of another webhook", "POST", "/api/v1/webhooks/" + id + "/deliveries/999/retry", owner.token, nil, 404, "", "not_found"},
	} {
		res := h.do(req{method: tc.method, path: tc.p, token: tc.token, body: tc.body})
		if res.status != tc.status || res.code() != tc.code {
			t.Errorf("%s: got %d %s, want %d %s: %s", tc.name, res.status, res.code(), tc.status, tc.code, res.body)
		}
		if tc.field != "" && !strings.Contains(string(res.body), `"field":"`+tc.field+`"`) {
			t.Errorf("%s: the error does not name %s: %s", tc.name, tc.field, res.body)
		}
	}
	if n := len(h.do(req{method: "GET", path: "/api/v1/webhooks", token: owner.token}).json(t)["webhooks"].([]any)); n != 1 {
		t.Fatalf("%d webhooks after the refused requests, want 1", n)
	}

	patched := h.do(req{method: "PATCH", path: "/api/v1/webhooks/" + id, token: owner.token, body: map[string]any{"enabled": false, "events": []string{"script.generated"}}})
	if m := patched.json(t); patched.status != 200 || m["enabled"] != false || len(m["events"].([]any)) != 1 || m["url"] != "https://hooks.example.com/omnivibe" {
		t.Fatalf("patch: %d %s", patched.status, patched.body)
	}
	test := h.do(req{method: "POST", path: "/api/v1/webhooks/" + id + "/test", token: owner.token})
	if test.status != 409 {
		t.Fatalf("test of a disabled webhook: %d, want 409", test.status)
	}

	rotated := h.do(req{method: "POST", path: "/api/v1/webhooks/" + id + "/rotate-secret", token: owner.token, body: map[string]any{"overlap_seconds": 3600}})
	m := rotated.json(t)
	if rotated.status != 200 || m["secret"] == secret || !strings.HasPrefix(m["secret"].(string), "whsec_") || m["previous_secret_expires_at"] == nil {
		t.Fatalf("rotate: %d %s", rotated.status, rotated.body)
	}
	if del := h.do(req{method: "DELETE", path: "/api/v1/webhooks/" + id, token: owner.token}); del.status != 204 {
		t.Fatalf("delete: %d", del.status)
	}
	if res := h.do(req{method: "GET", path: "/api/v1/webhooks/" + id, token: owner.token}); res.status != 404 {
		t.Fatalf("after delete: %d", res.status)
	}
}

// By default, webhooks must use https and deliveries may not reach this
// machine: a local receiver gets nothing.
func TestWebhookDefaultsRefuseLocalReceivers(t *testing.T) {
	h := newHarness(t, Config{})
	got := make(chan struct{}, 1)
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got <- struct{}{} }))
	defer tlsSrv.Close()
	h.useWebhooks(false, tlsSrv)
	owner := h.register("hookdefaults")
	for _, u := range []string{"http://127.0.0.1:9/", "http://localhost:9/", "http://[::1]:9/"} {
		res := h.do(req{method: "POST", path: "/api/v1/webhooks", token: owner.token, body: map[string]any{"url": u, "events": []string{"audio.failed"}}})
		if res.status != 422 {
			t.Fatalf("%s: %d, want 422: %s", u, res.status, res.body)
		}
	}
	// An address is refused when the URL is saved: every form that leads
	// to this machine or its network, IPv6 forms carrying IPv4 included.
	for _, u := range []string{"https://127.0.0.1/", "https://[::1]/", "https://[::127.0.0.1]/", "https://[::ffff:127.0.0.1]/",
		"https://[2002:7f00:1::]/", "https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/", "https://[64:ff9b::a00:1]/", "https://10.0.0.1/",
		"https://169.254.169.254/"} {
		res := h.do(req{method: "POST", path: "/api/v1/webhooks", token: owner.token, body: map[string]any{"url": u, "events": []string{"audio.failed"}}})
		if res.status != 422 || !strings.Contains(string(res.body), `"field":"url"`) || !strings.Contains(string(res.body), "deliveries may reach") {
			t.Errorf("%s: %d %s, want 422 on url", u, res.status, res.body)
		}
	}
	for _, u := range []string{"https://93.184.216.34/", "https://[2002:5db8:d822::1]/", "https://[64:ff9b::5db8:d822]/"} {
		h.createHook(owner.token, u, "audio.failed") // public addresses, in each form
	}
	// A name is checked where it leads at every delivery.
	port := tlsSrv.URL[strings.LastIndex(tlsSrv.URL, ":")+1:]
	hook := h.createHook(owner.token, "https://localhost:"+port+"/hook", "script.generated")
	res := h.do(req{method: "POST", path: "/api/v1/webhooks/" + itoa(int(hook["id"].(float64))) + "/test", token: owner.token})
	if res.status != 202 {
		t.Fatalf("test: %d %s", res.status, res.body)
	}
	d := h.waitDelivery(owner.token, hook["id"].(float64), "failed")
	if e, _ := d["error"].(string); !strings.HasPrefix(e, "address not allowed: ") || !strings.HasSuffix(e, " is this machine") || d["next_attempt_at"] != nil {
		t.Fatalf("delivery %v; want failed for good, address not allowed", d)
	}
	select {
	case <-got:
		t.Fatal("the loopback receiver was reached")
	default:
	}
}

func TestWebhookDeliveriesAreSignedAndCarryTheTask(t *testing.T) {
	h := newHarness(t, Config{})
	h.useWebhooks(true, nil)
	srv, got := hookReceiver(t, 200)
	owner := h.register("hooksigned")
	hook := h.createHook(owner.token, srv.URL+"/in", "script.generated", "audio.succeeded", "audio.cancelled")
	secret := hook["secret"].(string)

	res := h.do(req{method: "POST", path: "/api/v1/writer/generate", token: owner.token,
		body: map[string]any{"topic": "spring sale", "language": "en", "target_duration": 30}})
	if res.status != 200 {
		t.Fatalf("generate: %d %s", res.status, res.body)
	}
	script := res.json(t)
	d := next(t, got)
	if !standardWebhooksVerify(secret, d.header, d.body) {
		t.Fatalf("signature does not verify: %v", d.header)
	}
	ts, err := strconv.ParseInt(d.header.Get("webhook-timestamp"), 10, 64)
	if err != nil || time.Since(time.Unix(ts, 0)).Abs() > time.Hour {
		t.Fatalf("webhook-timestamp %q is not the unix time of the attempt", d.header.Get("webhook-timestamp"))
	}
	var msg struct {
		Type      string          `json:"type"`
		Timestamp time.Time       `json:"timestamp"`
		Data      json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(d.body, &msg); err != nil || msg.Type != "script.generated" || msg.Timestamp.IsZero() {
		t.Fatalf("body %s: %v", d.body, err)
	}
	var data map[string]any
	json.Unmarshal(msg.Data, &data)
	if data["script_id"] != script["script_id"] || data["hook"] != script["hook"] {
		t.Fatalf("script data %v, want the generated script %v", data, script)
	}

	res = h.do(req{method: "POST", path: "/api/v1/audio/generate", token: owner.token, body: map[string]any{"text": "Hello there.", "language": "en"}})
	if res.status != 202 {
		t.Fatalf("audio: %d %s", res.status, res.body)
	}
	taskID := res.json(t)["task_id"].(string)
	d = next(t, got)
	if !standardWebhooksVerify(secret, d.header, d.body) {
		t.Fatal("audio delivery signature does not verify")
	}
	json.Unmarshal(d.body, &msg)
	status := h.do(req{method: "GET", path: "/api/v1/audio/status/" + taskID, token: owner.token})
	var sent, shown map[string]any
	json.Unmarshal(msg.Data, &sent)
	json.Unmarshal(status.body, &shown)
	if msg.Type != "audio.succeeded" || sent["task_id"] != taskID {
		t.Fatalf("audio event %s %v", msg.Type, sent["task_id"])
	}
	for k, v := range shown {
		if b1, _ := json.Marshal(v); string(b1) != func() string { b2, _ := json.Marshal(sent[k]); return string(b2) }() {
			t.Errorf("data.%s = %v, GET /audio/status shows %v", k, sent[k], v)
		}
	}
	ds := h.deliveries(owner.token, hook["id"].(float64))
	if len(ds) != 2 {
		t.Fatalf("%d deliveries listed, want 2", len(ds))
	}
	last := h.waitDelivery(owner.token, hook["id"].(float64), "succeeded")
	if last["attempts"] != float64(1) || last["response_code"] != float64(200) || last["response_body"] != `{"received":true}` ||
		last["message_id"] != d.header.Get("webhook-id") || last["duration_ms"] == nil {
		t.Fatalf("delivery record %v", last)
	}

	// Rotation: for the overlap, both secrets sign.
	id := itoa(int(hook["id"].(float64)))
	newSecret := h.do(req{method: "POST", path: "/api/v1/webhooks/" + id + "/rotate-secret", token: owner.token}).json(t)["secret"].(string)
	if res := h.do(req{method: "POST", path: "/api/v1/webhooks/" + id + "/test", token: owner.token}); res.status != 202 {
		t.Fatalf("test: %d %s", res.status, res.body)
	}
	d = next(t, got)
	if !standardWebhooksVerify(secret, d.header, d.body) || !standardWebhooksVerify(newSecret, d.header, d.body) {
		t.Fatalf("during the overlap both secrets must verify: %s", d.header.Get("webhook-signature"))
	}
	if !strings.Contains(string(d.body), `"type":"webhook.test"`) {
		t.Fatalf("test body %s", d.body)
	}
	// Without overlap, only the new secret signs.
	newest := h.do(req{method: "POST", path: "/api/v1/webhooks/" + id + "/rotate-secret", token: owner.token, body: map[string]any{"overlap_seconds": 0}}).json(t)["secret"].(string)
	h.do(req{method: "POST", path: "/api/v1/webhooks/" + id + "/test", token: owner.token})
	d = next(t, got)
	if !standardWebhooksVerify(newest, d.header, d.body) || standardWebhooksVerify(newSecret, d.header, d.body) {
		t.Fatalf("after a rotation without overlap only the newest secret may verify: %s", d.header.Get("webhook-signature"))
	}

	// Manual retry of a finished delivery: same message ID, one more attempt.
	first := h.waitDelivery(owner.token, hook["id"].(float64), "succeeded")
	retry := h.do(req{method: "POST", path: "/api/v1/webhooks/" + id + "/deliveries/" + itoa(int(first["id"].(float64))) + "/retry", token: owner.token})
	if retry.status != 202 {
		t.Fatalf("retry: %d %s", retry.status, retry.body)
	}
	d = next(t, got)
	if d.header.Get("webhook-id") != first["message_id"] {
		t.Fatalf("retried with webhook-id %q, want %q", d.header.Get("webhook-id"), first["message_id"])
	}
}

func TestWebhookGoneDisablesTheEndpoint(t *testing.T) {
	h := newHarness(t, Config{})
	h.useWebhooks(true, nil)
	srv, got := hookReceiver(t, http.StatusGone)
	owner := h.register("hookgone")
	hook := h.createHook(owner.token, srv.URL, "script.generated")
	hookID := hook["id"].(float64)
	h.do(req{method: "POST", path: "/api/v1/webhooks/" + itoa(int(hookID)) + "/test", token: owner.token})
	next(t, got)
	d := h.waitDelivery(owner.token, hookID, "failed")
	if d["response_code"] != float64(410) || d["next_attempt_at"] != nil {
		t.Fatalf("delivery %v; want failed on 410, nothing scheduled", d)
	}
	w := h.do(req{method: "GET", path: "/api/v1/webhooks/" + itoa(int(hookID)), token: owner.token}).json(t)
	if w["enabled"] != false || w["disabled_at"] == nil || !strings.Contains(w["disabled_reason"].(string), "410") {
		t.Fatalf("webhook after 410: %v", w)
	}
	// A disabled endpoint is sent nothing more.
	h.do(req{method: "POST", path: "/api/v1/writer/generate", token: owner.token, body: map[string]any{"topic": "after gone", "language": "en"}})
	if n := len(h.deliveries(owner.token, hookID)); n != 1 {
		t.Fatalf("%d deliveries, want 1: nothing for a disabled endpoint", n)
	}
	// Enabling it again clears the reason.
	w = h.do(req{method: "PATCH", path: "/api/v1/webhooks/" + itoa(int(hookID)), token: owner.token, body: map[string]any{"enabled": true}}).json(t)
	if w["enabled"] != true || w["disabled_reason"] != nil || w["failing_since"] != nil {
		t.Fatalf("re-enabled webhook %v", w)
	}
}

func TestWebhookServerErrorIsScheduledForRetry(t *testing.T) {
	h := newHarness(t, Config{})
	h.useWebhooks(true, nil)
	srv, got := hookReceiver(t, 500)
	owner := h.register("hookretry")
	hook := h.createHook(owner.token, srv.URL, "script.generated")
	hookID := hook["id"].(float64)
	h.do(req{method: "POST", path: "/api/v1/webhooks/" + itoa(int(hookID)) + "/test", token: owner.token})
	next(t, got)
	d := h.waitDelivery(owner.token, hookID, "retrying")
	last, _ := time.Parse(time.RFC3339Nano, d["last_attempt_at"].(string))
	nextAt, _ := time.Parse(time.RFC3339Nano, d["next_attempt_at"].(string))
	if wait := nextAt.Sub(last); wait < 20*time.Second || wait > 40*time.Second {
		t.Fatalf("next attempt %v after the first, want 30 s ± 20 %%", wait)
	}
	// River holds the job for exactly that time.
	var state string
	var scheduled any
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && state != "retryable"; time.Sleep(20 * time.Millisecond) {
		if err := h.store.Writer().QueryRow(`SELECT state, scheduled_at FROM river_job WHERE kind = 'webhook_delivery'`).Scan(&state, &scheduled); err != nil {
			t.Fatal(err)
		}
	}
	at := riverTime(t, scheduled)
	if state != "retryable" || at.Sub(nextAt).Abs() > time.Millisecond {
		t.Fatalf("job %s at %v, want retryable at %v", state, at, nextAt)
	}
	if res := h.do(req{method: "POST", path: "/api/v1/webhooks/" + itoa(int(hookID)) + "/deliveries/" + itoa(int(d["id"].(float64))) + "/retry", token: owner.token}); res.status != 409 {
		t.Fatalf("manual retry while one is scheduled: %d, want 409", res.status)
	}
	w := h.do(req{method: "GET", path: "/api/v1/webhooks/" + itoa(int(hookID)), token: owner.token}).json(t)
	if w["failing_since"] == nil || w["enabled"] != true {
		t.Fatalf("webhook after a 500: %v", w)
	}
}

// riverTime reads a time as River's SQLite driver stores it.
func riverTime(t *testing.T, v any) time.Time {
	t.Helper()
	switch x := v.(type) {
	case time.Time:
		return x
	case string:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999"} {
			if at, err := time.Parse(layout, x); err == nil {
				return at
			}
		}
	}
	t.Fatalf("cannot read River time %T %v", v, v)
	return time.Time{}
}

// webhookTenancyProbes are TestTenancy's requests on another account's
// webhook and delivery.
func webhookTenancyProbes(hookID, deliveryID float64) []req {
	return []req{
		{method: "GET", path: fmt.Sprintf("/api/v1/webhooks/%v", hookID)},
		{method: "PATCH", path: fmt.Sprintf("/api/v1/webhooks/%v", hookID), body: map[string]any{"url": "https://evil.example/"}},
		{method: "DELETE", path: fmt.Sprintf("/api/v1/webhooks/%v", hookID)},
		{method: "POST", path: fmt.Sprintf("/api/v1/webhooks/%v/rotate-secret", hookID)},
		{method: "POST", path: fmt.Sprintf("/api/v1/webhooks/%v/test", hookID)},
		{method: "GET", path: fmt.Sprintf("/api/v1/webhooks/%v/deliveries", hookID)},
		{method: "POST", path: fmt.Sprintf("/api/v1/webhooks/%v/deliveries/%v/retry", hookID, deliveryID)},
	}
}
