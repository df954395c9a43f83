package loadtest

import (
	"context"
	"embed"
	"encoding/json"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// webAssets are the live view's page, script and styles: embedded, so the
// view works offline and needs nothing but the binary.
//
//go:embed web
var webAssets embed.FS

// webView serves the live view of one run: the page, the current numbers as
// JSON (/api/state, refreshed once a second) and the controls (/api/stop,
// /api/users).
type webView struct {
	addr    string
	srv     *http.Server
	state   atomic.Pointer[[]byte]
	stopped atomic.Bool
	r       *runner
	stop    context.CancelFunc
	open    bool // open model: the user count is not a control
}

func startWebView(opts Options, r *runner, stop context.CancelFunc) (*webView, error) {
	l, err := net.Listen("tcp", opts.Web)
	if err != nil {
		return nil, err
	}
	v := &webView{addr: l.Addr().String(), r: r, stop: stop, open: opts.Rate > 0}
	empty := []byte(`{"state":"starting","endpoints":[],"history":[]}`)
	v.state.Store(&empty)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", v.asset("web/index.html", "text/html; charset=utf-8"))
	mux.HandleFunc("GET /app.js", v.asset("web/app.js", "text/javascript; charset=utf-8"))
	mux.HandleFunc("GET /api/state", v.serveState)
	mux.HandleFunc("POST /api/stop", v.serveStop)
	mux.HandleFunc("POST /api/users", v.serveUsers)
	v.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = v.srv.Serve(l) }()
	if opts.webReady != nil {
		opts.webReady <- v.addr
	}
	return v, nil
}

func (v *webView) close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = v.srv.Shutdown(ctx)
}

func (v *webView) asset(name, contentType string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		b, err := webAssets.ReadFile(name)
		if err != nil {
			http.Error(w, "missing asset", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(b)
	}
}

func (v *webView) serveState(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(*v.state.Load())
}

func (v *webView) serveStop(w http.ResponseWriter, _ *http.Request) {
	v.stopped.Store(true)
	v.stop()
	writeWebJSON(w, http.StatusAccepted, map[string]string{"status": "stopping"})
}

// maxWebUsers bounds what the user-count control accepts.
const maxWebUsers = 100000

func (v *webView) serveUsers(w http.ResponseWriter, req *http.Request) {
	if v.open {
		writeWebError(w, http.StatusConflict, "the open model (--rate) has a fixed schedule and no user count to change")
		return
	}
	var in struct {
		Users json.Number `json:"users"`
	}
	req.Body = http.MaxBytesReader(w, req.Body, 1<<10)
	dec := json.NewDecoder(req.Body)
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		writeWebError(w, http.StatusBadRequest, `want a JSON body like {"users": 50}`)
		return
	}
	n, err := strconv.Atoi(in.Users.String())
	if err != nil || n < 1 || n > maxWebUsers {
		writeWebError(w, http.StatusBadRequest, "users must be a whole number from 1 to "+strconv.Itoa(maxWebUsers))
		return
	}
	v.r.setUsers(n)
	writeWebJSON(w, http.StatusOK, map[string]int{"users": n})
}

func writeWebError(w http.ResponseWriter, status int, msg string) {
	writeWebJSON(w, status, map[string]string{"error": msg})
}

func writeWebJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// publish makes s the state the page sees next.
func (v *webView) publish(s *liveState) {
	b, err := json.Marshal(s)
	if err != nil {
		return
	}
	v.state.Store(&b)
}

// liveState is what /api/state answers. Latencies are milliseconds.
type liveState struct {
	State       string         `json:"state"` // running, finished
	Model       string         `json:"model"`
	RunID       string         `json:"run_id"`
	ElapsedS    float64        `json:"elapsed_s"`
	RunTimeS    float64        `json:"run_time_s"`
	Users       int            `json:"users"`
	TargetUsers int            `json:"target_users"`
	RPS         float64        `json:"rps"`        // the last ten seconds
	FailuresPS  float64        `json:"failures_s"` // the last ten seconds
	Total       liveEndpoint   `json:"total"`
	Endpoints   []liveEndpoint `json:"endpoints"`
	History     []livePoint    `json:"history"`
	Jobs        *JobStats      `json:"jobs,omitempty"`
}

// liveEndpoint is one row of the page's table; the numbers are over the whole
// run so far, defined as in the final report.
type liveEndpoint struct {
	Label    string  `json:"label"`
	Requests int64   `json:"requests"`
	Failures int64   `json:"failures"`
	P50      float64 `json:"p50_ms"`
	P95      float64 `json:"p95_ms"`
	P99      float64 `json:"p99_ms"`
	Avg      float64 `json:"avg_ms"`
	RPS      float64 `json:"rps"`
}

type livePoint struct {
	T     float64 `json:"t"`
	RPS   float64 `json:"rps"`
	Fails float64 `json:"fails"`
	P50   float64 `json:"p50"`
	P95   float64 `json:"p95"`
	P99   float64 `json:"p99"`
	Users int     `json:"users"`
}

// liveHistoryPoints is how much history the page charts: ten minutes.
const liveHistoryPoints = 600

func liveHistory(h []HistoryPoint) []livePoint {
	if len(h) > liveHistoryPoints {
		h = h[len(h)-liveHistoryPoints:]
	}
	out := make([]livePoint, 0, len(h))
	for _, p := range h {
		out = append(out, livePoint{T: p.Elapsed.Seconds(), RPS: p.WindowRequestsPerSecond, Fails: p.WindowFailuresPerSecond,
			P50: millis(p.P50), P95: millis(p.P95), P99: millis(p.P99), Users: p.Users})
	}
	return out
}

func liveRow(label string, c *counters, secs float64) liveEndpoint {
	e := liveEndpoint{Label: label, Requests: c.requests, Failures: c.failures,
		P50: millis(counterPercentile(c, 50)), P95: millis(counterPercentile(c, 95)), P99: millis(counterPercentile(c, 99))}
	if c.requests > 0 {
		e.Avg = millis(time.Duration(c.sumNanos / c.requests))
	}
	if secs > 0 {
		e.RPS = float64(c.requests) / secs
	}
	return e
}

// liveSnapshot is the state during the run, from the collector's running
// totals (called on the collector's goroutine, right after a tick).
func (c *collector) liveSnapshot(now time.Time, p HistoryPoint, r *runner, state string) *liveState {
	secs := now.Sub(c.start).Seconds()
	s := &liveState{State: state, Model: "closed", RunID: r.runID, ElapsedS: secs, RunTimeS: r.opts.RunTime.Seconds(),
		Users: p.Users, TargetUsers: int(r.wantUsers.Load()), RPS: p.WindowRequestsPerSecond, FailuresPS: p.WindowFailuresPerSecond,
		Total: liveRow("Aggregated", &c.total, secs), Endpoints: []liveEndpoint{}, History: liveHistory(c.history)}
	if r.opts.Rate > 0 {
		s.Model = "open"
	}
	for i := range c.cum.eps {
		if ct := &c.cum.eps[i]; ct.requests > 0 {
			s.Endpoints = append(s.Endpoints, liveRow(endpoints[i].String(), ct, secs))
		}
	}
	sortLive(s.Endpoints)
	if r.jobs != nil {
		s.Jobs = r.jobs.stats()
	}
	return s
}

// finalSnapshot is the state once the run ended: the final report's numbers.
func finalSnapshot(res *Result) *liveState {
	s := &liveState{State: "finished", Model: res.Model, RunID: res.RunID, ElapsedS: res.Duration().Seconds(),
		RunTimeS: res.RunTime.Seconds(), Endpoints: []liveEndpoint{}, History: liveHistory(res.History), Jobs: res.Jobs}
	if n := len(res.History); n > 0 {
		last := res.History[n-1]
		s.Users, s.RPS, s.FailuresPS = last.Users, last.WindowRequestsPerSecond, last.WindowFailuresPerSecond
	}
	s.TargetUsers = s.Users
	row := func(e *EndpointStats) liveEndpoint {
		return liveEndpoint{Label: e.Label(), Requests: e.Requests, Failures: e.Failures, P50: millis(e.Percentile(50)),
			P95: millis(e.Percentile(95)), P99: millis(e.Percentile(99)), Avg: millis(e.Mean), RPS: e.RequestsPerSecond}
	}
	s.Total = row(&res.Total)
	for i := range res.Endpoints {
		s.Endpoints = append(s.Endpoints, row(&res.Endpoints[i]))
	}
	sortLive(s.Endpoints)
	return s
}

// sortLive orders rows by label, so the page's table does not jump around.
func sortLive(rows []liveEndpoint) {
	slices.SortFunc(rows, func(a, b liveEndpoint) int { return strings.Compare(a.Label, b.Label) })
}
