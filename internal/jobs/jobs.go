// Package jobs runs the voice-over work on River, a durable job queue: on the
// SQLite file in the embedded default, on PostgreSQL scaled out. A task's job
// is inserted in the same transaction as the task, so a task exists if and
// only if its job does; a job whose worker dies mid-way is rescued and runs
// again (at once on one machine, see orphans.go); a periodic job fails tasks
// whose job will never run again.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/omnivibepro/omnivibe/internal/service"
)

// The queue and job kinds.
const (
	QueueAudio     = "audio"
	kindAudio      = "audio"
	kindReconcile  = "audio_reconcile"
	jobMaxAttempts = 3
)

// Config tunes the queue; zero values take the defaults noted.
type Config struct {
	// Workers is how many voice-overs run at once in this process; 0 makes
	// the queue insert-only (jobs are left to `omnivibe worker` processes).
	Workers int
	// JobTimeout bounds one run of a voice-over; default 10 min.
	JobTimeout time.Duration
	// RescueAfter is when a job still running is taken for dead (its process
	// was killed) and run again; default JobTimeout + 1 min. It must exceed
	// JobTimeout, or live jobs would run twice.
	RescueAfter time.Duration
	// PollInterval is how often workers look for new jobs when nothing
	// notifies them (SQLite); default 250 ms.
	PollInterval time.Duration
	// ReconcileEvery is the period of the job that fails tasks whose job was
	// lost; default 1 min.
	ReconcileEvery time.Duration
	// WorkerLock is a file every process working this queue locks while it
	// runs (see orphans.go); a process that starts alone rescues the jobs a
	// dead one left running at once instead of after RescueAfter. Only for a
	// database on this machine (SQLite): workers on other machines cannot
	// share a lock file. Empty: no lock, River's rescuer alone.
	WorkerLock string
	// WebhookWorkers is how many webhook deliveries this process sends at
	// once (when Workers > 0); default 10.
	WebhookWorkers int
	// ID names this process's queue client (default: River's).
	ID string
	// Inject and Extract carry the trace of the request that enqueued a job
	// to the worker that runs it; nil when tracing is off.
	Inject  func(ctx context.Context) map[string]string
	Extract func(ctx context.Context, carrier map[string]string) context.Context
}

func (c *Config) defaults() {
	if c.JobTimeout <= 0 {
		c.JobTimeout = 10 * time.Minute
	}
	if c.RescueAfter <= c.JobTimeout {
		c.RescueAfter = c.JobTimeout + time.Minute
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 250 * time.Millisecond
	}
	if c.WebhookWorkers <= 0 {
		c.WebhookWorkers = defaultWebhookWorkers
	}
	if c.ReconcileEvery <= 0 {
		c.ReconcileEvery = time.Minute
	}
}

// AudioArgs are the arguments of a voice-over job: the task holds the rest.
// The account names whose task it is, so the job acts on no other
// (service.AudioJob); jobs enqueued before it was carried have none.
type AudioArgs struct {
	TaskID    string `json:"task_id"`
	AccountID int64  `json:"account_id,omitempty"`
	// Trace is the enqueuing request's trace context (W3C traceparent).
	Trace map[string]string `json:"trace,omitempty"`
}

// Kind names the job kind.
func (AudioArgs) Kind() string { return kindAudio }

// InsertOpts puts voice-overs on their own queue.
func (AudioArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueAudio, MaxAttempts: jobMaxAttempts}
}

// reconcileArgs are the arguments of the periodic reconciliation.
type reconcileArgs struct{}

func (reconcileArgs) Kind() string { return kindReconcile }

func (reconcileArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueAudio, MaxAttempts: 1,
		UniqueOpts: river.UniqueOpts{ByPeriod: 30 * time.Second}}
}

// Runner does the work of a task (the service).
type Runner interface {
	RunAudioTask(ctx context.Context, job service.AudioJob) error
	ReconcileAudio(ctx context.Context, age time.Duration) (int, error)
}

// lateRunner lets the workers be built before the service they call, which
// itself needs the queue.
type lateRunner struct{ Runner }

type audioWorker struct {
	river.WorkerDefaults[AudioArgs]
	run     *lateRunner
	timeout time.Duration
	extract func(ctx context.Context, carrier map[string]string) context.Context
}

func (w *audioWorker) Timeout(*river.Job[AudioArgs]) time.Duration { return w.timeout }

func (w *audioWorker) Work(ctx context.Context, job *river.Job[AudioArgs]) error {
	if w.run.Runner == nil {
		return errors.New("jobs: no runner set")
	}
	if w.extract != nil {
		ctx = w.extract(ctx, job.Args.Trace)
	}
	return w.run.RunAudioTask(ctx, service.AudioJob{AccountID: job.Args.AccountID, TaskID: job.Args.TaskID})
}

type reconcileWorker struct {
	river.WorkerDefaults[reconcileArgs]
	run *lateRunner
	age time.Duration
	log *slog.Logger
}

func (w *reconcileWorker) Work(ctx context.Context, _ *river.Job[reconcileArgs]) error {
	if w.run.Runner == nil {
		return nil
	}
	n, err := w.run.ReconcileAudio(ctx, w.age)
	if n > 0 {
		w.log.Warn("failed audio tasks whose job was lost", "tasks", n)
	}
	return err
}

// Queue is River behind the service's Queue interface. TTx is the driver's
// transaction type (*sql.Tx for SQLite, pgx.Tx for PostgreSQL).
type Queue[TTx any] struct {
	client *river.Client[TTx]
	exec   riverdriver.Executor
	txOf   func(service.Tx) (TTx, error)
	run    *lateRunner
	cfg    Config
	log    *slog.Logger
	lock   *os.File // the shared worker lock while the workers run
}

// riverConfig is the River configuration for cfg. With workers, this process
// works the audio queue and takes part in leader election (the leader runs
// maintenance: rescuing stuck jobs, periodic reconciliation, cleaning).
func riverConfig(cfg Config, run *lateRunner, log *slog.Logger, pollOnly bool) *river.Config {
	rc := &river.Config{
		ID:                   cfg.ID,
		Logger:               log.With("component", "river"),
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		FetchPollInterval:    cfg.PollInterval,
		FetchCooldown:        cfg.PollInterval / 5,
		MaxAttempts:          jobMaxAttempts,
		PollOnly:             pollOnly,
		// Finished jobs are only needed to answer JobFinished for the
		// reconciler, which looks back minutes, not days.
		CompletedJobRetentionPeriod: 24 * time.Hour,
	}
	if cfg.Workers > 0 {
		workers := river.NewWorkers()
		river.AddWorker(workers, &audioWorker{run: run, timeout: cfg.JobTimeout, extract: cfg.Extract})
		river.AddWorker(workers, &reconcileWorker{run: run, age: cfg.RescueAfter, log: log})
		river.AddWorker(workers, &webhookWorker{run: run})
		rc.Workers = workers
		rc.Queues = map[string]river.QueueConfig{QueueAudio: {MaxWorkers: cfg.Workers},
			QueueWebhooks: {MaxWorkers: cfg.WebhookWorkers}}
		rc.PeriodicJobs = []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(cfg.ReconcileEvery),
			func() (river.JobArgs, *river.InsertOpts) { return reconcileArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true})}
	}
	return rc
}

// SetRunner gives the workers the service; call it before Start.
func (q *Queue[TTx]) SetRunner(r Runner) { q.run.Runner = r }

// Start starts the workers (a no-op for an insert-only queue).
func (q *Queue[TTx]) Start(ctx context.Context) error {
	if q.cfg.Workers == 0 {
		return nil
	}
	if q.cfg.WorkerLock != "" && q.lock == nil {
		lock, err := lockWorkers(q.cfg.WorkerLock, func() error {
			n, err := rescueOrphans(ctx, q.client.JobList, q.exec)
			if n > 0 {
				q.log.Warn("rescued voice-over jobs left running by a process that died", "jobs", n)
			}
			return err
		})
		if err != nil {
			return err
		}
		q.lock = lock
	}
	if err := q.client.Start(ctx); err != nil {
		q.unlock()
		return err
	}
	return nil
}

// unlock releases the worker lock: this process works the queue no more.
func (q *Queue[TTx]) unlock() {
	if q.lock != nil {
		q.lock.Close()
		q.lock = nil
	}
}

// Stop lets running jobs finish until ctx ends, then cancels them; River
// retries a cancelled job, here or in the next process to work the queue.
func (q *Queue[TTx]) Stop(ctx context.Context) error {
	if q.cfg.Workers == 0 {
		return nil
	}
	err := q.client.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		hard, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err = q.client.StopAndCancel(hard)
	}
	if err == nil {
		q.unlock() // kept when jobs may still run: nobody may take them as orphans
	}
	return err
}

// EnqueueAudio inserts the job of a task in the task's transaction, at the
// given River priority (1-4; out of range is clamped): River fetches jobs by
// priority, then by scheduled time, on both of its drivers.
func (q *Queue[TTx]) EnqueueAudio(ctx context.Context, tx service.Tx, job service.AudioJob, priority int) (int64, error) {
	ttx, err := q.txOf(tx)
	if err != nil {
		return 0, err
	}
	args := AudioArgs{TaskID: job.TaskID, AccountID: job.AccountID}
	if q.cfg.Inject != nil {
		args.Trace = q.cfg.Inject(ctx)
	}
	opts := args.InsertOpts()
	opts.Priority = min(max(priority, 1), 4)
	res, err := q.client.InsertTx(ctx, ttx, args, &opts)
	if err != nil {
		return 0, fmt.Errorf("enqueue audio job: %w", err)
	}
	return res.Job.ID, nil
}

// CancelAudio cancels a job in the transaction that cancels its task.
func (q *Queue[TTx]) CancelAudio(ctx context.Context, tx service.Tx, jobID int64) error {
	ttx, err := q.txOf(tx)
	if err != nil {
		return err
	}
	_, err = q.client.JobCancelTx(ctx, ttx, jobID)
	if errors.Is(err, river.ErrNotFound) {
		return nil // cleaned up long ago; the task's own status is what counts
	}
	return err
}

// JobFinished reports whether a job will never run again.
func (q *Queue[TTx]) JobFinished(ctx context.Context, jobID int64) (bool, error) {
	job, err := q.client.JobGet(ctx, jobID)
	if errors.Is(err, river.ErrNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	switch job.State {
	case rivertype.JobStateCompleted, rivertype.JobStateCancelled, rivertype.JobStateDiscarded:
		return true, nil
	}
	return false, nil
}

// Depth counts the voice-over jobs waiting to run, for metrics and /readyz.
func (q *Queue[TTx]) Depth(ctx context.Context) (int, error) {
	res, err := q.client.JobList(ctx, river.NewJobListParams().Queues(QueueAudio).Kinds(kindAudio).
		States(rivertype.JobStateAvailable, rivertype.JobStateScheduled, rivertype.JobStateRetryable).First(10000))
	if err != nil {
		return 0, err
	}
	return len(res.Jobs), nil
}

var _ service.Queue = (*Queue[any])(nil)

// unwrap reaches the store's own transaction under decorators (tracing).
func unwrap(tx service.Tx) service.Tx {
	for {
		u, ok := tx.(interface{ Unwrap() service.Tx })
		if !ok {
			return tx
		}
		tx = u.Unwrap()
	}
}

// newQueue applies River's migrations with driver (River serializes them
// itself) and builds the client. pollOnly is for databases without
// LISTEN/NOTIFY (SQLite).
func newQueue[TTx any](ctx context.Context, driver riverdriver.Driver[TTx], cfg Config, log *slog.Logger, pollOnly bool,
	txOf func(service.Tx) (TTx, error)) (*Queue[TTx], error) {
	cfg.defaults()
	migrator, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: log.With("component", "river-migrate")})
	if err != nil {
		return nil, err
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return nil, fmt.Errorf("river migrations: %w", err)
	}
	run := &lateRunner{}
	client, err := river.NewClient(driver, riverConfig(cfg, run, log, pollOnly))
	if err != nil {
		return nil, err
	}
	return &Queue[TTx]{client: client, exec: driver.GetExecutor(), run: run, cfg: cfg, log: log,
		txOf: func(tx service.Tx) (TTx, error) { return txOf(unwrap(tx)) }}, nil
}
