package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// tenancyCalls are requests on e's resources, at least one for every route
// that takes an ID (the members' routes also on the owner), each with a
// valid body so that only the ownership check can refuse it.
func tenancyCalls(t *testing.T, e estate) map[string][]call {
	out := map[string][]call{}
	for i, pattern := range idRoutes(t) {
		method, _, _ := strings.Cut(pattern, " ")
		var body any
		if b := validBody(pattern, e, 1000+i); b != nil {
			body = b
		}
		out[pattern] = append(out[pattern], call{method: method, path: fill(pattern, e), body: body})
		if strings.HasPrefix(pattern, method+" /api/v1/account/users/") {
			owner := strings.Replace(fill(pattern, e), fmt.Sprint(e.viewer.id), fmt.Sprint(e.owner.id), 1)
			out[pattern] = append(out[pattern], call{method: method, path: owner, body: body})
		}
	}
	return out
}

// snapshot is everything the owner of e can read of its account, answer by
// answer; every GET must succeed.
func (p *probe) snapshot(e estate) map[string]string {
	p.t.Helper()
	paths := []string{"/api/v1/auth/me", "/api/v1/account", "/api/v1/account/users", "/api/v1/auth/api-keys", "/api/v1/billing/usage",
		"/api/v1/clients?page_size=100", "/api/v1/campaigns?page_size=100", "/api/v1/audio?page_size=100",
		fmt.Sprintf("/api/v1/clients/%d", e.client), fmt.Sprintf("/api/v1/clients/%d", e.bare), fmt.Sprintf("/api/v1/campaigns/%d", e.campaign),
		fmt.Sprintf("/api/v1/campaigns/%d/contents?page_size=100", e.campaign), fmt.Sprintf("/api/v1/contents/%d", e.content),
		fmt.Sprintf("/api/v1/contents/%d/script", e.content), "/api/v1/audio/status/" + e.task}
	if e.hook != 0 {
		paths = append(paths, "/api/v1/webhooks", fmt.Sprintf("/api/v1/webhooks/%d", e.hook), fmt.Sprintf("/api/v1/webhooks/%d/deliveries?page_size=100", e.hook))
	}
	out := map[string]string{}
	for _, path := range paths {
		out[path] = string(p.must(200, call{method: "GET", path: path, token: e.owner.token}).body)
	}
	return out
}

// sameSnapshot fails the test where after differs from before.
func sameSnapshot(t *testing.T, what string, before, after map[string]string) {
	t.Helper()
	for path, b := range before {
		if after[path] != b {
			t.Errorf("%s: GET %s changed:\nbefore %s\nafter  %s", what, path, b, after[path])
		}
	}
}

// TestProbeTenancy gives two accounts a resource of every kind and sends
// every route that takes an ID with the second account's credentials (its
// owner's token and API key) and the first account's IDs: each answers 404
// not_found, none shows the first account's data, and the first account's
// data is as it was. IDs in bodies (a campaign's client, the content a
// script or voice-over is for) are refused too, and the second account's
// lists show nothing of the first.
func TestProbeTenancy(t *testing.T) {
	p := startProbe(t, map[string]string{"OMNIVIBE_WEBHOOKS_ALLOW_INSECURE": "true"})
	hooks := receiver(t)
	a := p.furnish(p.register("alpha"), "ALPHA-SECRET", hooks.URL+"/alpha")
	b := p.furnish(p.register("bravo"), "bravo", hooks.URL+"/bravo")
	before := p.snapshot(a)

	// Every route with an ID, from routes.go: one the fixture has no ID
	// for cannot be probed, and fails here.
	calls := tenancyCalls(t, a)
	for pattern, cs := range calls {
		for _, c := range cs {
			if strings.Contains(c.path, "{") || strings.Contains(c.path, "//") || strings.HasSuffix(c.path, "/") {
				t.Errorf("%s takes an ID that the probe has none of (%s): teach furnish and fill about it", pattern, c.path)
			}
		}
	}
	// The answers b gets must not show a's data.
	leak := func(what string, r reply) {
		t.Helper()
		if strings.Contains(string(r.body), a.mark) {
			t.Errorf("%s: the answer shows the other account's data: %s", what, r)
		}
	}
	credentials := map[string]map[string]string{
		"token":   {"Authorization": "Bearer " + b.owner.token},
		"API key": {"X-API-Key": b.apiKey},
	}
	for _, pattern := range slices.Sorted(maps.Keys(calls)) {
		for _, c := range calls[pattern] {
			for how, header := range credentials {
				c.header = header
				r := p.do(c)
				what := fmt.Sprintf("%s %s with the other account's %s", c.method, c.path, how)
				leak(what, r)
				if r.status != 404 || r.code() != "not_found" {
					t.Errorf("%s: got %s, want 404 not_found", what, r)
				}
			}
		}
	}
	// The other account's own webhook with this account's delivery.
	r := p.do(call{method: "POST", path: fmt.Sprintf("/api/v1/webhooks/%d/deliveries/%d/retry", b.hook, a.delivery), token: b.owner.token})
	if leak("retry of another account's delivery", r); r.status != 404 {
		t.Errorf("retry of another account's delivery under one's own webhook: got %s, want 404", r)
	}

	// IDs in bodies and queries: refused (404 or 422), nothing made.
	for _, c := range []call{
		{method: "POST", path: "/api/v1/campaigns", body: map[string]any{"client_id": a.client, "name": "on their client"}},
		{method: "PATCH", path: fmt.Sprintf("/api/v1/campaigns/%d", b.campaign), body: map[string]any{"client_id": a.client}},
		{method: "POST", path: "/api/v1/writer/generate", body: map[string]any{"content_id": a.content}},
		{method: "POST", path: "/api/v1/writer/generate", body: map[string]any{"topic": "t", "campaign_id": a.campaign}},
		{method: "POST", path: "/api/v1/audio/generate", body: map[string]any{"content_id": a.content}},
	} {
		c.token = b.owner.token
		r := p.do(c)
		leak(fmt.Sprintf("%s %s %v", c.method, c.path, c.body), r)
		if r.status != 404 && r.status != 422 {
			t.Errorf("%s %s with the other account's ID in the body %v: got %s, want 404 or 422", c.method, c.path, c.body, r)
		}
	}
	if r := p.must(200, call{method: "GET", path: fmt.Sprintf("/api/v1/campaigns?client_id=%d", a.client), token: b.owner.token}); r.object()["total"] != 0.0 {
		t.Errorf("campaigns filtered by the other account's client: %s", r)
	}
	// Every list and read without an ID, as the other account.
	doc := p.openAPI()
	for _, pattern := range routes(t) {
		method, path, _ := strings.Cut(pattern, " ")
		if method == "GET" && !strings.Contains(path, "{") && doc.authed(pattern) {
			leak(pattern, p.must(200, call{method: "GET", path: path, token: b.owner.token}))
		}
	}

	sameSnapshot(t, "after the other account's requests", before, p.snapshot(a))
	// And the other account's own data still answers to it: the 404s
	// above were not a broken server.
	p.must(200, call{method: "GET", path: fmt.Sprintf("/api/v1/campaigns/%d", b.campaign), token: b.owner.token})
}
