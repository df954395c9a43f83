package client_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/client"
	"github.com/omnivibepro/omnivibe/internal/app"
	"github.com/omnivibepro/omnivibe/internal/config"
)

const password = "Passw0rd-ok"

// newAPI serves the real API (service, SQLite store in a temp dir, memory
// cache) through httptest, wrapped by wrap when it is not nil.
func newAPI(t *testing.T, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	return newAPIWith(t, nil, wrap)
}

// newAPIWith is newAPI with the configuration changed by edit first.
func newAPIWith(t *testing.T, edit func(*config.Config), wrap func(http.Handler) http.Handler) string {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := config.Default()
	cfg.DataDir, cfg.PasswordCost, cfg.PasswordHash = t.TempDir(), 4, "bcrypt"
	if edit != nil {
		edit(&cfg)
	}
	a, err := app.New(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	var h http.Handler = a.API
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

var emailSeq atomic.Int64

// register signs up a new account and returns its owner's client.
func register(t *testing.T, base string) (*client.Client, omnivibe.TokenPair) {
	t.Helper()
	c := client.New(base)
	email := fmt.Sprintf("owner%d@example.com", emailSeq.Add(1))
	pair, err := c.Register(context.Background(), omnivibe.Registration{Email: email, Password: password, Name: "Owner", AccountName: "Agency"})
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	return c, pair
}

// apiError returns err as an *Error or fails the test.
func apiError(t *testing.T, err error, wantStatus int, wantCode omnivibe.Code) *client.Error {
	t.Helper()
	if !client.IsCode(err, wantCode) || client.StatusOf(err) != wantStatus {
		t.Fatalf("got error %v, want %d %s", err, wantStatus, wantCode)
	}
	e := err.(*client.Error)
	if e.RequestID == "" {
		t.Errorf("error %v has no request ID", e)
	}
	return e
}

func TestAuth(t *testing.T) {
	ctx := context.Background()
	base := newAPI(t, nil)
	owner, pair := register(t, base)

	if pair.TokenType != "bearer" || pair.ExpiresIn != 1800 || pair.User.Role != omnivibe.RoleOwner || pair.Account.Plan != "free" {
		t.Errorf("got pair %+v, want bearer, 1800 s, owner, free plan", pair)
	}
	if access, refresh := owner.Tokens(); access != pair.AccessToken || refresh != pair.RefreshToken {
		t.Errorf("client keeps tokens %q, %q; want the registered pair", access, refresh)
	}
	me, err := owner.Me(ctx)
	if err != nil || me.User.ID != pair.User.ID || me.Account.ID != pair.Account.ID {
		t.Fatalf("Me = %+v, %v; want user %d of account %d", me, err, pair.User.ID, pair.Account.ID)
	}

	t.Run("login", func(t *testing.T) {
		c := client.New(base)
		e := apiError(t, func() error { _, err := c.Login(ctx, pair.User.Email, "Wrong-pass1"); return err }(), 401, omnivibe.CodeUnauthorized)
		if e.Action != "relogin" {
			t.Errorf("got action %q, want relogin", e.Action)
		}
		if access, _ := c.Tokens(); access != "" {
			t.Errorf("a failed login left token %q", access)
		}
		got, err := c.Login(ctx, strings.ToUpper(pair.User.Email), password)
		if err != nil || got.User.ID != pair.User.ID {
			t.Fatalf("Login = %+v, %v", got.User, err)
		}
		if _, err := c.Me(ctx); err != nil {
			t.Errorf("Me after Login: %v", err)
		}
	})

	t.Run("refresh", func(t *testing.T) {
		c := client.New(base)
		first, err := c.Login(ctx, pair.User.Email, password)
		if err != nil {
			t.Fatal(err)
		}
		second, err := c.Refresh(ctx, first.RefreshToken)
		if err != nil {
			t.Fatal(err)
		}
		if access, refresh := c.Tokens(); access != second.AccessToken || refresh != second.RefreshToken || refresh == first.RefreshToken {
			t.Errorf("after Refresh the client keeps %q, %q; want the new pair", access, refresh)
		}
		_, err = c.Refresh(ctx, first.RefreshToken)
		apiError(t, err, 401, omnivibe.CodeUnauthorized)
		if _, refresh := c.Tokens(); refresh != second.RefreshToken {
			t.Errorf("a failed Refresh replaced the kept refresh token")
		}
	})

	t.Run("api keys", func(t *testing.T) {
		days := 30
		key, err := owner.CreateAPIKey(ctx, omnivibe.NewAPIKey{Name: "ci", ExpiresInDays: &days})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(key.Key, "ovp_") || len(key.Key) != 47 || key.ExpiresAt == nil || !strings.HasPrefix(key.Key, key.Prefix) {
			t.Fatalf("got key %+v, want ovp_ + 43 chars with its prefix and an expiry", key)
		}
		keys, err := owner.ListAPIKeys(ctx)
		if err != nil || len(keys) != 1 || keys[0].ID != key.ID || keys[0].Name != "ci" {
			t.Fatalf("ListAPIKeys = %+v, %v; want the one key", keys, err)
		}
		for _, c := range []*client.Client{client.New(base, client.WithAPIKey(key.Key)), client.New(base, client.WithToken(key.Key))} {
			if me, err := c.Me(ctx); err != nil || me.User.ID != pair.User.ID {
				t.Fatalf("Me with the key = %+v, %v", me.User, err)
			}
		}
		if err := owner.RevokeAPIKey(ctx, key.ID); err != nil {
			t.Fatal(err)
		}
		_, err = client.New(base, client.WithAPIKey(key.Key)).Me(ctx)
		apiError(t, err, 401, omnivibe.CodeUnauthorized)
		apiError(t, owner.RevokeAPIKey(ctx, key.ID), 404, omnivibe.CodeNotFound)
	})

	t.Run("no credentials", func(t *testing.T) {
		_, err := client.New(base).Me(ctx)
		apiError(t, err, 401, omnivibe.CodeUnauthorized)
	})
}

func TestAccountMembers(t *testing.T) {
	ctx := context.Background()
	base := newAPI(t, nil)
	owner, pair := register(t, base)

	a, err := owner.RenameAccount(ctx, "  스튜디오 Seoul  ")
	if err != nil || a.Name != "스튜디오 Seoul" || a.ID != pair.Account.ID {
		t.Fatalf("RenameAccount = %+v, %v; want the trimmed name", a, err)
	}
	if a, err := owner.Account(ctx); err != nil || a.Name != "스튜디오 Seoul" {
		t.Fatalf("Account = %+v, %v", a, err)
	}

	member, err := owner.AddMember(ctx, omnivibe.NewMember{Email: "Member@Example.com", Name: "Mina", Password: password, Role: omnivibe.RoleMember})
	if err != nil || member.Email != "member@example.com" || member.Role != omnivibe.RoleMember || member.AccountID != pair.Account.ID {
		t.Fatalf("AddMember = %+v, %v", member, err)
	}
	_, err = owner.AddMember(ctx, omnivibe.NewMember{Email: "member@example.com", Name: "Again", Password: password, Role: omnivibe.RoleMember})
	apiError(t, err, 409, omnivibe.CodeConflict)
	_, err = owner.AddMember(ctx, omnivibe.NewMember{Email: "bad", Name: "", Password: "short", Role: "boss"})
	e := apiError(t, err, 422, omnivibe.CodeValidation)
	var fields []string
	for _, f := range e.Fields {
		fields = append(fields, f.Field)
	}
	if got := strings.Join(fields, ","); got != "email,password,name,role" {
		t.Errorf("got broken fields %s, want email,password,name,role", got)
	}

	users, err := owner.ListMembers(ctx)
	if err != nil || len(users) != 2 {
		t.Fatalf("ListMembers = %+v, %v; want 2 users", users, err)
	}

	mc := client.New(base)
	if _, err := mc.Login(ctx, "member@example.com", password); err != nil {
		t.Fatal(err)
	}
	_, err = mc.RenameAccount(ctx, "Mine now")
	apiError(t, err, 403, omnivibe.CodeForbidden)

	u, err := owner.ChangeMemberRole(ctx, member.ID, omnivibe.RoleAdmin)
	if err != nil || u.Role != omnivibe.RoleAdmin {
		t.Fatalf("ChangeMemberRole = %+v, %v", u, err)
	}
	if _, err := mc.RenameAccount(ctx, "Renamed by admin"); err != nil {
		t.Errorf("an admin may rename the account at once after the role change: %v", err)
	}
	_, err = owner.ChangeMemberRole(ctx, pair.User.ID, omnivibe.RoleMember)
	apiError(t, err, 409, omnivibe.CodeConflict) // the last owner

	if err := owner.RemoveMember(ctx, member.ID); err != nil {
		t.Fatal(err)
	}
	_, err = mc.Me(ctx)
	apiError(t, err, 401, omnivibe.CodeUnauthorized)
	apiError(t, owner.RemoveMember(ctx, member.ID), 404, omnivibe.CodeNotFound)
}

func TestClients(t *testing.T) {
	ctx := context.Background()
	base := newAPI(t, nil)
	owner, _ := register(t, base)

	cl, err := owner.CreateClient(ctx, omnivibe.ClientInput{
		Name: omnivibe.Some("하늘 커피 ☕"), Industry: omnivibe.Some("F&B"), BrandColor: omnivibe.Some("#1A2B3C"),
		WebsiteURL: omnivibe.Some("https://coffee.example"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if cl.ID == 0 || cl.Name != "하늘 커피 ☕" || cl.BrandColor != "#1A2B3C" || cl.CreatedAt.IsZero() {
		t.Fatalf("got client %+v", cl)
	}
	got, err := owner.Client(ctx, cl.ID)
	if err != nil || got != cl {
		t.Fatalf("Client = %+v, %v; want %+v", got, err, cl)
	}

	up, err := owner.UpdateClient(ctx, cl.ID, omnivibe.ClientInput{Industry: omnivibe.Some("Coffee")})
	if err != nil || up.Industry != "Coffee" || up.Name != cl.Name || up.WebsiteURL != cl.WebsiteURL {
		t.Fatalf("UpdateClient = %+v, %v; want only industry changed", up, err)
	}
	cleared, err := owner.UpdateClient(ctx, cl.ID, omnivibe.ClientInput{WebsiteURL: omnivibe.Optional[string]{Set: true, Null: true}})
	if err != nil || cleared.WebsiteURL != "" || cleared.Industry != "Coffee" {
		t.Fatalf("UpdateClient with null = %+v, %v; want website cleared", cleared, err)
	}

	_, err = owner.CreateClient(ctx, omnivibe.ClientInput{BrandColor: omnivibe.Some("red"), LogoURL: omnivibe.Some("ftp://x")})
	e := apiError(t, err, 422, omnivibe.CodeValidation)
	if len(e.Fields) != 3 || e.Action != "check_input" {
		t.Errorf("got %+v, want name, brand_color and logo_url broken, action check_input", e)
	}

	for i := range 2 {
		if _, err := owner.CreateClient(ctx, omnivibe.ClientInput{Name: omnivibe.Some(fmt.Sprintf("client %d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	page, err := owner.ListClients(ctx, 2, 2)
	if err != nil || page.Total != 3 || page.Page != 2 || page.PageSize != 2 || len(page.Clients) != 1 {
		t.Fatalf("ListClients(2, 2) = %+v, %v; want the last of 3", page, err)
	}
	_, err = owner.ListClients(ctx, 0, 101)
	apiError(t, err, 422, omnivibe.CodeValidation)

	camp, err := owner.CreateCampaign(ctx, omnivibe.CampaignInput{ClientID: omnivibe.Some(cl.ID), Name: omnivibe.Some("launch")})
	if err != nil {
		t.Fatal(err)
	}
	apiError(t, owner.DeleteClient(ctx, cl.ID), 409, omnivibe.CodeConflict)
	if err := owner.DeleteCampaign(ctx, camp.ID); err != nil {
		t.Fatal(err)
	}
	if err := owner.DeleteClient(ctx, cl.ID); err != nil {
		t.Fatal(err)
	}
	_, err = owner.Client(ctx, cl.ID)
	apiError(t, err, 404, omnivibe.CodeNotFound)
}

func TestCampaigns(t *testing.T) {
	ctx := context.Background()
	base := newAPI(t, nil)
	owner, _ := register(t, base)
	cl, err := owner.CreateClient(ctx, omnivibe.ClientInput{Name: omnivibe.Some("Acme")})
	if err != nil {
		t.Fatal(err)
	}
	other, err := owner.CreateClient(ctx, omnivibe.ClientInput{Name: omnivibe.Some("Other")})
	if err != nil {
		t.Fatal(err)
	}

	c1, err := owner.CreateCampaign(ctx, omnivibe.CampaignInput{
		ClientID: omnivibe.Some(cl.ID), Name: omnivibe.Some("Spring sale"), Platform: omnivibe.Some("YouTube"),
		TargetDuration: omnivibe.Some(90), ConceptTone: omnivibe.Some("friendly"),
		StartDate: omnivibe.Some("2026-03-01"), EndDate: omnivibe.Some("2026-03-31"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if *c1.Platform != "youtube" || *c1.TargetDuration != 90 || c1.Status != "active" || c1.BGMVolume != 0.3 || c1.IntroDuration != 5 {
		t.Fatalf("got campaign %+v, want platform lower-cased and the defaults", c1)
	}
	c2, err := owner.CreateCampaign(ctx, omnivibe.CampaignInput{ClientID: omnivibe.Some(other.ID), Name: omnivibe.Some("Summer teaser"), Status: omnivibe.Some("paused")})
	if err != nil {
		t.Fatal(err)
	}

	list := func(f omnivibe.CampaignFilter) []int64 {
		t.Helper()
		page, err := owner.ListCampaigns(ctx, f)
		if err != nil {
			t.Fatalf("ListCampaigns(%+v): %v", f, err)
		}
		ids := make([]int64, len(page.Campaigns))
		for i, c := range page.Campaigns {
			ids[i] = c.ID
		}
		if page.Total < len(ids) {
			t.Errorf("total %d is less than the %d campaigns listed", page.Total, len(ids))
		}
		return ids
	}
	for _, tc := range []struct {
		name string
		f    omnivibe.CampaignFilter
		want []int64
	}{
		{"all, newest first", omnivibe.CampaignFilter{}, []int64{c2.ID, c1.ID}},
		{"by client", omnivibe.CampaignFilter{ClientID: cl.ID}, []int64{c1.ID}},
		{"by status", omnivibe.CampaignFilter{Status: "paused"}, []int64{c2.ID}},
		{"by name", omnivibe.CampaignFilter{Query: "sale"}, []int64{c1.ID}},
		{"second page", omnivibe.CampaignFilter{Page: 2, PageSize: 1}, []int64{c1.ID}},
	} {
		if got := list(tc.f); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	_, err = owner.ListCampaigns(ctx, omnivibe.CampaignFilter{Status: "gone", PageSize: 500})
	if e := apiError(t, err, 422, omnivibe.CodeValidation); len(e.Fields) != 2 {
		t.Errorf("got fields %+v, want status and page_size", e.Fields)
	}

	up, err := owner.UpdateCampaign(ctx, c1.ID, omnivibe.CampaignInput{
		Description: omnivibe.Some("봄맞이 🌸"), ConceptTone: omnivibe.Optional[string]{Set: true, Null: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	if up.Description != "봄맞이 🌸" || up.ConceptTone != nil || up.Name != c1.Name || *up.TargetDuration != 90 || *up.StartDate != "2026-03-01" {
		t.Fatalf("UpdateCampaign = %+v; want description set, tone cleared, the rest kept", up)
	}
	if same, err := owner.UpdateCampaign(ctx, c1.ID, omnivibe.CampaignInput{}); err != nil || same.Description != up.Description {
		t.Fatalf("an empty PATCH = %+v, %v; want nothing changed", same, err)
	}
	_, err = owner.UpdateCampaign(ctx, c1.ID, omnivibe.CampaignInput{Name: omnivibe.Some("Summer teaser")})
	apiError(t, err, 409, omnivibe.CodeConflict)
	_, err = owner.UpdateCampaign(ctx, c1.ID, omnivibe.CampaignInput{EndDate: omnivibe.Some("2026-02-01")})
	apiError(t, err, 422, omnivibe.CodeValidation)

	if got, err := owner.Campaign(ctx, c1.ID); err != nil || got.Description != up.Description {
		t.Fatalf("Campaign = %+v, %v", got, err)
	}
	if err := owner.DeleteCampaign(ctx, c1.ID); err != nil {
		t.Fatal(err)
	}
	_, err = owner.Campaign(ctx, c1.ID)
	apiError(t, err, 404, omnivibe.CodeNotFound)
	if got := list(omnivibe.CampaignFilter{}); fmt.Sprint(got) != fmt.Sprint([]int64{c2.ID}) {
		t.Errorf("after delete got %v, want only %d", got, c2.ID)
	}
}

func TestContents(t *testing.T) {
	ctx := context.Background()
	base := newAPI(t, nil)
	owner, _ := register(t, base)
	cl, err := owner.CreateClient(ctx, omnivibe.ClientInput{Name: omnivibe.Some("Acme")})
	if err != nil {
		t.Fatal(err)
	}
	camp, err := owner.CreateCampaign(ctx, omnivibe.CampaignInput{ClientID: omnivibe.Some(cl.ID), Name: omnivibe.Some("Launch"),
		Platform: omnivibe.Some("tiktok"), TargetDuration: omnivibe.Some(45)})
	if err != nil {
		t.Fatal(err)
	}

	first, err := owner.CreateContent(ctx, camp.ID, omnivibe.ContentInput{Topic: omnivibe.Some("새 제품 소개"), Keywords: omnivibe.Some([]string{"신제품", " 신제품 ", "launch"})})
	if err != nil {
		t.Fatal(err)
	}
	if first.Platform != "tiktok" || first.TargetDuration != 45 || first.Language != "ko" || first.Status != "draft" || fmt.Sprint(first.Keywords) != "[신제품 launch]" {
		t.Fatalf("got content %+v, want the campaign's platform and duration, ko, draft, keywords deduplicated", first)
	}
	second, err := owner.CreateContent(ctx, camp.ID, omnivibe.ContentInput{Title: omnivibe.Some("Behind the scenes"), Topic: omnivibe.Some("making of"), Language: omnivibe.Some("en")})
	if err != nil {
		t.Fatal(err)
	}

	published, err := owner.UpdateContent(ctx, first.ID, omnivibe.ContentInput{Status: omnivibe.Some("published")})
	if err != nil || published.Status != "published" || published.Topic != first.Topic {
		t.Fatalf("UpdateContent = %+v, %v", published, err)
	}
	_, err = owner.UpdateContent(ctx, first.ID, omnivibe.ContentInput{Status: omnivibe.Some("audio_generated")})
	apiError(t, err, 422, omnivibe.CodeValidation)

	page, err := owner.ListContents(ctx, camp.ID, omnivibe.ContentFilter{})
	if err != nil || page.Total != 2 || len(page.Contents) != 2 || page.Contents[0].ID != second.ID {
		t.Fatalf("ListContents = %+v, %v; want both, newest first", page, err)
	}
	page, err = owner.ListContents(ctx, camp.ID, omnivibe.ContentFilter{Status: "published", PageSize: 5})
	if err != nil || page.Total != 1 || page.Contents[0].ID != first.ID || page.PageSize != 5 {
		t.Fatalf("ListContents(published) = %+v, %v", page, err)
	}
	if got, err := owner.Content(ctx, second.ID); err != nil || got.Title != "Behind the scenes" || got.Language != "en" {
		t.Fatalf("Content = %+v, %v", got, err)
	}
	_, err = owner.ContentScript(ctx, second.ID)
	apiError(t, err, 404, omnivibe.CodeNotFound)

	if err := owner.DeleteContent(ctx, second.ID); err != nil {
		t.Fatal(err)
	}
	_, err = owner.Content(ctx, second.ID)
	apiError(t, err, 404, omnivibe.CodeNotFound)
	_, err = owner.CreateContent(ctx, camp.ID+1000, omnivibe.ContentInput{Topic: omnivibe.Some("x")})
	apiError(t, err, 404, omnivibe.CodeNotFound)
}

func TestBillingAndOps(t *testing.T) {
	ctx := context.Background()
	base := newAPI(t, nil)
	anonymous := client.New(base)

	plans, err := anonymous.Plans(ctx)
	if err != nil || len(plans) != 4 || plans[0].ID != "free" || *plans[0].Quotas.Scripts != 15 || plans[2].Quotas.Scripts != nil {
		t.Fatalf("Plans = %+v, %v; want the four plans of the contract", plans, err)
	}
	if err := anonymous.Healthz(ctx); err != nil {
		t.Errorf("Healthz: %v", err)
	}
	if err := anonymous.Readyz(ctx); err != nil {
		t.Errorf("Readyz: %v", err)
	}
	_, err = anonymous.Usage(ctx)
	apiError(t, err, 401, omnivibe.CodeUnauthorized)

	owner, _ := register(t, base)
	u, err := owner.Usage(ctx)
	if err != nil || u.Plan != "free" || *u.Limits.Audio != 15 || u.Used != (omnivibe.UsageCounts{}) || len(u.Period) != 7 || u.ResetsAt.IsZero() {
		t.Fatalf("Usage = %+v, %v; want the free plan, nothing used", u, err)
	}
	u, err = owner.ChangePlan(ctx, "creator")
	if err != nil || u.Plan != "creator" || *u.Limits.Scripts != 100 {
		t.Fatalf("ChangePlan = %+v, %v", u, err)
	}
	_, err = owner.ChangePlan(ctx, "platinum")
	if e := apiError(t, err, 422, omnivibe.CodeValidation); len(e.Fields) != 1 || e.Fields[0].Field != "plan" {
		t.Errorf("got fields %+v, want plan", e.Fields)
	}
}

func TestOptionsReachTheServer(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	var agents []string
	base := newAPI(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			agents = append(agents, r.Header.Get("User-Agent"))
			mu.Unlock()
			next.ServeHTTP(w, r)
		})
	})
	var sent atomic.Int64
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		sent.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})}

	if err := client.New(base+"/", client.WithHTTPClient(hc), client.WithUserAgent("loadtest/2")).Healthz(ctx); err != nil {
		t.Fatal(err)
	}
	if err := client.New(base).Healthz(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(agents) != fmt.Sprint([]string{"loadtest/2", client.DefaultUserAgent}) {
		t.Errorf("got user agents %q, want the option's, then the default", agents)
	}
	if sent.Load() != 1 {
		t.Errorf("the given http.Client sent %d requests, want 1", sent.Load())
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestWriter(t *testing.T) {
	c, _ := register(t, newAPI(t, nil))
	ctx := context.Background()
	d := 60
	first, err := c.GenerateScript(ctx, omnivibe.ScriptRequest{Topic: "home cafe latte art", Language: "en", TargetDuration: &d})
	if err != nil || first.Cached || first.Language != "en" || len(first.Blocks) < 3 {
		t.Fatalf("generate: %+v, %v", first, err)
	}
	again, err := c.GenerateScript(ctx, omnivibe.ScriptRequest{Topic: "home cafe latte art", Language: "en", TargetDuration: &d})
	if err != nil || !again.Cached || again.ID != first.ID {
		t.Fatalf("cached: %+v, %v", again, err)
	}
	if _, err := c.GenerateScript(ctx, omnivibe.ScriptRequest{Language: "en"}); !client.IsCode(err, omnivibe.CodeValidation) {
		t.Fatalf("no topic: %v", err)
	}
	est, err := c.Duration(ctx, "one two three.", "en")
	if err != nil || est.Words != 3 || est.Pauses != 1 {
		t.Fatalf("duration: %+v, %v", est, err)
	}
}
