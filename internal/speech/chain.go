package speech

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/omnivibepro/omnivibe/internal/providers"
)

// Chains: OMNIVIBE_TTS=elevenlabs,openai,espeak tries the providers in order.
// A failure the next provider may not share (ErrProviderUnavailable: 429,
// 5xx, timeouts, connection errors, and an open breaker; or
// ErrUnsupportedLanguage) moves on to the next one; a rejection of the
// request itself (ErrProviderRejected: a bad key, an unknown voice, a 400)
// ends the call, since trying elsewhere would hide a mistake the operator
// must fix. Each member stands behind a circuit breaker, so a provider that
// keeps failing is skipped at once instead of costing every job a timeout.

// Chain breaker defaults: three consecutive failures open a member's
// breaker for 30 s.
const (
	DefaultBreakerFailures = 3
	DefaultBreakerCooldown = 30 * time.Second
)

// Skip records why a provider of a chain did not serve a call.
type Skip struct {
	Provider string `json:"provider"`
	// Code is breaker_open, rate_limited, server_error, timeout,
	// unreachable, unavailable, unsupported_language or rejected.
	Code    string `json:"code"`
	Status  int    `json:"status,omitempty"`
	Message string `json:"message"`
}

// Route is which provider of a chain served a call, and why the ones
// before it did not. When the call failed, Provider is the one whose
// failure ended it ("" when every provider was skipped).
type Route struct {
	Provider string
	Skipped  []Skip
}

// ChainError is the failure of a chain whose every provider failed in a way
// worth trying elsewhere. It wraps each provider's error, so errors.Is sees
// ErrProviderUnavailable when any of them was unavailable.
type ChainError struct {
	Skipped []Skip
	Errs    []error
}

func (e *ChainError) Error() string {
	var b strings.Builder
	b.WriteString("every provider failed: ")
	for i, s := range e.Skipped {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(s.Message)
	}
	return b.String()
}

func (e *ChainError) Unwrap() []error { return e.Errs }

// member is a provider of a chain and its breaker.
type member[P interface{ Name() string }] struct {
	p       P
	breaker *providers.Breaker
}

func newMembers[P interface{ Name() string }](ps []P) []member[P] {
	ms := make([]member[P], len(ps))
	for i, p := range ps {
		ms[i] = member[P]{p: p, breaker: providers.NewBreaker(DefaultBreakerFailures, DefaultBreakerCooldown, nil)}
	}
	return ms
}

// route runs call on each member in turn until one serves it.
func route[P interface{ Name() string }, T any](ctx context.Context, ms []member[P], call func(P) (T, error)) (T, Route, error) {
	var zero T
	var r Route
	var errs []error
	for _, m := range ms {
		name := m.p.Name()
		if !m.breaker.Allow() {
			err := &ProviderError{Provider: name, Kind: ErrProviderUnavailable, Message: "circuit breaker open after repeated failures"}
			r.Skipped = append(r.Skipped, Skip{Provider: name, Code: "breaker_open", Message: err.Error()})
			errs = append(errs, err)
			continue
		}
		out, err := call(m.p)
		switch {
		case err == nil:
			m.breaker.Record(providers.Success)
			r.Provider = name
			return out, r, nil
		case ctx.Err() != nil:
			m.breaker.Record(providers.Neutral)
			r.Provider = name
			return zero, r, err
		case errors.Is(err, ErrProviderUnavailable):
			m.breaker.Record(providers.Failure)
		case errors.Is(err, ErrUnsupportedLanguage):
			m.breaker.Record(providers.Neutral)
		default:
			// A rejection: this request is wrong for the provider (or its
			// key is), and so is any answer another one would give.
			m.breaker.Record(providers.Neutral)
			r.Provider = name
			return zero, r, err
		}
		r.Skipped = append(r.Skipped, skipOf(name, err))
		errs = append(errs, err)
	}
	return zero, r, &ChainError{Skipped: r.Skipped, Errs: errs}
}

// skipOf names a provider's failure for a task's record.
func skipOf(name string, err error) Skip {
	s := Skip{Provider: name, Code: "unavailable", Message: err.Error()}
	var pe *ProviderError
	if errors.As(err, &pe) {
		s.Status = pe.Status
	}
	switch {
	case errors.Is(err, ErrUnsupportedLanguage):
		s.Code = "unsupported_language"
	case errors.Is(err, ErrProviderRejected):
		s.Code = "rejected"
	case errors.Is(err, context.DeadlineExceeded) || pe != nil && pe.Timeout:
		s.Code = "timeout"
	case s.Status == http.StatusTooManyRequests:
		s.Code = "rate_limited"
	case s.Status >= 500:
		s.Code = "server_error"
	case s.Status == 0 && pe != nil:
		s.Code = "unreachable"
	}
	return s
}

// SynthesizerChain is a Synthesizer made of several, tried in order.
type SynthesizerChain struct {
	members []member[Synthesizer]
	attempt int
}

// NewSynthesizerChain returns the chain of synths, tried in the order given.
func NewSynthesizerChain(synths ...Synthesizer) *SynthesizerChain {
	return &SynthesizerChain{members: newMembers(synths)}
}

// Name lists the members, comma-separated, as configured.
func (c *SynthesizerChain) Name() string { return chainName(c.members) }

// Synthesize speaks text with the first member that can.
func (c *SynthesizerChain) Synthesize(ctx context.Context, text, language, voice string) (Audio, error) {
	a, _, err := c.SynthesizeRouted(ctx, text, language, voice)
	return a, err
}

// SynthesizeRouted is Synthesize, also saying which member served and why
// the ones before it did not.
func (c *SynthesizerChain) SynthesizeRouted(ctx context.Context, text, language, voice string) (Audio, Route, error) {
	return route(ctx, c.members, func(s Synthesizer) (Audio, error) {
		if v, ok := s.(interface{ ForAttempt(int) Synthesizer }); ok && c.attempt > 1 {
			s = v.ForAttempt(c.attempt)
		}
		return s.Synthesize(ctx, text, language, voice)
	})
}

// ForAttempt returns the chain whose members that vary by attempt (espeak
// speaks slower) speak as they would on attempt n. It shares the breakers.
func (c *SynthesizerChain) ForAttempt(n int) Synthesizer {
	return &SynthesizerChain{members: c.members, attempt: n}
}

// Members are the providers in order with their breakers' states.
func (c *SynthesizerChain) Members() []MemberState { return memberStates(c.members) }

// RecognizerChain is a Recognizer made of several, tried in order.
type RecognizerChain struct {
	members []member[Recognizer]
}

// NewRecognizerChain returns the chain of recs, tried in the order given.
func NewRecognizerChain(recs ...Recognizer) *RecognizerChain {
	return &RecognizerChain{members: newMembers(recs)}
}

// Name lists the members, comma-separated, as configured.
func (c *RecognizerChain) Name() string { return chainName(c.members) }

// Supports is true when any member supports the language.
func (c *RecognizerChain) Supports(language string) bool {
	for _, m := range c.members {
		if m.p.Supports(language) {
			return true
		}
	}
	return false
}

// Transcribe recognizes speech with the first member that can.
func (c *RecognizerChain) Transcribe(ctx context.Context, audio Audio, language, expectedText string) (string, error) {
	text, _, err := c.TranscribeRouted(ctx, audio, language, expectedText)
	return text, err
}

// TranscribeRouted is Transcribe, also saying which member served and why
// the ones before it did not.
func (c *RecognizerChain) TranscribeRouted(ctx context.Context, audio Audio, language, expectedText string) (string, Route, error) {
	return route(ctx, c.members, func(r Recognizer) (string, error) {
		if !r.Supports(language) {
			return "", Unsupported(r.Name(), language)
		}
		return r.Transcribe(ctx, audio, language, expectedText)
	})
}

// VerifyWords checks audio against the expected text word by word
// (Verify) with the first member that can.
func (c *RecognizerChain) VerifyWords(ctx context.Context, audio Audio, language, expectedText string) (Verification, error) {
	v, _, err := c.VerifyRouted(ctx, audio, language, expectedText)
	return v, err
}

// VerifyRouted is VerifyWords, also saying which member served and why the
// ones before it did not.
func (c *RecognizerChain) VerifyRouted(ctx context.Context, audio Audio, language, expectedText string) (Verification, Route, error) {
	return route(ctx, c.members, func(r Recognizer) (Verification, error) {
		if !r.Supports(language) {
			return Verification{}, Unsupported(r.Name(), language)
		}
		return Verify(ctx, r, audio, language, expectedText)
	})
}

// Members are the providers in order with their breakers' states.
func (c *RecognizerChain) Members() []MemberState { return memberStates(c.members) }

// MemberState is a member of a chain and its breaker's state.
type MemberState struct {
	Name    string
	Breaker func() string
}

func memberStates[P interface{ Name() string }](ms []member[P]) []MemberState {
	out := make([]MemberState, len(ms))
	for i, m := range ms {
		b := m.breaker
		out[i] = MemberState{Name: m.p.Name(), Breaker: func() string { return b.State().String() }}
	}
	return out
}

func chainName[P interface{ Name() string }](ms []member[P]) string {
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.p.Name()
	}
	return strings.Join(names, ",")
}
