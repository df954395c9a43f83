package httpapi

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe/internal/cache/redistest"
	"github.com/omnivibepro/omnivibe/internal/ratelimit"
	"github.com/redis/go-redis/v9"
)

// wantRateLimited checks a 429 against the contract: body, action and the
// four headers.
func wantRateLimited(t *testing.T, res response, limit int) {
	t.Helper()
	if res.status != 429 || res.code() != "rate_limited" || res.json(t)["action"] != "retry_later" {
		t.Fatalf("got %d %s, want 429 rate_limited with action retry_later", res.status, res.body)
	}
	if ra, err := strconv.Atoi(res.header.Get("Retry-After")); err != nil || ra < 1 {
		t.Errorf("Retry-After %q, want a positive number of seconds", res.header.Get("Retry-After"))
	}
	if got := res.header.Get("X-RateLimit-Limit"); got != strconv.Itoa(limit) {
		t.Errorf("X-RateLimit-Limit %q, want %d", got, limit)
	}
	if got := res.header.Get("X-RateLimit-Remaining"); got != "0" {
		t.Errorf("X-RateLimit-Remaining %q, want 0", got)
	}
	if reset, err := strconv.Atoi(res.header.Get("X-RateLimit-Reset")); err != nil || reset < 1 {
		t.Errorf("X-RateLimit-Reset %q, want seconds until the bucket is full", res.header.Get("X-RateLimit-Reset"))
	}
}

func registration(i int) map[string]any {
	return map[string]any{"email": fmt.Sprintf("limit-%d@example.com", i), "password": "Passw0rd!", "name": "L"}
}

func TestRateLimitPerAddress(t *testing.T) {
	h := newHarness(t, Config{RateLimits: RateLimits{IP: ratelimit.NewMemory(ratelimit.Limit{Rate: 0.01, Burst: 3}, ratelimit.MemoryOptions{})}})
	var token string
	for i := 0; i < 3; i++ {
		res := h.do(req{method: "POST", path: "/api/v1/auth/register", body: registration(i)})
		if res.status != 201 {
			t.Fatalf("register %d: %d %s", i, res.status, res.body)
		}
		if got := res.header.Get("X-RateLimit-Remaining"); got != strconv.Itoa(2-i) {
			t.Errorf("register %d: X-RateLimit-Remaining %q, want %d", i, got, 2-i)
		}
		token = res.json(t)["access_token"].(string)
	}
	res := h.do(req{method: "POST", path: "/api/v1/auth/register", body: registration(3)})
	wantRateLimited(t, res, 3)
	if res := h.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]any{"email": "limit-0@example.com", "password": "Passw0rd!"}}); res.status != 429 {
		t.Fatalf("login from the same address: %d, want 429", res.status)
	}
	// Nothing was written by the refused request.
	if res := h.do(req{method: "POST", path: "/api/v1/auth/register", body: registration(3), header: map[string]string{}}); res.status != 429 {
		t.Fatalf("second try: %d", res.status)
	}
	// Another address has its own bucket; reads and signed-in calls are not
	// limited per address.
	other := h.do(req{method: "POST", path: "/api/v1/auth/register", body: registration(3), remoteAddr: "203.0.113.9:5555"})
	if other.status != 201 {
		t.Fatalf("register from another address: %d %s (the refused one must not have written it)", other.status, other.body)
	}
	for i := 0; i < 10; i++ {
		if res := h.do(req{method: "GET", path: "/api/v1/billing/plans"}); res.status != 200 || res.header.Get("X-RateLimit-Limit") != "" {
			t.Fatalf("plans: %d %v", res.status, res.header)
		}
		if res := h.do(req{method: "GET", path: "/api/v1/campaigns", token: token}); res.status != 200 {
			t.Fatalf("signed-in list: %d", res.status)
		}
	}
}

func TestRateLimitPerCredential(t *testing.T) {
	h := newHarness(t, Config{RateLimits: RateLimits{Credential: ratelimit.NewMemory(ratelimit.Limit{Rate: 0.01, Burst: 5}, ratelimit.MemoryOptions{})}})
	a, b := h.register("busy"), h.register("calm")
	key := h.do(req{method: "POST", path: "/api/v1/auth/api-keys", token: a.token, body: map[string]any{"name": "ci"}}).json(t)["key"].(string)
	// The key creation above took one of a's tokens.
	for i := 0; i < 4; i++ {
		if res := h.do(req{method: "GET", path: "/api/v1/campaigns", token: a.token}); res.status != 200 {
			t.Fatalf("request %d: %d", i, res.status)
		}
	}
	wantRateLimited(t, h.do(req{method: "GET", path: "/api/v1/campaigns", token: a.token}), 5)
	// A refused write writes nothing.
	if res := h.do(req{method: "POST", path: "/api/v1/clients", token: a.token, body: map[string]any{"name": "late"}}); res.status != 429 {
		t.Fatalf("write over the limit: %d", res.status)
	}
	// Another user, and the user's API key, have buckets of their own.
	if res := h.do(req{method: "GET", path: "/api/v1/campaigns", token: b.token}); res.status != 200 {
		t.Fatalf("another user: %d", res.status)
	}
	if res := h.do(req{method: "GET", path: "/api/v1/clients", token: key}); res.status != 200 || res.json(t)["total"] != 0.0 {
		t.Fatalf("the user's API key: %d %s", res.status, res.body)
	}
	// Bad credentials are refused as such, not counted against anyone.
	if res := h.do(req{method: "GET", path: "/api/v1/campaigns", token: "garbage"}); res.status != 401 {
		t.Fatalf("bad token: %d", res.status)
	}
}

// limiterBackends make the limiters of a test in process and in Redis (run
// when OMNIVIBE_TEST_REDIS_URL is set, under a key prefix of the test's own):
// the failed-login policy is the same on both.
var limiterBackends = []struct {
	name string
	make func(t *testing.T) func(name string, l ratelimit.Limit) ratelimit.Limiter
}{
	{"in process", func(t *testing.T) func(string, ratelimit.Limit) ratelimit.Limiter {
		return func(_ string, l ratelimit.Limit) ratelimit.Limiter {
			return ratelimit.NewMemory(l, ratelimit.MemoryOptions{})
		}
	}},
	{"Redis", func(t *testing.T) func(string, ratelimit.Limit) ratelimit.Limiter {
		url := redistest.URL(t)
		prefix := redistest.Prefix(t, url)
		opts, err := redis.ParseURL(url)
		if err != nil {
			t.Fatal(err)
		}
		client := redis.NewClient(opts)
		t.Cleanup(func() { client.Close() })
		store := ratelimit.NewRedis(client, ratelimit.RedisOptions{Prefix: prefix})
		return func(name string, l ratelimit.Limit) ratelimit.Limiter { return store.Limiter(name, l, nil) }
	}},
}

// TestFailedLoginLimits: guesses from one address lock the email out from
// that address only, so the owner signs in from a clean one (the probe's
// five guesses used to lock the email out from everywhere); guesses spread
// over addresses meet the email's slower ceiling; one address guessing many
// emails meets its own limit.
func TestFailedLoginLimits(t *testing.T) {
	for _, backend := range limiterBackends {
		t.Run(backend.name, func(t *testing.T) {
			limiter := backend.make(t)
			window := time.Hour
			h := newHarness(t, Config{RateLimits: RateLimits{
				LoginEmailAddress: limiter(limitLoginEmailAddress, ratelimit.PerWindow(3, window)),
				LoginEmail:        limiter(limitLoginEmail, ratelimit.PerWindow(8, 24*window)),
				LoginIP:           limiter(limitLoginIP, ratelimit.PerWindow(6, window)),
			}})
			victim, bystander := h.register("victim"), h.register("bystander")
			login := func(email, password, addr string) response {
				return h.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]any{"email": email, "password": password}, remoteAddr: addr})
			}
			const attacker, owner = "198.51.100.66:4000", "203.0.113.10:5000"
			// Successful logins never count.
			for i := 0; i < 10; i++ {
				if res := login(victim.email, "Passw0rd!", attacker); res.status != 200 {
					t.Fatalf("login %d: %d", i, res.status)
				}
			}
			for i := 0; i < 3; i++ {
				if res := login(victim.email, "Wrong-guess1", attacker); res.status != 401 {
					t.Fatalf("guess %d: %d", i, res.status)
				}
			}
			// From the attacker's address the email is locked, even with the
			// right password and another spelling of the email...
			wantRateLimited(t, login(victim.email, "Passw0rd!", attacker), 3)
			if res := login(" "+strings.ToUpper(victim.email)+" ", "Passw0rd!", attacker); res.status != 429 || !strings.Contains(res.json(t)["message"].(string), "login email address limit") {
				t.Fatalf("another spelling from the attacker's address: %d %s", res.status, res.body)
			}
			// ...but the owner, from a clean address, signs in.
			if res := login(victim.email, "Passw0rd!", owner); res.status != 200 {
				t.Fatalf("the owner from a clean address after the attacker's guesses: %d %s", res.status, res.body)
			}
			// Guesses spread over addresses meet the email's ceiling (8):
			// three already (the owner's success took none), then 3 + 2 from
			// two more addresses.
			for i, addr := range []string{"198.51.100.67:1", "198.51.100.67:1", "198.51.100.67:1", "198.51.100.68:1", "198.51.100.68:1"} {
				if res := login(victim.email, "Wrong-guess1", addr); res.status != 401 {
					t.Fatalf("spread guess %d: %d %s", i, res.status, res.body)
				}
			}
			res := login(victim.email, "Passw0rd!", "203.0.113.11:1")
			wantRateLimited(t, res, 8)
			if !strings.Contains(res.json(t)["message"].(string), "login email limit") {
				t.Fatalf("ceiling: %s", res.body)
			}
			// One address guessing many emails meets its own limit (6): the
			// attacker's address has three failures, three more emails...
			for i := 0; i < 3; i++ {
				if res := login(fmt.Sprintf("nobody-%d@example.com", i), "Wrong-guess1", attacker); res.status != 401 {
					t.Fatalf("spray %d: %d", i, res.status)
				}
			}
			// ...and then even another account's right password from it waits.
			wantRateLimited(t, login(bystander.email, "Passw0rd!", attacker), 6)
			if res := login(bystander.email, "Passw0rd!", owner); res.status != 200 {
				t.Fatalf("bystander from another address: %d", res.status)
			}
		})
	}
}

func TestClientAddress(t *testing.T) {
	direct := &Server{}
	proxied := &Server{cfg: Config{TrustProxy: true}}
	for _, tc := range []struct {
		s          *Server
		remote, xf string
		want       string
	}{
		{direct, "192.0.2.1:5000", "", "192.0.2.1"},
		{direct, "192.0.2.1:5000", "203.0.113.5", "192.0.2.1"}, // not trusted: ignored
		{proxied, "10.0.0.2:5000", "198.51.100.1, 203.0.113.5", "203.0.113.5"},
		{proxied, "10.0.0.2:5000", "", "10.0.0.2"},
		{direct, "[2001:db8:1:2:3:4:5:6]:443", "", "2001:db8:1:2::/64"},
		{direct, "[2001:db8:1:2:ffff::1]:443", "", "2001:db8:1:2::/64"},
		{direct, "[::ffff:192.0.2.1]:80", "", "192.0.2.1"},
	} {
		r := newTestRequest("GET", "/", tc.remote)
		if tc.xf != "" {
			r.Header.Set("X-Forwarded-For", tc.xf)
		}
		if got := tc.s.clientAddress(r); got != tc.want {
			t.Errorf("%s via %q (trust proxy %v): got %q, want %q", tc.remote, tc.xf, tc.s.cfg.TrustProxy, got, tc.want)
		}
	}
}
