package httpapi

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
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

// The probe's second finding (issue 25, item 2), through the real queue: A
// deleted a webhook whose delivery had a retry pending; B's new webhook and
// delivery got the same ids; A's leftover job, when River ran it, attempted
// B's delivery. Ids are no longer given twice, so B's rows are moved onto
// A's old ids by hand: the job's own check must leave them alone.
func TestDeletedWebhooksRetryLeavesAnotherAccountsDeliveryAlone(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, Config{})
	h.useWebhooks(true, nil)
	failing, toA := hookReceiver(t, 503)
	working, toB := hookReceiver(t, 204)
	a, b := h.register("tenant-a"), h.register("tenant-b")

	hookA := h.createHook(a.token, failing.URL, "audio.failed")["id"].(float64)
	if res := h.do(req{method: "POST", path: fmt.Sprintf("/api/v1/webhooks/%v/test", hookA), token: a.token}); res.status != 202 {
		t.Fatalf("test A: %d %s", res.status, res.body)
	}
	next(t, toA)
	deliveryA := h.waitDelivery(a.token, hookA, "retrying")["id"].(float64)
	pending, err := h.store.WebhookDelivery(ctx, int64(a.accountID), int64(hookA), int64(deliveryA))
	if err != nil {
		t.Fatal(err)
	}
	if res := h.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/webhooks/%v", hookA), token: a.token}); res.status != 204 {
		t.Fatalf("delete A's webhook: %d %s", res.status, res.body)
	}

	hookB := h.createHook(b.token, working.URL, "audio.failed")["id"].(float64)
	if res := h.do(req{method: "POST", path: fmt.Sprintf("/api/v1/webhooks/%v/test", hookB), token: b.token}); res.status != 202 {
		t.Fatalf("test B: %d %s", res.status, res.body)
	}
	next(t, toB)
	deliveryB := h.waitDelivery(b.token, hookB, "succeeded")["id"].(float64)
	// B's endpoint and delivery on A's old ids, the delivery waiting for its
	// attempt as B's was when the probe's leftover job found it.
	tx, err := h.store.Writer().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`PRAGMA defer_foreign_keys = ON`, nil},
		{`UPDATE webhooks SET id = ? WHERE id = ?`, []any{int64(hookA), int64(hookB)}},
		{`UPDATE webhook_deliveries SET id = ?, webhook_id = ?, status = 'pending' WHERE id = ?`, []any{int64(deliveryA), int64(hookA), int64(deliveryB)}},
	} {
		if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
			tx.Rollback()
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	// A's leftover job runs now instead of in half a minute.
	res, err := h.store.Writer().ExecContext(ctx, `UPDATE river_job SET state = 'available', scheduled_at = datetime('now', 'subsec')
		WHERE id = ? AND state = 'retryable'`, pending.JobID)
	if n, _ := res.RowsAffected(); err != nil || n != 1 {
		t.Fatalf("A's job %d is not waiting for its retry: %v", pending.JobID, err)
	}
	var state string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && state != "completed"; time.Sleep(20 * time.Millisecond) {
		if err := h.store.Writer().QueryRowContext(ctx, `SELECT state FROM river_job WHERE id = ?`, pending.JobID).Scan(&state); err != nil {
			t.Fatal(err)
		}
	}
	if state != "completed" {
		t.Fatalf("A's leftover job is %s, want completed (done, not retried)", state)
	}
	select {
	case d := <-toB:
		t.Fatalf("A's leftover job sent B's delivery: %s", d.body)
	case d := <-toA:
		t.Fatalf("A's leftover job sent again to A's deleted endpoint: %s", d.body)
	default:
	}
	d, err := h.store.WebhookDelivery(ctx, int64(b.accountID), int64(hookA), int64(deliveryA))
	if err != nil || d.Status != "pending" || d.Attempts != 1 {
		t.Fatalf("B's delivery: %s after %d attempts (%v); want untouched: pending after 1", d.Status, d.Attempts, err)
	}
}
