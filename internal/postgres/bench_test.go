package postgres_test

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/postgres"
	"github.com/omnivibepro/omnivibe/internal/postgres/pgtest"
	"github.com/omnivibepro/omnivibe/internal/service"
)

// The benchmarks run the store's hot queries on the real PostgreSQL, from
// several goroutines at once as a busy replica would (4 per core, on the
// pool's default size):
//
//	scripts/test-deps.sh go test -run '^$' -bench . -benchmem ./internal/postgres
//
// The database server shares the machine, so the numbers include its CPU.

// benchAccount seeds accounts with campaigns and returns one of them with
// its client.
func benchAccount(b *testing.B, s *postgres.Store, accounts, campaigns int) (omnivibe.Account, omnivibe.Client) {
	b.Helper()
	ctx := context.Background()
	var a omnivibe.Account
	var c omnivibe.Client
	for i := range accounts {
		a, _ = owners(b, s, 1)
		c = omnivibe.Client{AccountID: a.ID, Name: "Client", CreatedAt: now, UpdatedAt: now}
		err := s.InTx(ctx, func(tx service.Tx) error {
			if err := tx.CreateClient(ctx, &c); err != nil {
				return err
			}
			for j := range campaigns {
				camp := omnivibe.NewCampaign()
				camp.AccountID, camp.ClientID, camp.Name, camp.CreatedAt, camp.UpdatedAt = a.ID, c.ID, fmt.Sprintf("Campaign %d-%d", i, j), now, now
				if err := tx.CreateCampaign(ctx, &camp); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return a, c
}

// BenchmarkListCampaignsPage reads the first page (20 of 200) of one
// account's campaigns among 20 accounts: the count and the page, in one
// round trip.
func BenchmarkListCampaignsPage(b *testing.B) {
	s := open(b, pgtest.URL(b))
	a, _ := benchAccount(b, s, 20, 200)
	ctx := context.Background()
	b.ReportAllocs()
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			page, total, err := s.ListCampaigns(ctx, a.ID, omnivibe.CampaignFilter{Page: 1, PageSize: 20})
			if err != nil || len(page) != 20 || total != 200 {
				b.Fatalf("%d rows of %d, %v", len(page), total, err)
			}
		}
	})
}

// BenchmarkCreateCampaign runs the service's transaction for a new
// campaign: the client checked (and locked) by id, the campaign inserted.
// Each goroutine creates for a client of its own, as each user of the load
// scenario does; creations for one client queue on its row lock.
func BenchmarkCreateCampaign(b *testing.B) {
	s := open(b, pgtest.URL(b))
	ctx := context.Background()
	const goroutines = 4 // per GOMAXPROCS, as SetParallelism below
	type owner struct {
		account omnivibe.Account
		client  omnivibe.Client
	}
	var each []owner
	for range goroutines * runtime.GOMAXPROCS(0) {
		a, c := benchAccount(b, s, 1, 0)
		each = append(each, owner{a, c})
	}
	var next, n atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(goroutines)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		o := each[next.Add(1)-1]
		for pb.Next() {
			camp := omnivibe.NewCampaign()
			camp.AccountID, camp.ClientID, camp.Name, camp.CreatedAt, camp.UpdatedAt = o.account.ID, o.client.ID, fmt.Sprint("bench ", n.Add(1)), now, now
			err := s.InTx(ctx, func(tx service.Tx) error {
				if _, err := tx.ClientByID(ctx, o.account.ID, o.client.ID); err != nil {
					return err
				}
				return tx.CreateCampaign(ctx, &camp)
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkAddUsage takes one unit of an unlimited quota in its own
// transaction: the upsert every script generation runs.
func BenchmarkAddUsage(b *testing.B) {
	s := open(b, pgtest.URL(b))
	a, _ := owners(b, s, 1)
	ctx := context.Background()
	b.ReportAllocs()
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			err := s.InTx(ctx, func(tx service.Tx) error {
				_, _, err := tx.AddUsage(ctx, a.ID, "2026-11", omnivibe.QuotaScripts, 1, nil)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
