package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/client"
)

const e2ePassword = "Passw0rd-e2e"

// exitWait bounds how long a test waits for run to return; it is a guard
// against a hang, not a speed requirement.
const exitWait = 30 * time.Second

// syncBuffer is a bytes.Buffer the server's logger and the test may share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// server is one `omnivibe serve` started through run, in this process.
type server struct {
	base   string // http://127.0.0.1:PORT
	addr   string // 127.0.0.1:PORT
	cancel context.CancelFunc
	done   chan int
	log    *syncBuffer

	once sync.Once
	code int
}

// startServer runs `omnivibe serve` on a free port with its data in dataDir,
// and returns once it listens (it says where on its first line of stdout).
func startServer(t *testing.T, dataDir string) *server {
	t.Helper()
	return startServerWith(t, dataDir, nil)
}

// startServerWith is startServer with more settings in its environment.
func startServerWith(t *testing.T, dataDir string, extra map[string]string) *server {
	t.Helper()
	env := map[string]string{
		"OMNIVIBE_ADDR":          "127.0.0.1:0",
		"OMNIVIBE_DATA_DIR":      dataDir,
		"OMNIVIBE_PASSWORD_COST": "4",
		"OMNIVIBE_PASSWORD_HASH": "bcrypt",
		"OMNIVIBE_LOG_LEVEL":     "warn",
		"OMNIVIBE_LOG_FORMAT":    "text",
	}
	maps.Copy(env, extra)
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{cancel: cancel, done: make(chan int, 1), log: &syncBuffer{}}
	stdoutR, stdoutW := io.Pipe()
	go func() {
		code := run(ctx, []string{"omnivibe", "serve"}, func(k string) string { return env[k] }, stdoutW, s.log)
		stdoutW.Close() // a run that fails before listening ends the read below
		s.done <- code
	}()
	t.Cleanup(func() {
		s.stop(t)
		if t.Failed() {
			t.Logf("server log:\n%s", s.log)
		}
	})

	stdout := bufio.NewReader(stdoutR)
	line, err := stdout.ReadString('\n')
	if err != nil {
		t.Fatalf("the server did not say where it listens (%v); stdout %q", err, line)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	const prefix = "omnivibe listening on "
	rest, ok := strings.CutPrefix(line, prefix)
	if !ok {
		t.Fatalf("got first line %q, want it to start with %q", line, prefix)
	}
	s.base, _, _ = strings.Cut(strings.TrimSpace(rest), " ")
	s.addr = strings.TrimPrefix(s.base, "http://")
	return s
}

// stop cancels the run's context, as SIGTERM does, and returns run's exit code.
func (s *server) stop(t *testing.T) int {
	t.Helper()
	s.cancel()
	s.once.Do(func() {
		select {
		case s.code = <-s.done:
		case <-time.After(exitWait):
			s.code = -1
			t.Errorf("run did not return within %s of its context being cancelled", exitWait)
		}
	})
	return s.code
}

// wantAPIError fails the test unless err is an API error with this status and code.
func wantAPIError(t *testing.T, err error, status int, code omnivibe.Code) {
	t.Helper()
	var e *client.Error
	if !errors.As(err, &e) || e.Code != code || e.Status != status || e.RequestID == "" {
		t.Fatalf("got error %v, want %d %s with a request ID", err, status, code)
	}
}

func campaignIDs(p omnivibe.CampaignPage) []int64 {
	ids := make([]int64, len(p.Campaigns))
	for i, c := range p.Campaigns {
		ids[i] = c.ID
	}
	return ids
}

func TestEndToEnd(t *testing.T) {
	ctx := t.Context()
	dataDir := t.TempDir()
	srv := startServer(t, dataDir)

	if err := client.New(srv.base).Readyz(ctx); err != nil {
		t.Fatalf("readyz: %v", err)
	}

	owner := client.New(srv.base)
	reg, err := owner.Register(ctx, omnivibe.Registration{Email: "owner@agency.example", Password: e2ePassword, Name: "Owner", AccountName: "Agency"})
	if err != nil {
		t.Fatalf("register: %v", err)
	}

	const clientName = "서울 베이커리 🥐 & Co"
	cl, err := owner.CreateClient(ctx, omnivibe.ClientInput{Name: omnivibe.Some(clientName), BrandColor: omnivibe.Some("#FF8800")})
	if err != nil {
		t.Fatal(err)
	}
	if cl.Name != clientName {
		t.Fatalf("got client name %q, want %q", cl.Name, clientName)
	}
	if got, err := owner.Client(ctx, cl.ID); err != nil || got.Name != clientName {
		t.Fatalf("read back client = %q, %v; want %q", got.Name, err, clientName)
	}

	// The campaign list is cached per account; every write must show in the
	// next list at once.
	spring, err := owner.CreateCampaign(ctx, omnivibe.CampaignInput{ClientID: omnivibe.Some(cl.ID), Name: omnivibe.Some("봄 신메뉴 🌸"), Platform: omnivibe.Some("Instagram")})
	if err != nil {
		t.Fatal(err)
	}
	page, err := owner.ListCampaigns(ctx, omnivibe.CampaignFilter{})
	if err != nil || fmt.Sprint(campaignIDs(page)) != fmt.Sprint([]int64{spring.ID}) || page.Total != 1 {
		t.Fatalf("list after create = %v (total %d), %v; want [%d]", campaignIDs(page), page.Total, err, spring.ID)
	}
	summer, err := owner.CreateCampaign(ctx, omnivibe.CampaignInput{ClientID: omnivibe.Some(cl.ID), Name: omnivibe.Some("Summer")})
	if err != nil {
		t.Fatal(err)
	}
	page, err = owner.ListCampaigns(ctx, omnivibe.CampaignFilter{})
	if err != nil || fmt.Sprint(campaignIDs(page)) != fmt.Sprint([]int64{summer.ID, spring.ID}) {
		t.Fatalf("list after a second create = %v, %v; want newest first [%d %d]", campaignIDs(page), err, summer.ID, spring.ID)
	}
	if _, err := owner.UpdateCampaign(ctx, spring.ID, omnivibe.CampaignInput{Status: omnivibe.Some("paused"), Description: omnivibe.Some("딸기 시즌")}); err != nil {
		t.Fatal(err)
	}
	page, err = owner.ListCampaigns(ctx, omnivibe.CampaignFilter{})
	if err != nil || len(page.Campaigns) != 2 {
		t.Fatalf("list after patch = %+v, %v", page, err)
	}
	if got := page.Campaigns[1]; got.Status != "paused" || got.Description != "딸기 시즌" || *got.Platform != "instagram" || got.Name != spring.Name {
		t.Fatalf("list after patch shows %+v; want the patch, and the rest kept", got)
	}

	_, err = owner.CreateCampaign(ctx, omnivibe.CampaignInput{ClientID: omnivibe.Some(cl.ID), Name: omnivibe.Some("Summer")})
	wantAPIError(t, err, http.StatusConflict, omnivibe.CodeConflict)

	t.Run("refresh token is single use", func(t *testing.T) {
		c := client.New(srv.base)
		if _, err := c.Refresh(ctx, reg.RefreshToken); err != nil {
			t.Fatalf("first refresh: %v", err)
		}
		_, err := c.Refresh(ctx, reg.RefreshToken)
		wantAPIError(t, err, http.StatusUnauthorized, omnivibe.CodeUnauthorized)
	})

	t.Run("api key works until revoked", func(t *testing.T) {
		key, err := owner.CreateAPIKey(ctx, omnivibe.NewAPIKey{Name: "automation"})
		if err != nil {
			t.Fatal(err)
		}
		byHeader := client.New(srv.base, client.WithAPIKey(key.Key))
		byBearer := client.New(srv.base, client.WithToken(key.Key))
		if p, err := byHeader.ListCampaigns(ctx, omnivibe.CampaignFilter{}); err != nil || p.Total != 2 {
			t.Fatalf("list with X-API-Key = %d campaigns, %v; want 2", p.Total, err)
		}
		if me, err := byBearer.Me(ctx); err != nil || me.User.ID != reg.User.ID {
			t.Fatalf("me with Bearer key = %+v, %v", me.User, err)
		}
		if err := owner.RevokeAPIKey(ctx, key.ID); err != nil {
			t.Fatal(err)
		}
		_, err = byHeader.ListCampaigns(ctx, omnivibe.CampaignFilter{})
		wantAPIError(t, err, http.StatusUnauthorized, omnivibe.CodeUnauthorized)
		_, err = byBearer.Me(ctx)
		wantAPIError(t, err, http.StatusUnauthorized, omnivibe.CodeUnauthorized)
	})

	t.Run("another account sees nothing", func(t *testing.T) {
		rival := client.New(srv.base)
		if _, err := rival.Register(ctx, omnivibe.Registration{Email: "rival@other.example", Password: e2ePassword, Name: "Rival"}); err != nil {
			t.Fatal(err)
		}
		_, err := rival.Campaign(ctx, spring.ID)
		wantAPIError(t, err, http.StatusNotFound, omnivibe.CodeNotFound)
		_, err = rival.UpdateCampaign(ctx, spring.ID, omnivibe.CampaignInput{Name: omnivibe.Some("taken over")})
		wantAPIError(t, err, http.StatusNotFound, omnivibe.CodeNotFound)
		wantAPIError(t, rival.DeleteCampaign(ctx, spring.ID), http.StatusNotFound, omnivibe.CodeNotFound)
		_, err = rival.Client(ctx, cl.ID)
		wantAPIError(t, err, http.StatusNotFound, omnivibe.CodeNotFound)
		_, err = rival.CreateCampaign(ctx, omnivibe.CampaignInput{ClientID: omnivibe.Some(cl.ID), Name: omnivibe.Some("on their client")})
		wantAPIError(t, err, http.StatusUnprocessableEntity, omnivibe.CodeValidation)
		p, err := rival.ListCampaigns(ctx, omnivibe.CampaignFilter{})
		if err != nil || p.Total != 0 || len(p.Campaigns) != 0 {
			t.Fatalf("rival's list = %+v, %v; want empty", p, err)
		}
	})

	t.Run("roles", func(t *testing.T) {
		m, err := owner.AddMember(ctx, omnivibe.NewMember{Email: "viewer@agency.example", Name: "Vera", Password: e2ePassword, Role: omnivibe.RoleViewer})
		if err != nil {
			t.Fatal(err)
		}
		viewer := client.New(srv.base)
		if _, err := viewer.Login(ctx, "viewer@agency.example", e2ePassword); err != nil {
			t.Fatal(err)
		}
		if p, err := viewer.ListCampaigns(ctx, omnivibe.CampaignFilter{}); err != nil || p.Total != 2 {
			t.Fatalf("viewer's list = %d campaigns, %v; want 2", p.Total, err)
		}
		if c, err := viewer.Campaign(ctx, spring.ID); err != nil || c.Name != spring.Name {
			t.Fatalf("viewer reads %+v, %v", c, err)
		}
		_, err = viewer.CreateCampaign(ctx, omnivibe.CampaignInput{ClientID: omnivibe.Some(cl.ID), Name: omnivibe.Some("by a viewer")})
		wantAPIError(t, err, http.StatusForbidden, omnivibe.CodeForbidden)
		_, err = viewer.ChangePlan(ctx, omnivibe.PlanPro)
		wantAPIError(t, err, http.StatusForbidden, omnivibe.CodeForbidden)

		// An admin manages the account, but only an owner changes the plan.
		if _, err := owner.ChangeMemberRole(ctx, m.ID, omnivibe.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		_, err = viewer.ChangePlan(ctx, omnivibe.PlanPro)
		wantAPIError(t, err, http.StatusForbidden, omnivibe.CodeForbidden)

		u, err := owner.ChangePlan(ctx, omnivibe.PlanPro)
		if err != nil || u.Plan != omnivibe.PlanPro {
			t.Fatalf("owner's plan change = %+v, %v", u, err)
		}
		for _, c := range []*client.Client{owner, viewer} {
			u, err := c.Usage(ctx)
			if err != nil || u.Plan != omnivibe.PlanPro || u.Limits.Scripts != nil || u.Period != time.Now().UTC().Format("2006-01") {
				t.Fatalf("usage = %+v, %v; want the pro plan (unlimited scripts) this month", u, err)
			}
		}
	})

	if code := srv.stop(t); code != 0 {
		t.Fatalf("run returned %d after its context was cancelled, want 0", code)
	}

	// The restarted server keeps the data and the JWT secret: a token issued
	// before the restart still works.
	again := startServer(t, dataDir)
	old := client.New(again.base, client.WithToken(reg.AccessToken))
	me, err := old.Me(ctx)
	if err != nil || me.User.ID != reg.User.ID || me.Account.Plan != omnivibe.PlanPro {
		t.Fatalf("me with the old token after restart = %+v, %v", me, err)
	}
	page, err = old.ListCampaigns(ctx, omnivibe.CampaignFilter{})
	if err != nil || fmt.Sprint(campaignIDs(page)) != fmt.Sprint([]int64{summer.ID, spring.ID}) || page.Campaigns[1].Status != "paused" {
		t.Fatalf("campaigns after restart = %+v, %v", page, err)
	}
	if got, err := old.Client(ctx, cl.ID); err != nil || got.Name != clientName {
		t.Fatalf("client after restart = %q, %v; want %q", got.Name, err, clientName)
	}
	if _, err := client.New(again.base).Login(ctx, "owner@agency.example", e2ePassword); err != nil {
		t.Fatalf("login after restart: %v", err)
	}
	if code := again.stop(t); code != 0 {
		t.Fatalf("run returned %d after the restart's context was cancelled, want 0", code)
	}
}

// TestShutdownFinishesInFlightRequest cancels run's context while a request
// body is still arriving: the request gets its answer, then run returns 0.
func TestShutdownFinishesInFlightRequest(t *testing.T) {
	srv := startServer(t, t.TempDir())

	conn, err := net.Dial("tcp", srv.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := fmt.Sprintf(`{"email":"late@agency.example","password":%q,"name":"Late"}`, e2ePassword)
	// Expect: 100-continue makes the server say when the handler starts
	// reading the body, so the request is known to be in flight.
	fmt.Fprintf(conn, "POST /api/v1/auth/register HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"+
		"Content-Length: %d\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n", srv.addr, len(body))
	replies := bufio.NewReader(conn)
	status, err := replies.ReadString('\n')
	if err != nil || !strings.HasPrefix(status, "HTTP/1.1 100 ") {
		t.Fatalf("got %q, %v; want 100 Continue", status, err)
	}
	if blank, err := replies.ReadString('\n'); err != nil || blank != "\r\n" {
		t.Fatalf("got %q, %v after 100 Continue; want the blank line", blank, err)
	}
	half := len(body) / 2
	if _, err := io.WriteString(conn, body[:half]); err != nil {
		t.Fatal(err)
	}

	srv.cancel()
	// The listener closes when the shutdown starts: from then on the only
	// work left is the request above.
	for deadline := time.Now().Add(exitWait); ; time.Sleep(5 * time.Millisecond) {
		c, err := net.Dial("tcp", srv.addr)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections after its context was cancelled")
		}
	}
	select {
	case code := <-srv.done:
		t.Fatalf("run returned %d while a request was in flight", code)
	default:
	}

	if _, err := io.WriteString(conn, body[half:]); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(replies, nil)
	if err != nil {
		t.Fatalf("the in-flight request got no answer: %v", err)
	}
	defer resp.Body.Close()
	var pair omnivibe.TokenPair
	if err := json.NewDecoder(resp.Body).Decode(&pair); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated || pair.User.Email != "late@agency.example" || pair.AccessToken == "" {
		t.Fatalf("in-flight register answered %d %+v; want 201 with tokens", resp.StatusCode, pair)
	}
	if code := srv.stop(t); code != 0 {
		t.Fatalf("run returned %d, want 0", code)
	}
}
