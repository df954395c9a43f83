package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe/internal/cache"
	"github.com/omnivibepro/omnivibe/internal/ratelimit"
	"github.com/omnivibepro/omnivibe/internal/service"
	"github.com/omnivibepro/omnivibe/internal/sqlite"
	"github.com/omnivibepro/omnivibe/internal/writer"
)

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for i := 0; !cond(); i++ {
		if i > 20000 {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestPasswordQueueFullAnswersBusy runs the API on a real listener with a
// password pool of one worker and one place, held by the test: a sign-up
// that finds the queue full gets 503 busy with Retry-After at once; one
// that waits and whose client goes away leaves the queue and writes
// nothing; a busy login spends no failed-login token; and nothing the
// requests started is left running.
func TestPasswordQueueFullAnswersBusy(t *testing.T) {
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "api.db"), sqlite.Options{CheckpointEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	mem := cache.NewMemory(8 << 20)
	defer mem.Close()
	logged := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logged, nil))
	w, err := writer.New(writer.Config{Provider: writer.ProviderLocal}, log, nil)
	if err != nil {
		t.Fatal(err)
	}
	pool := service.NewPasswordPool(1, 1)
	svc, err := service.New(service.Config{JWTSecret: testSecret, PasswordAlgorithm: service.PasswordBcrypt, PasswordCost: 4},
		service.Deps{Store: store, Cache: mem, Writer: w, Logger: log, Passwords: pool})
	if err != nil {
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()
	// One failed login per email: the busy answers below must not spend it.
	limits := RateLimits{LoginEmail: ratelimit.NewMemory(ratelimit.PerWindow(1, time.Hour), ratelimit.MemoryOptions{})}
	srv := httptest.NewServer(New(svc, Config{RateLimits: limits}, log))
	hc := srv.Client()
	login := func(password string) int {
		req, _ := http.NewRequest("POST", srv.URL+"/api/v1/auth/login", strings.NewReader(`{"email":"burst@example.com","password":"`+password+`"}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	register := func(ctx context.Context) (*http.Response, error) {
		req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+"/api/v1/auth/register",
			strings.NewReader(`{"email":"burst@example.com","password":"Passw0rd!","name":"Burst"}`))
		req.Header.Set("Content-Type", "application/json")
		return hc.Do(req)
	}

	release := make(chan struct{})
	held := make(chan error, 1)
	go func() { held <- pool.Do(context.Background(), func() { <-release }) }()
	waitFor(t, "the slot taken", func() bool { return pool.Running() == 1 })
	fillerCtx, stopFiller := context.WithCancel(context.Background())
	filler := make(chan error, 1)
	go func() { filler <- pool.Do(fillerCtx, func() {}) }()
	waitFor(t, "the pool full", func() bool { return pool.Running() == 1 && pool.Waiting() == 1 })

	resp, err := register(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Code   string `json:"error_code"`
		Action string `json:"action"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || body.Code != "busy" || body.Action != "retry_later" || resp.Header.Get("Retry-After") != "1" {
		t.Fatalf("queue full: %d %+v Retry-After %q; want 503 busy, retry_later, Retry-After 1", resp.StatusCode, body, resp.Header.Get("Retry-After"))
	}

	for range 2 {
		if status := login("Wrong-pass1"); status != http.StatusServiceUnavailable {
			t.Fatalf("login with the queue full: %d, want 503", status)
		}
	}
	// Load shed on purpose is not an error of the server's: no error line
	// for each (the metrics and the access log count them).
	if strings.Contains(logged.String(), "request failed") {
		t.Errorf("busy answers logged as errors:\n%s", logged)
	}

	// Free the place; a sign-up takes it, and its client gives up.
	stopFiller()
	if err := <-filler; !errors.Is(err, context.Canceled) {
		t.Fatalf("filler: %v", err)
	}
	clientCtx, hangUp := context.WithCancel(context.Background())
	gone := make(chan error, 1)
	go func() {
		resp, err := register(clientCtx)
		if err == nil {
			resp.Body.Close()
		}
		gone <- err
	}()
	waitFor(t, "the sign-up queued", func() bool { return pool.Waiting() == 1 })
	hangUp()
	if err := <-gone; !errors.Is(err, context.Canceled) {
		t.Fatalf("client: got %v, want its own cancellation", err)
	}
	waitFor(t, "the abandoned sign-up out of the queue", func() bool { return pool.Waiting() == 0 })

	close(release)
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	// The abandoned sign-up wrote nothing: the same email registers now.
	resp, err = register(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("register after the queue emptied: %d, want 201", resp.StatusCode)
	}
	// The busy logins spent no failed-login token: one wrong password is
	// answered as such, and only the next is limited.
	if status := login("Wrong-pass1"); status != http.StatusUnauthorized {
		t.Fatalf("first checked wrong password: %d, want 401", status)
	}
	if status := login("Wrong-pass1"); status != http.StatusTooManyRequests {
		t.Fatalf("second wrong password: %d, want 429", status)
	}
	hc.CloseIdleConnections()
	srv.Close()
	waitFor(t, "goroutines back to where they were", func() bool { return runtime.NumGoroutine() <= before })
}
