package writer

import (
	"sync"
	"time"
)

// breakerState is where a circuit breaker is in its cycle.
type breakerState int

const (
	breakerClosed   breakerState = iota // calls flow; consecutive failures are counted
	breakerOpen                         // calls fail fast until the cooldown has passed
	breakerHalfOpen                     // one trial call decides between closed and open
)

func (s breakerState) String() string {
	switch s {
	case breakerOpen:
		return "open"
	case breakerHalfOpen:
		return "half-open"
	default:
		return "closed"
	}
}

// outcome is what an attempt tells the breaker about the provider.
type outcome int

const (
	outcomeSuccess outcome = iota
	outcomeFailure         // the provider is failing: 5xx, 429, timeout, unreachable, refused key
	outcomeNeutral         // says nothing about the provider: the caller gave up, or sent a bad request
)

// breaker is a circuit breaker: after threshold consecutive failures it opens and fails
// calls fast for cooldown, so that a dead provider does not pile up requests that each
// wait for a timeout; then it lets a single trial call through (half-open), and closes
// again when that call succeeds or reopens when it fails. The clock is injected so its
// cycle can be tested without sleeping.
type breaker struct {
	threshold int
	cooldown  time.Duration
	now       func() time.Time

	mu       sync.Mutex
	state    breakerState
	failures int
	openedAt time.Time
	probing  bool // a half-open trial call is in flight
}

func newBreaker(threshold int, cooldown time.Duration, now func() time.Time) *breaker {
	return &breaker{threshold: threshold, cooldown: cooldown, now: now}
}

// allow reports whether a call may go ahead. Every allowed call must be followed by one
// record.
func (b *breaker) allow() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state {
	case breakerOpen:
		if b.now().Sub(b.openedAt) < b.cooldown {
			return false
		}
		b.state, b.probing = breakerHalfOpen, true
		return true
	case breakerHalfOpen:
		if b.probing {
			return false
		}
		b.probing = true
		return true
	default:
		return true
	}
}

// record reports how an allowed call went.
func (b *breaker) record(o outcome) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state {
	case breakerHalfOpen:
		b.probing = false
		switch o {
		case outcomeSuccess:
			b.state, b.failures = breakerClosed, 0
		case outcomeFailure:
			b.state, b.openedAt = breakerOpen, b.now()
		}
		// A neutral trial decides nothing: the next call becomes the trial.
	case breakerClosed:
		switch o {
		case outcomeSuccess:
			b.failures = 0
		case outcomeFailure:
			b.failures++
			if b.failures >= b.threshold {
				b.state, b.openedAt = breakerOpen, b.now()
			}
		}
	case breakerOpen:
		// A call allowed before the breaker opened finished late; the open state stands.
	}
}

// current returns the breaker's state, for logs and tests.
func (b *breaker) current() breakerState {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.state
}
