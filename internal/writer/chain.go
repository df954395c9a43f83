package writer

import (
	"context"
	"errors"
	"strings"
)

// ErrRefused marks a failure the same request meets again at the same
// provider: a refused key, an unknown model, a request it cannot take
// (401, 403, 404, other 4xx). It comes wrapped with ErrUnavailable, and a
// Chain does not fall through on it: another provider would hide a
// misconfiguration the operator has to fix.
var ErrRefused = errors.New("script writer refused the request")

// refused wraps a provider's error so that errors.Is also finds ErrRefused,
// without changing its text.
type refused struct{ error }

func (r refused) Is(target error) bool { return target == ErrRefused }
func (r refused) Unwrap() error        { return r.error }

// Skip records why a writer of a chain did not write a script.
type Skip struct {
	Provider string `json:"provider"`
	// Code is breaker_open, timeout, unusable_answer or unavailable.
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Chain writes with the first of its writers that can: a timeout, a
// provider that stays unavailable after its retries (429, 5xx, connection
// errors), an open circuit breaker or an unusable answer move on to the
// next writer; a refusal (ErrRefused) or a bad request ends the call. Each
// member keeps its own retries and breaker. The script says which writer
// wrote it (Provider) and why the ones before it did not (Skipped).
type Chain struct {
	members []*Writer
}

// NewChain returns the chain of writers, tried in the order given.
func NewChain(members ...*Writer) *Chain { return &Chain{members: members} }

// Name lists the members, comma-separated, as configured.
func (c *Chain) Name() string {
	names := make([]string, len(c.members))
	for i, m := range c.members {
		names[i] = m.Name()
	}
	return strings.Join(names, ",")
}

// Model lists the members' models in the same order.
func (c *Chain) Model() string {
	models := make([]string, len(c.members))
	for i, m := range c.members {
		models[i] = m.Model()
	}
	return strings.Join(models, ",")
}

// Members are the writers in order.
func (c *Chain) Members() []*Writer { return c.members }

// Write writes a script with the first member that can.
func (c *Chain) Write(ctx context.Context, req Request) (Script, error) {
	var skipped []Skip
	var errs []error
	for _, m := range c.members {
		sc, err := m.Write(ctx, req)
		if err == nil {
			sc.Skipped = skipped
			return sc, nil
		}
		if ctx.Err() != nil || !fallsThrough(err) {
			return Script{}, err
		}
		skipped = append(skipped, Skip{Provider: m.Name(), Code: skipCode(err), Message: err.Error()})
		errs = append(errs, err)
	}
	return Script{}, &ChainError{Skipped: skipped, Errs: errs}
}

// fallsThrough reports whether another provider may succeed where this one
// failed.
func fallsThrough(err error) bool {
	switch {
	case errors.Is(err, ErrRefused):
		return false
	case errors.Is(err, ErrTimeout), errors.Is(err, ErrUnusableAnswer), errors.Is(err, ErrUnavailable):
		return true
	}
	return false // a request no writer takes (normalizeRequest) or a cancellation
}

func skipCode(err error) string {
	switch {
	case errors.Is(err, ErrTimeout):
		return "timeout"
	case errors.Is(err, ErrUnusableAnswer):
		return "unusable_answer"
	case strings.Contains(err.Error(), "circuit breaker open"):
		return "breaker_open"
	}
	return "unavailable"
}

// ChainError is the failure of a chain whose every writer failed. It wraps
// each writer's error, so errors.Is finds ErrTimeout or ErrUnavailable.
type ChainError struct {
	Skipped []Skip
	Errs    []error
}

func (e *ChainError) Error() string {
	msgs := make([]string, len(e.Skipped))
	for i, s := range e.Skipped {
		msgs[i] = s.Message
	}
	return "every script writer failed: " + strings.Join(msgs, "; ")
}

func (e *ChainError) Unwrap() []error { return e.Errs }

// BreakerState is the state of the writer's circuit breaker ("closed",
// "open", "half-open"), or "" for the local writer, which has none.
func (w *Writer) BreakerState() string {
	if h, ok := w.drafter.(*hostedDrafter); ok {
		return h.breaker.State().String()
	}
	return ""
}
