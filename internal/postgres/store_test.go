package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/postgres"
	"github.com/omnivibepro/omnivibe/internal/postgres/pgtest"
	"github.com/omnivibepro/omnivibe/internal/service"
	"github.com/omnivibepro/omnivibe/internal/storetest"
)

// open returns a Store on url, closed when the test ends.
func open(t testing.TB, url string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestStore(t *testing.T) {
	t.Parallel()
	pgtest.BaseURL(t)
	storetest.Run(t, func(t *testing.T) service.Store { return open(t, pgtest.URL(t)) })
}

var now = time.Date(2026, 11, 25, 12, 0, 0, 123456000, time.UTC)

// Accounts have no delete in the Store, so storetest cannot delete one: here
// the newest is deleted with SQL, and its id is not handed out again (an
// identity column draws from a sequence, which never goes back).
func TestAccountIDsAreNeverReused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t, pgtest.URL(t))
	create := func() int64 {
		a := omnivibe.Account{Name: "A", Plan: omnivibe.PlanFree, CreatedAt: now, UpdatedAt: now}
		if err := s.InTx(ctx, func(tx service.Tx) error { return tx.CreateAccount(ctx, &a) }); err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	create()
	newest := create()
	if _, err := s.Pool().Exec(ctx, `DELETE FROM accounts WHERE id = $1`, newest); err != nil {
		t.Fatal(err)
	}
	if next := create(); next <= newest {
		t.Fatalf("account %d was deleted and the next account got id %d", newest, next)
	}
}

// owners makes an account with the given number of owners.
func owners(t testing.TB, s service.Store, n int) (omnivibe.Account, []omnivibe.User) {
	t.Helper()
	ctx := context.Background()
	a := omnivibe.Account{Name: "Agency", Plan: omnivibe.PlanFree, CreatedAt: now, UpdatedAt: now}
	var users []omnivibe.User
	err := s.InTx(ctx, func(tx service.Tx) error {
		if err := tx.CreateAccount(ctx, &a); err != nil {
			return err
		}
		for i := range n {
			u := omnivibe.User{AccountID: a.ID, Email: fmt.Sprintf("owner%d-%d@example.com", a.ID, i), Name: "Owner",
				Role: omnivibe.RoleOwner, PasswordHash: "x", CreatedAt: now, UpdatedAt: now}
			if err := tx.CreateUser(ctx, &u); err != nil {
				return err
			}
			users = append(users, u)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return a, users
}

// TestLockAccountSerializes is the last-owner race: two transactions each
// count the owners and demote one if another remains. Transaction B is
// started only once A holds the lock, and A finishes only once PostgreSQL
// shows B waiting for it, so without a real lock both would see two owners
// and leave none.
func TestLockAccountSerializes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.URL(t)
	s := open(t, url)
	a, users := owners(t, s, 2)

	demoteIfAnotherRemains := func(tx service.Tx, u omnivibe.User) (bool, error) {
		n, err := tx.CountOwners(ctx, a.ID)
		if err != nil || n <= 1 {
			return false, err
		}
		u.Role = omnivibe.RoleMember
		return true, tx.UpdateUser(ctx, u)
	}

	bPID := make(chan uint32, 1)
	bDone := make(chan error, 1)
	var bDemoted bool
	runB := func() {
		bDone <- s.InTx(ctx, func(tx service.Tx) error {
			var pid uint32
			if err := tx.(*postgres.Tx).PgxTx().QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
				return err
			}
			bPID <- pid
			if err := tx.LockAccount(ctx, a.ID); err != nil {
				return err
			}
			var err error
			bDemoted, err = demoteIfAnotherRemains(tx, users[1])
			return err
		})
	}

	var aDemoted bool
	err := s.InTx(ctx, func(tx service.Tx) error {
		if err := tx.LockAccount(ctx, a.ID); err != nil {
			return err
		}
		var err error
		if aDemoted, err = demoteIfAnotherRemains(tx, users[0]); err != nil {
			return err
		}
		go runB()
		select {
		case pid := <-bPID:
			waitForLockWait(t, url, pid)
			return nil
		case err := <-bDone:
			return fmt.Errorf("transaction B ended before taking the lock: %v", err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-bDone; err != nil {
		t.Fatal(err)
	}
	if !aDemoted || bDemoted {
		t.Fatalf("demoted: A %v, B %v; want A true, B false (B must see A's demotion)", aDemoted, bDemoted)
	}
	if n, err := s.CountOwners(ctx, a.ID); err != nil || n != 1 {
		t.Fatalf("owners: got %d, %v; want 1", n, err)
	}
}

// waitForLockWait returns once the backend pid waits for a lock, and fails
// the test if it does not within a generous deadline.
func waitForLockWait(t *testing.T, url string, pid uint32) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	deadline := time.Now().Add(10 * time.Second)
	for {
		var waiting bool
		err := conn.QueryRow(ctx, `SELECT coalesce(bool_or(wait_event_type = 'Lock'), false) FROM pg_stat_activity WHERE pid = $1`, pid).Scan(&waiting)
		if err != nil {
			t.Fatal(err)
		}
		if waiting {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the second transaction never waited for the account lock")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestConcurrentUpdatesAreNotLost runs read-modify-write transactions on one
// campaign at once, as the service's PATCH does: each reads the row, appends
// to its description and writes it back. The read locks the row, so none is
// lost.
func TestConcurrentUpdatesAreNotLost(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t, pgtest.URL(t))
	a, _ := owners(t, s, 1)
	client := omnivibe.Client{AccountID: a.ID, Name: "C", CreatedAt: now, UpdatedAt: now}
	c := omnivibe.NewCampaign()
	err := s.InTx(ctx, func(tx service.Tx) error {
		if err := tx.CreateClient(ctx, &client); err != nil {
			return err
		}
		c.AccountID, c.ClientID, c.Name, c.CreatedAt, c.UpdatedAt = a.ID, client.ID, "Shared", now, now
		return tx.CreateCampaign(ctx, &c)
	})
	if err != nil {
		t.Fatal(err)
	}
	const writers = 12
	var wg sync.WaitGroup
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.InTx(ctx, func(tx service.Tx) error {
				got, err := tx.CampaignByID(ctx, a.ID, c.ID)
				if err != nil {
					return err
				}
				got.Description += "x"
				return tx.UpdateCampaign(ctx, got)
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got, err := s.CampaignByID(ctx, a.ID, c.ID)
	if err != nil || got.Description != strings.Repeat("x", writers) {
		t.Fatalf("description %q, %v; want %d x's", got.Description, err, writers)
	}
}

// TestUsageIsSharedByReplicas consumes one quota through two stores (two
// replicas, two pools) at once: the limit holds across both.
func TestUsageIsSharedByReplicas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.URL(t)
	replicas := []*postgres.Store{open(t, url), open(t, url)}
	a, _ := owners(t, replicas[0], 1)
	limit := 15
	var wg sync.WaitGroup
	var mu sync.Mutex
	granted := 0
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := replicas[i%2].InTx(ctx, func(tx service.Tx) error {
				_, ok, err := tx.AddUsage(ctx, a.ID, "2026-11", omnivibe.QuotaAudio, 1, &limit)
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
	u, err := replicas[1].Usage(ctx, a.ID, "2026-11")
	if err != nil || granted != limit || u.Audio != limit {
		t.Fatalf("granted %d, stored %d (%v); want exactly %d", granted, u.Audio, err, limit)
	}
}

// TestMigrateConcurrently starts several replicas on an empty schema at once:
// the advisory lock lets one migrate and the others find the work done.
func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.URL(t)
	const replicas = 4
	results := make([][]int, replicas)
	errs := make([]error, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = postgres.Migrate(ctx, url)
		}()
	}
	wg.Wait()
	for i := range replicas {
		if errs[i] != nil {
			t.Fatalf("replica %d: %v", i, errs[i])
		}
		if fmt.Sprint(results[i]) != fmt.Sprint(results[0]) || len(results[i]) == 0 {
			t.Fatalf("replica %d is at %v, replica 0 at %v", i, results[i], results[0])
		}
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var rows, distinct int
	if err := conn.QueryRow(ctx, `SELECT count(*), count(DISTINCT version) FROM schema_migrations`).Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if rows != len(results[0]) || distinct != rows {
		t.Fatalf("schema_migrations has %d rows (%d versions); want %d", rows, distinct, len(results[0]))
	}
	// And a store opened afterwards finds nothing to do.
	s := open(t, url)
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestTimesKeepMicroseconds checks that a time written comes back equal,
// in UTC, to the microsecond, whatever the session's time zone.
func TestTimesKeepMicroseconds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.URL(t)
	s := open(t, strings.Replace(url, "search_path=", "timezone=Asia%2FSeoul&search_path=", 1))
	at := time.Date(2026, 3, 1, 23, 59, 59, 999999000, time.FixedZone("KST", 9*3600))
	a := omnivibe.Account{Name: "Zone", Plan: omnivibe.PlanFree, CreatedAt: at, UpdatedAt: at}
	if err := s.InTx(ctx, func(tx service.Tx) error { return tx.CreateAccount(ctx, &a) }); err != nil {
		t.Fatal(err)
	}
	got, err := s.AccountByID(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.CreatedAt != at.UTC() {
		t.Fatalf("got %v (%v), want %v in UTC", got.CreatedAt, got.CreatedAt.Location(), at.UTC())
	}
}

// A block order the integer ord column cannot hold is refused before the
// script is written, never stored wrapped around to another order.
func TestCreateScriptRefusesOrderOutOfColumnRange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t, pgtest.URL(t))
	a, _ := owners(t, s, 1)
	sc := omnivibe.Script{AccountID: a.ID, Provider: "local", Language: "en", Topic: "t", Platform: "youtube", Tone: "casual",
		TargetDuration: 30, Hook: "h", Body: "b", CTA: "c", EstimatedDuration: 30, CacheKey: "too-far", CreatedAt: now,
		Blocks: []omnivibe.ScriptBlock{{Order: 0, Type: "hook", Text: "h", Duration: 3, End: 3}, {Order: 1 << 31, Type: "body", Text: "b", Duration: 27, Start: 3, End: 30}}}
	err := s.InTx(ctx, func(tx service.Tx) error { return tx.CreateScript(ctx, &sc) })
	if err == nil || !strings.Contains(err.Error(), "order 2147483648") {
		t.Fatalf("order 2^31: got %v, want a refusal naming the order", err)
	}
	if _, err := s.ScriptByCacheKey(ctx, a.ID, "too-far"); omnivibe.ErrorCode(err) != omnivibe.CodeNotFound {
		t.Fatalf("the refused script was written: %v", err)
	}
}
