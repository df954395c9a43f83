package httpapi

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// injections are strings that break a query built by concatenation, or probe
// how input reaches the database: each must be refused by a rule or stored
// and returned verbatim, never change what a query means.
var injections = []string{
	`' OR '1'='1`,
	`'; DROP TABLE campaigns; --`,
	`" OR ""="`,
	`x' UNION SELECT email, password_hash, 1, 1 FROM users --`,
	`%' OR 1=1 --`,
	`1); DELETE FROM accounts; --`,
}

// leakMarkers would show SQL, a stack or a file of the server in an answer.
var leakMarkers = []string{"sqlite", "SQLITE", "SQL logic", "syntax error", `near "`, "no such table", "panic", "goroutine ", ".go:", "password_hash", "UNIQUE constraint"}

// validBodies are well-formed bodies of every route that takes one; the
// hostile test swaps one string field at a time for an injection.
func validBodies(clientID float64, n int) map[string]map[string]any {
	u := fmt.Sprintf("hostile-%d", n)
	return map[string]map[string]any{
		"POST /api/v1/auth/register":       {"email": u + "@example.com", "password": "Passw0rd!", "name": "H", "account_name": "Hostile " + u},
		"POST /api/v1/auth/login":          {"email": u + "@example.com", "password": "Passw0rd!"},
		"POST /api/v1/auth/refresh":        {"refresh_token": "x"},
		"POST /api/v1/auth/api-keys":       {"name": "key " + u},
		"PATCH /api/v1/account":            {"name": "Attacker workspace"},
		"POST /api/v1/account/users":       {"email": u + "-m@example.com", "name": "M", "password": "Passw0rd!", "role": "member"},
		"PATCH /api/v1/account/users/{id}": {"role": "admin"},
		"POST /api/v1/clients":             {"name": "Client " + u, "industry": "ads", "brand_color": "#112233", "logo_url": "https://x.test/l.png", "contact_email": "c@x.test", "website_url": "https://x.test"},
		"PATCH /api/v1/clients/{id}":       {"name": "Client " + u, "industry": "ads"},
		"POST /api/v1/campaigns": {"client_id": clientID, "name": "Campaign " + u, "description": "d", "platform": "youtube", "concept_tone": "casual",
			"voice_id": "v", "voice_name": "n", "intro_video_url": "https://x.test/i.mp4", "publish_schedule": "daily", "start_date": "2026-12-01"},
		"PATCH /api/v1/campaigns/{id}":             {"name": "Campaign " + u, "description": "d"},
		"POST /api/v1/campaigns/{id}/contents":     {"title": "T", "topic": "Topic " + u, "platform": "tiktok", "target_audience": "all", "keywords": []string{"k"}},
		"PATCH /api/v1/contents/{id}":              {"title": "T", "topic": "Topic " + u},
		"POST /api/v1/writer/generate":             {"topic": "Topic " + u, "target_audience": "all", "campaign_name": "C"},
		"POST /api/v1/audio/generate":              {"text": "Line " + u, "voice_id": "default", "language": "en"},
		"POST /api/v1/writer/duration":             {"text": "안녕하세요 " + u, "language": "ko"},
		"PUT /api/v1/billing/plan":                 {"plan": "pro"},
		"POST /studio/session":                     {"email": u + "@example.com", "password": "Passw0rd!"},
		"PUT /api/v1/contents/{id}/script":         {"blocks": []map[string]any{{"type": "hook", "text": "Hook " + u}, {"type": "body", "text": "Body"}, {"type": "cta", "text": "Subscribe"}}},
		"POST /studio/session/register":            {"email": u + "-s@example.com", "password": "Passw0rd!", "name": "H", "account_name": "Hostile studio " + u},
		"POST /api/v1/webhooks":                    {"url": "https://hooks.example.com/" + u, "events": []string{"audio.failed"}},
		"PATCH /api/v1/webhooks/{id}":              {"url": "https://hooks.example.com/" + u},
		"POST /api/v1/webhooks/{id}/rotate-secret": {"overlap_seconds": 60},
	}
}

// stringFields lists the string-valued fields of a body.
func stringFields(body map[string]any) []string {
	var out []string
	for k, v := range body {
		if _, ok := v.(string); ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// TestHostileInput sends injection strings in every string field of every
// body, every query parameter and every path parameter of every route, as a
// signed-in attacker whose own IDs fill the paths. Every answer is the
// contract's (the harness checks each against the OpenAPI document, and 500
// fails), none shows SQL, a stack or the other account's data, accepted text
// is stored verbatim, and nothing was written but the 201s.
func TestHostileInput(t *testing.T) {
	h := newHarness(t, Config{})
	victim := h.register("victim")
	victimClient := h.create(victim.token, "/api/v1/clients", map[string]any{"name": "VICTIM-SECRET client"})
	h.create(victim.token, "/api/v1/campaigns", map[string]any{"client_id": victimClient, "name": "VICTIM-SECRET campaign"})
	victimBefore := snapshot(t, h, victim.token)

	attacker := h.register("attacker")
	own := h.create(attacker.token, "/api/v1/clients", map[string]any{"name": "Own client"})
	ownCampaign := h.create(attacker.token, "/api/v1/campaigns", map[string]any{"client_id": own, "name": "Own campaign"})
	ownContent := h.create(attacker.token, fmt.Sprintf("/api/v1/campaigns/%v/contents", ownCampaign), map[string]any{"topic": "t", "platform": "tiktok"})
	ownKey := h.do(req{method: "POST", path: "/api/v1/auth/api-keys", token: attacker.token, body: map[string]any{"name": "k"}}).json(t)["id"].(float64)
	ownMember := h.create(attacker.token, "/api/v1/account/users", map[string]any{"email": "member-of-attacker@example.com", "name": "M", "password": "Passw0rd!", "role": "member"})
	h.do(req{method: "PUT", path: "/api/v1/billing/plan", token: attacker.token, body: map[string]any{"plan": "pro"}})
	ownHook := h.create(attacker.token, "/api/v1/webhooks", map[string]any{"url": "https://localhost:9/own", "events": []string{"audio.failed"}})
	attackerBefore := snapshot(t, h, attacker.token)
	ownID := func(path string) string {
		switch {
		case strings.HasPrefix(path, "/api/v1/auth/api-keys/"):
			return fmt.Sprint(ownKey)
		case strings.HasPrefix(path, "/api/v1/account/users/"):
			return fmt.Sprint(ownMember)
		case strings.HasPrefix(path, "/api/v1/clients/"):
			return fmt.Sprint(own)
		case strings.HasPrefix(path, "/api/v1/webhooks/"):
			return fmt.Sprint(ownHook)
		case strings.HasPrefix(path, "/api/v1/campaigns/"):
			return fmt.Sprint(ownCampaign)
		case strings.HasPrefix(path, "/api/v1/contents/"):
			return fmt.Sprint(ownContent)
		}
		return ""
	}

	check := func(what string, res response) {
		t.Helper()
		// Accepted text comes back as sent; look for leaks in the rest.
		body := string(res.body)
		for _, inj := range injections {
			enc, _ := json.Marshal(inj)
			body = strings.ReplaceAll(body, strings.Trim(string(enc), `"`), "")
		}
		for _, m := range leakMarkers {
			if strings.Contains(body, m) {
				t.Errorf("%s: the answer shows %q: %.300s", what, m, res.body)
			}
		}
		if strings.Contains(string(res.body), "VICTIM-SECRET") {
			t.Errorf("%s: the answer shows the other account's data: %.300s", what, res.body)
		}
	}
	created := map[string]int{}
	n := 0
	for _, pattern := range h.api.Routes() {
		method, path, _ := strings.Cut(pattern, " ")
		if method == "DELETE" || pattern == "GET /metrics" {
			continue // deletes are probed across accounts below; they take no text
		}
		op := operations[pattern]
		fill := func(p string) string {
			if strings.Contains(p, "{id}") {
				id := ownID(p)
				if id == "" {
					t.Fatalf("%s: no ID of the attacker's own for this path; teach ownID about it", pattern)
				}
				p = strings.ReplaceAll(p, "{id}", id)
			}
			return strings.ReplaceAll(p, "{asset}", "app.js")
		}
		// Path parameters.
		if strings.Contains(path, "{") {
			for _, inj := range injections {
				p := pathParams.ReplaceAllLiteralString(path, url.PathEscape(inj))
				res := h.do(req{method: method, path: p, token: attacker.token, body: validBodies(own, n)[pattern]})
				check(pattern+" path "+inj, res)
				if res.status != 404 {
					t.Errorf("%s with path %q: %d, want 404", pattern, p, res.status)
				}
			}
		}
		// Query parameters.
		for _, param := range op.params {
			if param["in"] != "query" {
				continue
			}
			for _, inj := range injections {
				p := fill(path) + "?" + url.Values{param["name"].(string): {inj}}.Encode()
				res := h.do(req{method: method, path: p, token: attacker.token})
				check(pattern+" query "+param["name"].(string), res)
				if res.status != 200 && res.status != 422 {
					t.Errorf("%s?%s=%q: %d, want 200 or 422", pattern, param["name"], inj, res.status)
				}
				if res.status == 200 && param["name"] == "q" && !strings.Contains(string(res.body), `"total":0`) {
					t.Errorf("%s?q=%q matched rows: %s", pattern, inj, res.body)
				}
			}
		}
		// Every string field of the body.
		if op.body == "" {
			continue
		}
		base := validBodies(own, 0)[pattern]
		if base == nil {
			t.Fatalf("%s takes a body but has no valid one in validBodies", pattern)
		}
		for _, field := range stringFields(base) {
			for _, inj := range injections {
				n++
				body := validBodies(own, n)[pattern]
				body[field] = inj
				res := h.do(req{method: method, path: fill(path), token: attacker.token, body: body})
				what := fmt.Sprintf("%s %s=%q", pattern, field, inj)
				check(what, res)
				switch {
				case res.status == 201 || res.status == 200 || res.status == 202:
					if method == "POST" && res.status >= 201 {
						created[path]++
					}
					// Accepted text comes back exactly as sent.
					if v, ok := res.json(t)[field]; ok && v != inj && field != "email" && field != "platform" {
						t.Errorf("%s: stored %q", what, v)
					}
				case res.status >= 400 && res.status < 500:
					if res.code() == "" {
						t.Errorf("%s: %d without an error code", what, res.status)
					}
				default:
					t.Errorf("%s: %d", what, res.status)
				}
			}
		}
	}

	if n < 200 {
		t.Fatalf("only %d hostile bodies were sent: the routes' bodies were not found", n)
	}
	// Nothing but the accepted creates was written, on either account.
	if got := snapshot(t, h, victim.token); got != victimBefore {
		t.Errorf("the victim's data changed:\nbefore %s\nafter  %s", victimBefore, got)
	}
	after := h.do(req{method: "GET", path: "/api/v1/clients?page_size=1", token: attacker.token}).json(t)["total"].(float64)
	if want := float64(1 + created["/api/v1/clients"]); after != want {
		t.Errorf("attacker has %v clients; 1 + %d accepted creates = %v", after, created["/api/v1/clients"], want)
	}
	campaigns := h.do(req{method: "GET", path: "/api/v1/campaigns?page_size=1", token: attacker.token}).json(t)["total"].(float64)
	if want := float64(1 + created["/api/v1/campaigns"]); campaigns != want {
		t.Errorf("attacker has %v campaigns; want %v", campaigns, want)
	}
	if attackerBefore == "" {
		t.Fatal("empty snapshot")
	}
	// Sign-up and sign-in with injections in the credentials.
	for _, inj := range injections {
		res := h.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]any{"email": inj, "password": inj}})
		check("login "+inj, res)
		if res.status != 401 {
			t.Errorf("login as %q: %d, want 401", inj, res.status)
		}
		res = h.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]any{"email": victim.email, "password": inj}})
		if res.status != 401 {
			t.Errorf("login as the victim with password %q: %d, want 401", inj, res.status)
		}
	}
}

// pathParams are the path parameters of a route pattern, such as {id} or {task_id}.
var pathParams = regexp.MustCompile(`\{[a-z_]+\}`)

// snapshot is everything an account can list, as one string.
func snapshot(t *testing.T, h *harness, token string) string {
	t.Helper()
	var b strings.Builder
	for _, p := range []string{"/api/v1/auth/me", "/api/v1/account", "/api/v1/account/users", "/api/v1/auth/api-keys", "/api/v1/clients?page_size=100", "/api/v1/campaigns?page_size=100", "/api/v1/billing/usage"} {
		res := h.do(req{method: "GET", path: p, token: token})
		if res.status != 200 {
			t.Fatalf("snapshot %s: %d", p, res.status)
		}
		b.Write(res.body)
	}
	return b.String()
}

// TestEveryIDRouteIsProbedAcrossAccounts checks TestTenancy's probes against
// the routes: every route with a path parameter must be probed with another
// account's ID, so a new route cannot skip the tenancy check.
func TestEveryIDRouteIsProbedAcrossAccounts(t *testing.T) {
	h := newHarness(t, Config{})
	probed := map[string]bool{}
	for _, p := range append(tenancyProbes(1, 2, 3, 4, 5, "aud_AAAAAAAAAAAAAAAAAAAAAA"), webhookTenancyProbes(6, 7)...) {
		r := newTestRequest(p.method, p.path, "192.0.2.1:1")
		probed[h.pattern(r)] = true
	}
	for _, pattern := range h.api.Routes() {
		if strings.Contains(pattern, "{") && !strings.Contains(pattern, "{asset}") && !strings.HasSuffix(pattern, "{$}") && !probed[pattern] {
			t.Errorf("%s takes an ID but TestTenancy does not probe it with another account's", pattern)
		}
	}
}

// rsaKey and ecKey sign tokens with another algorithm than the server's.
func rsaKey(t *testing.T) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func ecKey(t *testing.T) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
