package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// tokenWatcher serves the fake API and remembers when each access token was
// last used, so a test can count the users actually sending requests.
type tokenWatcher struct {
	*httptest.Server
	mu   sync.Mutex
	last map[string]time.Time
}

func newTokenWatcher(t *testing.T) *tokenWatcher {
	api := newContractAPI()
	w := &tokenWatcher{last: map[string]time.Time{}}
	h := api.handler()
	w.Server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if tok := r.Header.Get("Authorization"); tok != "" {
			w.mu.Lock()
			w.last[tok] = time.Now()
			w.mu.Unlock()
		}
		h.ServeHTTP(rw, r)
	}))
	t.Cleanup(w.Close)
	return w
}

// activeSince counts the tokens used since t.
func (w *tokenWatcher) activeSince(t time.Time) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, at := range w.last {
		if at.After(t) {
			n++
		}
	}
	return n
}

// chromium returns the browser's path, or skips the test when there is none
// (unless OMNIVIBE_REQUIRE_BROWSER=1, as in CI, where that is a failure).
func chromium(t *testing.T) string {
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("OMNIVIBE_REQUIRE_BROWSER") == "1" {
		t.Fatal("no Chromium found and OMNIVIBE_REQUIRE_BROWSER=1")
	}
	t.Skip("no Chromium installed")
	return ""
}

// waitFor polls cond (a browser read) until it holds, for at most d.
func waitFor(t *testing.T, ctx context.Context, d time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(d)
	var last string
	for {
		ok, seen := cond()
		if ok {
			return
		}
		last = seen
		if time.Now().After(deadline) || ctx.Err() != nil {
			t.Fatalf("waiting for %s: last saw %q", what, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestWebViewInChromium drives the live view in headless Chromium: the numbers
// move while the test runs, changing the user count changes how many users
// send requests (as the server sees them), Stop ends the run, and the page
// then shows the final report's numbers.
func TestWebViewInChromium(t *testing.T) {
	browser := chromium(t)
	srv := newTokenWatcher(t)

	opts := testOptions(5*time.Minute, 6, srv.URL)
	opts.Web = "127.0.0.1:0"
	ready := make(chan string, 1)
	hold := make(chan struct{})
	opts.webReady, opts.webHold = ready, hold
	type outcome struct {
		res *Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := Run(context.Background(), opts, nil)
		done <- outcome{res, err}
	}()
	var addr string
	select {
	case addr = <-ready:
	case o := <-done:
		t.Fatalf("run ended before the web view listened: %v", o.err)
	}
	releaseOnce := sync.OnceFunc(func() { close(hold) })
	defer releaseOnce()

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(browser), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true))
	defer cancelAlloc()
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	defer cancelTab()
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	defer cancelTimeout()

	text := func(sel string) string {
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	number := func(sel string) int64 {
		n, _ := strconv.ParseInt(text(sel), 10, 64)
		return n
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("http://"+addr+"/"), chromedp.WaitVisible(chromedp.CSS("#total-requests"))); err != nil {
		t.Fatal(err)
	}

	// Live: the count grows while the run goes on.
	waitFor(t, ctx, 30*time.Second, "requests on the page", func() (bool, string) {
		return number("#total-requests") > 0 && text("#state") == "running", text("#total-requests")
	})
	first := number("#total-requests")
	waitFor(t, ctx, 30*time.Second, "the count to grow", func() (bool, string) {
		return number("#total-requests") > first, text("#total-requests")
	})
	waitFor(t, ctx, 30*time.Second, "6 users on the page", func() (bool, string) { return text("#users") == "6", text("#users") })
	if n := srv.activeSince(time.Now().Add(-500 * time.Millisecond)); n != 6 {
		t.Errorf("%d users active at the server, want 6", n)
	}

	// Fewer users: the page and the server both see two.
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#user-count"), "2"), chromedp.Click(chromedp.CSS("#apply-users"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, 30*time.Second, "2 users on the page", func() (bool, string) { return text("#users") == "2", text("#users") })
	changed := time.Now()
	time.Sleep(time.Second) // users stopped at the change may finish the request they were in
	if n := srv.activeSince(changed.Add(500 * time.Millisecond)); n != 2 {
		t.Errorf("%d users active at the server after the change to 2", n)
	}

	// Stop from the page; the final numbers replace the live ones.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#stop"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, 30*time.Second, "the finished state", func() (bool, string) { return text("#state") == "finished", text("#state") })
	rowsJSON, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify([...document.querySelectorAll('#endpoints tr')].map(tr => ({
		label: tr.dataset.label, requests: tr.querySelector('.requests').textContent,
		failures: tr.querySelector('.failures').textContent, p50: tr.querySelector('.p50').textContent})))`))
	if err != nil {
		t.Fatal(err)
	}
	pageTotal, pageFailures, pageP99 := number("#total-requests"), number("#total-failures"), text("#total-p99")
	releaseOnce()
	o := <-done
	if o.err != nil {
		t.Fatal(o.err)
	}
	res := o.res
	if !res.StoppedFromWeb {
		t.Error("the result does not say the web view stopped it")
	}
	if pageTotal != res.Total.Requests || pageFailures != res.Total.Failures {
		t.Errorf("page shows %d requests, %d failures; the report %d, %d", pageTotal, pageFailures, res.Total.Requests, res.Total.Failures)
	}
	if !sameMillis(pageP99, res.Total.Percentile(99)) {
		t.Errorf("page p99 %s, report %s", pageP99, res.Total.Percentile(99))
	}
	var rows []struct{ Label, Requests, Failures, P50 string }
	if err := json.Unmarshal([]byte(rowsJSON), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(res.Endpoints) {
		t.Errorf("page has %d rows, report %d", len(rows), len(res.Endpoints))
	}
	for _, r := range rows {
		e := endpointByLabel(res, r.Label)
		if e == nil {
			t.Errorf("page row %q not in the report", r.Label)
			continue
		}
		if r.Requests != strconv.FormatInt(e.Requests, 10) || r.Failures != strconv.FormatInt(e.Failures, 10) || !sameMillis(r.P50, e.Percentile(50)) {
			t.Errorf("%s: page %s/%s p50 %s, report %d/%d p50 %s", r.Label, r.Requests, r.Failures, r.P50, e.Requests, e.Failures, e.Percentile(50))
		}
	}
	if last := res.History[len(res.History)-1]; last.Users != 2 {
		t.Errorf("last history point has %d users, want 2", last.Users)
	}
}

// sameMillis reports whether the page's rounded milliseconds (two decimals
// below 10 ms, one below 100, none above, as its ms() prints) show d.
func sameMillis(page string, d time.Duration) bool {
	v, err := strconv.ParseFloat(page, 64)
	if err != nil {
		return false
	}
	want := millis(d)
	half := 0.5
	switch {
	case want < 10:
		half = 0.005
	case want < 100:
		half = 0.05
	}
	return math.Abs(v-want) <= half+1e-9
}

// TestWebViewControlsRejectBadInput checks the control API without a browser.
func TestWebViewControlsRejectBadInput(t *testing.T) {
	for _, model := range []string{"closed", "open"} {
		t.Run(model, func(t *testing.T) {
			srv := newCountingServer(t, trivialHandler)
			opts := testOptions(time.Minute, 2, srv.URL)
			if model == "open" {
				opts.Rate = 10
			}
			opts.Web = "127.0.0.1:0"
			ready := make(chan string, 1)
			opts.webReady = ready
			done := make(chan *Result, 1)
			go func() {
				res, _ := Run(context.Background(), opts, nil)
				done <- res
			}()
			base := "http://" + <-ready
			post := func(path, body string) int {
				resp, err := http.Post(base+path, "application/json", bytes.NewReader([]byte(body)))
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp.StatusCode
			}
			if model == "open" {
				if code := post("/api/users", `{"users": 5}`); code != http.StatusConflict {
					t.Errorf("user count in the open model: %d, want 409", code)
				}
			} else {
				for _, bad := range []string{`{"users": 0}`, `{"users": -3}`, `{"users": 1.5}`, `{"users": "many"}`, `not json`, `{"users": 100001}`} {
					if code := post("/api/users", bad); code != http.StatusBadRequest {
						t.Errorf("%s: %d, want 400", bad, code)
					}
				}
				if code := post("/api/users", `{"users": 3}`); code != http.StatusOK {
					t.Errorf("a good user count: %d", code)
				}
			}
			resp, err := http.Get(base + "/api/state")
			if err != nil {
				t.Fatal(err)
			}
			var st liveState
			err = json.NewDecoder(resp.Body).Decode(&st)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if code := post("/api/stop", ""); code != http.StatusAccepted {
				t.Errorf("stop: %d", code)
			}
			res := <-done
			if res == nil || !res.StoppedFromWeb || res.Duration() > 30*time.Second {
				t.Errorf("stop did not end the run: %+v", res)
			}
		})
	}
}
