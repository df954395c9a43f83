package httpapi

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// addMember adds a member of the given role to the owner's account and signs
// it in.
func (h *harness) addMember(owner account, role string) account {
	h.t.Helper()
	emailSeq.Lock()
	emailSeq.n++
	email := fmt.Sprintf("%s-%d-%s", role, emailSeq.n, owner.email)
	emailSeq.Unlock()
	res := h.do(req{method: "POST", path: "/api/v1/account/users", token: owner.token,
		body: map[string]any{"email": email, "name": role, "password": "Passw0rd!", "role": role}})
	if res.status != 201 {
		h.t.Fatalf("add %s: %d %s", role, res.status, res.body)
	}
	return h.login(email, res.json(h.t)["id"].(float64))
}

func (h *harness) login(email string, userID float64) account {
	h.t.Helper()
	res := h.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]any{"email": email, "password": "Passw0rd!"}})
	if res.status != 200 {
		h.t.Fatalf("login %s: %d %s", email, res.status, res.body)
	}
	return account{token: res.json(h.t)["access_token"].(string), userID: userID, email: email}
}

// The probe's reproduction (issue 25, item 1): add a viewer, sign in as it,
// delete it, add an admin. The admin used to get the viewer's id, and the
// viewer's token then answered GET /auth/me as the admin (and could have
// made itself an API key).
func TestRemovedMembersTokenDoesNotComeBackAsTheNextMember(t *testing.T) {
	h := newHarness(t, Config{})
	owner := h.register("owner")
	viewer := h.addMember(owner, "viewer")
	if res := h.do(req{method: "GET", path: "/api/v1/auth/me", token: viewer.token}); res.status != 200 {
		t.Fatalf("viewer me: %d %s", res.status, res.body)
	}
	if res := h.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/account/users/%v", viewer.userID), token: owner.token}); res.status != 204 {
		t.Fatalf("remove viewer: %d %s", res.status, res.body)
	}
	if res := h.do(req{method: "GET", path: "/api/v1/auth/me", token: viewer.token}); res.status != 401 {
		t.Fatalf("removed viewer's me: %d %s", res.status, res.body)
	}
	admin := h.addMember(owner, "admin")
	if admin.userID == viewer.userID {
		t.Errorf("the admin got the removed viewer's id %v", viewer.userID)
	}
	for _, r := range []req{
		{method: "GET", path: "/api/v1/auth/me"},
		{method: "POST", path: "/api/v1/auth/api-keys", body: map[string]any{"name": "mine now"}},
	} {
		r.token = viewer.token
		if res := h.do(r); res.status != 401 || strings.Contains(string(res.body), admin.email) {
			t.Errorf("removed viewer's token, %s %s: %d %s", r.method, r.path, res.status, res.body)
		}
	}
	if res := h.do(req{method: "GET", path: "/api/v1/auth/me", token: admin.token}); res.status != 200 || res.json(t)["user"].(map[string]any)["role"] != "admin" {
		t.Fatalf("admin me: %d %s", res.status, res.body)
	}
}

// The token binding on its own: ids are no longer given twice, so the
// collision is made here by hand, a new user row inserted with a removed
// member's id. The removed member's token must still not speak for it,
// whether or not the new row's principal is already in the cache.
func TestTokenSpeaksOnlyForTheRowItWasIssuedTo(t *testing.T) {
	h := newHarness(t, Config{})
	owner := h.register("owner")
	member := h.addMember(owner, "member")
	if res := h.do(req{method: "GET", path: "/api/v1/auth/me", token: member.token}); res.status != 200 {
		t.Fatalf("member me: %d %s", res.status, res.body)
	}
	if res := h.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/account/users/%v", member.userID), token: owner.token}); res.status != 204 {
		t.Fatalf("remove member: %d %s", res.status, res.body)
	}
	// A new admin with the removed member's id, its password the owner's.
	reborn := "reborn-" + owner.email
	if _, err := h.store.Writer().ExecContext(context.Background(), `INSERT INTO users (id, account_id, email, name, role, password_hash, created_at, updated_at)
		SELECT ?, account_id, ?, 'Reborn', 'admin', password_hash, created_at, updated_at FROM users WHERE id = ?`,
		int64(member.userID), reborn, int64(owner.userID)); err != nil {
		t.Fatal(err)
	}
	if res := h.do(req{method: "GET", path: "/api/v1/auth/me", token: member.token}); res.status != 401 {
		t.Fatalf("removed member's token, before the new row signed in: %d %s", res.status, res.body)
	}
	admin := h.login(reborn, member.userID)
	if res := h.do(req{method: "GET", path: "/api/v1/auth/me", token: admin.token}); res.status != 200 || res.json(t)["user"].(map[string]any)["id"] != member.userID {
		t.Fatalf("new row's me: %d %s", res.status, res.body)
	}
	for _, path := range []string{"/api/v1/auth/me", "/api/v1/campaigns", "/api/v1/account/users"} {
		if res := h.do(req{method: "GET", path: path, token: member.token}); res.status != 401 {
			t.Errorf("removed member's token, GET %s with the new row cached: %d %s", path, res.status, res.body)
		}
	}
}
