package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/service"
)

// testIDsNeverReused deletes the newest row of each table whose ids are
// referred to from outside the row, then adds another: its id must be new.
// Handing the deleted id out again let a removed member's token speak for
// the next member added, and a deleted webhook's queued job find another
// account's delivery. (Accounts have no delete in the Store; each store's
// own tests delete one with SQL.)
func testIDsNeverReused(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	n := 0
	unique := func() int { n++; return n }
	tx := func(fn func(tx service.Tx) error) { t.Helper(); inTx(t, s, fn) }

	newUser := func() omnivibe.User {
		u := omnivibe.User{AccountID: f.account.ID, Email: fmt.Sprintf("member%d-%d@example.com", f.account.ID, unique()), Name: "Member",
			Role: omnivibe.RoleViewer, PasswordHash: "x", CreatedAt: now, UpdatedAt: now}
		tx(func(tx service.Tx) error { return tx.CreateUser(ctx, &u) })
		return u
	}
	deleteUser := func(id int64) { tx(func(tx service.Tx) error { return tx.DeleteUser(ctx, f.account.ID, id) }) }
	newContent := func(campaignID int64) omnivibe.Content {
		c := omnivibe.Content{AccountID: f.account.ID, CampaignID: campaignID, Topic: "t", Platform: "youtube", Language: "en",
			TargetDuration: 30, Status: omnivibe.ContentDraft, CreatedAt: now, UpdatedAt: now}
		tx(func(tx service.Tx) error { return tx.CreateContent(ctx, &c) })
		return c
	}
	camp := createCampaign(t, s, f, "Holds contents")
	newHook := func() omnivibe.Webhook {
		w := omnivibe.Webhook{AccountID: f.account.ID, URL: "https://hooks.example.com/in", Events: []string{omnivibe.EventAudioFailed},
			Enabled: true, SecretSealed: []byte{1}, CreatedAt: now, UpdatedAt: now}
		tx(func(tx service.Tx) error { return tx.CreateWebhook(ctx, &w) })
		return w
	}
	deleteHook := func(id int64) { tx(func(tx service.Tx) error { return tx.DeleteWebhook(ctx, f.account.ID, id) }) }

	// Each case makes a row (returning its id and what owns it), and deletes
	// what it made, taking the row with it.
	cases := []struct {
		table  string
		create func() (id, owner int64)
		remove func(owner int64)
	}{
		{"users", func() (int64, int64) { u := newUser(); return u.ID, u.ID }, deleteUser},
		{"api_keys", func() (int64, int64) {
			u := newUser()
			k := omnivibe.APIKey{AccountID: f.account.ID, UserID: u.ID, Name: "k", Prefix: "ovp_x",
				Hash: []byte(fmt.Sprintf("hash-%032d", unique())), CreatedAt: now}
			tx(func(tx service.Tx) error { return tx.CreateAPIKey(ctx, &k) })
			return k.ID, u.ID
		}, deleteUser},
		{"refresh_tokens", func() (int64, int64) {
			rt := omnivibe.RefreshToken{UserID: f.owner.ID, Family: "f", Hash: []byte(fmt.Sprintf("rt-%d", unique())),
				ExpiresAt: now.Add(-time.Hour), CreatedAt: now}
			tx(func(tx service.Tx) error { return tx.CreateRefreshToken(ctx, &rt) })
			return rt.ID, 0
		}, func(int64) {
			tx(func(tx service.Tx) error { _, err := tx.DeleteExpiredRefreshTokens(ctx, now); return err })
		}},
		{"clients", func() (int64, int64) {
			c := omnivibe.Client{AccountID: f.account.ID, Name: "Gone", CreatedAt: now, UpdatedAt: now}
			tx(func(tx service.Tx) error { return tx.CreateClient(ctx, &c) })
			return c.ID, c.ID
		}, func(id int64) { tx(func(tx service.Tx) error { return tx.DeleteClient(ctx, f.account.ID, id) }) }},
		{"campaigns", func() (int64, int64) {
			c := createCampaign(t, s, f, fmt.Sprintf("Gone %d", unique()))
			return c.ID, c.ID
		}, func(id int64) { tx(func(tx service.Tx) error { return tx.DeleteCampaign(ctx, f.account.ID, id) }) }},
		{"contents", func() (int64, int64) { c := newContent(camp.ID); return c.ID, c.ID },
			func(id int64) { tx(func(tx service.Tx) error { return tx.DeleteContent(ctx, f.account.ID, id) }) }},
		{"scripts", func() (int64, int64) {
			c := newContent(camp.ID)
			sc := omnivibe.Script{AccountID: f.account.ID, ContentID: &c.ID, Provider: "local", Language: "en", Topic: "t", Platform: "youtube",
				Tone: "casual", TargetDuration: 30, Hook: "h", Body: "b", CTA: "c", EstimatedDuration: 30, CacheKey: "k", CreatedAt: now,
				Blocks: []omnivibe.ScriptBlock{{Order: 0, Type: "hook", Text: "h", Duration: 3, End: 3}}}
			tx(func(tx service.Tx) error { return tx.CreateScript(ctx, &sc) })
			return sc.ID, c.ID
		}, func(id int64) { tx(func(tx service.Tx) error { return tx.DeleteContent(ctx, f.account.ID, id) }) }},
		{"audio_tasks", func() (int64, int64) {
			c := createCampaign(t, s, f, fmt.Sprintf("Voiced %d", unique()))
			task := newAudioTask(f, fmt.Sprintf("aud_ids_%d", unique()))
			task.CampaignID = &c.ID
			tx(func(tx service.Tx) error { return tx.CreateAudioTask(ctx, &task) })
			return task.ID, c.ID
		}, func(id int64) { tx(func(tx service.Tx) error { return tx.DeleteCampaign(ctx, f.account.ID, id) }) }},
		{"webhooks", func() (int64, int64) { w := newHook(); return w.ID, w.ID }, deleteHook},
		{"webhook_deliveries", func() (int64, int64) {
			w := newHook()
			d := omnivibe.WebhookDelivery{WebhookID: w.ID, AccountID: f.account.ID, MessageID: "msg_ids", EventType: omnivibe.EventWebhookTest,
				Payload: json.RawMessage(`{}`), Status: omnivibe.DeliveryPending, CreatedAt: now, UpdatedAt: now}
			tx(func(tx service.Tx) error { return tx.CreateWebhookDelivery(ctx, &d) })
			return d.ID, w.ID
		}, deleteHook},
	}
	for _, tc := range cases {
		first, owner := tc.create()
		tc.remove(owner)
		next, _ := tc.create()
		if next <= first {
			t.Errorf("%s: the newest row (id %d) was deleted and the next row got id %d; ids must never be handed out again", tc.table, first, next)
		}
	}
}

// testTokenKeys: every user gets a token key of its own from the store, read
// back with the user, so that tokens can name the row and not only its id.
func testTokenKeys(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	second := omnivibe.User{AccountID: f.account.ID, Email: fmt.Sprintf("second%d@example.com", f.account.ID), Name: "Second",
		Role: omnivibe.RoleMember, PasswordHash: "x", CreatedAt: now, UpdatedAt: now}
	inTx(t, s, func(tx service.Tx) error { return tx.CreateUser(ctx, &second) })
	if len(f.owner.TokenKey) < 32 || len(second.TokenKey) < 32 || f.owner.TokenKey == second.TokenKey {
		t.Fatalf("token keys %q and %q: want two different random keys", f.owner.TokenKey, second.TokenKey)
	}
	for _, u := range []omnivibe.User{f.owner, second} {
		byID, err := s.UserByID(ctx, u.ID)
		if err != nil || byID.TokenKey != u.TokenKey {
			t.Fatalf("user %d read back with key %q (%v), created with %q", u.ID, byID.TokenKey, err, u.TokenKey)
		}
		byEmail, err := s.UserByEmail(ctx, u.Email)
		if err != nil || byEmail.TokenKey != u.TokenKey {
			t.Fatalf("user %s read back with key %q (%v), created with %q", u.Email, byEmail.TokenKey, err, u.TokenKey)
		}
	}
	// A change of the user (role, password) keeps the key: tokens stay valid.
	second.Role, second.PasswordHash, second.UpdatedAt = omnivibe.RoleAdmin, "y", now.Add(time.Second)
	inTx(t, s, func(tx service.Tx) error { return tx.UpdateUser(ctx, second) })
	if got, _ := s.UserByID(ctx, second.ID); got.TokenKey != second.TokenKey {
		t.Fatalf("the key changed with the role: %q, was %q", got.TokenKey, second.TokenKey)
	}
}
