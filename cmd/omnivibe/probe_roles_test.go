package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// Who may call a route, per the contract: viewers may only read; owners and
// admins manage the account's members, settings and webhooks; only an
// owner changes the plan. A user's API keys are its own business.
const (
	anyRole     = "any role"
	writerRoles = "owner, admin, member"
	managers    = "owner, admin"
	ownerOnly   = "owner"
)

// allows reports whether rule lets role call a route.
func allows(rule, role string) bool {
	return rule == anyRole || slices.Contains(strings.Split(rule, ", "), role)
}

// roleRules names who may call every route that needs credentials;
// TestProbeRoles fails on a route missing here.
var roleRules = map[string]string{
	"GET /api/v1/auth/me":               anyRole,
	"POST /api/v1/auth/api-keys":        anyRole,
	"GET /api/v1/auth/api-keys":         anyRole,
	"DELETE /api/v1/auth/api-keys/{id}": anyRole,

	"GET /api/v1/account":                                       anyRole,
	"PATCH /api/v1/account":                                     managers,
	"GET /api/v1/account/users":                                 anyRole,
	"POST /api/v1/account/users":                                managers,
	"PATCH /api/v1/account/users/{id}":                          managers,
	"DELETE /api/v1/account/users/{id}":                         managers,
	"POST /api/v1/clients":                                      writerRoles,
	"GET /api/v1/clients":                                       anyRole,
	"GET /api/v1/clients/{id}":                                  anyRole,
	"PATCH /api/v1/clients/{id}":                                writerRoles,
	"DELETE /api/v1/clients/{id}":                               writerRoles,
	"GET /api/v1/campaigns":                                     anyRole,
	"POST /api/v1/campaigns":                                    writerRoles,
	"GET /api/v1/campaigns/{id}":                                anyRole,
	"PATCH /api/v1/campaigns/{id}":                              writerRoles,
	"DELETE /api/v1/campaigns/{id}":                             writerRoles,
	"POST /api/v1/campaigns/{id}/contents":                      writerRoles,
	"GET /api/v1/campaigns/{id}/contents":                       anyRole,
	"GET /api/v1/contents/{id}":                                 anyRole,
	"PATCH /api/v1/contents/{id}":                               writerRoles,
	"DELETE /api/v1/contents/{id}":                              writerRoles,
	"GET /api/v1/contents/{id}/script":                          anyRole,
	"PUT /api/v1/contents/{id}/script":                          writerRoles,
	"POST /api/v1/writer/generate":                              writerRoles,
	"POST /api/v1/writer/duration":                              anyRole, // a calculation: nothing is written
	"POST /api/v1/audio/generate":                               writerRoles,
	"GET /api/v1/audio/status/{task_id}":                        anyRole,
	"GET /api/v1/audio/download/{task_id}":                      anyRole,
	"DELETE /api/v1/audio/{task_id}":                            writerRoles,
	"GET /api/v1/audio":                                         anyRole,
	"POST /api/v1/audio/verify":                                 writerRoles,
	"GET /api/v1/billing/usage":                                 anyRole,
	"PUT /api/v1/billing/plan":                                  ownerOnly,
	"POST /api/v1/webhooks":                                     managers,
	"GET /api/v1/webhooks":                                      managers,
	"GET /api/v1/webhooks/{id}":                                 managers,
	"PATCH /api/v1/webhooks/{id}":                               managers,
	"DELETE /api/v1/webhooks/{id}":                              managers,
	"POST /api/v1/webhooks/{id}/rotate-secret":                  managers,
	"POST /api/v1/webhooks/{id}/test":                           managers,
	"GET /api/v1/webhooks/{id}/deliveries":                      managers,
	"POST /api/v1/webhooks/{id}/deliveries/{delivery_id}/retry": managers,
	"GET /api/v1/providers":                                     anyRole,
}

// TestProbeRoles sends every route that needs credentials as each role of
// one account (owner, admin, member, viewer) on resources made afresh for
// it: a role the contract allows gets past the role check (2xx, or 409 for
// a state the resource is in), any other gets 403 forbidden and changes
// nothing, with its token and with its API key alike. Without credentials,
// every such route answers 401.
func TestProbeRoles(t *testing.T) {
	p := startProbe(t, map[string]string{"OMNIVIBE_WEBHOOKS_ALLOW_INSECURE": "true"})
	hooks := receiver(t)
	boss := p.register("boss")
	home := p.furnish(boss, "home", hooks.URL+"/home")
	doc := p.openAPI()

	var authed []string
	for _, pattern := range routes(t) {
		if !doc.authed(pattern) {
			continue
		}
		authed = append(authed, pattern)
		if _, ok := roleRules[pattern]; !ok {
			t.Errorf("%s needs credentials but roleRules does not say who may call it", pattern)
		}
	}
	for pattern := range roleRules {
		if !slices.Contains(authed, pattern) {
			t.Errorf("roleRules names %s, which is not a route that needs credentials", pattern)
		}
	}

	// Without credentials: 401 everywhere.
	for _, pattern := range authed {
		method, _, _ := strings.Cut(pattern, " ")
		if r := p.do(call{method: method, path: fill(pattern, home)}); r.status != 401 || r.code() != "unauthorized" {
			t.Errorf("%s without credentials: got %s, want 401 unauthorized", pattern, r)
		}
	}

	members := map[string]user{"owner": boss}
	for _, role := range []string{"admin", "member", "viewer"} {
		members[role] = p.addMember(boss, role, role)
	}
	n := 0
	for _, role := range []string{"owner", "admin", "member", "viewer"} {
		caller := members[role]
		_, key := p.apiKey(caller, role+" key")
		// Resources made afresh by the owner for this role's calls, so that
		// what one role changed or deleted does not decide another's answer.
		fresh := p.furnish(boss, "for-"+role, hooks.URL+"/"+role)
		fresh.key, _ = p.apiKey(caller, role+" own key")
		// Deletes last, the parts before what holds them: the other calls
		// need what they delete.
		order := slices.Clone(authed)
		slices.SortStableFunc(order, func(x, y string) int { return deleteRank(x) - deleteRank(y) })

		var refused []call
		before := p.snapshot(fresh)
		for _, pattern := range order {
			if !allows(roleRules[pattern], role) {
				n++
				c := roleCall(pattern, fresh, caller, n)
				refused = append(refused, c)
				if r := p.do(c); r.status != 403 || r.code() != "forbidden" {
					t.Errorf("%s as %s: got %s, want 403 forbidden", pattern, role, r)
				}
			}
		}
		// The same calls with the role's API key: a key acts as its user.
		for _, c := range refused {
			c.token = key
			if r := p.do(c); r.status != 403 {
				t.Errorf("%s %s with the %s's API key: got %s, want 403", c.method, c.path, role, r)
			}
		}
		sameSnapshot(t, "after the calls refused to the "+role, before, p.snapshot(fresh))

		for _, pattern := range order {
			if allows(roleRules[pattern], role) {
				n++
				c := roleCall(pattern, fresh, caller, n)
				if r := p.do(c); r.status >= 300 && r.status != 409 {
					t.Errorf("%s as %s: got %s, want it allowed (2xx, or 409 for the resource's state)", pattern, role, r)
				}
			}
		}
	}

	// The owner role itself: only an owner grants it, takes it away or
	// removes an owner; the last owner stays.
	admin := members["admin"]
	for _, c := range []call{
		{method: "POST", path: "/api/v1/account/users", token: admin.token, body: map[string]any{"email": p.nextEmail("owner2"), "name": "O", "password": probePassword, "role": "owner"}},
		{method: "PATCH", path: fmt.Sprintf("/api/v1/account/users/%d", admin.id), token: admin.token, body: map[string]any{"role": "owner"}},
		{method: "PATCH", path: fmt.Sprintf("/api/v1/account/users/%d", boss.id), token: admin.token, body: map[string]any{"role": "viewer"}},
		{method: "DELETE", path: fmt.Sprintf("/api/v1/account/users/%d", boss.id), token: admin.token},
	} {
		if r := p.do(c); r.status != 403 || r.code() != "forbidden" {
			t.Errorf("admin %s %s %v: got %s, want 403", c.method, c.path, c.body, r)
		}
	}
	if r := p.do(call{method: "PATCH", path: fmt.Sprintf("/api/v1/account/users/%d", boss.id), token: boss.token, body: map[string]any{"role": "admin"}}); r.status != 409 {
		t.Errorf("the last owner made itself admin: got %s, want 409", r)
	}
	if r := p.must(200, call{method: "GET", path: "/api/v1/auth/me", token: boss.token}); !strings.Contains(string(r.body), `"role":"owner"`) {
		t.Errorf("the owner is no longer an owner: %s", r)
	}
}

// deleteRank orders the calls of one role: deletes last, a voice-over before
// its content, a content before its campaign.
func deleteRank(pattern string) int {
	switch {
	case !strings.HasPrefix(pattern, "DELETE "):
		return 0
	case strings.Contains(pattern, "/audio/"):
		return 1
	case strings.Contains(pattern, "/contents/"):
		return 2
	case strings.Contains(pattern, "/campaigns/"):
		return 3
	}
	return 4
}

// roleCall is a valid request of pattern by caller on e's resources.
func roleCall(pattern string, e estate, caller user, n int) call {
	method, _, _ := strings.Cut(pattern, " ")
	c := call{method: method, path: fill(pattern, e), token: caller.token}
	switch pattern {
	case "DELETE /api/v1/clients/{id}":
		c.path = fmt.Sprintf("/api/v1/clients/%d", e.bare) // a client with campaigns cannot go (409)
	case "POST /api/v1/audio/verify":
		return verifyCall(caller.token, map[string]string{"text": "a tone", "language": "en"})
	}
	if b := validBody(pattern, e, n); b != nil {
		c.body = b
	}
	return c
}
