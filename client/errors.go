package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/omnivibepro/omnivibe"
)

// Error is an answer of the server with a status outside 2xx, decoded from the
// contract's error body. Use errors.As to reach it, or IsCode to test its code.
type Error struct {
	// Status is the HTTP status code.
	Status int
	// Code is the contract's error_code ("conflict", "not_found", ...); empty
	// when the answer did not carry the contract's body (a proxy's error page).
	Code omnivibe.Code
	// Message explains the error for people.
	Message string
	// Action is what the client should do: check_input, relogin, upgrade_plan,
	// retry_later or contact_support.
	Action string
	// RequestID names the request in the server's logs; quote it to support.
	RequestID string
	// Fields lists every broken field of a validation error.
	Fields []omnivibe.FieldError
	// QuotaUsed, QuotaLimit and Plan describe the quota of a quota_exceeded error.
	QuotaUsed  int
	QuotaLimit int
	Plan       string
	// RetryAfter is how long to wait before retrying, from Retry-After (zero
	// when the server did not say).
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "omnivibe: %d", e.Status)
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request %s)", e.RequestID)
	}
	return b.String()
}

// IsCode reports whether err is (or wraps) an *Error with the given code.
func IsCode(err error, code omnivibe.Code) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// StatusOf returns the HTTP status of err when it is (or wraps) an *Error,
// and 0 otherwise (a transport failure, a cancelled context).
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// errorBody is the contract's error shape. Error is read too: /readyz answers
// 503 with {"status": "unavailable", "error": "..."} instead.
type errorBody struct {
	Code       omnivibe.Code         `json:"error_code"`
	Message    string                `json:"message"`
	Action     string                `json:"action"`
	RequestID  string                `json:"request_id"`
	Errors     []omnivibe.FieldError `json:"errors"`
	QuotaUsed  int                   `json:"quota_used"`
	QuotaLimit int                   `json:"quota_limit"`
	Plan       string                `json:"plan"`
	Error      string                `json:"error"`
}

// decodeError builds the *Error of a non-2xx answer. A body that is not the
// contract's JSON still gives an error with the status and the start of the body.
func decodeError(resp *http.Response) error {
	e := &Error{
		Status:     resp.StatusCode,
		RequestID:  resp.Header.Get("X-Request-ID"),
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
	}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var body errorBody
	if err := json.Unmarshal(raw, &body); err == nil {
		e.Code, e.Message, e.Action, e.Fields = body.Code, body.Message, body.Action, body.Errors
		e.QuotaUsed, e.QuotaLimit, e.Plan = body.QuotaUsed, body.QuotaLimit, body.Plan
		if body.RequestID != "" {
			e.RequestID = body.RequestID
		}
		if e.Message == "" {
			e.Message = body.Error
		}
	} else if text := strings.TrimSpace(string(raw)); text != "" {
		const max = 200
		if r := []rune(text); len(r) > max {
			text = string(r[:max]) + "..."
		}
		e.Message = text
	}
	if e.Message == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	return e
}

// parseRetryAfter reads Retry-After as seconds or as an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
