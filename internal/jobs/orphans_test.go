package jobs_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe/internal/jobs"
	"github.com/omnivibepro/omnivibe/internal/service"
	"github.com/omnivibepro/omnivibe/internal/sqlite"
)

// holdingRunner stands for the service: each job reports that it started,
// then runs until released.
type holdingRunner struct {
	started chan string
	release chan struct{}
}

func (r *holdingRunner) RunAudioTask(ctx context.Context, job service.AudioJob) error {
	r.started <- job.TaskID
	select {
	case <-r.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *holdingRunner) ReconcileAudio(context.Context, time.Duration) (int, error) { return 0, nil }

// process is what one `omnivibe serve` holds on the SQLite file: its own
// store and a queue with workers.
type process struct {
	store  *sqlite.Store
	queue  *jobs.Queue[*sql.Tx]
	runner *holdingRunner
}

func startProcess(t *testing.T, dbPath string) *process {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, dbPath, sqlite.Options{CheckpointEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	q, err := jobs.NewSQLite(ctx, store.Writer(), jobs.Config{
		Workers: 1, PollInterval: 20 * time.Millisecond, WorkerLock: dbPath + ".workers.lock",
	}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	r := &holdingRunner{started: make(chan string, 16), release: make(chan struct{})}
	q.SetRunner(r)
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		close(r.release)
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := q.Stop(sctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return &process{store: store, queue: q, runner: r}
}

// TestLiveWorkersJobIsNoOrphan: a second process starting on the same file
// while the first is working a job must leave that job alone; only a process
// that starts with no other worker alive takes running jobs for orphans (the
// SIGKILL case is cmd/omnivibe's TestKilledMidJob).
func TestLiveWorkersJobIsNoOrphan(t *testing.T) {
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "omnivibe.db")
	first := startProcess(t, dbPath)
	err := first.store.InTx(ctx, func(tx service.Tx) error {
		_, err := first.queue.EnqueueAudio(ctx, tx, service.AudioJob{AccountID: 1, TaskID: "aud_live"}, 1)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-first.runner.started:
	case <-time.After(30 * time.Second):
		t.Fatal("the first process never started the job")
	}

	second := startProcess(t, dbPath)
	select {
	case id := <-second.runner.started:
		t.Fatalf("the second process ran %s, which the first is still running", id)
	case <-time.After(time.Second): // many of its 20 ms polls
	}
	select {
	case id := <-first.runner.started:
		t.Fatalf("the job %s started twice in the first process", id)
	default:
	}
}
