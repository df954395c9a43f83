package omnivibe

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Code is an error code of the API contract. It decides the HTTP status and the
// `action` a client is advised to take; the mapping lives in internal/httpapi.
type Code string

// The error codes of the contract (shared/spec/api.md, "Errors").
const (
	CodeInvalidJSON          Code = "invalid_json"
	CodeUnauthorized         Code = "unauthorized"
	CodeForbidden            Code = "forbidden"
	CodeQuotaExceeded        Code = "quota_exceeded"
	CodeNotFound             Code = "not_found"
	CodeMethodNotAllowed     Code = "method_not_allowed"
	CodeConflict             Code = "conflict"
	CodePayloadTooLarge      Code = "payload_too_large"
	CodeUnsupportedMediaType Code = "unsupported_media_type"
	CodeRangeNotSatisfiable  Code = "range_not_satisfiable"
	CodeValidation           Code = "validation_error"
	CodeRateLimited          Code = "rate_limited"
	CodeInternal             Code = "internal"
	CodeUnavailable          Code = "unavailable"
	CodeTimeout              Code = "timeout"
	// CodeBusy is a 503 sent at once, with Retry-After, when the server's
	// bounded queue of expensive work (password hashing, voice-over
	// verification) is full.
	CodeBusy Code = "busy"
)

// FieldError names one broken field of a request and what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// QuotaDetail tells a client which monthly quota stopped it.
type QuotaDetail struct {
	Kind  string `json:"-"`
	Used  int    `json:"quota_used"`
	Limit int    `json:"quota_limit"`
	Plan  string `json:"plan"`
}

// Error is an error a client is allowed to see: its Code and Message reach the
// response body. Any other error is internal and is shown only as "internal".
type Error struct {
	Code    Code
	Message string
	// Fields lists every broken field of a validation error.
	Fields []FieldError
	// Quota is set on quota_exceeded.
	Quota *QuotaDetail
	// RetryAfter, when positive, becomes the Retry-After header.
	RetryAfter time.Duration
	// Err is the cause, kept for logs; it never reaches a client.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// NotFound is the error for a resource that does not exist in the caller's account.
// Rows of other accounts answer the same, so their existence is never revealed.
func NotFound(resource string) *Error {
	return &Error{Code: CodeNotFound, Message: resource + " not found"}
}

// ErrorCode returns the contract code of err: its own when it is (or wraps) an
// *Error, CodeInternal otherwise, and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// Violations collects every broken field of one request, so that a client learns
// about all of them in one answer instead of one per round trip.
type Violations struct {
	fields []FieldError
}

// Add records that field breaks a rule. Only the first violation of a field
// is kept: once a value is malformed, what else is wrong with it is noise.
func (v *Violations) Add(field, message string) {
	if v.Has(field) {
		return
	}
	v.fields = append(v.fields, FieldError{Field: field, Message: message})
}

// Addf records that field breaks a rule, with a formatted message.
func (v *Violations) Addf(field, format string, args ...any) {
	v.Add(field, fmt.Sprintf(format, args...))
}

// Has reports whether field already has a violation.
func (v *Violations) Has(field string) bool {
	for _, f := range v.fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// Err returns nil when nothing was broken, else a validation error listing every field.
func (v *Violations) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	parts := make([]string, len(v.fields))
	for i, f := range v.fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return &Error{Code: CodeValidation, Message: strings.Join(parts, "; "), Fields: v.fields}
}
