package loadtest

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Options configure one load-test run. The zero value is not useful; start from
// DefaultOptions (the report's run shape) or parse a command line with ParseArgs.
type Options struct {
	// Hosts are the base URLs under test (scheme and host, optionally a path
	// prefix). Each virtual user, or account in the open model, is pinned to one
	// of them in turn, so the load spreads evenly and a user's token is only ever
	// shown to the replica that issued it.
	Hosts []string
	// MetricsToken is the servers' metrics token, which their /metrics needs
	// on the API's address (the open model reads it). From the environment
	// only, OMNIVIBE_METRICS_TOKEN as for the server: a command line shows
	// in ps.
	MetricsToken string
	// Users is the number of virtual users (closed model) or of accounts provisioned
	// before the schedule starts (open model). Default 100.
	Users int
	// SpawnRate is how many users start per second (closed model) or how many
	// accounts are provisioned per second at most (open model). Default 10.
	SpawnRate float64
	// RunTime is the wall-clock length of the whole run, spawning included, as in
	// Locust. Default 5 minutes.
	RunTime time.Duration
	// NoWait drops the think times between tasks (closed model saturation test).
	NoWait bool
	// Rate, when above zero, selects the open model: requests start on a fixed
	// schedule of Rate per second, whatever the server does.
	Rate float64
	// MaxInFlight bounds the open model's concurrent requests (and connections).
	// When it is reached, starts are delayed; their latency still counts from the
	// scheduled time and the delay is reported. Default 10,000.
	MaxInFlight int
	// Timeout bounds one request, connection included. Default 30 s.
	Timeout time.Duration
	// StopTimeout is how long requests still in flight at the end of RunTime may
	// take to finish and be counted; no new request starts meanwhile. Ctrl-C does
	// not wait. Default 5 s.
	StopTimeout time.Duration

	CSVPrefix string // writes <prefix>_stats.csv, _stats_history.csv, _failures.csv
	HTMLFile  string
	JSONFile  string
	SLOs      []SLO // targets checked at the end; any miss gives exit status 1

	// HistoryDir holds the history file (every run is stored there unless
	// NoHistory). Default ./loadtest-history.
	HistoryDir string
	NoHistory  bool
	// Baseline names the stored run the new one is compared with: a run id (or
	// a prefix of one), "latest" or a baseline name. Empty: no comparison.
	Baseline string
	// Gates are --max-regression limits against the baseline: any that is
	// significantly exceeded gives exit status 1.
	Gates []Gate

	// TrackJobs follows every accepted voice-over to its end by polling its
	// status every TrackInterval (default 500 ms) with at most TrackConcurrency
	// polls at once (default 16), following at most TrackMax tasks at a time
	// (default 100,000), and for at most TrackTimeout after the run (default 2 m).
	TrackJobs        bool
	TrackInterval    time.Duration
	TrackConcurrency int
	TrackMax         int
	TrackTimeout     time.Duration

	// Web, when set, is the address of the live web view (e.g. 127.0.0.1:8089).
	Web string
	// webHold, when set, keeps the web view serving the final numbers after
	// the run until it is closed; tests read the page then.
	webHold <-chan struct{}
	// webReady, when set, receives the web view's address once it listens.
	webReady chan<- string

	// ignoreCPU lets the open model's worker pool grow even when the machine's
	// CPU is busy, so tests that check growth do not depend on what else runs.
	ignoreCPU bool
	// waitScale multiplies the scenario's think times. Tests shrink it so the full
	// scenario, waits included, runs in a fraction of a second; it is not a flag.
	waitScale float64
}

// DefaultOptions returns the report's run shape against `omnivibe serve`'s
// default address: 100 users, 10 spawned per second, 5 minutes.
func DefaultOptions() Options {
	return Options{
		Hosts:       []string{defaultHost},
		Users:       100,
		SpawnRate:   10,
		RunTime:     5 * time.Minute,
		MaxInFlight: 10000,
		Timeout:     30 * time.Second,
		StopTimeout: 5 * time.Second,
		HistoryDir:  "loadtest-history",

		TrackInterval:    500 * time.Millisecond,
		TrackConcurrency: 16,
		TrackMax:         100000,
		TrackTimeout:     2 * time.Minute,
		waitScale:        1,
	}
}

// defaultHost is where `omnivibe serve` listens when nothing is configured.
const defaultHost = "http://127.0.0.1:8080"

const usageText = `Usage: omnivibe loadtest [flags]
       omnivibe loadtest history [--history-dir DIR] [-n N]
       omnivibe loadtest show RUN
       omnivibe loadtest compare A B
       omnivibe loadtest baseline set NAME RUN | list | delete NAME

Runs the performance report's scenario (regular users 70 %%, power users 30 %%)
against one or more OmniVibe Pro servers and reports Locust-style statistics.

Closed model (default, like Locust): -u users, started at -r per second, each
waiting 1-3 s (regular) or 2-5 s (power) between tasks; --no-wait removes waits.
Open model: --rate R starts R requests per second on a fixed schedule, whatever the
server does; latency counts from the scheduled start (no coordinated omission).

Flags:
  -H, --host URL          base URL under test; repeat for replicas (default %s)
  -u, --users N           users (closed) or provisioned accounts (open) (default %d)
  -r, --spawn-rate N      users started (or accounts provisioned) per second (default %g)
  -t, --run-time D        run length: 90s, 5m, 1h30m, or seconds (default %s)
      --no-wait           no think time between tasks (closed model)
      --rate R            open model: R requests per second
      --max-inflight N    open model: most requests started and unfinished (default %d)
      --timeout D         per-request timeout, connecting included (default %s)
      --stop-timeout D    at the end, how long requests in flight may finish (default %s)
      --csv PREFIX        write PREFIX_stats.csv, PREFIX_stats_history.csv, PREFIX_failures.csv
      --html FILE         write a self-contained HTML report
      --json FILE         write a JSON summary
      --slo TARGETS       targets to gate on; repeatable. Whole run:
                            --slo p50=200ms,p95=500ms,p99=1s,errors=1%%,rps=100
                          One endpoint (its name as in the table, then a colon):
                            --slo "GET /api/v1/campaigns:p95=100ms,p99=150ms"
                          pN (any N in 0-100), avg, max: at most; errors: at most
                          (percent or fraction); rps: at least
      --history-dir DIR   where runs are stored (SQLite) (default %s)
      --no-history        do not store this run
      --baseline RUN      compare with a stored run: its id (or a prefix), latest,
                          or a name from 'loadtest baseline set'
      --max-regression L  with --baseline: fail (exit 1) on a significant regression
                          past a limit; repeatable, --slo's syntax:
                            --max-regression p99=20%%,rps=-10%%
                            --max-regression "GET /api/v1/campaigns:p95=15%%,errors=1%%"
                          p50, p95, p99, avg: most increase; rps: most drop;
                          errors: most increase in percentage points
      --track-jobs        follow every accepted voice-over to its end and report
                          queued / processing / total / delivered times and outcomes
      --track-interval D  status poll interval per task (default %s)
      --track-concurrency N  most status polls at once (default %d)
      --track-timeout D   after the run, how long to wait for tasks to end (default %s)
      --web ADDR          serve a live view with charts and stop / user-count
                          controls while the test runs, e.g. 127.0.0.1:8089
      --headless          accepted for Locust compatibility (always headless)
  -h, --help              show this help

Open-model runs (--rate) read each server's /metrics every 10 s (RSS,
goroutines, open files), print them next to the latencies and flag steady growth.
The API's address serves /metrics only with the server's metrics token: run with
OMNIVIBE_METRICS_TOKEN set to the servers' (environment only).

Exit status: 0 run finished and every target met; 1 a target was missed or a
regression gate failed; 2 bad flags or a report could not be written. Ctrl-C stops the run and still
writes every report.
`

func usage(w io.Writer) {
	d := DefaultOptions()
	fmt.Fprintf(w, usageText, defaultHost, d.Users, d.SpawnRate, d.RunTime, d.MaxInFlight, d.Timeout, d.StopTimeout,
		d.HistoryDir, d.TrackInterval, d.TrackConcurrency, d.TrackTimeout)
}

// errHelp is returned by ParseArgs when --help was asked for.
var errHelp = flag.ErrHelp

// ParseArgs parses the command line of `omnivibe loadtest` (without the program
// and subcommand names) into Options.
func ParseArgs(args []string) (Options, error) {
	o := DefaultOptions()
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}

	var hosts stringList
	var slos stringList
	runTime := durationFlag{d: &o.RunTime, bareSeconds: true}
	timeout := durationFlag{d: &o.Timeout}
	stopTimeout := durationFlag{d: &o.StopTimeout, bareSeconds: true}
	for _, name := range []string{"H", "host"} {
		fs.Var(&hosts, name, "")
	}
	for _, name := range []string{"u", "users"} {
		fs.IntVar(&o.Users, name, o.Users, "")
	}
	for _, name := range []string{"r", "spawn-rate"} {
		fs.Float64Var(&o.SpawnRate, name, o.SpawnRate, "")
	}
	for _, name := range []string{"t", "run-time"} {
		fs.Var(runTime, name, "")
	}
	fs.BoolVar(&o.NoWait, "no-wait", false, "")
	fs.Float64Var(&o.Rate, "rate", 0, "")
	fs.IntVar(&o.MaxInFlight, "max-inflight", o.MaxInFlight, "")
	fs.Var(timeout, "timeout", "")
	fs.Var(stopTimeout, "stop-timeout", "")
	fs.StringVar(&o.CSVPrefix, "csv", "", "")
	fs.StringVar(&o.HTMLFile, "html", "", "")
	fs.StringVar(&o.JSONFile, "json", "", "")
	fs.Var(&slos, "slo", "")
	fs.StringVar(&o.HistoryDir, "history-dir", o.HistoryDir, "")
	fs.BoolVar(&o.NoHistory, "no-history", false, "")
	fs.StringVar(&o.Baseline, "baseline", "", "")
	var gates stringList
	fs.Var(&gates, "max-regression", "")
	fs.BoolVar(&o.TrackJobs, "track-jobs", false, "")
	fs.Var(durationFlag{d: &o.TrackInterval}, "track-interval", "")
	fs.IntVar(&o.TrackConcurrency, "track-concurrency", o.TrackConcurrency, "")
	fs.Var(durationFlag{d: &o.TrackTimeout, bareSeconds: true}, "track-timeout", "")
	fs.StringVar(&o.Web, "web", "", "")
	fs.Bool("headless", true, "")

	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q (every option is a flag; see --help)", fs.Arg(0))
	}
	if len(hosts) > 0 {
		o.Hosts = hosts
	}
	for _, s := range slos {
		parsed, err := ParseSLO(s)
		if err != nil {
			return o, fmt.Errorf("--slo %q: %w", s, err)
		}
		o.SLOs = append(o.SLOs, parsed...)
	}
	for _, g := range gates {
		parsed, err := ParseGates(g)
		if err != nil {
			return o, fmt.Errorf("--max-regression %q: %w", g, err)
		}
		o.Gates = append(o.Gates, parsed...)
	}
	return o, o.Validate()
}

// Validate names the first bad option.
func (o *Options) Validate() error {
	if len(o.Hosts) == 0 {
		return errors.New("--host: at least one base URL is needed")
	}
	o.Hosts = slices.Clone(o.Hosts) // trimmed below; the caller's slice stays as it was
	for i, h := range o.Hosts {
		u, err := url.Parse(h)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("--host %q: want a base URL like http://127.0.0.1:8080", h)
		}
		o.Hosts[i] = strings.TrimRight(h, "/")
	}
	switch {
	case o.Users < 1:
		return fmt.Errorf("--users %d: must be at least 1", o.Users)
	case !(o.SpawnRate > 0):
		return fmt.Errorf("--spawn-rate %g: must be above 0", o.SpawnRate)
	case o.RunTime <= 0:
		return fmt.Errorf("--run-time %s: must be above 0", o.RunTime)
	case o.Rate < 0 || o.Rate != o.Rate:
		return fmt.Errorf("--rate %g: must be 0 (closed model) or above", o.Rate)
	case o.Rate > 0 && o.NoWait:
		return errors.New("--no-wait is for the closed model; the open model (--rate) has no think times")
	case o.MaxInFlight < 1:
		return fmt.Errorf("--max-inflight %d: must be at least 1", o.MaxInFlight)
	case o.Timeout <= 0:
		return fmt.Errorf("--timeout %s: must be above 0", o.Timeout)
	case o.StopTimeout < 0:
		return fmt.Errorf("--stop-timeout %s: must be 0 or above", o.StopTimeout)
	case len(o.Gates) > 0 && o.Baseline == "":
		return errors.New("--max-regression needs --baseline: a regression is measured against a stored run")
	case o.Baseline != "" && o.NoHistory && o.HistoryDir == "":
		return errors.New("--baseline needs --history-dir")
	case !o.NoHistory && o.HistoryDir == "":
		return errors.New("--history-dir: empty; give a directory, or --no-history")
	case o.TrackJobs && o.TrackInterval < 10*time.Millisecond:
		return fmt.Errorf("--track-interval %s: must be at least 10ms", o.TrackInterval)
	case o.TrackJobs && o.TrackConcurrency < 1:
		return fmt.Errorf("--track-concurrency %d: must be at least 1", o.TrackConcurrency)
	case o.TrackJobs && o.TrackTimeout < 0:
		return fmt.Errorf("--track-timeout %s: must be 0 or above", o.TrackTimeout)
	case o.TrackMax < 1 && o.TrackJobs:
		return fmt.Errorf("track max %d: must be at least 1", o.TrackMax)
	}
	if o.Web != "" {
		if _, _, err := net.SplitHostPort(o.Web); err != nil {
			return fmt.Errorf("--web %q: want host:port, e.g. 127.0.0.1:8089", o.Web)
		}
	}
	if o.waitScale == 0 {
		o.waitScale = 1
	}
	return nil
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }
func (l *stringList) Set(s string) error {
	*l = append(*l, s)
	return nil
}

// durationFlag accepts Go durations (90s, 5m, 1h30m) and, where Locust does, a
// bare number of seconds.
type durationFlag struct {
	d           *time.Duration
	bareSeconds bool
}

func (f durationFlag) String() string {
	if f.d == nil {
		return ""
	}
	return f.d.String()
}

func (f durationFlag) Set(s string) error {
	if f.bareSeconds {
		if n, err := strconv.ParseFloat(s, 64); err == nil {
			*f.d = time.Duration(n * float64(time.Second))
			return nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("want a duration like 90s, 5m or 1h30m")
	}
	*f.d = d
	return nil
}
