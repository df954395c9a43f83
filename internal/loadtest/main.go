package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Main runs `omnivibe loadtest`. args exclude the program and subcommand names.
// It returns the exit status: 0 when the run finished and every --slo target was
// met, 1 when a target was missed, 2 for bad flags or a report that could not be
// written. Cancelling ctx (Ctrl-C) stops the run; the reports are still written.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		if sub, ok := subcommands[args[0]]; ok {
			return sub(ctx, args[1:], stdout, stderr)
		}
	}
	opts, err := ParseArgs(args)
	if errors.Is(err, errHelp) {
		usage(stdout)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "loadtest: %v\nRun 'omnivibe loadtest --help' for usage.\n", err)
		return 2
	}
	opts.MetricsToken = os.Getenv("OMNIVIBE_METRICS_TOKEN")
	return runMain(ctx, opts, stdout, stderr)
}

// runMain is Main after the flags were parsed.
func runMain(ctx context.Context, opts Options, stdout, stderr io.Writer) int {
	var err error
	if err := prepareOutputs(opts); err != nil {
		fmt.Fprintf(stderr, "loadtest: %v\n", err)
		return 2
	}
	// The history is opened and the baseline loaded before the run, so that a
	// wrong name is reported at once instead of after the load.
	var hist *History
	var base *Result
	if !opts.NoHistory || opts.Baseline != "" {
		if hist, err = OpenHistory(opts.HistoryDir); err != nil {
			fmt.Fprintf(stderr, "loadtest: %v\n", err)
			return 2
		}
		defer hist.Close()
	}
	if opts.Baseline != "" {
		if base, err = hist.Load(ctx, opts.Baseline); err != nil {
			fmt.Fprintf(stderr, "loadtest: --baseline: %v\n", err)
			return 2
		}
	}

	model := fmt.Sprintf("closed model, %d users at %g/s", opts.Users, opts.SpawnRate)
	if opts.Rate > 0 {
		model = fmt.Sprintf("open model, %g requests/s, %d accounts", opts.Rate, opts.Users)
	}
	fmt.Fprintf(stderr, "loadtest: %s for %s against %s (Ctrl-C stops and still reports)\n", model, opts.RunTime, strings.Join(opts.Hosts, ", "))

	res, err := Run(ctx, opts, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "loadtest: %v\n", err)
		return 2
	}
	if base != nil {
		res.Baseline = Compare(base, res)
		res.Gates = CheckGates(res.Baseline, opts.Gates)
	}
	WriteConsoleReport(stdout, res)

	status := 0
	if !opts.NoHistory {
		// Stored with a fresh context: a run stopped by Ctrl-C is still kept.
		if err := hist.Save(context.WithoutCancel(ctx), res); err != nil {
			fmt.Fprintf(stderr, "loadtest: history: %v\n", err)
			status = 2
		} else {
			fmt.Fprintf(stderr, "loadtest: stored as run %s in %s\n", res.RunID, opts.HistoryDir)
		}
	}
	if err := writeReports(opts, res); err != nil {
		fmt.Fprintf(stderr, "loadtest: %v\n", err)
		status = 2
	}
	if (!res.SLOsMet() || !res.GatesPassed()) && status == 0 {
		status = 1
	}
	return status
}

// prepareOutputs creates the report directories before the run, so a typo in a
// path is reported at once instead of after five minutes of load.
func prepareOutputs(opts Options) error {
	for _, name := range []string{opts.CSVPrefix, opts.HTMLFile, opts.JSONFile} {
		if name == "" {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil { // #nosec G301 -- a directory for reports meant to be shared, made as mkdir -p makes it (the umask still applies)
			return fmt.Errorf("report directory for %s: %w", name, err)
		}
	}
	return nil
}

// writeReports writes every file asked for and returns the errors of those that
// failed; one failure does not stop the others.
func writeReports(opts Options, res *Result) error {
	var errs []error
	if opts.CSVPrefix != "" {
		errs = append(errs, WriteCSV(opts.CSVPrefix, res))
	}
	if opts.JSONFile != "" {
		errs = append(errs, writeFile(opts.JSONFile, func(w io.Writer) error { return WriteJSON(w, res) }))
	}
	if opts.HTMLFile != "" {
		errs = append(errs, writeFile(opts.HTMLFile, func(w io.Writer) error { return WriteHTML(w, res) }))
	}
	return errors.Join(errs...)
}
