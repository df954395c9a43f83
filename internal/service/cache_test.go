package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/cache"
	"github.com/omnivibepro/omnivibe/internal/service"
	"github.com/omnivibepro/omnivibe/internal/sqlite"
	"github.com/omnivibepro/omnivibe/internal/writer"
)

// lockedBuffer is a log destination that concurrent requests may share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestUnreachableCacheIsBypassed runs the service on a Redis cache that
// cannot connect (nothing listens on its port): every use case still
// answers, from the database, Ready names the cache, and the outage is
// logged a few times, not once per request.
func TestUnreachableCacheIsBypassed(t *testing.T) {
	ctx := context.Background()
	logs := &lockedBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "svc.db"), sqlite.Options{CheckpointEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	redis, err := cache.NewRedis(ctx, cache.RedisOptions{URL: "redis://" + addr, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { redis.Close() })
	w, err := writer.New(writer.Config{Provider: writer.ProviderLocal}, log, &http.Client{})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := service.New(service.Config{JWTSecret: []byte("0123456789abcdef0123456789abcdef"), PasswordCost: 4, PasswordAlgorithm: service.PasswordBcrypt},
		service.Deps{Store: store, Cache: redis, Writer: w, Logger: log})
	if err != nil {
		t.Fatal(err)
	}

	pair, err := svc.Register(ctx, omnivibe.Registration{Email: "cacheless@example.com", Password: "Passw0rd!", Name: "Owner"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := svc.Authenticate(ctx, pair.AccessToken)
	if err != nil {
		t.Fatalf("authenticate without a cache: %v", err)
	}
	client, err := svc.CreateClient(ctx, p, omnivibe.ClientInput{Name: omnivibe.Some("Client")})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"First", "Second"} {
		if _, err := svc.CreateCampaign(ctx, p, omnivibe.CampaignInput{ClientID: omnivibe.Some(client.ID), Name: omnivibe.Some(name)}); err != nil {
			t.Fatal(err)
		}
		raw, err := svc.CampaignPageJSON(ctx, p, omnivibe.CampaignFilter{Page: 1, PageSize: 20})
		if err != nil {
			t.Fatalf("list without a cache: %v", err)
		}
		var page omnivibe.CampaignPage
		if err := json.Unmarshal(raw, &page); err != nil || page.Campaigns[0].Name != name {
			t.Fatalf("list after creating %q: %s, %v", name, raw, err)
		}
	}
	err = svc.Ready(ctx)
	if service.Component(err) != "cache" {
		t.Fatalf("ready: got %v, want the cache named", err)
	}
	if err := svc.Ready(ctx); service.Component(err) != "cache" {
		t.Fatalf("ready again: %v", err)
	}
	// One line from the cache when it found Redis down, one from the
	// service's first bypass; the many bypasses and bumps after it are
	// counted, not logged.
	if n := strings.Count(logs.String(), "level=WARN"); n == 0 || n > 2 {
		t.Fatalf("%d warnings for one outage, want 1 or 2:\n%s", n, logs)
	}
}
