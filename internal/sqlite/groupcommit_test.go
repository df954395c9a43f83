package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/service"
)

// TestGroupCommitKeepsEachTransactionAtomic runs many transactions at once, so
// that they share commits: the ones that fail (after writing), panic or whose
// context has ended leave nothing behind, and every other one is committed.
func TestGroupCommitKeepsEachTransactionAtomic(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	var acct omnivibe.Account
	now := time.Now().UTC()
	if err := s.InTx(ctx, func(tx service.Tx) error {
		acct = omnivibe.Account{Name: "A", Plan: "free", CreatedAt: now, UpdatedAt: now}
		return tx.CreateAccount(ctx, &acct)
	}); err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	boom := errors.New("boom")
	const n = 300
	results := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c := ctx
			if i%7 == 3 {
				c = cancelled
			}
			results[i] = s.InTx(c, func(tx service.Tx) error {
				cl := omnivibe.Client{AccountID: acct.ID, Name: fmt.Sprintf("client %d", i), CreatedAt: now, UpdatedAt: now}
				if err := tx.CreateClient(ctx, &cl); err != nil {
					return err
				}
				switch {
				case i%5 == 1:
					return boom
				case i%11 == 2:
					panic("bad transaction")
				}
				return nil
			})
		}(i)
	}
	wg.Wait()
	want := 0
	for i, err := range results {
		switch {
		case i%7 == 3:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("transaction %d with an ended context: %v", i, err)
			}
		case i%5 == 1:
			if !errors.Is(err, boom) {
				t.Errorf("transaction %d: got %v, want boom", i, err)
			}
		case i%11 == 2:
			if err == nil {
				t.Errorf("transaction %d panicked but reported success", i)
			}
		default:
			if err != nil {
				t.Errorf("transaction %d: %v", i, err)
			}
			want++
		}
	}
	_, total, err := s.ListClients(ctx, acct.ID, 1, 1)
	if err != nil || total != want {
		t.Fatalf("%d clients stored, want %d (%v)", total, want, err)
	}
	clients, _, _ := s.ListClients(ctx, acct.ID, 1, 100)
	for _, c := range clients {
		var i int
		fmt.Sscanf(c.Name, "client %d", &i)
		if i%7 == 3 || i%5 == 1 || i%11 == 2 {
			t.Errorf("%q was stored though its transaction failed", c.Name)
		}
	}
}

func TestClosedStoreRefusesTransactions(t *testing.T) {
	s := open(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.InTx(context.Background(), func(service.Tx) error { return nil }); err == nil {
		t.Fatal("a closed store ran a transaction")
	}
}
