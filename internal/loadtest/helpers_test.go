package loadtest

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// trivialBody answers every scenario request with the fields it needs, so the
// whole scenario runs against a handler that does no work.
var trivialBody = []byte(`{"access_token":"t","refresh_token":"r","token_type":"bearer","expires_in":1800,"id":1,"task_id":"t1"}`)

func trivialHandler(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(trivialBody)
}

// countingServer serves h and counts every request it receives.
type countingServer struct {
	*httptest.Server
	seen atomic.Int64
}

func newCountingServer(t testing.TB, h http.HandlerFunc) *countingServer {
	s := &countingServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if serveOperational(w, r) {
			return
		}
		s.seen.Add(1)
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// serveOperational answers the operational routes the generator reads
// besides the scenario (GET /healthz for the version, GET /metrics in the
// open model) as the real server does, so the test servers count only the
// scenario's requests. It reports whether it answered.
func serveOperational(w http.ResponseWriter, r *http.Request) bool {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/healthz":
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"ok","version":"test-1"}`))
	case r.Method == http.MethodGet && r.URL.Path == "/metrics":
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		w.Write([]byte("# TYPE go_goroutines gauge\ngo_goroutines 12\nprocess_resident_memory_bytes 2.5e+07\nprocess_open_fds 9\n"))
	default:
		return false
	}
	return true
}

// testOptions is a short run against hosts with the scenario's waits shrunk a
// hundredfold (regular users 10-30 ms, power users 20-50 ms).
func testOptions(runTime time.Duration, users int, hosts ...string) Options {
	o := DefaultOptions()
	o.Hosts = hosts
	o.Users = users
	o.SpawnRate = 1000
	o.RunTime = runTime
	o.waitScale = 0.01
	o.NoHistory = true
	return o
}

func mustRun(t testing.TB, opts Options) *Result {
	t.Helper()
	res, err := Run(context.Background(), opts, nil)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func endpointByLabel(res *Result, label string) *EndpointStats {
	for i := range res.Endpoints {
		if res.Endpoints[i].Label() == label {
			return &res.Endpoints[i]
		}
	}
	return nil
}

func describeFailures(res *Result) string {
	var b strings.Builder
	for _, f := range res.Failures {
		b.WriteString("\n  " + f.Method + " " + f.Name + ": " + f.Error)
	}
	return b.String()
}

// syncBuffer is a bytes.Buffer that the run's goroutines may write to while
// the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
