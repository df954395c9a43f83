// Package storetest is the test suite every service.Store must pass, so that
// the embedded SQLite store and the scaled-out PostgreSQL store behave alike.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/service"
)

// Run runs the suite. newStore returns an empty store, migrated, that lives
// until the test ends.
func Run(t *testing.T, newStore func(t *testing.T) service.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s service.Store)
	}{
		{"AccountsAndUsers", testAccountsAndUsers},
		{"EmailIsUnique", testEmailIsUnique},
		{"APIKeys", testAPIKeys},
		{"RefreshTokensAreSingleUse", testRefreshTokens},
		{"ClientsCRUDAndTenancy", testClients},
		{"ClientWithCampaignsCannotBeDeleted", testClientDeleteRestricted},
		{"CampaignsCRUD", testCampaigns},
		{"CampaignNameIsUniquePerAccount", testCampaignNameUnique},
		{"CampaignListFiltersAndPages", testCampaignList},
		{"ContentsAndScripts", testContentsAndScripts},
		{"DeleteCampaignCascades", testDeleteCampaignCascades},
		{"UsageRespectsLimit", testUsage},
		{"UsageIsNeverOvershotConcurrently", testUsageConcurrent},
		{"FailedTransactionWritesNothing", testRollback},
		{"TextIsStoredIntact", testTextIntact},
		{"AudioTasks", testAudioTasks},
		{"AudioIdempotencyKeyIsUniquePerAccount", testAudioIdempotency},
		{"AudioFilesGoWithTheirCampaign", testAudioFiles},
		{"WebhooksAndDeliveries", testWebhooks},
		{"IDsAreNeverReused", testIDsNeverReused},
		{"UsersHaveTokenKeys", testTokenKeys},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newStore(t))
		})
	}
}

// now is a fixed clock, truncated as the service truncates.
var now = time.Date(2026, 11, 25, 12, 0, 0, 123456000, time.UTC)

func inTx(t *testing.T, s service.Store, fn func(tx service.Tx) error) {
	t.Helper()
	if err := s.InTx(context.Background(), fn); err != nil {
		t.Fatalf("transaction: %v", err)
	}
}

func wantCode(t *testing.T, err error, code omnivibe.Code) {
	t.Helper()
	if got := omnivibe.ErrorCode(err); got != code {
		t.Fatalf("error %v: got code %q, want %q", err, got, code)
	}
}

// fixture is an account with an owner and a client.
type fixture struct {
	account omnivibe.Account
	owner   omnivibe.User
	client  omnivibe.Client
}

var seq int
var seqMu sync.Mutex

func newFixture(t *testing.T, s service.Store) fixture {
	t.Helper()
	seqMu.Lock()
	seq++
	n := seq
	seqMu.Unlock()
	var f fixture
	inTx(t, s, func(tx service.Tx) error {
		ctx := context.Background()
		f.account = omnivibe.Account{Name: fmt.Sprintf("Agency %d", n), Plan: omnivibe.PlanFree, CreatedAt: now, UpdatedAt: now}
		if err := tx.CreateAccount(ctx, &f.account); err != nil {
			return err
		}
		f.owner = omnivibe.User{AccountID: f.account.ID, Email: fmt.Sprintf("owner%d@example.com", n), Name: "Owner", Role: omnivibe.RoleOwner, PasswordHash: "x", CreatedAt: now, UpdatedAt: now}
		if err := tx.CreateUser(ctx, &f.owner); err != nil {
			return err
		}
		f.client = omnivibe.Client{AccountID: f.account.ID, Name: "Client", CreatedAt: now, UpdatedAt: now}
		return tx.CreateClient(ctx, &f.client)
	})
	return f
}

func newCampaign(f fixture, name string) omnivibe.Campaign {
	c := omnivibe.NewCampaign()
	c.AccountID, c.ClientID, c.Name, c.CreatedAt, c.UpdatedAt = f.account.ID, f.client.ID, name, now, now
	return c
}

func createCampaign(t *testing.T, s service.Store, f fixture, name string) omnivibe.Campaign {
	t.Helper()
	c := newCampaign(f, name)
	inTx(t, s, func(tx service.Tx) error { return tx.CreateCampaign(context.Background(), &c) })
	return c
}

func testAccountsAndUsers(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	a, err := s.AccountByID(ctx, f.account.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a != f.account {
		t.Fatalf("got %+v, want %+v", a, f.account)
	}
	u, err := s.UserByEmail(ctx, f.owner.Email)
	if err != nil {
		t.Fatal(err)
	}
	if u != f.owner {
		t.Fatalf("got %+v, want %+v", u, f.owner)
	}
	_, err = s.AccountByID(ctx, 1<<40)
	wantCode(t, err, omnivibe.CodeNotFound)
	_, err = s.UserByEmail(ctx, "nobody@example.com")
	wantCode(t, err, omnivibe.CodeNotFound)

	member := omnivibe.User{AccountID: f.account.ID, Email: "m-" + f.owner.Email, Name: "M", Role: omnivibe.RoleMember, PasswordHash: "x", CreatedAt: now, UpdatedAt: now}
	inTx(t, s, func(tx service.Tx) error {
		if err := tx.LockAccount(ctx, f.account.ID); err != nil {
			return err
		}
		return tx.CreateUser(ctx, &member)
	})
	if n, err := s.CountOwners(ctx, f.account.ID); err != nil || n != 1 {
		t.Fatalf("owners: got %d, %v; want 1", n, err)
	}
	member.Role = omnivibe.RoleOwner
	inTx(t, s, func(tx service.Tx) error { return tx.UpdateUser(ctx, member) })
	if n, _ := s.CountOwners(ctx, f.account.ID); n != 2 {
		t.Fatalf("owners after promotion: got %d, want 2", n)
	}
	users, err := s.ListUsers(ctx, f.account.ID)
	if err != nil || len(users) != 2 || users[0].ID != f.owner.ID || users[1].Role != omnivibe.RoleOwner {
		t.Fatalf("users: got %+v, %v", users, err)
	}
	other := newFixture(t, s)
	err = s.InTx(ctx, func(tx service.Tx) error { return tx.DeleteUser(ctx, other.account.ID, member.ID) })
	wantCode(t, err, omnivibe.CodeNotFound)
	inTx(t, s, func(tx service.Tx) error { return tx.DeleteUser(ctx, f.account.ID, member.ID) })
	_, err = s.UserByID(ctx, member.ID)
	wantCode(t, err, omnivibe.CodeNotFound)

	a.Name, a.Plan = "Renamed", omnivibe.PlanPro
	inTx(t, s, func(tx service.Tx) error { return tx.UpdateAccount(ctx, a) })
	if got, _ := s.AccountByID(ctx, a.ID); got.Name != "Renamed" || got.Plan != omnivibe.PlanPro {
		t.Fatalf("account after update: got %+v", got)
	}
}

func testEmailIsUnique(t *testing.T, s service.Store) {
	f := newFixture(t, s)
	dup := omnivibe.User{AccountID: f.account.ID, Email: f.owner.Email, Name: "Dup", Role: omnivibe.RoleMember, PasswordHash: "x", CreatedAt: now, UpdatedAt: now}
	err := s.InTx(context.Background(), func(tx service.Tx) error { return tx.CreateUser(context.Background(), &dup) })
	wantCode(t, err, omnivibe.CodeConflict)
}

func testAPIKeys(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	exp := now.Add(24 * time.Hour)
	k := omnivibe.APIKey{AccountID: f.account.ID, UserID: f.owner.ID, Name: "ci", Prefix: "ovp_abcdefgh", Hash: []byte("0123456789abcdef0123456789abcdef"), CreatedAt: now, ExpiresAt: &exp}
	inTx(t, s, func(tx service.Tx) error { return tx.CreateAPIKey(ctx, &k) })
	got, err := s.APIKeyByHash(ctx, k.Hash)
	if err != nil || got.ID != k.ID || got.UserID != f.owner.ID || got.ExpiresAt == nil || !got.ExpiresAt.Equal(exp) || got.RevokedAt != nil {
		t.Fatalf("by hash: got %+v, %v", got, err)
	}
	inTx(t, s, func(tx service.Tx) error { return tx.TouchAPIKey(ctx, k.ID, now.Add(time.Minute)) })
	keys, err := s.ListAPIKeys(ctx, f.account.ID, f.owner.ID)
	if err != nil || len(keys) != 1 || keys[0].LastUsedAt == nil || !keys[0].LastUsedAt.Equal(now.Add(time.Minute)) {
		t.Fatalf("list: got %+v, %v", keys, err)
	}
	other := newFixture(t, s)
	err = s.InTx(ctx, func(tx service.Tx) error { return tx.RevokeAPIKey(ctx, other.account.ID, other.owner.ID, k.ID, now) })
	wantCode(t, err, omnivibe.CodeNotFound)
	inTx(t, s, func(tx service.Tx) error { return tx.RevokeAPIKey(ctx, f.account.ID, f.owner.ID, k.ID, now) })
	got, _ = s.APIKeyByHash(ctx, k.Hash)
	if got.RevokedAt == nil {
		t.Fatal("revoked key has no revoked_at")
	}
	if keys, _ := s.ListAPIKeys(ctx, f.account.ID, f.owner.ID); len(keys) != 0 {
		t.Fatalf("revoked key still listed: %+v", keys)
	}
	err = s.InTx(ctx, func(tx service.Tx) error { return tx.RevokeAPIKey(ctx, f.account.ID, f.owner.ID, k.ID, now) })
	wantCode(t, err, omnivibe.CodeNotFound)
}

func testRefreshTokens(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	tok := omnivibe.RefreshToken{UserID: f.owner.ID, Family: "fam", Hash: []byte("hash-1"), ExpiresAt: now.Add(time.Hour), CreatedAt: now}
	sibling := omnivibe.RefreshToken{UserID: f.owner.ID, Family: "fam", Hash: []byte("hash-2"), ExpiresAt: now.Add(time.Hour), CreatedAt: now}
	old := omnivibe.RefreshToken{UserID: f.owner.ID, Family: "old", Hash: []byte("hash-3"), ExpiresAt: now.Add(-time.Hour), CreatedAt: now}
	inTx(t, s, func(tx service.Tx) error {
		for _, rt := range []*omnivibe.RefreshToken{&tok, &sibling, &old} {
			if err := tx.CreateRefreshToken(ctx, rt); err != nil {
				return err
			}
		}
		return nil
	})
	var first, second bool
	inTx(t, s, func(tx service.Tx) error {
		var err error
		first, err = tx.MarkRefreshTokenUsed(ctx, tok.ID, now)
		return err
	})
	inTx(t, s, func(tx service.Tx) error {
		var err error
		second, err = tx.MarkRefreshTokenUsed(ctx, tok.ID, now)
		return err
	})
	if !first || second {
		t.Fatalf("mark used: first %v, second %v; want true, false", first, second)
	}
	inTx(t, s, func(tx service.Tx) error { return tx.RevokeRefreshFamily(ctx, "fam", now) })
	got, err := s.RefreshTokenByHash(ctx, sibling.Hash)
	if err != nil || got.UsedAt == nil {
		t.Fatalf("sibling after family revocation: %+v, %v", got, err)
	}
	var deleted int64
	inTx(t, s, func(tx service.Tx) error {
		var err error
		deleted, err = tx.DeleteExpiredRefreshTokens(ctx, now)
		return err
	})
	if deleted != 1 {
		t.Fatalf("deleted %d expired tokens, want 1", deleted)
	}
	_, err = s.RefreshTokenByHash(ctx, old.Hash)
	wantCode(t, err, omnivibe.CodeNotFound)
}

func testClients(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	other := newFixture(t, s)
	c := omnivibe.Client{AccountID: f.account.ID, Name: "Second", Industry: "Food", BrandColor: "#FFAA00", LogoURL: "https://x.test/l.png",
		ContactEmail: "c@x.test", WebsiteURL: "https://x.test", CreatedAt: now, UpdatedAt: now}
	inTx(t, s, func(tx service.Tx) error { return tx.CreateClient(ctx, &c) })
	got, err := s.ClientByID(ctx, f.account.ID, c.ID)
	if err != nil || got != c {
		t.Fatalf("got %+v, %v; want %+v", got, err, c)
	}
	_, err = s.ClientByID(ctx, other.account.ID, c.ID)
	wantCode(t, err, omnivibe.CodeNotFound)

	list, total, err := s.ListClients(ctx, f.account.ID, 1, 1)
	if err != nil || total != 2 || len(list) != 1 || list[0].ID != c.ID {
		t.Fatalf("page 1: got %+v total %d, %v", list, total, err)
	}
	list, _, _ = s.ListClients(ctx, f.account.ID, 2, 1)
	if len(list) != 1 || list[0].ID != f.client.ID {
		t.Fatalf("page 2: got %+v", list)
	}

	c.Name, c.UpdatedAt = "Renamed", now.Add(time.Second)
	inTx(t, s, func(tx service.Tx) error { return tx.UpdateClient(ctx, c) })
	if got, _ := s.ClientByID(ctx, f.account.ID, c.ID); got != c {
		t.Fatalf("after update got %+v, want %+v", got, c)
	}
	stolen := c
	stolen.AccountID = other.account.ID
	err = s.InTx(ctx, func(tx service.Tx) error { return tx.UpdateClient(ctx, stolen) })
	wantCode(t, err, omnivibe.CodeNotFound)
	err = s.InTx(ctx, func(tx service.Tx) error { return tx.DeleteClient(ctx, other.account.ID, c.ID) })
	wantCode(t, err, omnivibe.CodeNotFound)
	inTx(t, s, func(tx service.Tx) error { return tx.DeleteClient(ctx, f.account.ID, c.ID) })
	_, err = s.ClientByID(ctx, f.account.ID, c.ID)
	wantCode(t, err, omnivibe.CodeNotFound)
}

func testClientDeleteRestricted(t *testing.T, s service.Store) {
	f := newFixture(t, s)
	createCampaign(t, s, f, "Keeps the client")
	err := s.InTx(context.Background(), func(tx service.Tx) error { return tx.DeleteClient(context.Background(), f.account.ID, f.client.ID) })
	wantCode(t, err, omnivibe.CodeConflict)
	if _, err := s.ClientByID(context.Background(), f.account.ID, f.client.ID); err != nil {
		t.Fatalf("client gone after refused delete: %v", err)
	}
}

func testCampaigns(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	other := newFixture(t, s)
	c := newCampaign(f, "Full")
	gender, tone, style, platform := "female", "casual", "cinematic", "tiktok"
	d, start, end := 90, "2026-12-01", "2026-12-31"
	c.Description, c.ConceptGender, c.ConceptTone, c.ConceptStyle, c.Platform = "multi\nline", &gender, &tone, &style, &platform
	c.TargetDuration, c.VoiceID, c.VoiceName, c.IntroVideoURL, c.OutroVideoURL, c.BGMURL = &d, "v1", "Voice", "https://i.test", "https://o.test", "https://b.test"
	c.IntroDuration, c.OutroDuration, c.BGMVolume, c.PublishSchedule, c.AutoDeploy, c.Status = 2.5, 0, 0.75, "weekly", true, "paused"
	c.StartDate, c.EndDate = &start, &end
	inTx(t, s, func(tx service.Tx) error { return tx.CreateCampaign(ctx, &c) })
	got, err := s.CampaignByID(ctx, f.account.ID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("%+v", deref(got)) != fmt.Sprintf("%+v", deref(c)) {
		t.Fatalf("got %+v\nwant %+v", deref(got), deref(c))
	}
	_, err = s.CampaignByID(ctx, other.account.ID, c.ID)
	wantCode(t, err, omnivibe.CodeNotFound)

	c.Platform, c.TargetDuration, c.StartDate, c.Name = nil, nil, nil, "Full, renamed"
	inTx(t, s, func(tx service.Tx) error { return tx.UpdateCampaign(ctx, c) })
	got, _ = s.CampaignByID(ctx, f.account.ID, c.ID)
	if got.Platform != nil || got.TargetDuration != nil || got.StartDate != nil || got.Name != "Full, renamed" || *got.EndDate != end {
		t.Fatalf("after update: %+v", deref(got))
	}
	stolen := c
	stolen.AccountID = other.account.ID
	err = s.InTx(ctx, func(tx service.Tx) error { return tx.UpdateCampaign(ctx, stolen) })
	wantCode(t, err, omnivibe.CodeNotFound)
	err = s.InTx(ctx, func(tx service.Tx) error { return tx.DeleteCampaign(ctx, other.account.ID, c.ID) })
	wantCode(t, err, omnivibe.CodeNotFound)
	inTx(t, s, func(tx service.Tx) error { return tx.DeleteCampaign(ctx, f.account.ID, c.ID) })
	_, err = s.CampaignByID(ctx, f.account.ID, c.ID)
	wantCode(t, err, omnivibe.CodeNotFound)
}

// deref prints a campaign's pointer fields by value, for comparison.
func deref(c omnivibe.Campaign) string {
	p := func(s *string) string {
		if s == nil {
			return "<nil>"
		}
		return *s
	}
	d := "<nil>"
	if c.TargetDuration != nil {
		d = fmt.Sprint(*c.TargetDuration)
	}
	c2 := c
	c2.ConceptGender, c2.ConceptTone, c2.ConceptStyle, c2.Platform, c2.TargetDuration, c2.StartDate, c2.EndDate = nil, nil, nil, nil, nil, nil, nil
	return fmt.Sprintf("%+v gender=%s tone=%s style=%s platform=%s duration=%s start=%s end=%s",
		c2, p(c.ConceptGender), p(c.ConceptTone), p(c.ConceptStyle), p(c.Platform), d, p(c.StartDate), p(c.EndDate))
}

func testCampaignNameUnique(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	other := newFixture(t, s)
	first := createCampaign(t, s, f, "Same")
	dup := newCampaign(f, "Same")
	err := s.InTx(ctx, func(tx service.Tx) error { return tx.CreateCampaign(ctx, &dup) })
	wantCode(t, err, omnivibe.CodeConflict)
	createCampaign(t, s, other, "Same") // another account may use the name
	second := createCampaign(t, s, f, "Different")
	second.Name = first.Name
	err = s.InTx(ctx, func(tx service.Tx) error { return tx.UpdateCampaign(ctx, second) })
	wantCode(t, err, omnivibe.CodeConflict)
}

func testCampaignList(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	other := newFixture(t, s)
	createCampaign(t, s, other, "Other's summer")
	second := omnivibe.Client{AccountID: f.account.ID, Name: "Second", CreatedAt: now, UpdatedAt: now}
	inTx(t, s, func(tx service.Tx) error { return tx.CreateClient(ctx, &second) })
	var ids []int64
	for i := 0; i < 25; i++ {
		c := newCampaign(f, fmt.Sprintf("Campaign %02d", i))
		if i%5 == 0 {
			c.Name = fmt.Sprintf("Summer 100%% sale_%d", i)
			c.Status = "paused"
			c.ClientID = second.ID
		}
		inTx(t, s, func(tx service.Tx) error { return tx.CreateCampaign(ctx, &c) })
		ids = append(ids, c.ID)
	}
	list := func(f2 omnivibe.CampaignFilter) ([]omnivibe.Campaign, int) {
		t.Helper()
		if f2.Page == 0 {
			f2.Page = 1
		}
		if f2.PageSize == 0 {
			f2.PageSize = 20
		}
		got, total, err := s.ListCampaigns(ctx, f.account.ID, f2)
		if err != nil {
			t.Fatal(err)
		}
		return got, total
	}
	got, total := list(omnivibe.CampaignFilter{})
	if total != 25 || len(got) != 20 || got[0].ID != ids[24] || got[19].ID != ids[5] {
		t.Fatalf("first page: total %d, %d rows, first %d", total, len(got), got[0].ID)
	}
	got, _ = list(omnivibe.CampaignFilter{Page: 2})
	if len(got) != 5 || got[4].ID != ids[0] {
		t.Fatalf("second page: %d rows", len(got))
	}
	if got, total = list(omnivibe.CampaignFilter{Page: 9}); total != 25 || len(got) != 0 {
		t.Fatalf("page past the end: total %d, %d rows", total, len(got))
	}
	if _, total = list(omnivibe.CampaignFilter{Status: "paused"}); total != 5 {
		t.Fatalf("paused: got %d, want 5", total)
	}
	if _, total = list(omnivibe.CampaignFilter{ClientID: second.ID}); total != 5 {
		t.Fatalf("by client: got %d, want 5", total)
	}
	if _, total = list(omnivibe.CampaignFilter{ClientID: other.client.ID}); total != 0 {
		t.Fatalf("another account's client: got %d, want 0", total)
	}
	if _, total = list(omnivibe.CampaignFilter{Query: "summer"}); total != 5 {
		t.Fatalf("q=summer: got %d, want 5 (case-insensitive, own account only)", total)
	}
	// LIKE metacharacters are plain characters.
	if _, total = list(omnivibe.CampaignFilter{Query: "100%"}); total != 5 {
		t.Fatalf("q=100%%: got %d, want 5", total)
	}
	if _, total = list(omnivibe.CampaignFilter{Query: "%"}); total != 5 {
		t.Fatalf("q=%%: got %d, want 5", total)
	}
	if _, total = list(omnivibe.CampaignFilter{Query: "_1"}); total != 2 {
		t.Fatalf("q=_1: got %d, want 2 (sale_10, sale_15)", total)
	}
	if _, total = list(omnivibe.CampaignFilter{Query: "' OR 1=1 --"}); total != 0 {
		t.Fatalf("q=SQL: got %d, want 0", total)
	}
	if got, total = list(omnivibe.CampaignFilter{Status: "paused", ClientID: second.ID, Query: "SALE_2", PageSize: 1}); total != 1 || len(got) != 1 || got[0].ID != ids[20] {
		t.Fatalf("combined: total %d, rows %+v", total, got)
	}
}

func testContentsAndScripts(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	other := newFixture(t, s)
	camp := createCampaign(t, s, f, "With contents")
	pub := "2026-12-24"
	c := omnivibe.Content{AccountID: f.account.ID, CampaignID: camp.ID, Title: "Ep 1", Topic: "AI 비디오 자동화", Platform: "youtube", Language: "ko",
		TargetDuration: 60, TargetAudience: "marketers", Keywords: []string{"ai", "영상"}, PublishDate: &pub, Status: omnivibe.ContentDraft, CreatedAt: now, UpdatedAt: now}
	inTx(t, s, func(tx service.Tx) error { return tx.CreateContent(ctx, &c) })
	got, err := s.ContentByID(ctx, f.account.ID, c.ID)
	if err != nil || got.Topic != c.Topic || len(got.Keywords) != 2 || got.Keywords[1] != "영상" || *got.PublishDate != pub || !got.CreatedAt.Equal(now) {
		t.Fatalf("content: %+v, %v", got, err)
	}
	_, err = s.ContentByID(ctx, other.account.ID, c.ID)
	wantCode(t, err, omnivibe.CodeNotFound)
	draft2 := c
	draft2.Status = omnivibe.ContentScriptGenerated
	inTx(t, s, func(tx service.Tx) error { return tx.CreateContent(ctx, &draft2) })
	list, total, err := s.ListContents(ctx, f.account.ID, camp.ID, omnivibe.ContentDraft, 1, 20)
	if err != nil || total != 1 || list[0].ID != c.ID {
		t.Fatalf("drafts: %+v total %d, %v", list, total, err)
	}
	if _, total, _ = s.ListContents(ctx, other.account.ID, camp.ID, "", 1, 20); total != 0 {
		t.Fatalf("another account sees %d contents", total)
	}
	c.Status, c.Keywords, c.UpdatedAt = omnivibe.ContentPublished, nil, now.Add(time.Second)
	inTx(t, s, func(tx service.Tx) error { return tx.UpdateContent(ctx, c) })
	if got, _ := s.ContentByID(ctx, f.account.ID, c.ID); got.Status != omnivibe.ContentPublished || got.Keywords == nil || len(got.Keywords) != 0 {
		t.Fatalf("after update: %+v", got)
	}

	_, err = s.LatestScript(ctx, f.account.ID, c.ID)
	wantCode(t, err, omnivibe.CodeNotFound)
	for i, hook := range []string{"first", "second"} {
		sc := omnivibe.Script{AccountID: f.account.ID, ContentID: &c.ID, Provider: "local", Language: "ko", Topic: c.Topic, Platform: "youtube",
			Tone: "casual", TargetDuration: 60, Hook: hook, Body: "b", CTA: "c", EstimatedDuration: 58.5, CacheKey: "key", CreatedAt: now.Add(time.Duration(i) * time.Second),
			Blocks: []omnivibe.ScriptBlock{{Order: 0, Type: "hook", Text: hook, Duration: 3.5, Start: 0, End: 3.5}, {Order: 1, Type: "body", Text: "b", Duration: 50, Start: 3.5, End: 53.5}, {Order: 2, Type: "cta", Text: "c", Duration: 5, Start: 53.5, End: 58.5}}}
		inTx(t, s, func(tx service.Tx) error { return tx.CreateScript(ctx, &sc) })
	}
	latest, err := s.LatestScript(ctx, f.account.ID, c.ID)
	if err != nil || latest.Hook != "second" || len(latest.Blocks) != 3 || latest.Blocks[2].Type != "cta" || latest.Blocks[1].End != 53.5 {
		t.Fatalf("latest: %+v, %v", latest, err)
	}
	byKey, err := s.ScriptByCacheKey(ctx, f.account.ID, "key")
	if err != nil || byKey.ID != latest.ID {
		t.Fatalf("by cache key: %+v, %v", byKey, err)
	}
	_, err = s.ScriptByCacheKey(ctx, other.account.ID, "key")
	wantCode(t, err, omnivibe.CodeNotFound)
	_, err = s.LatestScript(ctx, other.account.ID, c.ID)
	wantCode(t, err, omnivibe.CodeNotFound)

	err = s.InTx(ctx, func(tx service.Tx) error { return tx.DeleteContent(ctx, other.account.ID, c.ID) })
	wantCode(t, err, omnivibe.CodeNotFound)
	inTx(t, s, func(tx service.Tx) error { return tx.DeleteContent(ctx, f.account.ID, c.ID) })
	_, err = s.LatestScript(ctx, f.account.ID, c.ID)
	wantCode(t, err, omnivibe.CodeNotFound)
}

func testDeleteCampaignCascades(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	camp := createCampaign(t, s, f, "Doomed")
	c := omnivibe.Content{AccountID: f.account.ID, CampaignID: camp.ID, Topic: "t", Platform: "youtube", Language: "en", TargetDuration: 30, Status: "draft", CreatedAt: now, UpdatedAt: now}
	inTx(t, s, func(tx service.Tx) error { return tx.CreateContent(ctx, &c) })
	sc := omnivibe.Script{AccountID: f.account.ID, ContentID: &c.ID, Provider: "local", Language: "en", Topic: "t", Platform: "youtube", Tone: "casual",
		TargetDuration: 30, Hook: "h", Body: "b", CTA: "c", EstimatedDuration: 30, CacheKey: "k", CreatedAt: now,
		Blocks: []omnivibe.ScriptBlock{{Order: 0, Type: "hook", Text: "h", Duration: 3, End: 3}}}
	inTx(t, s, func(tx service.Tx) error { return tx.CreateScript(ctx, &sc) })
	inTx(t, s, func(tx service.Tx) error { return tx.DeleteCampaign(ctx, f.account.ID, camp.ID) })
	_, err := s.ContentByID(ctx, f.account.ID, c.ID)
	wantCode(t, err, omnivibe.CodeNotFound)
	_, err = s.ScriptByCacheKey(ctx, f.account.ID, "k")
	wantCode(t, err, omnivibe.CodeNotFound)
	// The client is free to go once its campaigns are.
	inTx(t, s, func(tx service.Tx) error { return tx.DeleteClient(ctx, f.account.ID, f.client.ID) })
}

func testUsage(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	limit := 2
	add := func(kind string, delta int, limit *int) (int, bool) {
		t.Helper()
		var used int
		var ok bool
		inTx(t, s, func(tx service.Tx) error {
			var err error
			used, ok, err = tx.AddUsage(ctx, f.account.ID, "2026-11", kind, delta, limit)
			return err
		})
		return used, ok
	}
	for i, want := range []struct {
		used int
		ok   bool
	}{{1, true}, {2, true}, {2, false}, {2, false}} {
		if used, ok := add(omnivibe.QuotaScripts, 1, &limit); used != want.used || ok != want.ok {
			t.Fatalf("add %d: got %d %v, want %d %v", i, used, ok, want.used, want.ok)
		}
	}
	if used, ok := add(omnivibe.QuotaScripts, -1, &limit); used != 1 || !ok {
		t.Fatalf("give back: got %d %v", used, ok)
	}
	if used, ok := add(omnivibe.QuotaAudio, -1, nil); used != 0 || !ok {
		t.Fatalf("give back below zero: got %d %v, want 0 true", used, ok)
	}
	zero := 0
	if used, ok := add(omnivibe.QuotaAudio, 1, &zero); used != 0 || ok {
		t.Fatalf("limit 0: got %d %v, want 0 false", used, ok)
	}
	for i := 0; i < 3; i++ {
		add(omnivibe.QuotaAudio, 1, nil)
	}
	u, err := s.Usage(ctx, f.account.ID, "2026-11")
	if err != nil || u.Scripts != 1 || u.Audio != 3 {
		t.Fatalf("usage: %+v, %v", u, err)
	}
	if u, _ := s.Usage(ctx, f.account.ID, "2026-12"); u.Scripts != 0 || u.Audio != 0 {
		t.Fatalf("next month: %+v", u)
	}
}

func testUsageConcurrent(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	limit := 15
	var wg sync.WaitGroup
	var mu sync.Mutex
	granted := 0
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.InTx(ctx, func(tx service.Tx) error {
				_, ok, err := tx.AddUsage(ctx, f.account.ID, "2026-11", omnivibe.QuotaScripts, 1, &limit)
				if ok {
					mu.Lock()
					granted++
					mu.Unlock()
				}
				return err
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	u, _ := s.Usage(ctx, f.account.ID, "2026-11")
	if granted != 15 || u.Scripts != 15 {
		t.Fatalf("granted %d, stored %d; want exactly 15", granted, u.Scripts)
	}
}

func testRollback(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	boom := errors.New("boom")
	err := s.InTx(ctx, func(tx service.Tx) error {
		c := newCampaign(f, "Never")
		if err := tx.CreateCampaign(ctx, &c); err != nil {
			return err
		}
		if _, err := tx.CampaignByID(ctx, f.account.ID, c.ID); err != nil {
			return fmt.Errorf("transaction does not read its own write: %w", err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("got %v, want boom", err)
	}
	if _, total, _ := s.ListCampaigns(ctx, f.account.ID, omnivibe.CampaignFilter{Page: 1, PageSize: 20}); total != 0 {
		t.Fatalf("rolled back campaign is visible: total %d", total)
	}
}

func testTextIntact(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	for _, name := range []string{"봄 캠페인 🌸", "Robert'); DROP TABLE campaigns;--", `"quoted" \ back\slash`, "日本語と中文", "tab\tinside"} {
		c := createCampaign(t, s, f, name)
		got, err := s.CampaignByID(ctx, f.account.ID, c.ID)
		if err != nil || got.Name != name {
			t.Fatalf("got %q, %v; want %q", got.Name, err, name)
		}
	}
}

func newAudioTask(f fixture, taskID string) omnivibe.AudioTask {
	return omnivibe.AudioTask{TaskID: taskID, AccountID: f.account.ID, Text: "안녕하세요, 테스트 오디오입니다.", Language: "ko", VoiceID: "default",
		AccuracyThreshold: 0.95, MaxAttempts: 5, Status: omnivibe.AudioQueued, Stage: omnivibe.StageQueued, QuotaPeriod: "2026-11", CreatedAt: now}
}

func testAudioTasks(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	other := newFixture(t, s)
	task := newAudioTask(f, "aud_one")
	inTx(t, s, func(tx service.Tx) error { return tx.CreateAudioTask(ctx, &task) })
	got, err := s.AudioTask(ctx, f.account.ID, "aud_one")
	if err != nil || got.ID != task.ID || got.Text != task.Text || got.Status != "queued" || got.Similarity != nil || got.Error != nil ||
		got.Warning != nil || len(got.Iterations) != 0 || got.Normalization == nil || !got.CreatedAt.Equal(now) {
		t.Fatalf("created: %+v, %v", got, err)
	}
	_, err = s.AudioTask(ctx, other.account.ID, "aud_one")
	wantCode(t, err, omnivibe.CodeNotFound)
	if w, err := s.AudioTaskForWork(ctx, "aud_one"); err != nil || w.AccountID != f.account.ID {
		t.Fatalf("for work: %+v, %v", w, err)
	}

	sim, dur := 0.91, 3.25
	started, finished := now.Add(time.Second), now.Add(5*time.Second)
	warning := "no recognizer for ko"
	task.Status, task.Stage, task.Progress, task.Attempts, task.Similarity, task.Verified = omnivibe.AudioPartial, omnivibe.StageDone, 1, 2, &sim, true
	task.Warning, task.NormalizedText, task.Transcript, task.Synthesizer, task.Recognizer, task.Synthetic = &warning, "안녕하세요", "안녕", "espeak", "pocketsphinx", true
	task.Normalization = []omnivibe.Replacement{{Original: "3%", Spoken: "삼 퍼센트"}}
	task.Iterations = []omnivibe.AudioIteration{{Attempt: 1, Similarity: &sim, Transcript: "안녕", Duration: 3.25}, {Attempt: 2, Transcript: "x"}}
	task.AudioPath, task.AudioFormat, task.Duration, task.JobID = "1/aud_one.wav", "wav", &dur, 42
	task.Error = &omnivibe.AudioError{Stage: "synthesize", Code: "provider_unavailable", Provider: "elevenlabs", Retryable: true, Message: "503"}
	task.StartedAt, task.FinishedAt = &started, &finished
	task.ProvidersSkipped = []omnivibe.ProviderSkip{{Stage: "synthesize", Attempt: 1, Provider: "elevenlabs", Code: "server_error", Status: 503, Message: "busy"}}
	inTx(t, s, func(tx service.Tx) error { return tx.UpdateAudioTask(ctx, task) })
	got, _ = s.AudioTask(ctx, f.account.ID, "aud_one")
	if len(got.ProvidersSkipped) != 1 || got.ProvidersSkipped[0] != task.ProvidersSkipped[0] {
		t.Fatalf("providers_skipped %+v, want %+v", got.ProvidersSkipped, task.ProvidersSkipped)
	}
	if got.Status != "partial" || *got.Similarity != sim || !got.Verified || *got.Warning != warning || got.Normalization[0].Spoken != "삼 퍼센트" ||
		len(got.Iterations) != 2 || got.Iterations[1].Similarity != nil || *got.Iterations[0].Similarity != sim || got.AudioPath != "1/aud_one.wav" ||
		*got.Duration != dur || got.JobID != 42 || got.Error.Provider != "elevenlabs" || !got.Error.Retryable || !got.StartedAt.Equal(started) ||
		!got.FinishedAt.Equal(finished) || !got.Synthetic || got.Attempts != 2 {
		t.Fatalf("updated: %+v", got)
	}
	// The word-by-word check (migration 0003): empty until set, then kept
	// with its times, null where a word was not heard.
	if len(got.Words) != 0 || got.Words == nil {
		t.Fatalf("words before any check: %#v, want an empty list", got.Words)
	}
	start, end := 0.25, 0.5
	task.Words = []omnivibe.AudioWord{{Word: "sale", Status: "ok", Start: &start, End: &end}, {Word: "friday", Status: "substituted", Heard: "monday", Start: &start, End: &end}, {Word: "now", Status: "missing"}}
	inTx(t, s, func(tx service.Tx) error { return tx.UpdateAudioTask(ctx, task) })
	got, _ = s.AudioTask(ctx, f.account.ID, "aud_one")
	if len(got.Words) != 3 || got.Words[1].Heard != "monday" || *got.Words[0].End != end || got.Words[2].Start != nil || got.Words[2].Status != "missing" {
		t.Fatalf("words: %+v", got.Words)
	}
	stolen := task
	stolen.AccountID = other.account.ID
	err = s.InTx(ctx, func(tx service.Tx) error { return tx.UpdateAudioTask(ctx, stolen) })
	wantCode(t, err, omnivibe.CodeNotFound)

	for i := 0; i < 3; i++ {
		q := newAudioTask(f, fmt.Sprintf("aud_q%d", i))
		q.CreatedAt = now.Add(time.Duration(i) * time.Minute)
		inTx(t, s, func(tx service.Tx) error { return tx.CreateAudioTask(ctx, &q) })
	}
	if n, err := s.CountAudioTasks(ctx, f.account.ID, omnivibe.AudioQueued); err != nil || n != 3 {
		t.Fatalf("queued: %d, %v", n, err)
	}
	list, total, err := s.ListAudioTasks(ctx, f.account.ID, omnivibe.AudioFilter{Page: 1, PageSize: 2})
	if err != nil || total != 4 || len(list) != 2 || list[0].TaskID != "aud_q2" {
		t.Fatalf("list: %d %+v, %v", total, list, err)
	}
	if _, total, _ := s.ListAudioTasks(ctx, f.account.ID, omnivibe.AudioFilter{Status: "partial", Page: 1, PageSize: 20}); total != 1 {
		t.Fatalf("partial: %d", total)
	}
	if _, total, _ := s.ListAudioTasks(ctx, other.account.ID, omnivibe.AudioFilter{Page: 1, PageSize: 20}); total != 0 {
		t.Fatalf("other account sees %d tasks", total)
	}
	old, err := s.UnfinishedAudioTasks(ctx, now.Add(90*time.Second), 10)
	if err != nil || len(old) != 2 || old[0].TaskID != "aud_q0" || old[1].TaskID != "aud_q1" {
		t.Fatalf("unfinished: %+v, %v", old, err)
	}
}

func testAudioIdempotency(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	other := newFixture(t, s)
	a := newAudioTask(f, "aud_a")
	a.IdempotencyKey = "retry-1"
	inTx(t, s, func(tx service.Tx) error { return tx.CreateAudioTask(ctx, &a) })
	b := newAudioTask(f, "aud_b")
	b.IdempotencyKey = "retry-1"
	err := s.InTx(ctx, func(tx service.Tx) error { return tx.CreateAudioTask(ctx, &b) })
	wantCode(t, err, omnivibe.CodeConflict)
	c := newAudioTask(other, "aud_c")
	c.IdempotencyKey = "retry-1" // another account may use the same key
	inTx(t, s, func(tx service.Tx) error { return tx.CreateAudioTask(ctx, &c) })
	got, err := s.AudioTaskByIdempotencyKey(ctx, f.account.ID, "retry-1")
	if err != nil || got.TaskID != "aud_a" {
		t.Fatalf("by key: %+v, %v", got, err)
	}
	// Tasks without a key never collide.
	for _, id := range []string{"aud_d", "aud_e"} {
		d := newAudioTask(f, id)
		inTx(t, s, func(tx service.Tx) error { return tx.CreateAudioTask(ctx, &d) })
	}
}

func testAudioFiles(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	camp := createCampaign(t, s, f, "Voiced")
	c := omnivibe.Content{AccountID: f.account.ID, CampaignID: camp.ID, Topic: "t", Platform: "youtube", Language: "en", TargetDuration: 30, Status: "draft", CreatedAt: now, UpdatedAt: now}
	inTx(t, s, func(tx service.Tx) error { return tx.CreateContent(ctx, &c) })
	for i, link := range []struct{ campaign, content *int64 }{{&camp.ID, &c.ID}, {&camp.ID, nil}, {nil, nil}} {
		task := newAudioTask(f, fmt.Sprintf("aud_f%d", i))
		task.CampaignID, task.ContentID, task.AudioPath = link.campaign, link.content, fmt.Sprintf("%d/aud_f%d.wav", f.account.ID, i)
		inTx(t, s, func(tx service.Tx) error { return tx.CreateAudioTask(ctx, &task) })
	}
	byCampaign, err := s.AudioFiles(ctx, f.account.ID, camp.ID, 0)
	if err != nil || len(byCampaign) != 2 {
		t.Fatalf("by campaign: %v, %v", byCampaign, err)
	}
	if byContent, _ := s.AudioFiles(ctx, f.account.ID, 0, c.ID); len(byContent) != 1 {
		t.Fatalf("by content: %v", byContent)
	}
	other := newFixture(t, s)
	if theirs, _ := s.AudioFiles(ctx, other.account.ID, camp.ID, 0); len(theirs) != 0 {
		t.Fatalf("another account's files: %v", theirs)
	}
	inTx(t, s, func(tx service.Tx) error { return tx.DeleteCampaign(ctx, f.account.ID, camp.ID) })
	_, err = s.AudioTask(ctx, f.account.ID, "aud_f0")
	wantCode(t, err, omnivibe.CodeNotFound)
	if _, err := s.AudioTask(ctx, f.account.ID, "aud_f2"); err != nil {
		t.Fatalf("a task of no campaign went with the campaign: %v", err)
	}
}
