package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/client"
)

// The real server cannot yet be driven into every error (no quota is consumed
// and nothing is rate limited in this build), so these answers are served as
// the contract writes them.
func TestErrorDecoding(t *testing.T) {
	for _, tc := range []struct {
		name    string
		status  int
		header  map[string]string
		body    string
		want    client.Error
		wantMsg string
	}{
		{
			name: "quota exceeded", status: 403,
			body: `{"error_code":"quota_exceeded","message":"the Free plan's monthly scripts quota is used up","action":"upgrade_plan","request_id":"01JREQ","quota_used":15,"quota_limit":15,"plan":"free"}`,
			want: client.Error{Status: 403, Code: omnivibe.CodeQuotaExceeded, Message: "the Free plan's monthly scripts quota is used up",
				Action: "upgrade_plan", RequestID: "01JREQ", QuotaUsed: 15, QuotaLimit: 15, Plan: "free"},
			wantMsg: "omnivibe: 403 quota_exceeded: the Free plan's monthly scripts quota is used up (request 01JREQ)",
		},
		{
			name: "rate limited", status: 429,
			header: map[string]string{"Retry-After": "7", "X-Request-ID": "from-header"},
			body:   `{"error_code":"rate_limited","message":"slow down","action":"retry_later"}`,
			want: client.Error{Status: 429, Code: omnivibe.CodeRateLimited, Message: "slow down", Action: "retry_later",
				RequestID: "from-header", RetryAfter: 7 * time.Second},
		},
		{
			name: "validation", status: 422,
			body: `{"error_code":"validation_error","message":"name: is required; platform: must be one of youtube","action":"check_input","request_id":"r1",` +
				`"errors":[{"field":"name","message":"is required"},{"field":"platform","message":"must be one of youtube"}]}`,
			want: client.Error{Status: 422, Code: omnivibe.CodeValidation, Message: "name: is required; platform: must be one of youtube",
				Action: "check_input", RequestID: "r1",
				Fields: []omnivibe.FieldError{{Field: "name", Message: "is required"}, {Field: "platform", Message: "must be one of youtube"}}},
		},
		{
			name: "not ready", status: 503,
			body: `{"status":"unavailable","error":"shutting down"}`,
			want: client.Error{Status: 503, Message: "shutting down"},
		},
		{
			name: "a proxy's page", status: 502,
			header:  map[string]string{"Content-Type": "text/html"},
			body:    "<html>bad gateway</html>\n",
			want:    client.Error{Status: 502, Message: "<html>bad gateway</html>"},
			wantMsg: "omnivibe: 502: <html>bad gateway</html>",
		},
		{
			name: "no body", status: 500,
			want: client.Error{Status: 500, Message: "Internal Server Error"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
			}))
			defer srv.Close()

			_, err := client.New(srv.URL).Me(context.Background())
			var e *client.Error
			if !errors.As(err, &e) {
				t.Fatalf("got %T %v, want *client.Error", err, err)
			}
			if fmt.Sprintf("%+v", *e) != fmt.Sprintf("%+v", tc.want) {
				t.Errorf("got  %+v\nwant %+v", *e, tc.want)
			}
			if tc.wantMsg != "" && e.Error() != tc.wantMsg {
				t.Errorf("got message %q, want %q", e.Error(), tc.wantMsg)
			}
			wrapped := fmt.Errorf("creating the campaign: %w", err)
			if tc.want.Code != "" && !client.IsCode(wrapped, tc.want.Code) {
				t.Errorf("IsCode(wrapped, %s) = false", tc.want.Code)
			}
			if client.StatusOf(wrapped) != tc.status {
				t.Errorf("StatusOf(wrapped) = %d, want %d", client.StatusOf(wrapped), tc.status)
			}
		})
	}
}

func TestLongErrorPageIsCut(t *testing.T) {
	page := strings.Repeat("장애", 500)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, page, http.StatusBadGateway)
	}))
	defer srv.Close()
	err := client.New(srv.URL).Healthz(context.Background())
	var e *client.Error
	if !errors.As(err, &e) || e.Message != strings.Repeat("장애", 100)+"..." {
		t.Fatalf("got %v, want the first 200 characters of the page", err)
	}
}

func TestTransportFailuresAreNotAPIErrors(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close()

	err := client.New(base).Healthz(context.Background())
	if err == nil || client.StatusOf(err) != 0 || client.IsCode(err, omnivibe.CodeUnavailable) {
		t.Fatalf("got %v, want a transport error that is not an *Error", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := client.New(base).Healthz(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestUndecodableAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-ID", "r42")
		fmt.Fprint(w, `{"user": 12}`)
	}))
	defer srv.Close()
	_, err := client.New(srv.URL).Me(context.Background())
	if err == nil || client.StatusOf(err) != 0 || !strings.Contains(err.Error(), "r42") {
		t.Fatalf("got %v, want a decoding error naming request r42", err)
	}
}
