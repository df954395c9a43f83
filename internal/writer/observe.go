package writer

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// Call describes one call to a provider, for metrics and traces: each attempt
// of a hosted model (a retried request is several calls), or one draft of
// the local writer. It never holds the prompt, the answer or the API key.
type Call struct {
	Provider string
	Model    string
	// Attempt is 1 for the first try of a request, 2 for its first retry, ...
	Attempt int
	// Status is the provider's HTTP status; 0 without an answer, and for the
	// local writer.
	Status int
	// Outcome is "ok", or why the call failed: timeout, rate_limited,
	// server_error, refused (401/403/404), bad_request (other 4xx),
	// unreachable, unusable_answer or cancelled.
	Outcome string
	// Error explains a failed call, with any API key redacted; "" on success.
	Error    string
	Start    time.Time
	Duration time.Duration
}

// Observer receives every provider call after it ends. It runs on the
// caller's goroutine, so it must be quick.
type Observer func(ctx context.Context, c Call)

// callOutcome names how a call ended, from its HTTP status and error.
func callOutcome(status int, err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.Is(err, ErrTimeout):
		return "timeout"
	case errors.Is(err, ErrUnusableAnswer):
		return "unusable_answer"
	case status == http.StatusTooManyRequests:
		return "rate_limited"
	case status >= 500:
		return "server_error"
	case status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusNotFound:
		return "refused"
	case status >= 400:
		return "bad_request"
	case status == 0:
		return "unreachable"
	}
	return "unavailable"
}
