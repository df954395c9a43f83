package service_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/cache"
	"github.com/omnivibepro/omnivibe/internal/service"
	"github.com/omnivibepro/omnivibe/internal/sqlite"
	"github.com/omnivibepro/omnivibe/internal/writer"
)

func writerConfig() writer.Config { return writer.Config{Provider: writer.ProviderLocal} }

// serviceOn is another service on store, with its own in-process cache and
// the given clock.
func serviceOn(t *testing.T, store *sqlite.Store, cfg service.Config, now func() time.Time) *service.Service {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	mem := cache.NewMemory(8 << 20)
	t.Cleanup(mem.Close)
	w, err := writer.New(writerConfig(), log, &http.Client{})
	if err != nil {
		t.Fatal(err)
	}
	cfg.JWTSecret = []byte("0123456789abcdef0123456789abcdef")
	svc, err := service.New(cfg, service.Deps{Store: store, Cache: mem, Writer: w, Logger: log, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// clock is a settable clock for the tests of expiry.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func cheap() service.Config {
	return service.Config{PasswordAlgorithm: service.PasswordBcrypt, PasswordCost: 4}
}

// TestCachedTokenExpires: a token served from the principal cache stops
// working the moment it expires, and an API key at its expiry.
func TestCachedTokenExpires(t *testing.T) {
	ctx := context.Background()
	_, store := newService(t, writerConfig())
	c := &clock{now: time.Now()}
	svc := serviceOn(t, store, cheap(), c.Now)
	pair, err := svc.Register(ctx, omnivibe.Registration{Email: "exp@example.com", Password: "Passw0rd!", Name: "Exp"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := svc.Authenticate(ctx, pair.AccessToken)
	if err != nil || p.UserID != pair.User.ID || p.Role != omnivibe.RoleOwner {
		t.Fatalf("fresh token: %+v, %v", p, err)
	}
	days := 1
	key, err := svc.CreateAPIKey(ctx, p, omnivibe.NewAPIKey{Name: "ci", ExpiresInDays: &days})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, key.Key); err != nil {
		t.Fatalf("fresh key: %v", err)
	}
	c.Add(29 * time.Minute)
	if _, err := svc.Authenticate(ctx, pair.AccessToken); err != nil {
		t.Fatalf("token 29 min old: %v", err)
	}
	c.Add(time.Minute + time.Second)
	_, err = svc.Authenticate(ctx, pair.AccessToken)
	wantCode(t, err, omnivibe.CodeUnauthorized)
	c.Add(24 * time.Hour)
	_, err = svc.Authenticate(ctx, key.Key)
	wantCode(t, err, omnivibe.CodeUnauthorized)
}

// TestCachedPrincipalFollowsChanges: each change to who a credential speaks
// for applies on the very next request, though the credential was cached:
// a changed role (token and API key), a revoked key, a removed member.
func TestCachedPrincipalFollowsChanges(t *testing.T) {
	ctx := context.Background()
	_, store := newService(t, writerConfig())
	svc := serviceOn(t, store, cheap(), time.Now)
	reg, err := svc.Register(ctx, omnivibe.Registration{Email: "boss@example.com", Password: "Passw0rd!", Name: "Boss"})
	if err != nil {
		t.Fatal(err)
	}
	boss, err := svc.Authenticate(ctx, reg.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	m, err := svc.AddMember(ctx, boss, omnivibe.NewMember{Email: "m@example.com", Name: "M", Password: "Passw0rd!", Role: omnivibe.RoleMember})
	if err != nil {
		t.Fatal(err)
	}
	login, err := svc.Login(ctx, "m@example.com", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	member, err := svc.Authenticate(ctx, login.AccessToken)
	if err != nil || member.Role != omnivibe.RoleMember {
		t.Fatalf("member: %+v, %v", member, err)
	}
	key, err := svc.CreateAPIKey(ctx, member, omnivibe.NewAPIKey{Name: "k"})
	if err != nil {
		t.Fatal(err)
	}
	spare, err := svc.CreateAPIKey(ctx, member, omnivibe.NewAPIKey{Name: "spare"})
	if err != nil {
		t.Fatal(err)
	}
	for _, cred := range []string{login.AccessToken, key.Key, spare.Key, login.AccessToken, key.Key} { // twice: cached
		if p, err := svc.Authenticate(ctx, cred); err != nil || p.Role != omnivibe.RoleMember {
			t.Fatalf("before the change: %+v, %v", p, err)
		}
	}

	if _, err := svc.ChangeMemberRole(ctx, boss, m.ID, omnivibe.Some(omnivibe.RoleViewer)); err != nil {
		t.Fatal(err)
	}
	for _, cred := range []string{login.AccessToken, key.Key} {
		if p, err := svc.Authenticate(ctx, cred); err != nil || p.Role != omnivibe.RoleViewer {
			t.Fatalf("after the role change: %+v, %v; want role viewer", p, err)
		}
	}

	if err := svc.RevokeAPIKey(ctx, member, key.ID); err != nil {
		t.Fatal(err)
	}
	_, err = svc.Authenticate(ctx, key.Key)
	wantCode(t, err, omnivibe.CodeUnauthorized)
	if _, err := svc.Authenticate(ctx, spare.Key); err != nil {
		t.Fatalf("the other key stopped too: %v", err)
	}

	if err := svc.RemoveMember(ctx, boss, m.ID); err != nil {
		t.Fatal(err)
	}
	for _, cred := range []string{login.AccessToken, spare.Key} {
		_, err = svc.Authenticate(ctx, cred)
		wantCode(t, err, omnivibe.CodeUnauthorized)
	}
	if _, err := svc.Authenticate(ctx, reg.AccessToken); err != nil {
		t.Fatalf("the owner's token stopped: %v", err)
	}
}
