package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/client"
	"github.com/omnivibepro/omnivibe/internal/app"
	"github.com/omnivibepro/omnivibe/internal/cache/redistest"
	"github.com/omnivibepro/omnivibe/internal/config"
	"github.com/omnivibepro/omnivibe/internal/postgres/pgtest"
	"github.com/redis/go-redis/v9"
)

// scaledOut is the configuration of a scaled-out deployment on a fresh
// PostgreSQL schema and a Redis key prefix of the test's own. The replicas
// share the data directory, where the JWT secret is generated, as they
// would share a volume (or be given OMNIVIBE_JWT_SECRET).
func scaledOut(t testing.TB) config.Config {
	t.Helper()
	pgURL := pgtest.URL(t)
	redisURL := redistest.URL(t)
	cfg := config.Default()
	cfg.DataDir, cfg.PasswordCost, cfg.PasswordHash = t.TempDir(), 4, "bcrypt"
	cfg.DatabaseURL, cfg.RedisURL, cfg.RedisPrefix = pgURL, redisURL, redistest.Prefix(t, redisURL)
	return cfg
}

// replica starts one App on cfg behind an HTTP server; both stop when the
// test ends.
func replica(t testing.TB, cfg config.Config) (string, *app.App) {
	t.Helper()
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	srv := httptest.NewServer(a.API)
	t.Cleanup(srv.Close)
	return srv.URL, a
}

func names(t *testing.T, c *client.Client) []string {
	t.Helper()
	page, err := c.ListCampaigns(context.Background(), omnivibe.CampaignFilter{})
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, c := range page.Campaigns {
		out = append(out, c.Name)
	}
	if page.Total != len(out) {
		t.Fatalf("total %d for %d campaigns", page.Total, len(out))
	}
	return out
}

// TestTwoReplicasSeeEachOthersWritesAtOnce: two replicas on one PostgreSQL
// database and one Redis. Each write through one is in the list read
// through the other at once, though both cache the list (in Redis and in
// process) under generation keys.
func TestTwoReplicasSeeEachOthersWritesAtOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := scaledOut(t)
	base1, a1 := replica(t, cfg)
	base2, a2 := replica(t, cfg)
	if a1.Postgres == nil || a1.Redis == nil || a1.SQLite != nil {
		t.Fatal("DATABASE_URL and REDIS_URL did not select PostgreSQL and Redis")
	}

	one := client.New(base1)
	pair, err := one.Register(ctx, omnivibe.Registration{Email: "owner@example.com", Password: "Passw0rd-ok", Name: "Owner", AccountName: "Agency"})
	if err != nil {
		t.Fatal(err)
	}
	two := client.New(base2, client.WithToken(pair.AccessToken))

	if got := names(t, two); len(got) != 0 {
		t.Fatalf("replica 2 lists %v before any campaign", got)
	}
	cl, err := one.CreateClient(ctx, omnivibe.ClientInput{Name: omnivibe.Some("Client")})
	if err != nil {
		t.Fatal(err)
	}
	c, err := one.CreateCampaign(ctx, omnivibe.CampaignInput{ClientID: omnivibe.Some(cl.ID), Name: omnivibe.Some("Launch")})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(t, two); fmt.Sprint(got) != "[Launch]" {
		t.Fatalf("replica 2 lists %v after replica 1 created Launch", got)
	}
	names(t, one) // both replicas now hold the page in process
	if _, err := two.UpdateCampaign(ctx, c.ID, omnivibe.CampaignInput{Name: omnivibe.Some("Relaunch")}); err != nil {
		t.Fatal(err)
	}
	if got := names(t, one); fmt.Sprint(got) != "[Relaunch]" {
		t.Fatalf("replica 1 lists %v after replica 2 renamed it", got)
	}
	if err := one.DeleteCampaign(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if got := names(t, two); len(got) != 0 {
		t.Fatalf("replica 2 lists %v after replica 1 deleted it", got)
	}

	// The lists did go through Redis: the cache answered, and holds pages.
	if err := a2.Redis.Healthy(); err != nil {
		t.Fatal(err)
	}
	opts, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		t.Fatal(err)
	}
	rc := redis.NewClient(opts)
	defer rc.Close()
	pages, err := rc.Keys(ctx, cfg.RedisPrefix+"v:t:*:campaigns:*").Result()
	if err != nil || len(pages) == 0 {
		t.Fatalf("no campaign page cached in Redis: %v, %v", pages, err)
	}
}

// ownerOnTwoReplicas starts two replicas of a fresh scaled-out deployment,
// registers an owner (free plan) through the first, and returns a client of
// each replica signed in as that owner.
func ownerOnTwoReplicas(t *testing.T, email string) []*client.Client {
	t.Helper()
	cfg := scaledOut(t)
	base1, _ := replica(t, cfg)
	base2, _ := replica(t, cfg)
	one := client.New(base1)
	pair, err := one.Register(context.Background(), omnivibe.Registration{Email: email, Password: "Passw0rd-ok", Name: "Owner"})
	if err != nil {
		t.Fatal(err)
	}
	return []*client.Client{one, client.New(base2, client.WithToken(pair.AccessToken))}
}

// TestQuotaIsSharedByReplicas spends the free plan's monthly scripts through
// two replicas in turn: the limit holds across both.
func TestQuotaIsSharedByReplicas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	replicas := ownerOnTwoReplicas(t, "quota@example.com")
	free, _ := omnivibe.PlanByID(omnivibe.PlanFree)
	limit := *free.Quotas.Scripts
	for i := range limit {
		if _, err := replicas[i%2].GenerateScript(ctx, omnivibe.ScriptRequest{Topic: fmt.Sprintf("topic %d", i), Platform: "youtube"}); err != nil {
			t.Fatalf("script %d of %d: %v", i+1, limit, err)
		}
	}
	_, err := replicas[limit%2].GenerateScript(ctx, omnivibe.ScriptRequest{Topic: "one too many", Platform: "youtube"})
	if !client.IsCode(err, omnivibe.CodeQuotaExceeded) {
		t.Fatalf("script %d: got %v, want quota_exceeded", limit+1, err)
	}
}

// TestReplicaWithoutRedisKeepsServing: a replica whose Redis does not answer
// serves every request from the database, and says so in /readyz (503,
// naming the cache) while /healthz stays 200.
func TestReplicaWithoutRedisKeepsServing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := scaledOut(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.RedisURL = "redis://" + ln.Addr().String()
	ln.Close() // nothing listens there now
	base, _ := replica(t, cfg)

	c := client.New(base)
	if _, err := c.Register(ctx, omnivibe.Registration{Email: "noredis@example.com", Password: "Passw0rd-ok", Name: "Owner"}); err != nil {
		t.Fatal(err)
	}
	cl, err := c.CreateClient(ctx, omnivibe.ClientInput{Name: omnivibe.Some("Client")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateCampaign(ctx, omnivibe.CampaignInput{ClientID: omnivibe.Some(cl.ID), Name: omnivibe.Some("Still here")}); err != nil {
		t.Fatal(err)
	}
	if got := names(t, c); fmt.Sprint(got) != "[Still here]" {
		t.Fatalf("lists %v", got)
	}

	status, body := get(t, base+"/readyz")
	if status != http.StatusServiceUnavailable || body["error"] != "cache is not reachable" {
		t.Fatalf("readyz: %d %v; want 503 naming the cache", status, body)
	}
	if status, _ := get(t, base+"/healthz"); status != http.StatusOK {
		t.Fatalf("healthz: %d, want 200", status)
	}
}

func get(t *testing.T, url string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// TestEmbeddedDefault keeps the default what it was: SQLite in the data
// directory and the in-process cache.
func TestEmbeddedDefault(t *testing.T) {
	t.Parallel()
	cfg := config.Default()
	cfg.DataDir, cfg.PasswordCost, cfg.PasswordHash = t.TempDir(), 4, "bcrypt"
	base, a := replica(t, cfg)
	if a.SQLite == nil || a.Postgres != nil || a.Redis != nil {
		t.Fatalf("default app: sqlite %v, postgres %v, redis %v", a.SQLite != nil, a.Postgres != nil, a.Redis != nil)
	}
	if status, body := get(t, base+"/readyz"); status != http.StatusOK {
		t.Fatalf("readyz: %d %v", status, body)
	}
}
