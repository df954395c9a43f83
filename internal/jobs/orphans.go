package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"
)

// On one machine (the embedded default) a process that died mid-job, by
// kill -9 or a power cut, leaves its jobs marked running, and River's rescuer
// only takes them back after RescueAfter (11 minutes by default): it cannot
// tell a dead worker from a slow one. A lock file can. Every process working
// the queue holds a shared lock on Config.WorkerLock while it runs; one that
// can take the lock exclusively at start knows that no other worker is
// alive, so every job still running is an orphan, and it rescues them at
// once, as River's rescuer would, before its own workers start.

// lockWorkers takes the shared lock on path that a working process holds
// while it runs. When no other process holds it, rescue runs first, under the
// exclusive lock, so that no other worker can start meanwhile.
func lockWorkers(path string, rescue func() error) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600) // #nosec G304 -- the operator's data directory, not a request's path
	if err != nil {
		return nil, fmt.Errorf("worker lock: %w", err)
	}
	fd := int(f.Fd()) // #nosec G115 -- a file descriptor fits an int
	err = syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB)
	switch {
	case err == nil:
		if err := rescue(); err != nil {
			f.Close()
			return nil, err
		}
	case !errors.Is(err, syscall.EWOULDBLOCK):
		f.Close()
		return nil, fmt.Errorf("worker lock: %w", err)
	}
	// Shared from here on (a conversion when it was exclusive): other workers
	// may start next to this one, and none of them may rescue its jobs.
	if err := syscall.Flock(fd, syscall.LOCK_SH); err != nil {
		f.Close()
		return nil, fmt.Errorf("worker lock: %w", err)
	}
	return f, nil
}

// rescueOrphans makes every job still marked running available to run again
// at once (or discards it when it has no attempt left), with River's own
// rescue operation, and returns how many it took back.
func rescueOrphans(ctx context.Context, list func(context.Context, *river.JobListParams) (*river.JobListResult, error),
	exec riverdriver.Executor) (int, error) {
	now := time.Now().UTC()
	params := &riverdriver.JobRescueManyParams{StuckHorizon: now}
	const page = 500
	query := river.NewJobListParams().States(rivertype.JobStateRunning).First(page)
	for {
		res, err := list(ctx, query)
		if err != nil {
			return 0, fmt.Errorf("list orphaned jobs: %w", err)
		}
		for _, job := range res.Jobs {
			cause, err := json.Marshal(rivertype.AttemptError{At: now, Attempt: job.Attempt,
				Error: "its process died while running it; rescued when the next worker process started"})
			if err != nil {
				return 0, err
			}
			// Available, not retryable as River's rescuer leaves it: a
			// retryable job waits for the leader's scheduler, and the dead
			// process may still hold the leadership for a while.
			state, finalizedAt := rivertype.JobStateAvailable, (*time.Time)(nil)
			if job.Attempt >= job.MaxAttempts {
				state, finalizedAt = rivertype.JobStateDiscarded, &now
			}
			params.ID = append(params.ID, job.ID)
			params.Error = append(params.Error, cause)
			params.FinalizedAt = append(params.FinalizedAt, finalizedAt)
			params.ScheduledAt = append(params.ScheduledAt, now)
			params.State = append(params.State, string(state))
		}
		if len(res.Jobs) < page {
			break
		}
		query = query.After(res.LastCursor)
	}
	if len(params.ID) == 0 {
		return 0, nil
	}
	if _, err := exec.JobRescueMany(ctx, params); err != nil {
		return 0, fmt.Errorf("rescue orphaned jobs: %w", err)
	}
	return len(params.ID), nil
}
