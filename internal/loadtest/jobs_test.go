package loadtest

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestTrackJobsFollowsEveryAcceptedTask runs the scenario against the fake API
// whose voice-overs end 100 ms after they were accepted, every fourth one
// failed: every accepted task is delivered exactly once, the failed ones are
// counted as failed, and the server's own timestamps give the stage times.
func TestTrackJobsFollowsEveryAcceptedTask(t *testing.T) {
	srv := newContractServer(t)
	srv.finishAfter = 100 * time.Millisecond
	srv.failEvery = 4
	opts := testOptions(1500*time.Millisecond, 10, srv.URL)
	opts.TrackJobs = true
	opts.TrackInterval = 20 * time.Millisecond
	opts.TrackTimeout = 30 * time.Second
	res := mustRun(t, opts)
	j := res.Jobs
	if j == nil {
		t.Fatal("no job statistics with --track-jobs")
	}
	accepted := srv.accepted.Load()
	if accepted < 4 || j.Accepted != accepted {
		t.Fatalf("tracker saw %d accepted tasks, the server accepted %d:%s", j.Accepted, accepted, describeFailures(res))
	}
	if got := j.Outcomes["succeeded"] + j.Outcomes["failed"]; got != accepted || j.Finished() != accepted {
		t.Errorf("outcomes %v: %d ended, want all %d accepted", j.Outcomes, got, accepted)
	}
	if j.Outcomes["failed"] != srv.failed.Load() || j.Outcomes["failed"] == 0 {
		t.Errorf("%d counted failed, the server failed %d", j.Outcomes["failed"], srv.failed.Load())
	}
	if j.Delivered.Count != accepted || j.Total.Count != accepted || j.Queued.Count != accepted || j.Processing.Count != accepted {
		t.Errorf("timings of %d/%d/%d/%d tasks, want %d each", j.Delivered.Count, j.Total.Count, j.Queued.Count, j.Processing.Count, accepted)
	}
	// The fake server starts a task 20 ms after accepting it and ends it at
	// 100 ms, on its own clock; the histograms keep three digits.
	near := func(got, want time.Duration) bool { return got >= want*99/100 && got <= want*101/100 }
	if !near(j.Total.P50, 100*time.Millisecond) || !near(j.Total.Max, 100*time.Millisecond) ||
		!near(j.Queued.P99, 20*time.Millisecond) || !near(j.Processing.P50, 80*time.Millisecond) {
		t.Errorf("total %+v queued %+v processing %+v", j.Total, j.Queued, j.Processing)
	}
	// Delivered is seen by polling: never before the end.
	if j.Delivered.P50 < 100*time.Millisecond {
		t.Errorf("delivered p50 %s before the task ended", j.Delivered.P50)
	}
	// The tracker's polls are its own: the request statistics count only the
	// scenario's status requests, and the server saw both.
	status := endpointByLabel(res, "GET /api/v1/audio/status/[id]")
	var scenario int64
	if status != nil {
		scenario = status.Requests
	}
	if got := srv.seen[epAudioStatus].Load(); got != scenario+j.Polls {
		t.Errorf("server saw %d status requests; scenario %d + tracker %d", got, scenario, j.Polls)
	}
	var out bytes.Buffer
	WriteConsoleReport(&out, res)
	for _, want := range []string{"Voice-overs followed to their end", "failed ", "processing", "delivered", "no per-stage timings"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("console report lacks %q:\n%s", want, out.String())
		}
	}
}

// TestTrackJobsCountsUnfinishedTasks: tasks that never end are reported as
// unfinished once --track-timeout has passed, not as delivered.
func TestTrackJobsCountsUnfinishedTasks(t *testing.T) {
	srv := newContractServer(t) // finishAfter 0: every task stays running
	opts := testOptions(time.Second, 10, srv.URL)
	opts.TrackJobs = true
	opts.TrackInterval = 20 * time.Millisecond
	opts.TrackTimeout = 200 * time.Millisecond
	res := mustRun(t, opts)
	j := res.Jobs
	if j.Accepted == 0 || j.Outcomes["unfinished"] != j.Accepted || j.Delivered.Count != 0 {
		t.Errorf("accepted %d, outcomes %v, delivered %d", j.Accepted, j.Outcomes, j.Delivered.Count)
	}
}

func TestParseProcessMetricsAndTrend(t *testing.T) {
	page := "# HELP go_goroutines x\n# TYPE go_goroutines gauge\ngo_goroutines 42\n" +
		"go_gc_duration_seconds{quantile=\"0\"} 1e-05\nprocess_resident_memory_bytes 3.2e+07\nprocess_open_fds 17\n"
	rss, g, fds := parseProcessMetrics(strings.NewReader(page))
	if rss != 3.2e7 || g != 42 || fds != 17 {
		t.Errorf("rss %g goroutines %g fds %g", rss, g, fds)
	}
	if rss, _, _ := parseProcessMetrics(strings.NewReader("go_goroutines 3\n")); rss != -1 {
		t.Errorf("missing metric read as %g, want -1", rss)
	}
	var leak, flat []ResourceSample
	for i := range 30 {
		leak = append(leak, ResourceSample{ElapsedS: float64(i * 10), RSSBytes: 40e6 + float64(i)*2e6, Goroutines: 100 + float64(i%3), OpenFDs: 20})
		flat = append(flat, ResourceSample{ElapsedS: float64(i * 10), RSSBytes: 40e6 + float64(i%4)*1e6, Goroutines: 100, OpenFDs: 20})
	}
	if tr := trendOf("rss_bytes", leak); !tr.Growing || tr.R2 < 0.99 {
		t.Errorf("2 MB every 10 s not flagged: %+v", tr)
	}
	if tr := trendOf("goroutines", leak); tr.Growing {
		t.Errorf("goroutines wobbling by 2 flagged: %+v", tr)
	}
	if tr := trendOf("rss_bytes", flat); tr.Growing {
		t.Errorf("flat memory flagged: %+v", tr)
	}
}

// TestOpenModelSamplesServerResources: an open-model run reads /metrics every
// ten seconds (the first reading at 10 s) and reports the readings.
func TestOpenModelSamplesServerResources(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 11 s")
	}
	srv := newCountingServer(t, trivialHandler)
	opts := testOptions(11*time.Second, 4, srv.URL)
	opts.Rate = 20
	var progress syncBuffer
	res, err := Run(t.Context(), opts, &progress)
	if err != nil {
		t.Fatal(err)
	}
	if res.Resources == nil || len(res.Resources.Hosts) != 1 {
		t.Fatalf("resources %+v", res.Resources)
	}
	h := res.Resources.Hosts[0]
	if len(h.Samples) != 1 || h.Samples[0].RSSBytes != 2.5e7 || h.Samples[0].Goroutines != 12 || h.Samples[0].OpenFDs != 9 {
		t.Errorf("samples %+v", h.Samples)
	}
	if !strings.Contains(progress.String(), "rss 23.8MB goroutines 12 fds 9") {
		t.Errorf("no resource line in the progress output:\n%s", progress.String())
	}
}

// The resource watcher sends the servers' metrics token, which their
// /metrics needs on the API's address, and nothing else carries it.
func TestResourceWatcherSendsTheMetricsToken(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer scrape-token" {
			http.Error(w, `{"error_code":"not_found","message":"metrics are not served on this address"}`, http.StatusNotFound)
			return
		}
		serveOperational(w, r)
	}))
	defer srv.Close()
	for token, want := range map[string]int{"scrape-token": 0, "": 1} {
		opts := testOptions(time.Second, 1, srv.URL)
		opts.MetricsToken = token
		w := newResourceWatcher(http.DefaultTransport, opts)
		w.sample(t.Context(), 10*time.Second, HistoryPoint{})
		if h := w.stats().Hosts[0]; h.Errors != want || len(h.Samples) != 1-want {
			t.Errorf("token %q: %d errors, %d samples; want %d errors", token, h.Errors, len(h.Samples), want)
		}
	}
}
