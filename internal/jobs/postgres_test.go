package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/omnivibepro/omnivibe/internal/jobs"
	"github.com/omnivibepro/omnivibe/internal/postgres"
	"github.com/omnivibepro/omnivibe/internal/postgres/pgtest"
	"github.com/omnivibepro/omnivibe/internal/service"
)

// pickupRunner stands for the service: it reports when each task's job
// starts, and finishes it at once.
type pickupRunner struct {
	started chan pickup
}

type pickup struct {
	taskID string
	at     time.Time
}

func (r *pickupRunner) RunAudioTask(ctx context.Context, job service.AudioJob) error {
	select {
	case r.started <- pickup{taskID: job.TaskID, at: time.Now()}:
	case <-ctx.Done():
	}
	return nil
}

func (r *pickupRunner) ReconcileAudio(context.Context, time.Duration) (int, error) { return 0, nil }

// pair is what two processes of a deployment hold: an API replica's
// insert-only queue on its own pool, and a worker's queue on another pool,
// both on one database. They share nothing but PostgreSQL, so a job reaches
// the worker only through the database (a notification or a poll).
type pair struct {
	url    string
	store  *postgres.Store
	insert *jobs.Queue[pgx.Tx]
	runner *pickupRunner
}

func newPair(tb testing.TB, workerCfg jobs.Config) *pair {
	tb.Helper()
	ctx := context.Background()
	url := pgtest.URL(tb)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	api, err := postgres.Open(ctx, url, postgres.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = api.Close() })
	insert, err := jobs.NewPostgres(ctx, api.Pool(), jobs.Config{Workers: 0}, log)
	if err != nil {
		tb.Fatal(err)
	}

	worker, err := postgres.Open(ctx, url, postgres.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = worker.Close() })
	work, err := jobs.NewPostgres(ctx, worker.Pool(), workerCfg, log)
	if err != nil {
		tb.Fatal(err)
	}
	runner := &pickupRunner{started: make(chan pickup, 1024)}
	work.SetRunner(runner)
	if err := work.Start(ctx); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := work.Stop(sctx); err != nil {
			tb.Errorf("stop the worker's queue: %v", err)
		}
	})
	return &pair{url: url, store: api, insert: insert, runner: runner}
}

// enqueue inserts a task's job in a transaction of the API's store, as
// POST /api/v1/audio/generate does, and returns once it is committed.
func (p *pair) enqueue(tb testing.TB, taskID string) {
	tb.Helper()
	ctx := context.Background()
	err := p.store.InTx(ctx, func(tx service.Tx) error {
		_, err := p.insert.EnqueueAudio(ctx, tx, service.AudioJob{AccountID: 1, TaskID: taskID}, 1)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// next waits for the next job the worker starts.
func (p *pair) next(tb testing.TB, within time.Duration) pickup {
	tb.Helper()
	select {
	case got := <-p.runner.started:
		return got
	case <-time.After(within):
		tb.Fatalf("no job started within %s", within)
		return pickup{}
	}
}

// TestPostgresWorkersAreNotified: committing a job's transaction on an API
// replica sends a NOTIFY on the channel River's workers LISTEN on (the
// schema's river_insert), and a worker of another client on another pool
// then starts the job.
func TestPostgresWorkersAreNotified(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p := newPair(t, jobs.Config{Workers: 1})

	// Listen as a worker does, on a connection of our own.
	conn, err := pgx.Connect(ctx, p.url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var schema string
	if err := conn.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		t.Fatal(err)
	}
	channel := schema + ".river_insert"
	if _, err := conn.Exec(ctx, `LISTEN "`+channel+`"`); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	p.enqueue(t, "task-1")
	n, err := conn.WaitForNotification(ctx)
	if err != nil {
		t.Fatalf("no notification of the insert: %v", err)
	}
	if n.Channel != channel || n.Payload != `{"queue": "audio"}` {
		t.Fatalf("notification on %q: %s", n.Channel, n.Payload)
	}
	got := p.next(t, time.Minute)
	if got.taskID != "task-1" {
		t.Fatalf("started %q, want task-1", got.taskID)
	}
	t.Logf("notified; the worker started the job %s after its enqueue began", got.at.Sub(start).Round(time.Microsecond))
}

// BenchmarkPickupPostgres measures how long a voice-over job waits between
// the start of its enqueue (the insert and commit of the task's
// transaction on an API replica's pool) and the moment a worker of another
// River client, on another pool, starts it. The worker has the product's
// defaults (250 ms poll, 2 workers as `omnivibe worker` has on two cores).
//
//	scripts/test-deps.sh go test -run '^$' -bench Pickup -benchtime 200x ./internal/jobs
//
// mean-ms, p50-ms, p99-ms and max-ms are the pickup; ns/op is the mean
// pickup for idle, and the whole burst's time per job for burst.
//
//   - idle: one job at a time on an idle worker, each after the previous
//     job's notification cooldown: every job is announced by NOTIFY.
//   - burst: b.N jobs enqueued back to back, then waited for. This is not
//     pickup but queueing: a worker process fetches at most one batch of
//     jobs (as many as it has free workers) per fetch cooldown (50 ms), so
//     2 workers start at most about 40 jobs a second, however short the
//     jobs, and the burst's waits grow with its length.
func BenchmarkPickupPostgres(b *testing.B) {
	for _, mode := range []string{"idle", "burst"} {
		b.Run(mode, func(b *testing.B) {
			p := newPair(b, jobs.Config{Workers: 2})
			// A first job, unmeasured, makes sure the worker is listening.
			p.enqueue(b, "warm-up")
			p.next(b, time.Minute)
			time.Sleep(60 * time.Millisecond)

			waits := make([]time.Duration, b.N)
			enqueued := make(map[string]time.Time, b.N)
			b.ResetTimer()
			for i := range b.N {
				id := strconv.Itoa(i)
				enqueued[id] = time.Now()
				p.enqueue(b, id)
				if mode == "burst" {
					continue
				}
				got := p.next(b, time.Minute)
				waits[i] = got.at.Sub(enqueued[got.taskID])
				b.StopTimer()
				time.Sleep(60 * time.Millisecond) // past the notification cooldown
				b.StartTimer()
			}
			if mode == "burst" {
				for i := range b.N {
					got := p.next(b, time.Minute)
					waits[i] = got.at.Sub(enqueued[got.taskID])
				}
			}
			b.StopTimer()
			reportWaits(b, waits)
		})
	}
}

// reportWaits reports the mean and the percentiles of the pickups.
func reportWaits(b *testing.B, waits []time.Duration) {
	slices.Sort(waits)
	var sum time.Duration
	for _, w := range waits {
		sum += w
	}
	at := func(q float64) float64 {
		return float64(waits[min(len(waits)-1, int(q*float64(len(waits))))]) / float64(time.Millisecond)
	}
	b.ReportMetric(float64(sum)/float64(len(waits))/float64(time.Millisecond), "mean-ms")
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
	b.ReportMetric(float64(waits[len(waits)-1])/float64(time.Millisecond), "max-ms")
}
