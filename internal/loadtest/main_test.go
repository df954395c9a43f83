package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseArgsDefaults(t *testing.T) {
	o, err := ParseArgs(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(o.Hosts, []string{"http://127.0.0.1:8080"}) || o.Users != 100 || o.SpawnRate != 10 ||
		o.RunTime != 5*time.Minute || o.Rate != 0 || o.NoWait || o.Timeout != 30*time.Second || o.StopTimeout != 5*time.Second {
		t.Errorf("defaults: %+v", o)
	}
}

func TestParseArgsLocustNames(t *testing.T) {
	o, err := ParseArgs([]string{
		"--host", "http://a:1", "-H", "http://b:2/", "-u", "5", "-r", "2.5", "-t", "1h30m",
		"--csv", "results/run", "--html", "results/run.html", "--json", "results/run.json",
		"--no-wait", "--timeout", "2s", "--stop-timeout", "0", "--headless",
		"--slo", "p50=200ms,p95=500ms", "--slo", "GET /api/v1/campaigns:p99=150ms",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(o.Hosts, []string{"http://a:1", "http://b:2"}) {
		t.Errorf("hosts %q", o.Hosts)
	}
	if o.Users != 5 || o.SpawnRate != 2.5 || o.RunTime != 90*time.Minute || !o.NoWait || o.Timeout != 2*time.Second || o.StopTimeout != 0 {
		t.Errorf("options %+v", o)
	}
	if o.CSVPrefix != "results/run" || o.HTMLFile != "results/run.html" || o.JSONFile != "results/run.json" {
		t.Errorf("outputs %q %q %q", o.CSVPrefix, o.HTMLFile, o.JSONFile)
	}
	if len(o.SLOs) != 3 || o.SLOs[2].Endpoint != "GET /api/v1/campaigns" {
		t.Errorf("slos %+v", o.SLOs)
	}

	for args, want := range map[string]time.Duration{"-t 90": 90 * time.Second, "--run-time=5m": 5 * time.Minute, "-t 90s": 90 * time.Second} {
		o, err := ParseArgs(strings.Fields(args))
		if err != nil || o.RunTime != want {
			t.Errorf("%s: run time %s (%v), want %s", args, o.RunTime, err, want)
		}
	}
	o, err = ParseArgs([]string{"--rate", "250", "--users", "20", "--max-inflight", "500"})
	if err != nil || o.Rate != 250 || o.Users != 20 || o.MaxInFlight != 500 {
		t.Errorf("open model flags: %+v, %v", o, err)
	}
}

func TestParseArgsRejectsBadInput(t *testing.T) {
	for _, args := range []string{
		"-u 0", "-r 0", "-t 0s", "-t soon", "--rate -1", "--rate 10 --no-wait", "--host ftp://x",
		"--host 127.0.0.1:8080", "--timeout 0s", "--max-inflight 0", "--slo p50", "--bogus", "stray",
	} {
		if _, err := ParseArgs(strings.Fields(args)); err == nil {
			t.Errorf("ParseArgs(%q) accepted bad input", args)
		}
	}
	if _, err := ParseArgs([]string{"--help"}); !errors.Is(err, errHelp) {
		t.Errorf("--help: got %v, want errHelp", err)
	}
}

func TestMainHelpAndUsageErrors(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := Main(context.Background(), []string{"--help"}, &out, &errOut); code != 0 {
		t.Errorf("--help: exit %d, want 0", code)
	}
	for _, flag := range []string{"--host URL", "-u, --users", "-r, --spawn-rate", "-t, --run-time", "--csv PREFIX", "--html FILE", "--json FILE", "--no-wait", "--rate R", "--slo", "--timeout"} {
		if !strings.Contains(out.String(), flag) {
			t.Errorf("usage lacks %q", flag)
		}
	}
	out.Reset()
	if code := Main(context.Background(), []string{"-u", "zero"}, &out, &errOut); code != 2 {
		t.Errorf("bad flag: exit %d, want 2", code)
	}
	if !strings.Contains(errOut.String(), "--help") {
		t.Errorf("bad flag message %q should point to --help", errOut.String())
	}
}

func TestMainSLOGate(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond)
		trivialHandler(w, r)
	})
	run := func(slos ...string) (int, string) {
		args := []string{"--host", srv.URL, "-u", "4", "-r", "100", "-t", "1s", "--no-wait", "--no-history"}
		for _, s := range slos {
			args = append(args, "--slo", s)
		}
		var out, errOut bytes.Buffer
		code := Main(context.Background(), args, &out, &errOut)
		return code, out.String()
	}
	// Every request takes at least the 20 ms the server sleeps.
	code, out := run("p50=5ms,p99=10s")
	if code != 1 {
		t.Errorf("p50=5ms against a 20 ms server: exit %d, want 1\n%s", code, out)
	}
	if !strings.Contains(out, "SLO: 1 of 2 targets missed:\n  - whole run p50: ") {
		t.Errorf("missed targets not listed plainly:\n%s", out)
	}
	code, out = run("p50=10s,errors=0%", "GET /api/v1/campaigns:p99=10s")
	if code != 0 || !strings.Contains(out, "SLO: all 3 targets met") {
		t.Errorf("generous targets: exit %d, want 0\n%s", code, out)
	}
}

func TestMainCtrlCStillWritesReports(t *testing.T) {
	srv := newContractServer(t)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(1500*time.Millisecond, cancel)
	var out, errOut bytes.Buffer
	started := time.Now()
	code := Main(ctx, []string{
		"--host", srv.URL, "-u", "3", "-r", "50", "-t", "1h", "--no-wait",
		"--csv", filepath.Join(dir, "results", "run"), "--html", filepath.Join(dir, "results", "run.html"),
		"--json", filepath.Join(dir, "results", "run.json"), "--history-dir", filepath.Join(dir, "history"),
	}, &out, &errOut)
	if code != 0 {
		t.Errorf("exit %d after Ctrl-C, want 0\nstderr: %s", code, errOut.String())
	}
	if took := time.Since(started); took > 30*time.Second {
		t.Errorf("took %s to stop after Ctrl-C", took)
	}
	for _, name := range []string{"run_stats.csv", "run_stats_history.csv", "run_failures.csv", "run.html", "run.json"} {
		if _, err := os.Stat(filepath.Join(dir, "results", name)); err != nil {
			t.Errorf("report %s missing: %v", name, err)
		}
	}
	var summary struct {
		Interrupted bool `json:"interrupted"`
		Total       struct {
			Requests int64 `json:"requests"`
		} `json:"total"`
	}
	b, _ := os.ReadFile(filepath.Join(dir, "results", "run.json"))
	if err := json.Unmarshal(b, &summary); err != nil || !summary.Interrupted || summary.Total.Requests == 0 {
		t.Errorf("summary after Ctrl-C: %+v (%v)", summary, err)
	}
	if !strings.Contains(out.String(), "interrupted") || !strings.Contains(out.String(), "Aggregated") {
		t.Errorf("console report after Ctrl-C:\n%s", out.String())
	}
	if !strings.Contains(errOut.String(), "running") {
		t.Errorf("no live line on stderr:\n%s", errOut.String())
	}
}

func TestMainReportsUnwritableOutput(t *testing.T) {
	srv := newCountingServer(t, trivialHandler)
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	// A report path under a regular file cannot be created: caught before the run.
	code := Main(context.Background(), []string{"--host", srv.URL, "-t", "1s", "--no-history", "--json", filepath.Join(blocker, "x.json")}, &out, &errOut)
	if code != 2 || srv.seen.Load() != 0 {
		t.Errorf("exit %d with %d requests sent, want 2 and none", code, srv.seen.Load())
	}
}
