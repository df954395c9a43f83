package service

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/omnivibepro/omnivibe"
)

// Pool bounds CPU-heavy work that cannot be shared or interrupted: password
// hashing (passwords.go) and voice-over verification (audio_verify.go). A
// burst of either used to take every core, so that every other request
// waited behind it. A pool runs at most workers of its jobs at once
// (default max(1, NumCPU-1), keeping one core for the rest of the API), and
// lets in at most workers+queue requests, running or waiting for a slot: a
// request that finds the queue full is refused at once with 503 busy and
// Retry-After, instead of adding to a wait that only grows. Work that cannot
// be refused (DoWhenFree) shares the slots without a place in the queue.
//
// The work runs on the caller's own goroutine: the pool starts none, so
// nothing of it outlives a request.
type Pool struct {
	admitted chan struct{} // requests that entered, running or waiting
	slots    chan struct{} // running, whoever the caller
	waiting  atomic.Int64
	// retryAfter is what a refused caller is told to wait; busy is what it
	// is told is going on.
	retryAfter time.Duration
	busy       string
}

func newPool(workers, queue int, busy string, retryAfter time.Duration) *Pool {
	return &Pool{admitted: make(chan struct{}, workers+queue), slots: make(chan struct{}, workers), busy: busy, retryAfter: retryAfter}
}

// NewPasswordPool returns the pool of password hashing: workers slots and
// a queue of queue places.
func NewPasswordPool(workers, queue int) *Pool {
	return newPool(workers, queue, "the server is busy with other sign-ins; try again shortly", time.Second)
}

// NewVerifyPool returns the pool of voice-over verification: workers slots
// and a queue of queue places. A refused client is told to come back in a
// few seconds: a 60 s voice-over takes about 2 s of both cores to verify.
func NewVerifyPool(workers, queue int) *Pool {
	return newPool(workers, queue, "the server is busy verifying other voice-overs; try again shortly", verifyRetryAfter)
}

// Do runs f in a slot. It fails with busy when the queue is full, and with the
// context's error when ctx ends (the client went away) before a slot is free;
// a caller that leaves frees its place in the queue.
func (p *Pool) Do(ctx context.Context, f func()) error {
	leave, err := p.Enter()
	if err != nil {
		return err
	}
	defer leave()
	return p.DoWhenFree(ctx, f)
}

// Enter takes a place in the pool for a request whose work will run in it
// (with DoWhenFree, once or more), or fails with busy at once when the
// queue is full; leave, called once, gives the place back. A request
// enters before it spends anything (a quota unit, a transaction), so that
// a refusal costs nothing, and keeps its place between tries of its work.
func (p *Pool) Enter() (leave func(), err error) {
	select {
	case p.admitted <- struct{}{}:
		return func() { <-p.admitted }, nil
	default:
		return nil, &omnivibe.Error{Code: omnivibe.CodeBusy, Message: p.busy, RetryAfter: p.retryAfter}
	}
}

// DoWhenFree runs f in a slot, waiting for one as long as it takes, or
// until ctx ends; it is never refused. It is for work that has no client to
// send away, such as a queued job, whose number the job workers bound:
// refusing it would only make it run again from the start.
func (p *Pool) DoWhenFree(ctx context.Context, f func()) error {
	p.waiting.Add(1)
	select {
	case p.slots <- struct{}{}:
		p.waiting.Add(-1)
	case <-ctx.Done():
		p.waiting.Add(-1)
		return ctx.Err()
	}
	defer func() { <-p.slots }()
	if err := ctx.Err(); err != nil {
		return err // both were ready; nobody waits for this answer
	}
	f()
	return nil
}

// Waiting is how many callers wait for a slot now.
func (p *Pool) Waiting() int { return int(p.waiting.Load()) }

// Running is how many callers hold a slot now.
func (p *Pool) Running() int { return len(p.slots) }

// defaultPoolWorkers keeps one core free for everything else.
func defaultPoolWorkers() int { return max(1, runtime.NumCPU()-1) }
