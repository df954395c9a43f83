package writer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/omnivibepro/omnivibe/internal/providers"
)

// maxAnswerBytes bounds how much of a provider's answer is read; a script is a few KiB.
const maxAnswerBytes = 2 << 20

// protocol is what differs between hosted APIs: how a request is made and how an answer
// and an error body are read.
type protocol interface {
	name() string
	newRequest(ctx context.Context, cfg Config, system, user string) (*http.Request, error)
	// answerText returns the model's text from a 200 answer. A body that is not the
	// API's answer is an ErrUnavailable; an answer without text (a refusal, an empty
	// completion) is an ErrUnusableAnswer.
	answerText(body []byte) (string, error)
	// errorDetail returns the API's error type and message from an error body, or "".
	errorDetail(body []byte) string
}

// hostedDrafter drafts scripts with a hosted model: it builds the prompt, calls the API
// with a timeout per attempt, retries what is worth retrying with exponential backoff
// and jitter (or the provider's Retry-After), keeps a circuit breaker, and parses the
// answer.
type hostedDrafter struct {
	cfg     Config
	logger  *slog.Logger
	client  *http.Client
	proto   protocol
	breaker *providers.Breaker

	// sleep waits between attempts and jitter draws from [0, 1); tests replace them to
	// observe the delays without waiting for them.
	sleep  func(ctx context.Context, d time.Duration) error
	jitter func() float64
	now    func() time.Time
}

func newHostedDrafter(cfg Config, logger *slog.Logger, client *http.Client, proto protocol) *hostedDrafter {
	return &hostedDrafter{
		cfg:     cfg,
		logger:  logger.With("writer", proto.name(), "model", cfg.Model),
		client:  client,
		proto:   proto,
		breaker: providers.NewBreaker(cfg.BreakerFailures, cfg.BreakerCooldown, time.Now),
		sleep:   sleepContext,
		jitter:  rand.Float64,
		now:     time.Now,
	}
}

func (h *hostedDrafter) draft(ctx context.Context, req Request) (draft, error) {
	text, err := h.complete(ctx, systemPrompt, userPrompt(req))
	if err != nil {
		return draft{}, err
	}
	d, err := parseScript(text)
	if err != nil {
		h.logger.WarnContext(ctx, "writer answer unusable", "error", err, "answer_chars", len(text))
		return draft{}, err
	}
	return d, nil
}

// attemptError is a failed attempt and what to do about it.
type attemptError struct {
	err        error         // wraps ErrUnavailable, ErrTimeout or ErrUnusableAnswer
	status     int           // HTTP status, 0 without an answer
	retryable  bool          // 429, 408, 5xx, timeouts and connection errors
	retryAfter time.Duration // from the answer's Retry-After, when it had one
	hasRetry   bool
	outcome    providers.Outcome
}

// complete sends the prompt and returns the model's text, retrying transient failures.
func (h *hostedDrafter) complete(ctx context.Context, system, user string) (string, error) {
	name := h.proto.name()
	for attempt := 1; ; attempt++ {
		if !h.breaker.Allow() {
			return "", fmt.Errorf("%w: %s is failing, circuit breaker open", ErrUnavailable, name)
		}
		text, failure := h.observedAttempt(ctx, attempt, system, user)
		if failure == nil {
			h.breaker.Record(providers.Success)
			return text, nil
		}
		h.breaker.Record(failure.outcome)
		if err := ctx.Err(); err != nil {
			return "", callerContextError(name, err)
		}
		if !failure.retryable {
			return "", failure.err
		}
		if attempt > h.cfg.MaxRetries {
			return "", fmt.Errorf("%w (gave up after %d attempts)", failure.err, attempt)
		}
		delay := h.backoff(attempt)
		if failure.hasRetry {
			if failure.retryAfter > h.cfg.MaxRetryDelay {
				return "", fmt.Errorf("%w (provider asks to retry after %v)", failure.err, failure.retryAfter.Round(time.Second))
			}
			delay = failure.retryAfter
		}
		if deadline, ok := ctx.Deadline(); ok && h.now().Add(delay).After(deadline) {
			return "", fmt.Errorf("%w (no time left to retry)", failure.err)
		}
		h.logger.WarnContext(ctx, "writer attempt failed; retrying",
			"attempt", attempt, "status", failure.status, "retry_in", delay, "error", failure.err)
		if err := h.sleep(ctx, delay); err != nil {
			return "", callerContextError(name, err)
		}
	}
}

// callerContextError reports that the caller's context ended the call: its deadline is
// a timeout; a cancellation stays a cancellation so the caller can tell it apart.
func callerContextError(name string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: %s did not answer before the request's deadline", ErrTimeout, name)
	}
	return fmt.Errorf("writer: %s call abandoned: %w", name, err)
}

// backoff is the delay before retry number attempt (1-based): RetryBaseDelay doubled per
// retry, capped at MaxRetryDelay, with "equal jitter" (half fixed, half random) so that
// clients that failed together do not retry together.
func (h *hostedDrafter) backoff(attempt int) time.Duration {
	d := h.cfg.RetryBaseDelay << min(attempt-1, 20)
	if d > h.cfg.MaxRetryDelay || d <= 0 {
		d = h.cfg.MaxRetryDelay
	}
	return d/2 + time.Duration(h.jitter()*float64(d/2))
}

// observedAttempt is attempt, told to the Observer.
func (h *hostedDrafter) observedAttempt(ctx context.Context, n int, system, user string) (string, *attemptError) {
	if h.cfg.Observer == nil {
		return h.attempt(ctx, system, user)
	}
	start := time.Now()
	text, failure := h.attempt(ctx, system, user)
	c := Call{Provider: h.proto.name(), Model: h.cfg.Model, Attempt: n, Outcome: "ok", Start: start, Duration: time.Since(start)}
	if failure != nil {
		c.Status, c.Outcome, c.Error = failure.status, callOutcome(failure.status, failure.err), failure.err.Error()
	}
	h.cfg.Observer(ctx, c)
	return text, failure
}

// attempt makes one call with its own timeout.
func (h *hostedDrafter) attempt(ctx context.Context, system, user string) (string, *attemptError) {
	name := h.proto.name()
	actx, cancel := context.WithTimeout(ctx, h.cfg.Timeout)
	defer cancel()

	req, err := h.proto.newRequest(actx, h.cfg, system, user)
	if err != nil {
		return "", &attemptError{err: fmt.Errorf("%w: %s request: %v", ErrUnavailable, name, err), outcome: providers.Neutral}
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return "", h.transportError(ctx, actx, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return "", h.transportError(ctx, actx, err)
	}

	if resp.StatusCode == http.StatusOK {
		text, err := h.proto.answerText(body)
		if err != nil {
			o := providers.Failure
			if errors.Is(err, ErrUnusableAnswer) {
				o = providers.Success // the provider works; this answer is just not a script
			}
			return "", &attemptError{err: fmt.Errorf("%s: %w", name, err), status: resp.StatusCode, outcome: o}
		}
		return text, nil
	}

	detail := h.redact(h.proto.errorDetail(body))
	if detail == "" {
		detail = http.StatusText(resp.StatusCode)
	}
	failure := &attemptError{
		err:     fmt.Errorf("%w: %s answered %d: %s", ErrUnavailable, name, resp.StatusCode, detail),
		status:  resp.StatusCode,
		outcome: providers.Failure,
	}
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests || code == http.StatusRequestTimeout || code >= 500:
		failure.retryable = true
		failure.retryAfter, failure.hasRetry = retryAfter(resp.Header, h.now())
	case code == http.StatusUnauthorized || code == http.StatusForbidden || code == http.StatusNotFound:
		// A refused key or an unknown model fails every call alike: let the breaker see it.
		failure.err = refused{failure.err}
	default:
		failure.outcome = providers.Neutral // this request was bad, not the provider
		failure.err = refused{failure.err}
	}
	return "", failure
}

// transportError classifies an error from sending the request or reading the answer.
func (h *hostedDrafter) transportError(ctx, actx context.Context, err error) *attemptError {
	name := h.proto.name()
	if ctx.Err() != nil {
		return &attemptError{err: callerContextError(name, ctx.Err()), outcome: providers.Neutral}
	}
	var netErr net.Error
	if errors.Is(actx.Err(), context.DeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout() {
		return &attemptError{
			err:       fmt.Errorf("%w: %s did not answer within %v", ErrTimeout, name, h.cfg.Timeout),
			retryable: true,
			outcome:   providers.Failure,
		}
	}
	return &attemptError{
		err:       fmt.Errorf("%w: %s unreachable: %s", ErrUnavailable, name, h.redact(err.Error())),
		retryable: true,
		outcome:   providers.Failure,
	}
}

// secretLike matches strings shaped like provider API keys, which some APIs echo
// (partly masked) in their error messages.
var secretLike = regexp.MustCompile(`\b(?:sk|key)-[A-Za-z0-9_\-*.]{6,}`)

// redact removes the configured API key, and anything shaped like one, from text that
// goes into errors and logs.
func (h *hostedDrafter) redact(s string) string {
	if h.cfg.APIKey != "" {
		s = strings.ReplaceAll(s, h.cfg.APIKey, "[redacted]")
	}
	s = secretLike.ReplaceAllString(s, "[redacted]")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// retryAfter reads how long the provider asks the client to wait: Retry-After in seconds
// or as an HTTP date, or the millisecond retry-after-ms that OpenAI-compatible servers
// send. A date in the past means now.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 {
			return time.Duration(ms * float64(time.Millisecond)), true
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 {
		return time.Duration(secs * float64(time.Second)), true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(0, at.Sub(now)), true
	}
	return 0, false
}

// sleepContext waits for d or until ctx ends.
func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
