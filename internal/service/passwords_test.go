package service_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/service"
)

// waitUntil polls cond: the pool's state changes on other goroutines, and a
// test must wait for it without betting on how long that takes.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for i := 0; !cond(); i++ {
		if i > 20000 {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// settleGoroutines waits until no more goroutines run than before: whatever
// the pool or its callers started has ended.
func settleGoroutines(t *testing.T, before int) {
	t.Helper()
	waitUntil(t, "goroutines back to where they were", func() bool { return runtime.NumGoroutine() <= before })
}

// TestPasswordPoolBound fills a pool of 2 workers and 3 places: at most 2
// run at once, 3 wait, and every caller beyond is refused with busy at once.
func TestPasswordPoolBound(t *testing.T) {
	before := runtime.NumGoroutine()
	pool := service.NewPasswordPool(2, 3)
	release := make(chan struct{})
	var running, most atomic.Int32
	work := func() {
		n := running.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		<-release
		running.Add(-1)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 5)
	for range 5 {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- pool.Do(context.Background(), work) }()
	}
	waitUntil(t, "2 running and 3 waiting", func() bool { return pool.Running() == 2 && pool.Waiting() == 3 })

	for i := range 4 {
		err := pool.Do(context.Background(), func() { t.Error("a refused caller's work ran") })
		var e *omnivibe.Error
		if !errors.As(err, &e) || e.Code != omnivibe.CodeBusy || e.RetryAfter <= 0 {
			t.Fatalf("caller %d beyond the queue: got %v, want busy with a Retry-After", i+6, err)
		}
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("admitted caller: %v", err)
		}
	}
	if m := most.Load(); m != 2 {
		t.Fatalf("%d ran at once, want 2", m)
	}
	if pool.Running() != 0 || pool.Waiting() != 0 {
		t.Fatalf("after: %d running, %d waiting", pool.Running(), pool.Waiting())
	}
	settleGoroutines(t, before)
}

// TestPasswordPoolCancel: a caller whose context ends while it waits leaves
// the queue at once, its work never runs, and its place is free again.
func TestPasswordPoolCancel(t *testing.T) {
	before := runtime.NumGoroutine()
	pool := service.NewPasswordPool(1, 1)
	release := make(chan struct{})
	held := make(chan error, 1)
	go func() { held <- pool.Do(context.Background(), func() { <-release }) }()
	waitUntil(t, "the slot taken", func() bool { return pool.Running() == 1 })

	ctx, cancel := context.WithCancel(context.Background())
	waited := make(chan error, 1)
	go func() { waited <- pool.Do(ctx, func() { t.Error("a cancelled caller's work ran") }) }()
	waitUntil(t, "one waiting", func() bool { return pool.Waiting() == 1 })
	if err := pool.Do(context.Background(), func() {}); omnivibe.ErrorCode(err) != omnivibe.CodeBusy {
		t.Fatalf("with the queue full: got %v, want busy", err)
	}
	cancel()
	if err := <-waited; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled caller: got %v, want context.Canceled", err)
	}
	if pool.Waiting() != 0 {
		t.Fatalf("%d still waiting after the cancel", pool.Waiting())
	}
	// Its place is free: the next caller is admitted (and waits its turn).
	next := make(chan error, 1)
	go func() { next <- pool.Do(context.Background(), func() {}) }()
	waitUntil(t, "the next caller queued", func() bool { return pool.Waiting() == 1 })
	close(release)
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	if err := <-next; err != nil {
		t.Fatal(err)
	}
	settleGoroutines(t, before)
}

// TestArgon2idAndBcryptHashesBothWork: a password stored with bcrypt (as
// every hash before Argon2id was) still signs in, and the login replaces the
// hash with an Argon2id one that works too.
func TestArgon2idAndBcryptHashesBothWork(t *testing.T) {
	ctx := context.Background()
	svcBcrypt, store := newService(t, writerConfig())
	pair, err := svcBcrypt.Register(ctx, omnivibe.Registration{Email: "legacy@example.com", Password: "Passw0rd!", Name: "Legacy"})
	if err != nil {
		t.Fatal(err)
	}
	if h := pair.User.PasswordHash; len(h) < 4 || h[:2] != "$2" {
		t.Fatalf("bcrypt service stored %q", h)
	}
	svc := serviceOn(t, store, service.Config{}, time.Now) // the default: Argon2id
	if _, err := svc.Login(ctx, "legacy@example.com", "Passw0rd!"); err != nil {
		t.Fatalf("bcrypt hash no longer signs in: %v", err)
	}
	u, err := store.UserByID(ctx, pair.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := "$argon2id$v=19$m=19456,t=2,p=1$"; len(u.PasswordHash) < len(want) || u.PasswordHash[:len(want)] != want {
		t.Fatalf("after the login the hash is %q, want an Argon2id one (%s...)", u.PasswordHash, want)
	}
	if u.Role != omnivibe.RoleOwner || u.Email != "legacy@example.com" {
		t.Fatalf("the rehash changed the user: %+v", u)
	}
	if _, err := svc.Login(ctx, "legacy@example.com", "Passw0rd!"); err != nil {
		t.Fatalf("the Argon2id hash does not sign in: %v", err)
	}
	if _, err := svc.Login(ctx, "legacy@example.com", "Passw0rd?"); omnivibe.ErrorCode(err) != omnivibe.CodeUnauthorized {
		t.Fatalf("wrong password: got %v, want unauthorized", err)
	}
	// And back: a bcrypt service reads the Argon2id hash.
	if _, err := svcBcrypt.Login(ctx, "legacy@example.com", "Passw0rd!"); err != nil {
		t.Fatalf("bcrypt service cannot read the Argon2id hash: %v", err)
	}
}
