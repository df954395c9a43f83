package service_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/cache"
	"github.com/omnivibepro/omnivibe/internal/jobs"
	"github.com/omnivibepro/omnivibe/internal/postgres"
	"github.com/omnivibepro/omnivibe/internal/postgres/pgtest"
	"github.com/omnivibepro/omnivibe/internal/service"
	"github.com/omnivibepro/omnivibe/internal/sqlite"
	"github.com/omnivibepro/omnivibe/internal/webhook"
	"github.com/omnivibepro/omnivibe/internal/writer"
)

// fakeClock is the service's clock, moved by the test.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// hookService is the real service with webhooks on a temporary SQLite file,
// its deliveries inserted into a real River queue that no worker runs: the
// test makes each attempt itself, at the clock's time.
func hookService(t *testing.T, clock *fakeClock, timeout time.Duration) (*service.Service, service.Store) {
	return hookServiceOn(t, "sqlite", clock, timeout)
}

// hookServiceOn is hookService on the named database: sqlite, or postgres
// (skipped unless OMNIVIBE_TEST_POSTGRES_URL is set).
func hookServiceOn(t *testing.T, db string, clock *fakeClock, timeout time.Duration) (*service.Service, service.Store) {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var store service.Store
	var q service.WebhookQueue
	if db == "postgres" {
		pg, err := postgres.Open(ctx, pgtest.URL(t), postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { pg.Close() })
		if q, err = jobs.NewPostgres(ctx, pg.Pool(), jobs.Config{Workers: 0}, log); err != nil {
			t.Fatal(err)
		}
		store = pg
	} else {
		lite, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "svc.db"), sqlite.Options{CheckpointEvery: -1})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { lite.Close() })
		if q, err = jobs.NewSQLite(ctx, lite.Writer(), jobs.Config{Workers: 0}, log); err != nil {
			t.Fatal(err)
		}
		store = lite
	}
	mem := cache.NewMemory(8 << 20)
	t.Cleanup(mem.Close)
	w, _ := writer.New(writer.Config{Provider: writer.ProviderLocal}, log, nil)
	secret := []byte("0123456789abcdef0123456789abcdef")
	svc, err := service.New(service.Config{JWTSecret: secret, PasswordCost: 4},
		service.Deps{Store: store, Cache: mem, Writer: w, Logger: log, Now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	box, _ := webhook.NewBox(secret)
	sender := webhook.NewSender(webhook.Config{Policy: webhook.Policy{AllowLoopback: true}, Timeout: timeout})
	svc.UseWebhooks(q, sender, box, service.WebhookConfig{AllowInsecure: true})
	return svc, store
}

// jobOf is the job that was enqueued for d, as a queue worker runs it.
func jobOf(d omnivibe.WebhookDelivery) service.WebhookJob {
	return service.WebhookJob{AccountID: d.AccountID, WebhookID: d.WebhookID, DeliveryID: d.ID, JobID: d.JobID}
}

// statusReceiver is a local endpoint answering the next of statuses (the
// last repeats).
func statusReceiver(t *testing.T, statuses ...int) *httptest.Server {
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		s := statuses[min(n, len(statuses)-1)]
		n++
		mu.Unlock()
		w.WriteHeader(s)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestWebhookFailingForFiveDaysIsDisabled(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) { testFailingForFiveDays(t, db) })
	}
}

func testFailingForFiveDays(t *testing.T, db string) {
	ctx := context.Background()
	clock := &fakeClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	svc, store := hookServiceOn(t, db, clock, 0)
	srv := statusReceiver(t, 503)
	p := owner(t, svc)
	hook, err := svc.CreateWebhook(ctx, p, omnivibe.WebhookInput{URL: omnivibe.Some(srv.URL), Events: omnivibe.Some([]string{omnivibe.EventAudioFailed})})
	if err != nil {
		t.Fatal(err)
	}
	started := clock.now()
	attempt := func(last bool) (omnivibe.WebhookDelivery, omnivibe.Webhook, error) {
		t.Helper()
		d, err := svc.TestWebhook(ctx, p, hook.ID)
		if err != nil {
			return d, hook, err
		}
		next := clock.now().Add(30 * time.Second)
		if last {
			next = time.Time{}
		}
		err = svc.DeliverWebhook(ctx, jobOf(d), next)
		d, _ = store.WebhookDeliveryForWork(ctx, d.ID)
		w, _ := store.WebhookByID(ctx, p.AccountID, hook.ID)
		return d, w, err
	}

	d, w, err := attempt(false)
	if !errors.Is(err, service.ErrWebhookRetry) || d.Status != omnivibe.DeliveryRetrying || d.NextAttemptAt == nil || d.Attempts != 1 {
		t.Fatalf("after a 503: %v, delivery %s attempts %d next %v; want retrying", err, d.Status, d.Attempts, d.NextAttemptAt)
	}
	if w.FailingSince == nil || !w.FailingSince.Equal(started) || !w.Enabled {
		t.Fatalf("webhook failing since %v enabled %v; want since %v, enabled", w.FailingSince, w.Enabled, started)
	}
	clock.add(4 * 24 * time.Hour)
	d, w, err = attempt(true)
	if err != nil || d.Status != omnivibe.DeliveryFailed || d.NextAttemptAt != nil {
		t.Fatalf("last attempt: %v, %s next %v; want failed, nothing scheduled", err, d.Status, d.NextAttemptAt)
	}
	if !w.Enabled || !w.FailingSince.Equal(started) {
		t.Fatalf("after 4 days of failures: enabled %v since %v", w.Enabled, w.FailingSince)
	}
	clock.add(24*time.Hour + time.Second)
	d, w, err = attempt(false)
	if err != nil || d.Status != omnivibe.DeliveryFailed {
		t.Fatalf("after 5 days: %v, %s; want failed without retry", err, d.Status)
	}
	if w.Enabled || w.DisabledAt == nil || w.DisabledReason == nil || !strings.Contains(*w.DisabledReason, "every delivery since") {
		t.Fatalf("after 5 days of failures: enabled %v, reason %v", w.Enabled, w.DisabledReason)
	}
	if _, _, err := attempt(false); omnivibe.ErrorCode(err) != omnivibe.CodeConflict {
		t.Fatalf("test event to a disabled webhook: %v, want conflict", err)
	}
}

func TestWebhookSuccessEndsTheRunOfFailures(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	svc, store := hookService(t, clock, 0)
	srv := statusReceiver(t, 500, 429, 204)
	p := owner(t, svc)
	hook, err := svc.CreateWebhook(ctx, p, omnivibe.WebhookInput{URL: omnivibe.Some(srv.URL), Events: omnivibe.Some([]string{omnivibe.EventAudioFailed})})
	if err != nil {
		t.Fatal(err)
	}
	d, err := svc.TestWebhook(ctx, p, hook.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []error{service.ErrWebhookRetry, service.ErrWebhookRetry, nil} {
		clock.add(time.Hour)
		if err := svc.DeliverWebhook(ctx, jobOf(d), clock.now().Add(time.Minute)); !errors.Is(err, want) || (want == nil && err != nil) {
			t.Fatalf("attempt %d: %v, want %v", i+1, err, want)
		}
	}
	d, _ = store.WebhookDeliveryForWork(ctx, d.ID)
	w, _ := store.WebhookByID(ctx, p.AccountID, hook.ID)
	if d.Status != omnivibe.DeliverySucceeded || d.Attempts != 3 || *d.ResponseCode != 204 || w.FailingSince != nil {
		t.Fatalf("delivery %s after %d attempts (code %d), failing since %v; want succeeded after 3, no failing run", d.Status, d.Attempts, *d.ResponseCode, w.FailingSince)
	}
	// Run again (a worker died after recording): nothing is sent twice.
	if err := svc.DeliverWebhook(ctx, jobOf(d), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if again, _ := store.WebhookDeliveryForWork(ctx, d.ID); again.Attempts != 3 {
		t.Fatalf("a finished delivery was attempted again (%d attempts)", again.Attempts)
	}
}

// A receiver that never answers holds the attempt only until the sender's
// timeout; the attempt is then scheduled again.
func TestWebhookReceiverThatNeverAnswersReleasesTheWorker(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	svc, store := hookService(t, clock, 300*time.Millisecond)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	p := owner(t, svc)
	hook, _ := svc.CreateWebhook(ctx, p, omnivibe.WebhookInput{URL: omnivibe.Some(srv.URL), Events: omnivibe.Some([]string{omnivibe.EventAudioFailed})})
	d, err := svc.TestWebhook(ctx, p, hook.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.DeliverWebhook(ctx, jobOf(d), clock.now().Add(time.Minute)); !errors.Is(err, service.ErrWebhookRetry) {
		t.Fatalf("attempt: %v, want a retry", err)
	}
	d, _ = store.WebhookDeliveryForWork(ctx, d.ID)
	if d.Status != omnivibe.DeliveryRetrying || d.Error == nil || !strings.Contains(*d.Error, "timed out") || d.ResponseCode != nil {
		t.Fatalf("delivery %s error %v code %v; want retrying after a timeout", d.Status, d.Error, d.ResponseCode)
	}
}

func TestViewerMayNotSeeWebhooks(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{t: time.Now()}
	svc, _ := hookService(t, clock, 0)
	p := owner(t, svc)
	for _, role := range []omnivibe.Role{omnivibe.RoleViewer, omnivibe.RoleMember} {
		q := p
		q.Role = role
		_, err := svc.ListWebhooks(ctx, q)
		wantCode(t, err, omnivibe.CodeForbidden)
	}
}

// countingReceiver is a local endpoint (the far side of the network) that
// answers status and counts the requests it got.
func countingReceiver(t *testing.T, status int) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// A delivery job acts only on the delivery it was enqueued for (issue 25,
// item 2: a deleted webhook's pending retry attempted another account's
// delivery that had come to hold its ids). Ids are no longer given twice, so
// the collision is what the leftover job would meet if they were: its own
// account and job, another account's delivery and endpoint ids.
func TestWebhookJobActsOnlyOnItsOwnDelivery(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) { testWebhookJobOwnership(t, db) })
	}
}

func testWebhookJobOwnership(t *testing.T, db string) {
	ctx := context.Background()
	clock := &fakeClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	svc, store := hookServiceOn(t, db, clock, 0)
	failing, toA := countingReceiver(t, 503)
	working, toB := countingReceiver(t, 204)
	a, b := owner(t, svc), owner(t, svc)
	events := omnivibe.Some([]string{omnivibe.EventAudioFailed})

	hookA, err := svc.CreateWebhook(ctx, a, omnivibe.WebhookInput{URL: omnivibe.Some(failing.URL), Events: events})
	if err != nil {
		t.Fatal(err)
	}
	dA, err := svc.TestWebhook(ctx, a, hookA.ID)
	if err != nil {
		t.Fatal(err)
	}
	leftover := jobOf(dA)
	if err := svc.DeliverWebhook(ctx, leftover, clock.now().Add(time.Minute)); !errors.Is(err, service.ErrWebhookRetry) {
		t.Fatalf("first attempt: %v, want a retry", err)
	}
	if err := svc.DeleteWebhook(ctx, a, hookA.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeliverWebhook(ctx, leftover, clock.now().Add(time.Minute)); err != nil || toA.Load() != 1 {
		t.Fatalf("retry of a deleted webhook's delivery: %v, %d requests; want done, nothing sent again", err, toA.Load())
	}

	hookB, err := svc.CreateWebhook(ctx, b, omnivibe.WebhookInput{URL: omnivibe.Some(working.URL), Events: events})
	if err != nil {
		t.Fatal(err)
	}
	dB, err := svc.TestWebhook(ctx, b, hookB.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Each case differs from B's own job in what one check alone refuses.
	for name, job := range map[string]service.WebhookJob{
		"A's leftover job, with B's ids":                         {AccountID: a.AccountID, WebhookID: hookB.ID, DeliveryID: dB.ID, JobID: leftover.JobID},
		"A's leftover job, from before jobs carried the account": {DeliveryID: dB.ID, JobID: leftover.JobID},
		"B's delivery and job, A's account":                      {AccountID: a.AccountID, WebhookID: hookB.ID, DeliveryID: dB.ID, JobID: dB.JobID},
		"B's delivery and job, another endpoint":                 {AccountID: b.AccountID, WebhookID: hookA.ID, DeliveryID: dB.ID, JobID: dB.JobID},
		"B's delivery, another job":                              {AccountID: b.AccountID, WebhookID: hookB.ID, DeliveryID: dB.ID, JobID: leftover.JobID},
	} {
		if err := svc.DeliverWebhook(ctx, job, clock.now().Add(time.Minute)); err != nil {
			t.Errorf("%s: %v, want done (not retried)", name, err)
		}
		if got, _ := store.WebhookDeliveryForWork(ctx, dB.ID); toB.Load() != 0 || got.Attempts != 0 || got.Status != omnivibe.DeliveryPending {
			t.Fatalf("%s acted on B's delivery: %d requests, %d attempts, %s", name, toB.Load(), got.Attempts, got.Status)
		}
	}

	// B's own job delivers; so does one of B's jobs enqueued before jobs
	// carried the account, bound by its job id.
	if err := svc.DeliverWebhook(ctx, jobOf(dB), time.Time{}); err != nil || toB.Load() != 1 {
		t.Fatalf("B's own job: %v, %d requests", err, toB.Load())
	}
	dB2, err := svc.TestWebhook(ctx, b, hookB.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.DeliverWebhook(ctx, service.WebhookJob{DeliveryID: dB2.ID, JobID: dB2.JobID}, time.Time{}); err != nil || toB.Load() != 2 {
		t.Fatalf("B's job from before jobs carried the account: %v, %d requests", err, toB.Load())
	}
	for _, d := range []omnivibe.WebhookDelivery{dB, dB2} {
		if got, _ := store.WebhookDeliveryForWork(ctx, d.ID); got.Status != omnivibe.DeliverySucceeded || got.Attempts != 1 {
			t.Fatalf("B's delivery %d: %s after %d attempts; want succeeded after 1", d.ID, got.Status, got.Attempts)
		}
	}
}
