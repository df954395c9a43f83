package backup

import (
	"context"
	"crypto/rand"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe/internal/sqlite"
)

// BenchmarkBackupWhileWriting copies a 100 MB database while a writer commits
// small transactions on the server's writer connection and the server's WAL
// checkpoint runs every 100 ms (or never), and reports how long the copy took and how
// long the writes took meanwhile (max and p99), for each method:
//
//	go test -run '^$' -bench BackupWhileWriting -benchtime 3x ./internal/backup
func BenchmarkBackupWhileWriting(b *testing.B) {
	for _, m := range []struct {
		name       string
		method     Method
		checkpoint time.Duration
		hold       bool // hold the store's checkpoints, as serve's daily backups do
	}{
		{"pagecopy", PageCopy, 100 * time.Millisecond, false},
		{"vacuum", Vacuum, 100 * time.Millisecond, false},
		{"pagecopy-no-checkpoint", PageCopy, -1, false},
		{"pagecopy-checkpoints-held", PageCopy, 100 * time.Millisecond, true},
	} {
		b.Run(m.name, func(b *testing.B) {
			dir := b.TempDir()
			store := fill(b, filepath.Join(dir, "big.db"), 100<<20, m.checkpoint)
			var lat []time.Duration
			var took time.Duration
			for i := 0; i < b.N; i++ {
				var stop atomic.Bool
				var wg sync.WaitGroup
				var mu sync.Mutex
				wg.Add(1)
				go func() {
					defer wg.Done()
					for n := 0; !stop.Load(); n++ {
						t0 := time.Now()
						if _, err := store.Writer().Exec("INSERT INTO bench_writes (at, note) VALUES (?, ?)", t0.UnixNano(), "during backup"); err != nil {
							b.Error(err)
							return
						}
						mu.Lock()
						lat = append(lat, time.Since(t0))
						mu.Unlock()
						time.Sleep(time.Millisecond)
					}
				}()
				time.Sleep(50 * time.Millisecond)
				release := func() {}
				if m.hold {
					release = store.HoldCheckpoints()
				}
				res, err := Online(context.Background(), store.Path(), filepath.Join(dir, fmt.Sprintf("copy-%s-%d.db", m.name, i)), m.method)
				if err != nil {
					b.Fatal(err)
				}
				release()
				took += res.Took
				time.Sleep(50 * time.Millisecond)
				stop.Store(true)
				wg.Wait()
			}
			slices.Sort(lat)
			b.ReportMetric(float64(took.Milliseconds())/float64(b.N), "backup-ms")
			b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-write-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-write-ms")
			b.ReportMetric(float64(len(lat))/float64(b.N), "writes/backup")
		})
	}
}

// fill makes a Store whose file holds about size bytes.
func fill(tb testing.TB, path string, size int, checkpointEvery time.Duration) *sqlite.Store {
	tb.Helper()
	store, err := sqlite.Open(context.Background(), path, sqlite.Options{CheckpointEvery: checkpointEvery})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	w := store.Writer()
	if _, err := w.Exec(`CREATE TABLE filler (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
		CREATE TABLE bench_writes (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, note TEXT NOT NULL)`); err != nil {
		tb.Fatal(err)
	}
	blob := make([]byte, 4000)
	tx, err := w.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i < size/len(blob); i++ {
		rand.Read(blob)
		if _, err := tx.Exec("INSERT INTO filler (data) VALUES (?)", blob); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	if err := store.Checkpoint(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return store
}
