package loadtest

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestFailuresAreCountedAndListedByKind(t *testing.T) {
	srv := newContractServer(t)
	faulty := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.Method + " " + r.URL.Path {
		case "GET /api/v1/campaigns":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte(`{"error_code":"internal","message":"internal error","action":"retry_later","request_id":"x"}`))
			return
		case "POST /api/v1/writer/generate":
			io.Copy(io.Discard, r.Body) // so the server notices the client hanging up
			select {
			case <-time.After(2 * time.Second): // far past the client's timeout
			case <-r.Context().Done():
			}
			return
		}
		srv.Config.Handler.ServeHTTP(w, r)
	})
	refused := "http://" + closedPort(t)

	opts := testOptions(1500*time.Millisecond, 4, faulty.URL, refused) // users 0 and 2 on faulty, 1 and 3 refused
	opts.Timeout = 100 * time.Millisecond
	opts.StopTimeout = 0 // the hanging writer requests at the end are abandoned, not awaited
	res := mustRun(t, opts)

	byKind := map[string]int64{}
	var sum int64
	for _, f := range res.Failures {
		byKind[f.Method+" "+f.Name+": "+f.Error] += f.Occurrences
		sum += f.Occurrences
	}
	for _, want := range []string{
		"GET /api/v1/campaigns: HTTP 500 internal",
		"POST /api/v1/writer/generate: timeout",
		"POST /api/v1/auth/register: connection refused",
	} {
		if byKind[want] == 0 {
			t.Errorf("no failure %q in the list:%s", want, describeFailures(res))
		}
	}
	if sum != res.Total.Failures {
		t.Errorf("failures list adds up to %d, total says %d", sum, res.Total.Failures)
	}
	for _, e := range res.Endpoints {
		var listed int64
		for _, f := range res.Failures {
			if f.Method == e.Method && f.Name == e.Name {
				listed += f.Occurrences
			}
		}
		if listed != e.Failures {
			t.Errorf("%s: %d failures counted, %d listed", e.Label(), e.Failures, listed)
		}
	}
	// Timed-out requests carry their latency: at least the timeout.
	if w := endpointByLabel(res, "POST /api/v1/writer/generate"); w == nil || w.Min < opts.Timeout {
		t.Errorf("writer requests should all have timed out after %s; got %+v", opts.Timeout, w)
	}
	// Every request the faulty server answered or timed out on is in the count
	// (the refused ones never reached a server). Requests cut off by the stop are
	// abandoned, not counted: the server saw some of them, and those cancelled
	// before they were written it never saw.
	answered := res.Total.Requests - byKind["POST /api/v1/auth/register: connection refused"]
	if seen := faulty.seen.Load(); seen < answered || seen > answered+res.Abandoned {
		t.Errorf("reported %d answered and %d abandoned requests, server saw %d", answered, res.Abandoned, seen)
	}
}

func TestFailedOnStartIsRetriedAfterTheWait(t *testing.T) {
	// Registration answers 201 without a token: the scenario cannot go on.
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{"user":{"id":1}}`))
	})
	const users = 4
	opts := testOptions(time.Second, users, srv.URL)
	opts.NoWait = true // on-start retries still wait: --no-wait is for tasks
	res := mustRun(t, opts)

	reg := endpointByLabel(res, "POST /api/v1/auth/register")
	if reg == nil || len(res.Endpoints) != 1 {
		t.Fatalf("want only registration attempts, got %+v", res.Endpoints)
	}
	if reg.Failures != reg.Requests {
		t.Errorf("%d of %d registrations failed, want all", reg.Failures, reg.Requests)
	}
	if len(res.Failures) != 1 || res.Failures[0].Error != "bad response: no access_token" {
		t.Errorf("failures:%s\nwant only \"bad response: no access_token\"", describeFailures(res))
	}
	// Users keep retrying (not dying) but only once per wait (10-30 ms here for
	// regular users, 20-50 ms for power users: at most 1 s / 10 ms + 1 tries each).
	if reg.Requests < 2*users {
		t.Errorf("%d registrations by %d users in 1 s: users stopped retrying", reg.Requests, users)
	}
	if max := int64(users * (100 + 1)); reg.Requests > max {
		t.Errorf("%d registrations by %d users in 1 s, want at most %d: on-start is hammering", reg.Requests, users, max)
	}
}

func TestFailureKindNamesTheCause(t *testing.T) {
	tests := []struct {
		status int
		body   string
		want   string
	}{
		{500, `{"error_code":"internal","message":"x"}`, "HTTP 500 internal"},
		{409, `{"error_code":"conflict"}`, "HTTP 409 conflict"},
		{502, `<html>bad gateway</html>`, "HTTP 502 Bad Gateway"},
		{404, ``, "HTTP 404 Not Found"},
		{599, ``, "HTTP 599"},
	}
	for _, tt := range tests {
		if got := httpFailure(tt.status, []byte(tt.body)); got != tt.want {
			t.Errorf("httpFailure(%d, %q) = %q, want %q", tt.status, tt.body, got, tt.want)
		}
	}
	wrap := func(err error) error {
		return &url.Error{Op: "Get", URL: "http://127.0.0.1:9/x", Err: &net.OpError{Op: "dial", Net: "tcp", Err: err}}
	}
	kinds := []struct {
		err  error
		want string
	}{
		{wrap(os.NewSyscallError("connect", syscall.ECONNREFUSED)), "connection refused"},
		{wrap(os.NewSyscallError("read", syscall.ECONNRESET)), "connection reset"},
		{wrap(context.DeadlineExceeded), "timeout"},
		{wrap(os.ErrDeadlineExceeded), "timeout"},
		{&url.Error{Op: "Get", URL: "u", Err: io.ErrUnexpectedEOF}, "connection closed by server"},
		{wrap(&net.DNSError{Err: "no such host", Name: "nowhere.invalid"}), "DNS lookup failed: no such host"},
		{wrap(errors.New("tls: handshake failure")), "transport error: tls: handshake failure"},
	}
	for _, k := range kinds {
		if got := failureKind(k.err); got != k.want {
			t.Errorf("failureKind(%v) = %q, want %q", k.err, got, k.want)
		}
	}
}

func TestOpenModelWithoutAccountsSaysSo(t *testing.T) {
	// The server under test has no register endpoint yet.
	srv := newCountingServer(t, http.NotFound)
	opts := testOptions(time.Second, 3, srv.URL)
	opts.Rate = 100
	res := mustRun(t, opts)
	if res.Schedule == nil || !res.Schedule.NeverStarted() || res.Schedule.Scheduled != 0 {
		t.Fatalf("schedule %+v, want one that never started", res.Schedule)
	}
	if len(res.Failures) != 1 || res.Failures[0].Error != "HTTP 404 Not Found" || res.Failures[0].Name != "/api/v1/auth/register" {
		t.Errorf("failures:%s\nwant only the missing register endpoint", describeFailures(res))
	}
	var out strings.Builder
	WriteConsoleReport(&out, res)
	if !strings.Contains(out.String(), "The schedule never started") {
		t.Errorf("console report does not say the schedule never started:\n%s", out.String())
	}
}
