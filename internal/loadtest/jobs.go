package loadtest

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/client"
)

// JobStats say how the voice-overs accepted during a run (202 from POST
// /audio/generate) ended and how long they took, with --track-jobs.
//
// The status answer has created_at, started_at and finished_at but no timing
// per stage, so synthesis and verification are reported together as
// "processing" (started_at to finished_at); "queued" is created_at to
// started_at and "total" created_at to finished_at, all on the server's clock.
// "delivered" is the generator's own view: from the 202 to the poll that saw
// the task finished, so it includes up to one poll interval.
type JobStats struct {
	Accepted  int64 `json:"accepted"`
	Untracked int64 `json:"untracked"` // accepted while --track-max tasks were already followed
	// Outcomes counts the tracked tasks by how they ended: succeeded, partial,
	// failed, cancelled, and unfinished (still queued or running when tracking
	// stopped) or lost (the status answered 404).
	Outcomes     map[string]int64 `json:"outcomes"`
	Queued       DurationSummary  `json:"queued"`
	Processing   DurationSummary  `json:"processing"`
	Total        DurationSummary  `json:"total"`
	Delivered    DurationSummary  `json:"delivered"`
	Polls        int64            `json:"polls"`
	PollErrors   int64            `json:"poll_errors"`
	PollInterval time.Duration    `json:"poll_interval_ns"`
	Note         string           `json:"note"`
}

// jobStagesNote is shown with every job report.
const jobStagesNote = "The status API has no per-stage timings: processing is synthesis and verification together (started_at to finished_at)."

// Finished is the number of tracked tasks that reached an end state.
func (j *JobStats) Finished() int64 {
	return j.Outcomes[omnivibe.AudioSucceeded] + j.Outcomes[omnivibe.AudioPartial] +
		j.Outcomes[omnivibe.AudioFailed] + j.Outcomes[omnivibe.AudioCancelled]
}

// Share is the fraction of tracked tasks that ended as outcome.
func (j *JobStats) Share(outcome string) float64 {
	var n int64
	for _, v := range j.Outcomes {
		n += v
	}
	if n == 0 {
		return 0
	}
	return float64(j.Outcomes[outcome]) / float64(n)
}

// DurationSummary are percentiles of a set of durations.
type DurationSummary struct {
	Count int64         `json:"count"`
	P50   time.Duration `json:"p50_ns"`
	P90   time.Duration `json:"p90_ns"`
	P95   time.Duration `json:"p95_ns"`
	P99   time.Duration `json:"p99_ns"`
	Max   time.Duration `json:"max_ns"`
}

func summarize(c *counters) DurationSummary {
	if c.requests == 0 {
		return DurationSummary{}
	}
	return DurationSummary{Count: c.requests, P50: counterPercentile(c, 50), P90: counterPercentile(c, 90),
		P95: counterPercentile(c, 95), P99: counterPercentile(c, 99), Max: time.Duration(c.maxNanos)}
}

// trackedJob is one accepted voice-over being followed.
type trackedJob struct {
	acct     *account
	taskID   string
	accepted time.Time
	next     time.Time
}

// jobTracker polls every accepted task's status until it ends. A fixed number
// of pollers share one queue of tasks ordered by their next poll (all tasks
// wait the same interval, so first in is first due): thousands of tasks cost
// a slice entry each, not a goroutine, and the server sees at most
// concurrency status polls at once.
type jobTracker struct {
	interval    time.Duration
	concurrency int
	maxTracked  int
	hc          *http.Client

	mu      sync.Mutex
	cond    *sync.Cond
	queue   []*trackedJob
	active  int  // queued plus being polled
	closing bool // no more tasks will be added

	accepted, untracked, polls, pollErrors atomic.Int64

	statsMu                              sync.Mutex
	outcomes                             map[string]int64
	queued, processing, total, delivered counters
}

func newJobTracker(transport http.RoundTripper, opts Options) *jobTracker {
	t := &jobTracker{
		interval: opts.TrackInterval, concurrency: opts.TrackConcurrency, maxTracked: opts.TrackMax,
		hc:       &http.Client{Transport: transport, Timeout: opts.Timeout},
		outcomes: map[string]int64{},
	}
	t.cond = sync.NewCond(&t.mu)
	return t
}

// add starts following a task the server accepted just now.
func (t *jobTracker) add(a *account, taskID string) {
	t.accepted.Add(1)
	now := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closing || t.active >= t.maxTracked {
		t.untracked.Add(1)
		return
	}
	t.active++
	t.queue = append(t.queue, &trackedJob{acct: a, taskID: taskID, accepted: now, next: now.Add(t.interval)})
	t.cond.Signal()
}

// run polls until every task ended, or until stop, and then counts what is
// left as unfinished. Call close once no task is added any more.
func (t *jobTracker) run(ctx context.Context) {
	var wg sync.WaitGroup
	for range t.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.poller(ctx)
		}()
	}
	go func() { // wake the pollers when ctx ends
		<-ctx.Done()
		t.mu.Lock()
		t.cond.Broadcast()
		t.mu.Unlock()
	}()
	wg.Wait()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.statsMu.Lock()
	t.outcomes["unfinished"] += int64(t.active)
	t.statsMu.Unlock()
	t.active, t.queue = 0, nil
}

// close says no more tasks come; run returns once the tracked ones ended.
func (t *jobTracker) close() {
	t.mu.Lock()
	t.closing = true
	t.cond.Broadcast()
	t.mu.Unlock()
}

func (t *jobTracker) poller(ctx context.Context) {
	timer := newStoppedTimer()
	for {
		t.mu.Lock()
		for len(t.queue) == 0 && ctx.Err() == nil && !(t.closing && t.active == 0) {
			t.cond.Wait()
		}
		if ctx.Err() != nil || len(t.queue) == 0 {
			t.cond.Broadcast() // the others may be done too
			t.mu.Unlock()
			return
		}
		j := t.queue[0]
		t.queue[0] = nil
		t.queue = t.queue[1:]
		t.mu.Unlock()

		if !sleepUntil(ctx, timer, j.next) {
			return // counted as unfinished by run (active still holds it)
		}
		done := t.poll(ctx, j)
		t.mu.Lock()
		if done {
			t.active--
			if t.closing && t.active == 0 {
				t.cond.Broadcast()
			}
		} else {
			j.next = time.Now().Add(t.interval)
			t.queue = append(t.queue, j)
			t.cond.Signal()
		}
		t.mu.Unlock()
	}
}

// poll asks for one task's status and reports whether the task is done with.
func (t *jobTracker) poll(ctx context.Context, j *trackedJob) bool {
	c := j.acct.creds.Load()
	if c == nil {
		return false
	}
	cl := client.New(j.acct.target.base, client.WithHTTPClient(t.hc), client.WithToken(bearerToken(c.header)),
		client.WithUserAgent(userAgent[0]))
	t.polls.Add(1)
	task, err := cl.AudioStatus(ctx, j.taskID)
	seen := time.Now()
	if err != nil {
		var apiErr *client.Error
		if errors.As(err, &apiErr) && apiErr.Status == http.StatusNotFound {
			t.record("lost", nil, j, seen)
			return true
		}
		if ctx.Err() == nil {
			t.pollErrors.Add(1)
		}
		return false // a passing failure: asked again after the interval
	}
	if !omnivibe.AudioFinished(task.Status) {
		return false
	}
	t.record(task.Status, &task, j, seen)
	return true
}

func (t *jobTracker) record(outcome string, task *omnivibe.AudioTask, j *trackedJob, seen time.Time) {
	t.statsMu.Lock()
	defer t.statsMu.Unlock()
	t.outcomes[outcome]++
	if task == nil {
		return
	}
	t.delivered.add(seen.Sub(j.accepted), 0, false)
	if task.StartedAt != nil {
		t.queued.add(nonNegative(task.StartedAt.Sub(task.CreatedAt)), 0, false)
	}
	if task.FinishedAt != nil {
		t.total.add(nonNegative(task.FinishedAt.Sub(task.CreatedAt)), 0, false)
		if task.StartedAt != nil {
			t.processing.add(nonNegative(task.FinishedAt.Sub(*task.StartedAt)), 0, false)
		}
	}
}

func nonNegative(d time.Duration) time.Duration { return max(d, 0) }

// stats summarizes what was tracked; call it after run returned.
func (t *jobTracker) stats() *JobStats {
	t.statsMu.Lock()
	defer t.statsMu.Unlock()
	out := &JobStats{
		Accepted: t.accepted.Load(), Untracked: t.untracked.Load(), Outcomes: map[string]int64{},
		Queued: summarize(&t.queued), Processing: summarize(&t.processing), Total: summarize(&t.total),
		Delivered: summarize(&t.delivered), Polls: t.polls.Load(), PollErrors: t.pollErrors.Load(),
		PollInterval: t.interval, Note: jobStagesNote,
	}
	for k, v := range t.outcomes {
		out.Outcomes[k] = v
	}
	return out
}

// bearerToken takes the token back out of an account's shared header.
func bearerToken(h http.Header) string {
	v := h.Get("Authorization")
	if len(v) > 7 && v[:7] == "Bearer " {
		return v[7:]
	}
	return ""
}
