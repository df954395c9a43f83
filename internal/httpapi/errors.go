package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/omnivibepro/omnivibe"
)

// The actions the contract advises a client to take after an error.
const (
	actionCheckInput     = "check_input"
	actionRelogin        = "relogin"
	actionUpgradePlan    = "upgrade_plan"
	actionRetryLater     = "retry_later"
	actionContactSupport = "contact_support"
)

// statusOf maps an error code to its HTTP status and advised action.
func statusOf(code omnivibe.Code) (int, string) {
	switch code {
	case omnivibe.CodeInvalidJSON:
		return http.StatusBadRequest, actionCheckInput
	case omnivibe.CodeUnauthorized:
		return http.StatusUnauthorized, actionRelogin
	case omnivibe.CodeForbidden:
		return http.StatusForbidden, actionContactSupport
	case omnivibe.CodeQuotaExceeded:
		return http.StatusForbidden, actionUpgradePlan
	case omnivibe.CodeNotFound:
		return http.StatusNotFound, actionCheckInput
	case omnivibe.CodeMethodNotAllowed:
		return http.StatusMethodNotAllowed, actionCheckInput
	case omnivibe.CodeConflict:
		return http.StatusConflict, actionCheckInput
	case omnivibe.CodePayloadTooLarge:
		return http.StatusRequestEntityTooLarge, actionCheckInput
	case omnivibe.CodeUnsupportedMediaType:
		return http.StatusUnsupportedMediaType, actionCheckInput
	case omnivibe.CodeRangeNotSatisfiable:
		return http.StatusRequestedRangeNotSatisfiable, actionCheckInput
	case omnivibe.CodeValidation:
		return http.StatusUnprocessableEntity, actionCheckInput
	case omnivibe.CodeRateLimited:
		return http.StatusTooManyRequests, actionRetryLater
	case omnivibe.CodeUnavailable, omnivibe.CodeBusy:
		return http.StatusServiceUnavailable, actionRetryLater
	case omnivibe.CodeTimeout:
		return http.StatusGatewayTimeout, actionRetryLater
	}
	return http.StatusInternalServerError, actionContactSupport
}

// errorBody is the one shape of every error answer.
type errorBody struct {
	Code      omnivibe.Code         `json:"error_code"`
	Message   string                `json:"message"`
	Action    string                `json:"action"`
	RequestID string                `json:"request_id"`
	Errors    []omnivibe.FieldError `json:"errors,omitempty"`
	*omnivibe.QuotaDetail
}

// writeError answers with the contract's error body. Errors that are not an
// *omnivibe.Error are internal: logged with the request ID, shown as "internal".
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *omnivibe.Error
	if !errors.As(err, &e) {
		if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
			// The client went away; nobody is left to answer.
			return
		}
		if errors.Is(err, context.DeadlineExceeded) {
			e = &omnivibe.Error{Code: omnivibe.CodeTimeout, Message: "the request took too long", Err: err}
		} else {
			e = &omnivibe.Error{Code: omnivibe.CodeInternal, Message: "internal error; quote the request_id to support", Err: err}
		}
	}
	status, action := statusOf(e.Code)
	recordError(w, e.Code)
	// busy is load shed on purpose, counted in the metrics and the access
	// log: an error line for each would write the most when the server can
	// least afford it (331,537 of them in a 5-minute overload run).
	if status >= 500 && e.Code != omnivibe.CodeBusy {
		s.log.LogAttrs(r.Context(), slog.LevelError, "request failed",
			slog.String("request_id", requestID(r.Context())), slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Int("status", status), slog.Any("err", err))
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", retryAfterSeconds(e.RetryAfter))
	}
	body := errorBody{Code: e.Code, Message: e.Message, Action: action, RequestID: requestID(r.Context()), Errors: e.Fields, QuotaDetail: e.Quota}
	writeJSON(w, status, body)
}
