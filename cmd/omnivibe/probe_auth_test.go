package main

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// sign makes a JWT of claims with method and key.
func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// hs256 signs header.payload (both JSON) with HMAC-SHA256 and the server's
// secret, whatever the header says.
func hs256(header, payload string) string {
	enc := base64.RawURLEncoding
	unsigned := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	mac := hmac.New(sha256.New, []byte(probeSecret))
	mac.Write([]byte(unsigned))
	return unsigned + "." + enc.EncodeToString(mac.Sum(nil))
}

// claimsOf decodes a JWT's payload.
func claimsOf(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// withClaims is claims with some changed (a nil value deletes the claim).
func withClaims(claims jwt.MapClaims, changes map[string]any) jwt.MapClaims {
	out := jwt.MapClaims{}
	for k, v := range claims {
		out[k] = v
	}
	for k, v := range changes {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// TestProbeTokens sends tampered, forged, expired, revoked and misplaced
// credentials to routes that read, write and mint credentials: each answers
// 401 unauthorized, and nothing is made. The claims of a token the server
// issued, signed again with its secret, work: every case fails for its own
// flaw.
func TestProbeTokens(t *testing.T) {
	p := startProbe(t, nil)
	a := p.register("tokens")
	other := p.register("tokens-other")
	now := time.Now()
	// The claims of a token the server issued, whatever they are, signed
	// again with its secret: each case below changes one thing of it.
	valid := jwt.MapClaims(claimsOf(t, a.token))
	if r := p.do(call{method: "GET", path: "/api/v1/auth/me", token: sign(t, jwt.SigningMethodHS256, []byte(probeSecret), valid)}); r.status != 200 {
		t.Fatalf("the server's own claims signed with its secret: got %s, want 200", r)
	}

	// A member removed, with the token and API key it had.
	gone := p.addMember(a, "gone", "viewer")
	_, goneKey := p.apiKey(gone, "gone's key")
	p.must(204, call{method: "DELETE", path: fmt.Sprintf("/api/v1/account/users/%d", gone.id), token: a.token})
	// A revoked API key.
	revokedID, revoked := p.apiKey(a, "revoked")
	p.must(204, call{method: "DELETE", path: fmt.Sprintf("/api/v1/auth/api-keys/%d", revokedID), token: a.token})
	_, live := p.apiKey(a, "live")

	parts := strings.Split(a.token, ".")
	enc := base64.RawURLEncoding
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	otherPayload, _ := json.Marshal(withClaims(jwt.MapClaims(claimsOf(t, a.token)), map[string]any{"sub": fmt.Sprint(other.id), "acc": other.accountID}))
	validPayload, _ := json.Marshal(valid)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	secret := []byte(probeSecret)
	bearer := func(token string) map[string]string { return map[string]string{"Authorization": "Bearer " + token} }
	cases := map[string]map[string]string{
		"no credentials":                         {},
		"signature changed":                      bearer(parts[0] + "." + parts[1] + "." + flip(parts[2], 10)),
		"signature removed":                      bearer(parts[0] + "." + parts[1] + "."),
		"payload of another user, old signature": bearer(parts[0] + "." + enc.EncodeToString(otherPayload) + "." + parts[2]),
		"alg none":                               bearer(sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, valid)),
		"alg none with the old signature":        bearer(enc.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "." + parts[2]),
		"alg NONE":                               bearer(enc.EncodeToString([]byte(`{"alg":"NONE","typ":"JWT"}`)) + "." + enc.EncodeToString(validPayload) + "."),
		"HS384 with the server's secret":         bearer(sign(t, jwt.SigningMethodHS384, secret, valid)),
		"HS512 with the server's secret":         bearer(sign(t, jwt.SigningMethodHS512, secret, valid)),
		"HS256 with another secret":              bearer(sign(t, jwt.SigningMethodHS256, []byte("another-secret-another-secret-another!"), valid)),
		"RS256 with its own key":                 bearer(sign(t, jwt.SigningMethodRS256, rsaKey, valid)),
		"PS256 with its own key":                 bearer(sign(t, jwt.SigningMethodPS256, rsaKey, valid)),
		"ES256 with its own key":                 bearer(sign(t, jwt.SigningMethodES256, ecKey, valid)),
		"EdDSA with its own key":                 bearer(sign(t, jwt.SigningMethodEdDSA, edKey, valid)),
		"RS256 header, HMAC signature":           bearer(hs256(`{"alg":"RS256","typ":"JWT"}`, string(validPayload))),
		"expired":                                bearer(sign(t, jwt.SigningMethodHS256, secret, withClaims(valid, map[string]any{"exp": now.Add(-time.Minute).Unix()}))),
		"expired a second ago":                   bearer(sign(t, jwt.SigningMethodHS256, secret, withClaims(valid, map[string]any{"exp": now.Add(-time.Second).Unix()}))),
		"without expiry":                         bearer(sign(t, jwt.SigningMethodHS256, secret, withClaims(valid, map[string]any{"exp": nil}))),
		"not valid before an hour from now":      bearer(sign(t, jwt.SigningMethodHS256, secret, withClaims(valid, map[string]any{"nbf": now.Add(time.Hour).Unix()}))),
		"another issuer":                         bearer(sign(t, jwt.SigningMethodHS256, secret, withClaims(valid, map[string]any{"iss": "someone-else"}))),
		"no issuer":                              bearer(sign(t, jwt.SigningMethodHS256, secret, withClaims(valid, map[string]any{"iss": nil}))),
		"subject not a number":                   bearer(sign(t, jwt.SigningMethodHS256, secret, withClaims(valid, map[string]any{"sub": "admin"}))),
		"subject 0":                              bearer(sign(t, jwt.SigningMethodHS256, secret, withClaims(valid, map[string]any{"sub": "0"}))),
		"subject of no user":                     bearer(sign(t, jwt.SigningMethodHS256, secret, withClaims(valid, map[string]any{"sub": "999999"}))),
		"no account":                             bearer(sign(t, jwt.SigningMethodHS256, secret, withClaims(valid, map[string]any{"acc": nil}))),
		"account as text":                        bearer(sign(t, jwt.SigningMethodHS256, secret, withClaims(valid, map[string]any{"acc": fmt.Sprint(a.accountID)}))),
		"another account":                        bearer(sign(t, jwt.SigningMethodHS256, secret, withClaims(valid, map[string]any{"acc": other.accountID}))),
		"token of a removed member":              bearer(gone.token),
		"API key of a removed member":            {"X-API-Key": goneKey},
		"API key of a removed member as Bearer":  bearer(goneKey),
		"refresh token as access token":          bearer(a.refresh),
		"refresh token as API key":               {"X-API-Key": a.refresh},
		"revoked API key":                        {"X-API-Key": revoked},
		"revoked API key as Bearer":              bearer(revoked),
		"API key with a character changed":       {"X-API-Key": flip(live, 20)},
		"API key prefix only":                    {"X-API-Key": "ovp_"},
		"API key of the wrong size":              {"X-API-Key": live + "A"},
		"garbage":                                bearer("abc"),
		"three dots":                             bearer("a.b.c"),
		"empty segments":                         bearer(".."),
		"JSON":                                   bearer(`{"sub":"1"}`),
		"8 KiB token":                            bearer(strings.Repeat("A", 8<<10)),
		"two tokens":                             bearer(a.token + " " + a.token),
		"Bearer without token":                   {"Authorization": "Bearer "},
		"Basic scheme":                           {"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(a.email+":"+probePassword))},
		"Token scheme":                           {"Authorization": "Token " + a.token},
		"bare token":                             {"Authorization": a.token},
		"tampered studio cookie":                 {"Cookie": "ovp_access=" + parts[0] + "." + parts[1] + "." + flip(parts[2], 5)},
	}
	mint := func() call {
		return call{method: "POST", path: "/api/v1/auth/api-keys", body: map[string]any{"name": "minted"}}
	}
	for _, name := range slices.Sorted(maps.Keys(cases)) {
		for _, c := range []call{
			{method: "GET", path: "/api/v1/auth/me"},
			{method: "GET", path: "/api/v1/campaigns"},
			{method: "POST", path: "/api/v1/clients", body: map[string]any{"name": "made with " + name}},
			mint(),
		} {
			c.header = cases[name]
			r := p.do(c)
			if strings.HasPrefix(name, "tampered studio cookie") && c.method != "GET" && r.status == 403 {
				continue // refused before its token is read: no CSRF header
			}
			if r.status != 401 || r.code() != "unauthorized" {
				t.Errorf("%s: %s %s: got %s, want 401 unauthorized", name, c.method, c.path, r)
			}
		}
	}
	// An access token in the query string is not a credential.
	if r := p.do(call{method: "GET", path: "/api/v1/auth/me?access_token=" + a.token}); r.status != 401 {
		t.Errorf("a token in the query: got %s, want 401", r)
	}
	// Nothing was made: the account has no client, and only the live key.
	if r := p.must(200, call{method: "GET", path: "/api/v1/clients", token: a.token}); r.object()["total"] != 0.0 {
		t.Errorf("clients were made with bad credentials: %s", r)
	}
	if r := p.must(200, call{method: "GET", path: "/api/v1/auth/api-keys", token: a.token}); strings.Count(string(r.body), `"id"`) != 1 {
		t.Errorf("API keys were minted with bad credentials: %s", r)
	}
	// The genuine credentials still work.
	p.must(200, call{method: "GET", path: "/api/v1/auth/me", token: a.token})
	p.must(200, call{method: "GET", path: "/api/v1/auth/me", header: map[string]string{"X-API-Key": live}})

	t.Run("studio session", func(t *testing.T) { probeStudioSession(t, p) })
}

// probeStudioSession checks the studio's cookie session: the CSRF token is
// the one the session was given (a cookie and header of the attacker's
// choosing are refused), the Origin check includes the scheme, and a
// sign-out that clears the cookies also ends the refresh token.
func probeStudioSession(t *testing.T, p *probe) {
	owner := p.register("studio")
	host := strings.TrimPrefix(p.base, "http://")
	signIn := func() map[string]*http.Cookie {
		t.Helper()
		r := p.must(200, call{method: "POST", path: "/studio/session", body: map[string]any{"email": owner.email, "password": probePassword}})
		jar := map[string]*http.Cookie{}
		for _, c := range (&http.Response{Header: r.header}).Cookies() {
			jar[c.Name] = c
		}
		if jar["ovp_access"] == nil || jar["ovp_refresh"] == nil || jar["ovp_csrf"] == nil {
			t.Fatalf("sign-in set cookies %v", r.header.Values("Set-Cookie"))
		}
		return jar
	}
	cookies := func(jar map[string]*http.Cookie, csrf string) string {
		return fmt.Sprintf("ovp_access=%s; ovp_refresh=%s; ovp_csrf=%s", jar["ovp_access"].Value, jar["ovp_refresh"].Value, csrf)
	}
	jar := signIn()
	create := func(header map[string]string) reply {
		return p.do(call{method: "POST", path: "/api/v1/clients", body: map[string]any{"name": fmt.Sprintf("studio client %d", time.Now().UnixNano())}, header: header})
	}
	if r := create(map[string]string{"Cookie": cookies(jar, jar["ovp_csrf"].Value), "X-CSRF-Token": jar["ovp_csrf"].Value, "Origin": "http://" + host}); r.status != 201 {
		t.Fatalf("the studio's own request: got %s, want 201", r)
	}
	for name, header := range map[string]map[string]string{
		"CSRF cookie and header of the attacker's choosing": {"Cookie": cookies(jar, "aaaa"), "X-CSRF-Token": "aaaa"},
		"CSRF header without the cookie":                    {"Cookie": fmt.Sprintf("ovp_access=%s", jar["ovp_access"].Value), "X-CSRF-Token": jar["ovp_csrf"].Value},
		"no CSRF header":                                    {"Cookie": cookies(jar, jar["ovp_csrf"].Value)},
		"https Origin on plain http":                        {"Cookie": cookies(jar, jar["ovp_csrf"].Value), "X-CSRF-Token": jar["ovp_csrf"].Value, "Origin": "https://" + host},
		"another Origin":                                    {"Cookie": cookies(jar, jar["ovp_csrf"].Value), "X-CSRF-Token": jar["ovp_csrf"].Value, "Origin": "http://evil.example"},
	} {
		if r := create(header); r.status != 403 || r.code() != "forbidden" {
			t.Errorf("%s: got %s, want 403 forbidden", name, r)
		}
	}
	// The CSRF token of another session does not fit this one.
	second := signIn()
	if r := create(map[string]string{"Cookie": cookies(jar, second["ovp_csrf"].Value), "X-CSRF-Token": second["ovp_csrf"].Value}); r.status != 403 {
		t.Errorf("another session's CSRF token: got %s, want 403", r)
	}

	// A sign-out without the CSRF header either is refused or ends the
	// refresh token; it may not clear the cookies and leave the token good.
	jar = signIn()
	out := p.do(call{method: "DELETE", path: "/studio/session", header: map[string]string{"Cookie": cookies(jar, jar["ovp_csrf"].Value)}})
	if out.status != 403 && out.status != 204 {
		t.Fatalf("sign-out without the CSRF header: got %s, want 403 or 204", out)
	}
	refresh := p.do(call{method: "POST", path: "/studio/session/refresh",
		header: map[string]string{"Cookie": cookies(jar, jar["ovp_csrf"].Value), "X-CSRF-Token": jar["ovp_csrf"].Value}})
	if out.status == 204 && refresh.status != 401 {
		t.Errorf("sign-out without the CSRF header answered 204 (cookies cleared), yet the refresh token still works: %s", refresh)
	}
	if out.status == 403 && refresh.status != 200 {
		t.Errorf("sign-out without the CSRF header was refused, yet the session ended: %s", refresh)
	}
}

// hookReceiver is a customer's webhook endpoint (the far side of the
// network): it answers with statuses in turn (the last one for ever) and
// counts the requests, by webhook-id.
type hookReceiver struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int
	got      []string
}

func newHookReceiver(t *testing.T, statuses ...int) *hookReceiver {
	h := &hookReceiver{statuses: statuses}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.got = append(h.got, r.Header.Get("webhook-id"))
		status := h.statuses[min(len(h.got), len(h.statuses))-1]
		h.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookReceiver) requests() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.got)
}

// TestProbeIDReuse repeats the probe's reproduction: a member removed and a
// new one added must not share an ID, and the removed member's token and API
// key must not come back as the new member's. No kind of resource hands a
// deleted row's ID to the next one, and (unless -short) a deleted webhook's
// pending retry does not act on the delivery of another account's webhook.
func TestProbeIDReuse(t *testing.T) {
	p := startProbe(t, map[string]string{"OMNIVIBE_WEBHOOKS_ALLOW_INSECURE": "true"})
	owner := p.register("reuse")

	t.Run("a removed member's token", func(t *testing.T) {
		viewer := p.addMember(owner, "viewer", "viewer")
		_, key := p.apiKey(viewer, "viewer's key")
		p.must(204, call{method: "DELETE", path: fmt.Sprintf("/api/v1/account/users/%d", viewer.id), token: owner.token})
		for what, h := range map[string]map[string]string{"token": {"Authorization": "Bearer " + viewer.token}, "API key": {"X-API-Key": key}} {
			if r := p.do(call{method: "GET", path: "/api/v1/auth/me", header: h}); r.status != 401 {
				t.Fatalf("the removed member's %s: got %s, want 401", what, r)
			}
		}
		admin := p.addMember(owner, "admin", "admin")
		if admin.id == viewer.id {
			t.Errorf("the admin added after the viewer was removed got the viewer's id %d", viewer.id)
		}
		for what, h := range map[string]map[string]string{"token": {"Authorization": "Bearer " + viewer.token}, "API key": {"X-API-Key": key}} {
			if r := p.do(call{method: "GET", path: "/api/v1/auth/me", header: h}); r.status != 401 {
				t.Errorf("the removed viewer's %s after an admin was added: got %s, want 401", what, r)
			}
			if r := p.do(call{method: "POST", path: "/api/v1/auth/api-keys", header: h, body: map[string]any{"name": "forever"}}); r.status != 401 {
				t.Errorf("the removed viewer's %s minted an API key after an admin was added: got %s, want 401", what, r)
			}
			if r := p.do(call{method: "GET", path: "/api/v1/account/users", header: h}); r.status != 401 {
				t.Errorf("the removed viewer's %s lists the members after an admin was added: got %s, want 401", what, r)
			}
		}
		// The admin's own API keys: none was made for it.
		if r := p.must(200, call{method: "GET", path: "/api/v1/auth/api-keys", token: admin.token}); strings.Contains(string(r.body), `"id"`) {
			t.Errorf("the new admin has API keys it never made: %s", r)
		}
	})

	t.Run("every kind of resource", func(t *testing.T) {
		hooks := newHookReceiver(t, 204)
		tok := owner.token
		client := p.create(tok, "/api/v1/clients", map[string]any{"name": "keeper"})
		campaign := p.create(tok, "/api/v1/campaigns", map[string]any{"client_id": client, "name": "keeper"})
		// kinds make one resource, delete it and make the next: the next
		// must not get the deleted one's ID, and the old ID answers 404.
		kinds := []struct {
			name   string
			make   func() int64
			delete func(id int64)
			get    func(id int64) call
		}{
			{"client", func() int64 {
				return p.create(tok, "/api/v1/clients", map[string]any{"name": fmt.Sprintf("c%d", time.Now().UnixNano())})
			},
				func(id int64) {
					p.must(204, call{method: "DELETE", path: fmt.Sprintf("/api/v1/clients/%d", id), token: tok})
				},
				func(id int64) call { return call{method: "GET", path: fmt.Sprintf("/api/v1/clients/%d", id)} }},
			{"campaign", func() int64 {
				return p.create(tok, "/api/v1/campaigns", map[string]any{"client_id": client, "name": fmt.Sprintf("c%d", time.Now().UnixNano())})
			},
				func(id int64) {
					p.must(204, call{method: "DELETE", path: fmt.Sprintf("/api/v1/campaigns/%d", id), token: tok})
				},
				func(id int64) call { return call{method: "GET", path: fmt.Sprintf("/api/v1/campaigns/%d", id)} }},
			{"content", func() int64 {
				return p.create(tok, fmt.Sprintf("/api/v1/campaigns/%d/contents", campaign), map[string]any{"topic": "t", "platform": "youtube"})
			},
				func(id int64) {
					p.must(204, call{method: "DELETE", path: fmt.Sprintf("/api/v1/contents/%d", id), token: tok})
				},
				func(id int64) call { return call{method: "GET", path: fmt.Sprintf("/api/v1/contents/%d", id)} }},
			{"API key", func() int64 { id, _ := p.apiKey(owner, "k"); return id },
				func(id int64) {
					p.must(204, call{method: "DELETE", path: fmt.Sprintf("/api/v1/auth/api-keys/%d", id), token: tok})
				},
				func(id int64) call { return call{method: "DELETE", path: fmt.Sprintf("/api/v1/auth/api-keys/%d", id)} }},
			{"member", func() int64 { return p.addMember(owner, "m", "member").id },
				func(id int64) {
					p.must(204, call{method: "DELETE", path: fmt.Sprintf("/api/v1/account/users/%d", id), token: tok})
				},
				func(id int64) call { return call{method: "DELETE", path: fmt.Sprintf("/api/v1/account/users/%d", id)} }},
			{"webhook", func() int64 {
				return p.create(tok, "/api/v1/webhooks", map[string]any{"url": hooks.URL + "/in", "events": []string{"audio.failed"}})
			},
				func(id int64) {
					p.must(204, call{method: "DELETE", path: fmt.Sprintf("/api/v1/webhooks/%d", id), token: tok})
				},
				func(id int64) call { return call{method: "GET", path: fmt.Sprintf("/api/v1/webhooks/%d", id)} }},
		}
		for _, k := range kinds {
			first := k.make()
			k.delete(first)
			next := k.make()
			if next == first {
				t.Errorf("a new %s got the id of the one just deleted (%d)", k.name, first)
			}
			if r := p.do(withToken(k.get(first), tok)); r.status != 404 {
				t.Errorf("the deleted %s %d: got %s, want 404", k.name, first, r)
			}
		}

		// Scripts and deliveries go with what holds them.
		content := p.create(tok, fmt.Sprintf("/api/v1/campaigns/%d/contents", campaign), map[string]any{"topic": "t", "platform": "youtube"})
		script := p.must(200, call{method: "PUT", path: fmt.Sprintf("/api/v1/contents/%d/script", content), token: tok, body: scriptBody("first")}).id("script_id")
		p.must(204, call{method: "DELETE", path: fmt.Sprintf("/api/v1/contents/%d", content), token: tok})
		content = p.create(tok, fmt.Sprintf("/api/v1/campaigns/%d/contents", campaign), map[string]any{"topic": "t", "platform": "youtube"})
		if next := p.must(200, call{method: "PUT", path: fmt.Sprintf("/api/v1/contents/%d/script", content), token: tok, body: scriptBody("next")}).id("script_id"); next == script {
			t.Errorf("a new script got the id of the deleted content's script (%d)", script)
		}
		hook := p.create(tok, "/api/v1/webhooks", map[string]any{"url": hooks.URL + "/in", "events": []string{"audio.failed"}})
		delivery := int64(p.testDelivery(tok, hook)["id"].(float64))
		p.must(204, call{method: "DELETE", path: fmt.Sprintf("/api/v1/webhooks/%d", hook), token: tok})
		hook = p.create(tok, "/api/v1/webhooks", map[string]any{"url": hooks.URL + "/in", "events": []string{"audio.failed"}})
		if next := int64(p.testDelivery(tok, hook)["id"].(float64)); next == delivery {
			t.Errorf("a new delivery got the id of the deleted webhook's delivery (%d)", delivery)
		}
	})

	t.Run("a deleted webhook's pending retry", func(t *testing.T) {
		if testing.Short() {
			t.Skip("waits for a webhook's first retry (about 40 s)")
		}
		// Account a's webhook fails its first attempt, so a retry is
		// scheduled; a deletes the webhook; account b's webhook, made next,
		// fails too. Once both retries are due, b's endpoint has had b's
		// delivery twice (its first attempt and its own retry), never a
		// third time from a's leftover job.
		a, b := p.register("retry-a"), p.register("retry-b")
		endA, endB := newHookReceiver(t, 500), newHookReceiver(t, 500)
		hookA := p.create(a.token, "/api/v1/webhooks", map[string]any{"url": endA.URL + "/a", "events": []string{"audio.failed"}})
		dA := p.testDelivery(a.token, hookA)
		p.must(204, call{method: "DELETE", path: fmt.Sprintf("/api/v1/webhooks/%d", hookA), token: a.token})
		hookB := p.create(b.token, "/api/v1/webhooks", map[string]any{"url": endB.URL + "/b", "events": []string{"audio.failed"}})
		if hookB == hookA {
			t.Errorf("b's webhook got the id of a's deleted one (%d)", hookA)
		}
		dB := p.testDelivery(b.token, hookB)
		if dB["id"] == dA["id"] {
			t.Errorf("b's delivery got the id of a's deleted one, whose retry is pending (%v)", dA["id"])
		}
		due := func(d map[string]any) time.Time {
			at, err := time.Parse(time.RFC3339Nano, fmt.Sprint(d["next_attempt_at"]))
			if d["status"] != "retrying" || err != nil {
				t.Fatalf("delivery %v: want retrying, with its next attempt's time", d)
			}
			return at
		}
		time.Sleep(time.Until(maxTime(due(dA), due(dB))) + 3*time.Second)
		if got := endB.requests(); len(got) != 2 {
			t.Errorf("b's endpoint got %d requests %v, want 2: its delivery's first attempt and its retry", len(got), got)
		}
		if got := endA.requests(); len(got) != 1 {
			t.Errorf("a's deleted endpoint got %d requests %v, want the one before the delete", len(got), got)
		}
	})
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func withToken(c call, token string) call {
	c.token = token
	return c
}
