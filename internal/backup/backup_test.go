package backup

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/service"
	"github.com/omnivibepro/omnivibe/internal/sqlite"
)

// TestRestoreDrill backs the database up while four writers commit accounts
// as fast as they can, then opens the backup as the server would and proves
// it holds every account committed before the backup started, and is a valid
// database. Each method is drilled.
func TestRestoreDrill(t *testing.T) {
	for _, method := range []Method{PageCopy, Vacuum} {
		t.Run(fmt.Sprint(method), func(t *testing.T) {
			dir := t.TempDir()
			ctx := context.Background()
			store, err := sqlite.Open(ctx, filepath.Join(dir, "live.db"), sqlite.Options{CheckpointEvery: 20 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()

			type commit struct {
				id int64
				at time.Time // when InTx returned: the row was committed by then
			}
			var mu sync.Mutex
			var commits []commit
			var stop atomic.Bool
			var wg sync.WaitGroup
			write := func(w int) {
				defer wg.Done()
				for i := 0; !stop.Load(); i++ {
					now := time.Now().UTC()
					a := omnivibe.Account{Name: fmt.Sprintf("writer %d row %d", w, i), Plan: omnivibe.PlanFree, CreatedAt: now, UpdatedAt: now}
					if err := store.InTx(ctx, func(tx service.Tx) error { return tx.CreateAccount(ctx, &a) }); err != nil {
						t.Error(err)
						return
					}
					done := time.Now()
					mu.Lock()
					commits = append(commits, commit{a.ID, done})
					mu.Unlock()
				}
			}
			for w := 0; w < 4; w++ {
				wg.Add(1)
				go write(w)
			}
			time.Sleep(100 * time.Millisecond)
			started := time.Now()
			res, err := Online(ctx, store.Path(), filepath.Join(dir, "backup.db"), method)
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(50 * time.Millisecond) // writes go on after the copy
			stop.Store(true)
			wg.Wait()

			var before []int64
			for _, c := range commits {
				if c.at.Before(started) {
					before = append(before, c.id)
				}
			}
			if len(before) < 10 || len(before) == len(commits) {
				t.Fatalf("%d commits before the backup of %d in all: the drill did not write during the backup", len(before), len(commits))
			}
			// The backup is a database the server opens and serves from.
			restored, err := sqlite.Open(ctx, res.Path, sqlite.Options{CheckpointEvery: -1})
			if err != nil {
				t.Fatalf("open the backup: %v", err)
			}
			defer restored.Close()
			for _, id := range before {
				if _, err := restored.AccountByID(ctx, id); err != nil {
					t.Fatalf("account %d committed before the backup is missing from it: %v", id, err)
				}
			}
			if err := Verify(ctx, res.Path); err != nil {
				t.Fatal(err)
			}
			var inBackup int
			if err := restored.Writer().QueryRow("SELECT count(*) FROM accounts").Scan(&inBackup); err != nil {
				t.Fatal(err)
			}
			if inBackup < len(before) || inBackup > len(commits) {
				t.Fatalf("backup holds %d accounts; %d were committed before it, %d in all", inBackup, len(before), len(commits))
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if strings.Contains(e.Name(), ".partial-") {
					t.Errorf("temporary file %s left behind", e.Name())
				}
			}
		})
	}
}

func TestOnlineRefusesToOverwrite(t *testing.T) {
	dir := t.TempDir()
	store, err := sqlite.Open(context.Background(), filepath.Join(dir, "live.db"), sqlite.Options{CheckpointEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	dst := filepath.Join(dir, "precious.db")
	os.WriteFile(dst, []byte("keep me"), 0o600)
	if _, err := Online(context.Background(), store.Path(), dst, PageCopy); err == nil {
		t.Fatal("a backup overwrote an existing file")
	}
	if b, _ := os.ReadFile(dst); string(b) != "keep me" {
		t.Fatal("the existing file changed")
	}
	if _, err := Online(context.Background(), filepath.Join(dir, "missing.db"), filepath.Join(dir, "x.db"), PageCopy); err == nil {
		t.Fatal("a backup of a missing database succeeded")
	}
}

func TestVerifyRejectsACorruptCopy(t *testing.T) {
	dir := t.TempDir()
	store, err := sqlite.Open(context.Background(), filepath.Join(dir, "live.db"), sqlite.Options{CheckpointEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	res, err := Online(context.Background(), store.Path(), filepath.Join(dir, "copy.db"), PageCopy)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(res.Path)
	for i := 4096; i < len(b) && i < 4096*3; i++ {
		b[i] ^= 0x5a // scramble the pages after the header
	}
	bad := filepath.Join(dir, "corrupt.db")
	os.WriteFile(bad, b, 0o600)
	if err := Verify(context.Background(), bad); err == nil {
		t.Fatal("a corrupt copy passed the check")
	}
}

func TestScheduleKeepsTheLastDays(t *testing.T) {
	dir := t.TempDir()
	store, err := sqlite.Open(context.Background(), filepath.Join(dir, "live.db"), sqlite.Options{CheckpointEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var held, released atomic.Int32
	var done []string
	s := &Schedule{Source: store.Path(), Dir: filepath.Join(dir, "backups"), Keep: 3, At: 3 * time.Hour,
		Hold: func() func() { held.Add(1); return func() { released.Add(1) } },
		Done: func(r Result, _ time.Time, err error) { done = append(done, filepath.Base(r.Path)) }}
	os.MkdirAll(s.Dir, 0o700)
	os.WriteFile(filepath.Join(s.Dir, "notes.txt"), []byte("not a backup"), 0o600)
	day := time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)
	for i := 0; i < 5; i++ {
		if _, err := s.TakeDaily(context.Background(), day.AddDate(0, 0, i)); err != nil {
			t.Fatal(err)
		}
	}
	// The same day again replaces that day's backup.
	if _, err := s.TakeDaily(context.Background(), day.AddDate(0, 0, 4).Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(s.Dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"notes.txt", "omnivibe-2026-11-22.db", "omnivibe-2026-11-23.db", "omnivibe-2026-11-24.db"}
	if !slices.Equal(names, want) {
		t.Fatalf("backups dir holds %v, want %v", names, want)
	}
	if held.Load() != 6 || released.Load() != 6 {
		t.Fatalf("checkpoints held %d and released %d times, want 6 and 6", held.Load(), released.Load())
	}
	for _, n := range names[1:] {
		if err := Verify(context.Background(), filepath.Join(s.Dir, n)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestScheduleTimes(t *testing.T) {
	dir := t.TempDir()
	s := &Schedule{Dir: dir, Keep: 7, At: 3 * time.Hour}
	at := func(h, m int) time.Time { return time.Date(2026, 11, 25, h, m, 0, 0, time.UTC) }
	if got := s.next(at(1, 0)); !got.Equal(at(3, 0)) {
		t.Errorf("next after 01:00 = %v, want 03:00 the same day", got)
	}
	if got := s.next(at(3, 0)); !got.Equal(at(3, 0).Add(24 * time.Hour)) {
		t.Errorf("next at 03:00 = %v, want 03:00 the next day", got)
	}
	if s.dueToday(at(2, 59)) {
		t.Error("due before the time of day")
	}
	if !s.dueToday(at(9, 0)) {
		t.Error("a server started after 03:00 without today's backup must take it")
	}
	os.WriteFile(filepath.Join(dir, "omnivibe-2026-11-25.db"), nil, 0o600)
	if s.dueToday(at(9, 0)) {
		t.Error("due though today's backup exists")
	}
}

func TestScheduleRunCatchesUp(t *testing.T) {
	dir := t.TempDir()
	store, err := sqlite.Open(context.Background(), filepath.Join(dir, "live.db"), sqlite.Options{CheckpointEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	taken := make(chan string, 1)
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	s := &Schedule{Source: store.Path(), Dir: filepath.Join(dir, "backups"), Keep: 2, At: time.Hour, Now: func() time.Time { return now },
		Done: func(r Result, _ time.Time, err error) {
			if err != nil {
				t.Error(err)
			}
			taken <- filepath.Base(r.Path)
		}}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() { s.Run(ctx); close(ran) }()
	if got := <-taken; got != "omnivibe-2026-11-25.db" {
		t.Fatalf("catch-up backup %q", got)
	}
	cancel()
	<-ran
}

func (m Method) String() string {
	if m == Vacuum {
		return "vacuum"
	}
	return "pagecopy"
}
