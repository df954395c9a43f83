// Package providers keeps what the fallback chains of hosted and local
// providers (speech synthesis, speech recognition, script writing) share:
// the circuit breaker each member of a chain stands behind, and the health
// record of every configured provider (success rate and latency percentiles
// over the last minutes, the last error) that GET /api/v1/providers and the
// metrics show.
package providers

import (
	"sync"
	"time"
)

// BreakerState is where a circuit breaker is in its cycle.
type BreakerState int

// The states of a breaker.
const (
	BreakerClosed   BreakerState = iota // calls flow; consecutive failures are counted
	BreakerOpen                         // calls fail fast until the cooldown has passed
	BreakerHalfOpen                     // one trial call decides between closed and open
)

func (s BreakerState) String() string {
	switch s {
	case BreakerOpen:
		return "open"
	case BreakerHalfOpen:
		return "half-open"
	default:
		return "closed"
	}
}

// Outcome is what a call tells the breaker about the provider.
type Outcome int

// The outcomes of a call.
const (
	Success Outcome = iota
	Failure         // the provider is failing: 5xx, 429, timeout, unreachable
	Neutral         // says nothing about the provider: the caller gave up, or sent a bad request
)

// Breaker is a circuit breaker: after threshold consecutive failures it opens
// and fails calls fast for cooldown, so that a dead provider does not hold
// every job for a timeout before the next provider of a chain is tried; then
// it lets a single trial call through (half-open), and closes again when
// that call succeeds or reopens when it fails. The clock is injected so its
// cycle can be tested without sleeping.
type Breaker struct {
	threshold int
	cooldown  time.Duration
	now       func() time.Time

	mu       sync.Mutex
	state    BreakerState
	failures int
	openedAt time.Time
	probing  bool // a half-open trial call is in flight
}

// NewBreaker returns a closed breaker; a nil now is time.Now.
func NewBreaker(threshold int, cooldown time.Duration, now func() time.Time) *Breaker {
	if now == nil {
		now = time.Now
	}
	return &Breaker{threshold: max(threshold, 1), cooldown: cooldown, now: now}
}

// Allow reports whether a call may go ahead. Every allowed call must be
// followed by one Record.
func (b *Breaker) Allow() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state {
	case BreakerOpen:
		if b.now().Sub(b.openedAt) < b.cooldown {
			return false
		}
		b.state, b.probing = BreakerHalfOpen, true
		return true
	case BreakerHalfOpen:
		if b.probing {
			return false
		}
		b.probing = true
		return true
	default:
		return true
	}
}

// Record reports how an allowed call went.
func (b *Breaker) Record(o Outcome) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state {
	case BreakerHalfOpen:
		b.probing = false
		switch o {
		case Success:
			b.state, b.failures = BreakerClosed, 0
		case Failure:
			b.state, b.openedAt = BreakerOpen, b.now()
		}
		// A neutral trial decides nothing: the next call becomes the trial.
	case BreakerClosed:
		switch o {
		case Success:
			b.failures = 0
		case Failure:
			b.failures++
			if b.failures >= b.threshold {
				b.state, b.openedAt = BreakerOpen, b.now()
			}
		}
	case BreakerOpen:
		// A call allowed before the breaker opened finished late; the open state stands.
	}
}

// State returns the breaker's state. An open breaker whose cooldown has
// passed is reported half-open: the next call is its trial.
func (b *Breaker) State() BreakerState {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == BreakerOpen && b.now().Sub(b.openedAt) >= b.cooldown {
		return BreakerHalfOpen
	}
	return b.state
}
