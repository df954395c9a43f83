package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestAuthFlow(t *testing.T) {
	h := newHarness(t, Config{})
	a := h.register("kim")

	me := h.do(req{method: "GET", path: "/api/v1/auth/me", token: a.token})
	if me.status != 200 || me.json(t)["user"].(map[string]any)["email"] != a.email {
		t.Fatalf("me: %d %s", me.status, me.body)
	}
	// Email is unique without regard to case.
	dup := h.do(req{method: "POST", path: "/api/v1/auth/register", body: map[string]any{"email": strings.ToUpper(a.email), "password": "Passw0rd!", "name": "x"}})
	if dup.status != 409 || dup.code() != "conflict" {
		t.Fatalf("duplicate email: %d %s", dup.status, dup.body)
	}
	login := h.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]any{"email": strings.ToUpper(a.email), "password": "Passw0rd!"}})
	if login.status != 200 {
		t.Fatalf("login: %d %s", login.status, login.body)
	}
	wrongPassword := h.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]any{"email": a.email, "password": "Wrong1234"}})
	unknownEmail := h.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]any{"email": "ghost@example.com", "password": "Wrong1234"}})
	if wrongPassword.status != 401 || unknownEmail.status != 401 || wrongPassword.json(t)["message"] != unknownEmail.json(t)["message"] {
		t.Fatalf("bad logins must look alike: %s / %s", wrongPassword.body, unknownEmail.body)
	}

	// Refresh tokens work once; a replay revokes the whole login.
	r1 := h.do(req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]any{"refresh_token": a.refresh}})
	if r1.status != 200 {
		t.Fatalf("refresh: %d %s", r1.status, r1.body)
	}
	next := r1.json(t)["refresh_token"].(string)
	replay := h.do(req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]any{"refresh_token": a.refresh}})
	if replay.status != 401 || replay.json(t)["action"] != "relogin" {
		t.Fatalf("replay: %d %s", replay.status, replay.body)
	}
	if after := h.do(req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]any{"refresh_token": next}}); after.status != 401 {
		t.Fatalf("token issued before a replay still works: %d", after.status)
	}
	for _, bad := range []string{"", "garbage", strings.Repeat("A", 43)} {
		if res := h.do(req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]any{"refresh_token": bad}}); res.status != 401 {
			t.Fatalf("refresh %q: %d", bad, res.status)
		}
	}

	// API keys: shown once, work as Bearer and X-API-Key, stop at once when revoked.
	created := h.do(req{method: "POST", path: "/api/v1/auth/api-keys", token: a.token, body: map[string]any{"name": "ci", "expires_in_days": 30}})
	if created.status != 201 {
		t.Fatalf("create key: %d %s", created.status, created.body)
	}
	key := created.json(t)["key"].(string)
	if !strings.HasPrefix(key, "ovp_") || len(key) != 47 {
		t.Fatalf("key %q: want ovp_ + 43 characters", key)
	}
	keyID := created.json(t)["id"].(float64)
	if res := h.do(req{method: "GET", path: "/api/v1/campaigns", token: key}); res.status != 200 {
		t.Fatalf("bearer key: %d %s", res.status, res.body)
	}
	if res := h.do(req{method: "GET", path: "/api/v1/campaigns", header: map[string]string{"X-API-Key": key}}); res.status != 200 {
		t.Fatalf("X-API-Key: %d %s", res.status, res.body)
	}
	list := h.do(req{method: "GET", path: "/api/v1/auth/api-keys", token: a.token})
	if list.status != 200 || strings.Contains(string(list.body), key) || !strings.Contains(string(list.body), `"prefix":"`+key[:12]+`"`) {
		t.Fatalf("list keys leaks the key or lacks the prefix: %s", list.body)
	}
	if res := h.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/auth/api-keys/%v", keyID), token: a.token}); res.status != 204 {
		t.Fatalf("revoke: %d %s", res.status, res.body)
	}
	if res := h.do(req{method: "GET", path: "/api/v1/campaigns", token: key}); res.status != 401 {
		t.Fatalf("revoked key: %d", res.status)
	}
	if res := h.do(req{method: "POST", path: "/api/v1/auth/api-keys", token: a.token, body: map[string]any{"name": "x", "expires_in_days": 366}}); res.status != 422 {
		t.Fatalf("366 days: %d", res.status)
	}
}

// forge signs claims the way an attacker might.
func forge(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBadCredentials(t *testing.T) {
	h := newHarness(t, Config{})
	a := h.register("lee")
	sub := fmt.Sprint(int64(a.userID))
	acc := int64(a.accountID)
	user, err := h.store.UserByID(context.Background(), int64(a.userID))
	if err != nil {
		t.Fatal(err)
	}
	key := user.TokenKey
	valid := jwt.MapClaims{"sub": sub, "acc": acc, "ukey": key, "iss": "omnivibe", "exp": time.Now().Add(time.Hour).Unix()}
	expired := jwt.MapClaims{"sub": sub, "acc": acc, "ukey": key, "iss": "omnivibe", "exp": time.Now().Add(-time.Minute).Unix()}
	noExp := jwt.MapClaims{"sub": sub, "acc": acc, "ukey": key, "iss": "omnivibe"}
	otherAccount := jwt.MapClaims{"sub": sub, "acc": acc + 1, "ukey": key, "iss": "omnivibe", "exp": time.Now().Add(time.Hour).Unix()}
	// Signed by the server before tokens carried the user's key, and with
	// the key of another row (what a token of a deleted user whose id was
	// given to a new one would carry).
	noKey := jwt.MapClaims{"sub": sub, "acc": acc, "iss": "omnivibe", "exp": time.Now().Add(time.Hour).Unix()}
	otherKey := jwt.MapClaims{"sub": sub, "acc": acc, "ukey": strings.Repeat("0", 32), "iss": "omnivibe", "exp": time.Now().Add(time.Hour).Unix()}
	unsigned := forge(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, valid)
	parts := strings.Split(a.token, ".")
	tampered := parts[0] + "." + strings.TrimRight(parts[1], "=") + "x." + parts[2]

	cases := map[string]map[string]string{
		"no credentials":            {},
		"forged with another key":   {"Authorization": "Bearer " + forge(t, jwt.SigningMethodHS256, []byte("another-secret-another-secret-12"), valid)},
		"expired":                   {"Authorization": "Bearer " + forge(t, jwt.SigningMethodHS256, testSecret, expired)},
		"without expiry":            {"Authorization": "Bearer " + forge(t, jwt.SigningMethodHS256, testSecret, noExp)},
		"HS512 with the right key":  {"Authorization": "Bearer " + forge(t, jwt.SigningMethodHS512, testSecret, valid)},
		"RS256 with its own key":    {"Authorization": "Bearer " + forge(t, jwt.SigningMethodRS256, rsaKey(t), valid)},
		"ES256 with its own key":    {"Authorization": "Bearer " + forge(t, jwt.SigningMethodES256, ecKey(t), valid)},
		"alg none":                  {"Authorization": "Bearer " + unsigned},
		"claims another account":    {"Authorization": "Bearer " + forge(t, jwt.SigningMethodHS256, testSecret, otherAccount)},
		"without the user's key":    {"Authorization": "Bearer " + forge(t, jwt.SigningMethodHS256, testSecret, noKey)},
		"another row's key":         {"Authorization": "Bearer " + forge(t, jwt.SigningMethodHS256, testSecret, otherKey)},
		"tampered payload":          {"Authorization": "Bearer " + tampered},
		"basic scheme":              {"Authorization": "Basic dXNlcjpwYXNz"},
		"bearer without token":      {"Authorization": "Bearer "},
		"garbage":                   {"Authorization": "Bearer abc.def.ghi"},
		"unknown api key":           {"X-API-Key": "ovp_" + strings.Repeat("A", 43)},
		"api key of the wrong size": {"X-API-Key": "ovp_short"},
	}
	for name, header := range cases {
		t.Run(name, func(t *testing.T) {
			res := h.do(req{method: "GET", path: "/api/v1/campaigns", header: header})
			if res.status != 401 || res.code() != "unauthorized" || res.json(t)["action"] != "relogin" {
				t.Fatalf("got %d %s", res.status, res.body)
			}
		})
	}
	// The genuine token still works, so the cases above failed for their own reason.
	if res := h.do(req{method: "GET", path: "/api/v1/campaigns", header: map[string]string{"Authorization": "Bearer " + forge(t, jwt.SigningMethodHS256, testSecret, valid)}}); res.status != 200 {
		t.Fatalf("valid forged-by-us token: %d %s", res.status, res.body)
	}
}

func TestClientsAndCampaigns(t *testing.T) {
	h := newHarness(t, Config{})
	a := h.register("park")
	clientID := h.create(a.token, "/api/v1/clients", map[string]any{"name": "Acme 한글 🎬", "brand_color": "#FF8800", "website_url": "https://acme.test"})

	campaign := map[string]any{"client_id": clientID, "name": "봄 캠페인 🌸 '; DROP TABLE campaigns;--", "platform": "YouTube", "concept_tone": "casual", "target_duration": 60}
	res := h.do(req{method: "POST", path: "/api/v1/campaigns", token: a.token, body: campaign})
	if res.status != 201 {
		t.Fatalf("create: %d %s", res.status, res.body)
	}
	c := res.json(t)
	if c["name"] != campaign["name"] || c["platform"] != "youtube" || c["intro_duration"] != 5.0 || c["bgm_volume"] != 0.3 || c["status"] != "active" {
		t.Fatalf("created campaign: %s", res.body)
	}
	id := c["id"].(float64)
	path := fmt.Sprintf("/api/v1/campaigns/%v", id)

	// The list is cached; every write must show in the next list.
	list := func(query string) map[string]any {
		t.Helper()
		res := h.do(req{method: "GET", path: "/api/v1/campaigns" + query, token: a.token})
		if res.status != 200 {
			t.Fatalf("list: %d %s", res.status, res.body)
		}
		return res.json(t)
	}
	if l := list(""); l["total"] != 1.0 || l["page"] != 1.0 || l["page_size"] != 20.0 {
		t.Fatalf("list after create: %v", l)
	}
	if res := h.do(req{method: "PATCH", path: path, token: a.token, body: map[string]any{"status": "paused", "platform": nil}}); res.status != 200 {
		t.Fatalf("patch: %d %s", res.status, res.body)
	}
	l := list("")
	first := l["campaigns"].([]any)[0].(map[string]any)
	if first["status"] != "paused" || first["platform"] != nil {
		t.Fatalf("list after patch shows stale data: %v", first)
	}
	if l := list("?status=active"); l["total"] != 0.0 {
		t.Fatalf("status filter after patch: %v", l)
	}
	if l := list("?q=%EB%B4%84"); l["total"] != 1.0 { // q=봄
		t.Fatalf("q=봄: %v", l)
	}
	// An empty PATCH changes nothing.
	empty := h.do(req{method: "PATCH", path: path, token: a.token, body: ""})
	if empty.status != 200 || empty.json(t)["status"] != "paused" {
		t.Fatalf("empty patch: %d %s", empty.status, empty.body)
	}
	// A trailing slash reaches the same handler, without a redirect.
	if res := h.do(req{method: "GET", path: "/api/v1/campaigns/", token: a.token}); res.status != 200 {
		t.Fatalf("trailing slash: %d", res.status)
	}
	if res := h.do(req{method: "GET", path: path + "/", token: a.token}); res.status != 200 {
		t.Fatalf("trailing slash on an item: %d", res.status)
	}

	dup := h.do(req{method: "POST", path: "/api/v1/campaigns", token: a.token, body: campaign})
	if dup.status != 409 || dup.code() != "conflict" {
		t.Fatalf("duplicate name: %d %s", dup.status, dup.body)
	}
	other := h.create(a.token, "/api/v1/campaigns", map[string]any{"client_id": clientID, "name": "Other"})
	rename := h.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/campaigns/%v", other), token: a.token, body: map[string]any{"name": campaign["name"]}})
	if rename.status != 409 {
		t.Fatalf("rename onto an existing name: %d %s", rename.status, rename.body)
	}
	if res := h.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/clients/%v", clientID), token: a.token}); res.status != 409 {
		t.Fatalf("delete client with campaigns: %d %s", res.status, res.body)
	}

	// Contents and their script.
	contentID := h.create(a.token, path+"/contents", map[string]any{"topic": "AI 비디오 자동화", "platform": "youtube", "keywords": []string{"ai", "영상"}})
	content := h.do(req{method: "GET", path: fmt.Sprintf("/api/v1/contents/%v", contentID), token: a.token}).json(t)
	if content["target_duration"] != 60.0 || content["language"] != "ko" || content["status"] != "draft" {
		t.Fatalf("content defaults: %v", content)
	}
	if res := h.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/contents/%v", contentID), token: a.token, body: map[string]any{"status": "audio_generated"}}); res.status != 422 {
		t.Fatalf("client set a server status: %d %s", res.status, res.body)
	}
	if res := h.do(req{method: "GET", path: fmt.Sprintf("/api/v1/contents/%v/script", contentID), token: a.token}); res.status != 404 {
		t.Fatalf("script before any: %d", res.status)
	}
	if res := h.do(req{method: "GET", path: path + "/contents?status=draft", token: a.token}); res.status != 200 || res.json(t)["total"] != 1.0 {
		t.Fatalf("contents list: %d %s", res.status, res.body)
	}

	if res := h.do(req{method: "DELETE", path: path, token: a.token}); res.status != 204 {
		t.Fatalf("delete: %d %s", res.status, res.body)
	}
	if res := h.do(req{method: "GET", path: fmt.Sprintf("/api/v1/contents/%v", contentID), token: a.token}); res.status != 404 {
		t.Fatalf("content of a deleted campaign: %d", res.status)
	}
	if l := list(""); l["total"] != 1.0 {
		t.Fatalf("list after delete: %v", l)
	}
}

// TestTenancy probes every route that takes an ID with another account's IDs:
// each answers 404, exactly like an ID that does not exist, and changes nothing.
func TestTenancy(t *testing.T) {
	h := newHarness(t, Config{})
	owner := h.register("owner")
	intruder := h.register("intruder")
	clientID := h.create(owner.token, "/api/v1/clients", map[string]any{"name": "Secret client"})
	campaignID := h.create(owner.token, "/api/v1/campaigns", map[string]any{"client_id": clientID, "name": "Secret"})
	contentID := h.create(owner.token, fmt.Sprintf("/api/v1/campaigns/%v/contents", campaignID), map[string]any{"topic": "t", "platform": "tiktok"})
	keyRes := h.do(req{method: "POST", path: "/api/v1/auth/api-keys", token: owner.token, body: map[string]any{"name": "k"}})
	keyID := keyRes.json(t)["id"].(float64)
	intruderClient := h.create(intruder.token, "/api/v1/clients", map[string]any{"name": "Mine"})
	task := h.do(req{method: "POST", path: "/api/v1/audio/generate", token: owner.token, body: map[string]any{"text": "secret words", "language": "en"}})
	taskID := task.json(t)["task_id"].(string)

	probes := tenancyProbes(clientID, campaignID, contentID, keyID, owner.userID, taskID)
	// A webhook (its address refused by the default policy, so nothing
	// leaves this machine) with one delivery.
	hookID := h.create(owner.token, "/api/v1/webhooks", map[string]any{"url": "https://127.0.0.1:9/secret", "events": []string{"audio.failed"}})
	delivery := h.do(req{method: "POST", path: fmt.Sprintf("/api/v1/webhooks/%v/test", hookID), token: owner.token}).json(t)
	probes = append(probes, webhookTenancyProbes(hookID, delivery["id"].(float64))...)
	for _, p := range probes {
		p.token = intruder.token
		if res := h.do(p); res.status != 404 || res.code() != "not_found" {
			t.Errorf("%s %s by another account: %d %s", p.method, p.path, res.status, res.body)
		}
	}
	// A campaign for another account's client is a validation error, not a leak.
	res := h.do(req{method: "POST", path: "/api/v1/campaigns", token: intruder.token, body: map[string]any{"client_id": clientID, "name": "x"}})
	if res.status != 422 || !strings.Contains(string(res.body), "client_id") {
		t.Errorf("campaign on another account's client: %d %s", res.status, res.body)
	}
	res = h.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/campaigns/%v", campaignID), token: owner.token, body: map[string]any{"client_id": intruderClient}})
	if res.status != 422 {
		t.Errorf("move a campaign to another account's client: %d %s", res.status, res.body)
	}
	if res := h.do(req{method: "GET", path: fmt.Sprintf("/api/v1/campaigns?client_id=%v", clientID), token: intruder.token}); res.json(t)["total"] != 0.0 {
		t.Errorf("intruder lists by the owner's client: %s", res.body)
	}
	// Nothing changed.
	got := h.do(req{method: "GET", path: fmt.Sprintf("/api/v1/campaigns/%v", campaignID), token: owner.token}).json(t)
	if got["name"] != "Secret" {
		t.Fatalf("the owner's campaign changed: %v", got)
	}
	if res := h.do(req{method: "GET", path: "/api/v1/auth/api-keys", token: owner.token}); !strings.Contains(string(res.body), `"id":`) {
		t.Fatalf("the owner's key is gone: %s", res.body)
	}
}

// tenancyProbes are requests on another account's resources, one per route
// that takes an ID; TestEveryIDRouteIsProbedAcrossAccounts keeps it complete.
func tenancyProbes(clientID, campaignID, contentID, keyID, userID float64, taskID string) []req {
	return []req{
		{method: "GET", path: "/api/v1/audio/status/" + taskID},
		{method: "GET", path: "/api/v1/audio/download/" + taskID},
		{method: "DELETE", path: "/api/v1/audio/" + taskID},
		{method: "GET", path: fmt.Sprintf("/api/v1/clients/%v", clientID)},
		{method: "PATCH", path: fmt.Sprintf("/api/v1/clients/%v", clientID), body: map[string]any{"name": "pwned"}},
		{method: "DELETE", path: fmt.Sprintf("/api/v1/clients/%v", clientID)},
		{method: "GET", path: fmt.Sprintf("/api/v1/campaigns/%v", campaignID)},
		{method: "PATCH", path: fmt.Sprintf("/api/v1/campaigns/%v", campaignID), body: map[string]any{"name": "pwned"}},
		{method: "DELETE", path: fmt.Sprintf("/api/v1/campaigns/%v", campaignID)},
		{method: "GET", path: fmt.Sprintf("/api/v1/campaigns/%v/contents", campaignID)},
		{method: "POST", path: fmt.Sprintf("/api/v1/campaigns/%v/contents", campaignID), body: map[string]any{"topic": "t", "platform": "tiktok"}},
		{method: "GET", path: fmt.Sprintf("/api/v1/contents/%v", contentID)},
		{method: "PATCH", path: fmt.Sprintf("/api/v1/contents/%v", contentID), body: map[string]any{"topic": "pwned"}},
		{method: "DELETE", path: fmt.Sprintf("/api/v1/contents/%v", contentID)},
		{method: "GET", path: fmt.Sprintf("/api/v1/contents/%v/script", contentID)},
		{method: "PUT", path: fmt.Sprintf("/api/v1/contents/%v/script", contentID), body: map[string]any{"blocks": []map[string]any{{"type": "hook", "text": "pwned"}, {"type": "body", "text": "pwned"}, {"type": "cta", "text": "pwned"}}}},
		{method: "DELETE", path: fmt.Sprintf("/api/v1/auth/api-keys/%v", keyID)},
		{method: "PATCH", path: fmt.Sprintf("/api/v1/account/users/%v", userID), body: map[string]any{"role": "viewer"}},
		{method: "DELETE", path: fmt.Sprintf("/api/v1/account/users/%v", userID)},
	}
}

func TestRoles(t *testing.T) {
	h := newHarness(t, Config{})
	owner := h.register("boss")
	add := func(role string) account {
		t.Helper()
		email := role + "-" + owner.email
		res := h.do(req{method: "POST", path: "/api/v1/account/users", token: owner.token,
			body: map[string]any{"email": email, "name": role, "password": "Passw0rd!", "role": role}})
		if res.status != 201 {
			t.Fatalf("add %s: %d %s", role, res.status, res.body)
		}
		login := h.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]any{"email": email, "password": "Passw0rd!"}}).json(t)
		return account{token: login["access_token"].(string), userID: res.json(t)["id"].(float64)}
	}
	viewer, admin, member := add("viewer"), add("admin"), add("member")
	clientID := h.create(owner.token, "/api/v1/clients", map[string]any{"name": "C"})

	if res := h.do(req{method: "GET", path: "/api/v1/campaigns", token: viewer.token}); res.status != 200 {
		t.Fatalf("viewer read: %d", res.status)
	}
	for _, r := range []req{
		{method: "POST", path: "/api/v1/campaigns", body: map[string]any{"client_id": clientID, "name": "v"}},
		{method: "POST", path: "/api/v1/clients", body: map[string]any{"name": "v"}},
		{method: "DELETE", path: fmt.Sprintf("/api/v1/clients/%v", clientID)},
		{method: "PUT", path: "/api/v1/billing/plan", body: map[string]any{"plan": "pro"}},
		{method: "POST", path: "/api/v1/account/users", body: map[string]any{"email": "x@y.co", "name": "x", "password": "Passw0rd!", "role": "member"}},
	} {
		r.token = viewer.token
		if res := h.do(r); res.status != 403 || res.code() != "forbidden" {
			t.Errorf("viewer %s %s: %d %s", r.method, r.path, res.status, res.body)
		}
	}
	if res := h.do(req{method: "POST", path: "/api/v1/campaigns", token: member.token, body: map[string]any{"client_id": clientID, "name": "m"}}); res.status != 201 {
		t.Fatalf("member create: %d %s", res.status, res.body)
	}
	if res := h.do(req{method: "PUT", path: "/api/v1/billing/plan", token: admin.token, body: map[string]any{"plan": "pro"}}); res.status != 403 {
		t.Fatalf("admin changed the plan: %d", res.status)
	}
	if res := h.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/account/users/%v", admin.userID), token: admin.token, body: map[string]any{"role": "owner"}}); res.status != 403 {
		t.Fatalf("admin made itself owner: %d", res.status)
	}
	if res := h.do(req{method: "PUT", path: "/api/v1/billing/plan", token: owner.token, body: map[string]any{"plan": "pro"}}); res.status != 200 || res.json(t)["plan"] != "pro" {
		t.Fatalf("owner plan change: %d %s", res.status, res.body)
	}
	// The last owner stays an owner.
	if res := h.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/account/users/%v", owner.userID), token: owner.token, body: map[string]any{"role": "admin"}}); res.status != 409 {
		t.Fatalf("last owner demoted: %d %s", res.status, res.body)
	}
	if res := h.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/account/users/%v", owner.userID), token: owner.token}); res.status != 409 {
		t.Fatalf("last owner removed: %d %s", res.status, res.body)
	}
	// A role change applies at once to tokens and API keys, though both are cached.
	memberKey := h.do(req{method: "POST", path: "/api/v1/auth/api-keys", token: member.token, body: map[string]any{"name": "k"}}).json(t)["key"].(string)
	if res := h.do(req{method: "POST", path: "/api/v1/clients", token: memberKey, body: map[string]any{"name": "early"}}); res.status != 201 {
		t.Fatalf("member key write: %d", res.status)
	}
	if res := h.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/account/users/%v", member.userID), token: owner.token, body: map[string]any{"role": "viewer"}}); res.status != 200 {
		t.Fatalf("demote member: %d %s", res.status, res.body)
	}
	for _, credential := range []string{member.token, memberKey} {
		if res := h.do(req{method: "POST", path: "/api/v1/clients", token: credential, body: map[string]any{"name": "late"}}); res.status != 403 {
			t.Fatalf("demoted member still writes: %d", res.status)
		}
	}
	// A removed member's token stops at once.
	if res := h.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/account/users/%v", viewer.userID), token: admin.token}); res.status != 204 {
		t.Fatalf("remove viewer: %d %s", res.status, res.body)
	}
	if res := h.do(req{method: "GET", path: "/api/v1/campaigns", token: viewer.token}); res.status != 401 {
		t.Fatalf("removed viewer still reads: %d", res.status)
	}
	if res := h.do(req{method: "GET", path: "/api/v1/account/users", token: member.token}); res.status != 200 || len(res.json(t)["users"].([]any)) != 3 {
		t.Fatalf("members: %d %s", res.status, res.body)
	}
	if res := h.do(req{method: "PATCH", path: "/api/v1/account", token: admin.token, body: map[string]any{"name": "New name"}}); res.status != 200 || res.json(t)["name"] != "New name" {
		t.Fatalf("rename account: %d %s", res.status, res.body)
	}
}

func TestBadInput(t *testing.T) {
	h := newHarness(t, Config{})
	a := h.register("choi")
	clientID := h.create(a.token, "/api/v1/clients", map[string]any{"name": "C"})
	big := `{"name":"` + strings.Repeat("x", 2<<20) + `"}`
	cases := []struct {
		name       string
		r          req
		wantStatus int
		wantCode   string
		wantFields []string
	}{
		{"malformed JSON", req{method: "POST", path: "/api/v1/campaigns", body: `{"name": "x",`}, 400, "invalid_json", nil},
		{"trailing garbage", req{method: "POST", path: "/api/v1/campaigns", body: `{"name":"x"} {"name":"y"}`}, 400, "invalid_json", nil},
		{"array body", req{method: "POST", path: "/api/v1/campaigns", body: `[1,2]`}, 400, "invalid_json", nil},
		{"empty body", req{method: "POST", path: "/api/v1/campaigns", body: ``}, 400, "invalid_json", nil},
		{"string for int", req{method: "POST", path: "/api/v1/campaigns", body: `{"client_id":"1","name":"x"}`}, 400, "invalid_json", []string{"client_id"}},
		{"float for int", req{method: "POST", path: "/api/v1/campaigns", body: `{"client_id":1,"name":"x","target_duration":30.5}`}, 400, "invalid_json", []string{"target_duration"}},
		{"number for string", req{method: "POST", path: "/api/v1/campaigns", body: `{"client_id":1,"name":5}`}, 400, "invalid_json", []string{"name"}},
		{"string for bool", req{method: "POST", path: "/api/v1/campaigns", body: `{"client_id":1,"name":"x","auto_deploy":"yes"}`}, 400, "invalid_json", []string{"auto_deploy"}},
		{"object for keywords", req{method: "POST", path: "/api/v1/clients", body: `{"name":{"a":1}}`}, 400, "invalid_json", []string{"name"}},
		{"2 MiB body", req{method: "POST", path: "/api/v1/clients", body: big}, 413, "payload_too_large", nil},
		{"form content type", req{method: "POST", path: "/api/v1/clients", body: `name=x`, header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}, 415, "unsupported_media_type", nil},
		{"text content type", req{method: "POST", path: "/api/v1/clients", body: `{"name":"x"}`, header: map[string]string{"Content-Type": "text/plain"}}, 415, "unsupported_media_type", nil},
		{"every broken field", req{method: "POST", path: "/api/v1/campaigns", body: map[string]any{"client_id": clientID, "name": "", "platform": "myspace", "concept_tone": "angry", "target_duration": 5, "bgm_volume": 3}},
			422, "validation_error", []string{"name", "concept_tone", "platform", "target_duration", "bgm_volume"}},
		{"unknown fields are ignored", req{method: "POST", path: "/api/v1/clients", body: map[string]any{"name": "ok", "legacy_field": true}}, 201, "", nil},
		{"page 0 and page_size 1000", req{method: "GET", path: "/api/v1/campaigns?page=0&page_size=1000"}, 422, "validation_error", []string{"page", "page_size"}},
		{"page not a number", req{method: "GET", path: "/api/v1/campaigns?page=abc&status=deleted&client_id=-1"}, 422, "validation_error", []string{"client_id", "page", "status"}},
		{"contents paging", req{method: "GET", path: "/api/v1/clients?page_size=0"}, 422, "validation_error", []string{"page_size"}},
		{"SQL in a query", req{method: "GET", path: "/api/v1/campaigns?q=%27%20OR%201%3D1%20--&status=active"}, 200, "", nil},
		{"ID not a number", req{method: "GET", path: "/api/v1/campaigns/abc"}, 404, "not_found", nil},
		{"ID overflow", req{method: "GET", path: "/api/v1/campaigns/99999999999999999999999"}, 404, "not_found", nil},
		{"negative ID", req{method: "GET", path: "/api/v1/campaigns/-1"}, 404, "not_found", nil},
		{"unknown plan", req{method: "PUT", path: "/api/v1/billing/plan", body: map[string]any{"plan": "platinum"}}, 422, "validation_error", []string{"plan"}},
		{"unknown role", req{method: "POST", path: "/api/v1/account/users", body: map[string]any{"email": "n@x.co", "name": "n", "password": "Passw0rd!", "role": "god"}}, 422, "validation_error", []string{"role"}},
		{"unknown route", req{method: "GET", path: "/api/v1/nothing"}, 404, "not_found", nil},
		{"wrong method", req{method: "PUT", path: "/api/v1/campaigns"}, 405, "method_not_allowed", nil},
		{"unclean path", req{method: "GET", path: "/api/v1//campaigns"}, 404, "not_found", nil},
		{"dot segments", req{method: "GET", path: "/api/v1/campaigns/../clients"}, 404, "not_found", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.r.token = a.token
			res := h.do(tc.r)
			if res.status != tc.wantStatus {
				t.Fatalf("got %d, want %d: %.300s", res.status, tc.wantStatus, res.body)
			}
			if tc.wantCode == "" {
				return
			}
			body := res.json(t)
			if body["error_code"] != tc.wantCode || body["request_id"] == "" || body["action"] == "" {
				t.Fatalf("got %s, want error_code %s", res.body, tc.wantCode)
			}
			var got []string
			if errs, ok := body["errors"].([]any); ok {
				for _, e := range errs {
					got = append(got, e.(map[string]any)["field"].(string))
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.wantFields, ",") {
				t.Fatalf("fields: got %v, want %v", got, tc.wantFields)
			}
		})
	}
	// Nothing half-written: only the one valid client exists besides the first.
	res := h.do(req{method: "GET", path: "/api/v1/clients", token: a.token})
	if res.json(t)["total"] != 2.0 {
		t.Fatalf("clients after bad input: %s", res.body)
	}
	if res := h.do(req{method: "GET", path: "/api/v1/campaigns", token: a.token}); res.json(t)["total"] != 0.0 {
		t.Fatalf("campaigns after bad input: %s", res.body)
	}
}

func TestHeaders(t *testing.T) {
	h := newHarness(t, Config{CORSOrigins: []string{"https://app.example.com"}})
	res := h.do(req{method: "GET", path: "/healthz", header: map[string]string{"X-Request-ID": "trace-123", "Origin": "https://app.example.com"}})
	for k, want := range map[string]string{
		"X-Request-Id": "trace-123", "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
		"Access-Control-Allow-Origin": "https://app.example.com", "Vary": "Origin",
	} {
		if got := res.header.Get(k); got != want {
			t.Errorf("%s: got %q, want %q", k, got, want)
		}
	}
	if csp := res.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP: %q", csp)
	}
	if res.header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS sent over plain HTTP")
	}
	// A hostile request ID is replaced, not echoed.
	res = h.do(req{method: "GET", path: "/healthz", header: map[string]string{"X-Request-ID": "evil\" id", "Origin": "https://evil.example"}})
	if id := res.header.Get("X-Request-Id"); id == "evil\" id" || len(id) != 26 {
		t.Errorf("request ID: %q", id)
	}
	if res.header.Get("Access-Control-Allow-Origin") != "" {
		t.Error("CORS allowed an unlisted origin")
	}
	pre := h.do(req{method: "OPTIONS", path: "/api/v1/campaigns", header: map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"}})
	if pre.status != 204 || !strings.Contains(pre.header.Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Errorf("preflight: %d %v", pre.status, pre.header)
	}

	tls := httptestTLSRequest(h, "/healthz")
	if tls.Header().Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS over TLS")
	}
}

func TestOperations(t *testing.T) {
	h := newHarness(t, Config{})
	if res := h.do(req{method: "GET", path: "/healthz"}); res.status != 200 {
		t.Fatalf("healthz: %d", res.status)
	}
	if res := h.do(req{method: "GET", path: "/readyz"}); res.status != 200 || res.json(t)["status"] != "ready" {
		t.Fatalf("readyz: %d %s", res.status, res.body)
	}
	h.api.SetDraining()
	if res := h.do(req{method: "GET", path: "/readyz"}); res.status != 503 {
		t.Fatalf("readyz while draining: %d", res.status)
	}
	docs := h.do(req{method: "GET", path: "/docs"})
	if docs.status != 200 || !strings.Contains(string(docs.body), "/docs/app.js") || !strings.HasPrefix(docs.header.Get("Content-Type"), "text/html") {
		t.Fatalf("docs: %d %s", docs.status, docs.body)
	}
	for _, asset := range []string{"/docs/app.js", "/docs/style.css"} {
		if res := h.do(req{method: "GET", path: asset}); res.status != 200 || len(res.body) < 100 {
			t.Fatalf("%s: %d", asset, res.status)
		}
	}
	if res := h.do(req{method: "GET", path: "/docs/../../etc/passwd"}); res.status != 404 {
		t.Fatalf("docs traversal: %d", res.status)
	}
	plans := h.do(req{method: "GET", path: "/api/v1/billing/plans"})
	if plans.status != 200 || len(plans.json(t)["plans"].([]any)) != 4 {
		t.Fatalf("plans: %d %s", plans.status, plans.body)
	}
}

// TestOpenAPICoversEveryRoute checks the document against routes.go both ways.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	h := newHarness(t, Config{})
	registered := map[string]bool{}
	for _, p := range h.api.Routes() {
		registered[p] = true
		if _, ok := operations[p]; !ok {
			t.Errorf("route %q has no OpenAPI operation", p)
		}
	}
	for p := range operations {
		if !registered[p] {
			t.Errorf("OpenAPI operation %q has no route", p)
		}
	}
	var doc map[string]any
	if err := json.Unmarshal(h.do(req{method: "GET", path: "/openapi.json"}).body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi version %v", doc["openapi"])
	}
}

func TestWriter(t *testing.T) {
	h := newHarness(t, Config{})
	a := h.register("writer")
	body := map[string]any{"topic": "AI 비디오 자동화", "platform": "youtube", "target_duration": 120, "campaign_name": "Campaign 7"}
	first := h.do(req{method: "POST", path: "/api/v1/writer/generate", token: a.token, body: body})
	if first.status != 200 || first.json(t)["cached"] != false || first.json(t)["provider"] != "local" {
		t.Fatalf("generate: %d %s", first.status, first.body)
	}
	again := h.do(req{method: "POST", path: "/api/v1/writer/generate/", token: a.token, body: body})
	if again.status != 200 || again.json(t)["cached"] != true || again.json(t)["script_id"] != first.json(t)["script_id"] {
		t.Fatalf("cached: %d %s", again.status, again.body)
	}
	for name, bad := range map[string]map[string]any{
		"topic missing":    {"platform": "youtube"},
		"unknown platform": {"topic": "t", "platform": "myspace"},
		"unknown language": {"topic": "t", "language": "klingon"},
		"duration":         {"topic": "t", "target_duration": 1000},
		"other's content":  {"content_id": 987654},
	} {
		if res := h.do(req{method: "POST", path: "/api/v1/writer/generate", token: a.token, body: bad}); res.status != 422 {
			t.Errorf("%s: %d %s", name, res.status, res.body)
		}
	}
	dur := h.do(req{method: "POST", path: "/api/v1/writer/duration", token: a.token, body: map[string]any{"text": "안녕하세요, 테스트 오디오입니다.", "language": "ko"}})
	if dur.status != 200 || dur.json(t)["pauses"] != 2.0 {
		t.Fatalf("duration: %d %s", dur.status, dur.body)
	}
	if res := h.do(req{method: "POST", path: "/api/v1/writer/duration", token: a.token, body: map[string]any{"text": 5}}); res.status != 400 {
		t.Fatalf("duration with a number: %d", res.status)
	}
}

// TestAudioAPI checks the voice-over routes and their answers against the
// OpenAPI document, with the synthetic voice.
func TestAudioAPI(t *testing.T) {
	h := newHarness(t, Config{})
	a := h.register("voice")
	other := h.register("other")
	res := h.do(req{method: "POST", path: "/api/v1/audio/generate", token: a.token, body: map[string]any{"text": "안녕하세요, 테스트 오디오입니다.", "voice_id": "default", "language": "ko"},
		header: map[string]string{"Idempotency-Key": "k-1"}})
	if res.status != 202 || res.header.Get("Location") == "" {
		t.Fatalf("generate: %d %s", res.status, res.body)
	}
	id := res.json(t)["task_id"].(string)
	if again := h.do(req{method: "POST", path: "/api/v1/audio/generate", token: a.token, body: map[string]any{"text": "안녕하세요, 테스트 오디오입니다.", "voice_id": "default", "language": "ko"},
		header: map[string]string{"Idempotency-Key": "k-1"}}); again.status != 200 || again.json(t)["task_id"] != id {
		t.Fatalf("idempotent retry: %d %s", again.status, again.body)
	}
	var task map[string]any
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		task = h.do(req{method: "GET", path: "/api/v1/audio/status/" + id, token: a.token}).json(t)
		if task["status"] == "succeeded" {
			break
		}
	}
	if task["status"] != "succeeded" || task["synthetic"] != true || task["verified"] != false || task["warning"] == nil || task["audio_url"] == nil {
		t.Fatalf("task: %v", task)
	}
	dl := h.do(req{method: "GET", path: "/api/v1/audio/download/" + id, token: a.token})
	if dl.status != 200 || dl.header.Get("Content-Type") != "audio/wav" || !strings.Contains(dl.header.Get("Content-Disposition"), id+".wav") || string(dl.body[:4]) != "RIFF" {
		t.Fatalf("download: %d %v", dl.status, dl.header)
	}
	part := h.do(req{method: "GET", path: "/api/v1/audio/download/" + id, token: a.token, header: map[string]string{"Range": "bytes=4-11"}})
	if part.status != 206 || len(part.body) != 8 {
		t.Fatalf("range: %d %d", part.status, len(part.body))
	}
	if bad := h.do(req{method: "GET", path: "/api/v1/audio/download/" + id, token: a.token, header: map[string]string{"Range": "bytes=999999999-"}}); bad.status != 416 {
		t.Fatalf("unsatisfiable range: %d", bad.status)
	}
	if list := h.do(req{method: "GET", path: "/api/v1/audio?status=succeeded", token: a.token}); list.status != 200 || list.json(t)["total"] != 1.0 {
		t.Fatalf("list: %d %s", list.status, list.body)
	}
	if res := h.do(req{method: "DELETE", path: "/api/v1/audio/" + id, token: a.token}); res.status != 409 {
		t.Fatalf("cancel a finished task: %d", res.status)
	}
	for _, r := range []req{
		{method: "GET", path: "/api/v1/audio/status/" + id},
		{method: "GET", path: "/api/v1/audio/download/" + id},
		{method: "DELETE", path: "/api/v1/audio/" + id},
	} {
		r.token = other.token
		if res := h.do(r); res.status != 404 {
			t.Errorf("%s %s by another account: %d", r.method, r.path, res.status)
		}
	}
	for _, path := range []string{"/api/v1/audio/status/..%2F..%2Fetc%2Fpasswd", "/api/v1/audio/download/aud_x", "/api/v1/audio/download/%00"} {
		if res := h.do(req{method: "GET", path: path, token: a.token}); res.status != 404 {
			t.Errorf("%s: %d", path, res.status)
		}
	}
	for name, body := range map[string]map[string]any{
		"no text":   {"language": "ko"},
		"threshold": {"text": "x", "accuracy_threshold": 2},
		"attempts":  {"text": "x", "max_attempts": 0},
		"voice":     {"text": "x", "voice_id": "../x"},
	} {
		if res := h.do(req{method: "POST", path: "/api/v1/audio/generate", token: a.token, body: body}); res.status != 422 {
			t.Errorf("%s: %d %s", name, res.status, res.body)
		}
	}
	if res := h.do(req{method: "POST", path: "/api/v1/audio/generate", token: a.token, body: map[string]any{"text": 5}}); res.status != 400 {
		t.Errorf("text as a number: %d", res.status)
	}
}

func TestBuildVersion(t *testing.T) {
	info := func(version string, settings ...debug.BuildSetting) *debug.BuildInfo {
		return &debug.BuildInfo{Main: debug.Module{Version: version}, Settings: settings}
	}
	rev := debug.BuildSetting{Key: "vcs.revision", Value: "0123456789abcdef0123"}
	for _, c := range []struct {
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{nil, false, "devel"},
		{info("v1.4.0", rev), true, "v1.4.0"},
		{info("(devel)", rev), true, "0123456789ab"},
		{info("(devel)", rev, debug.BuildSetting{Key: "vcs.modified", Value: "true"}), true, "0123456789ab-dirty"},
		{info("(devel)"), true, "devel"},
	} {
		if got := buildVersion(c.info, c.ok); got != c.want {
			t.Errorf("buildVersion(%+v) = %q, want %q", c.info, got, c.want)
		}
	}
	h := newHarness(t, Config{})
	var body map[string]string
	if err := json.Unmarshal(h.do(req{method: "GET", path: "/healthz"}).body, &body); err != nil || body["status"] != "ok" || body["version"] == "" {
		t.Fatalf("/healthz: %v %v", body, err)
	}
}
