package loadtest

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// WriteConsoleReport prints the end-of-run tables the way Locust prints them
// (statistics, response-time percentiles, error report), then the run's shape and
// the SLO verdicts. Latencies are in milliseconds; below 100 ms they keep the
// decimals an integer would lose on a fast server.
func WriteConsoleReport(w io.Writer, res *Result) {
	const typeWidth = 8
	nameWidth := 36
	for _, e := range res.Endpoints {
		nameWidth = max(nameWidth, len(e.Name)+2)
	}

	fmt.Fprintf(w, "%-*s %-*s %7s %12s |%7s %7s %7s%7s | %7s %11s\n", typeWidth, "Type", nameWidth, "Name",
		"# reqs", "# fails", "Avg", "Min", "Max", "Med", "req/s", "failures/s")
	sep := strings.Repeat("-", typeWidth) + "|" + strings.Repeat("-", nameWidth) + "|" + strings.Repeat("-", 7) + "|" +
		strings.Repeat("-", 13) + "|" + strings.Repeat("-", 7) + "|" + strings.Repeat("-", 7) + "|" +
		strings.Repeat("-", 7) + "|" + strings.Repeat("-", 7) + "|" + strings.Repeat("-", 8) + "|" + strings.Repeat("-", 11)
	fmt.Fprintln(w, sep)
	row := func(e *EndpointStats) {
		typ := ""
		if e.Method != "" {
			typ = e.Method + " "
		}
		fails := fmt.Sprintf("%d(%.2f%%)", e.Failures, e.FailureRatio()*100)
		fmt.Fprintf(w, "%-*s %-*s %7d %12s |%7s %7s %7s%7s | %7.2f %11.2f\n", typeWidth, typ, nameWidth, e.Name,
			e.Requests, fails, tableMillis(e.Mean), tableMillis(e.Min), tableMillis(e.Max), tableMillis(e.Percentile(50)),
			e.RequestsPerSecond, e.FailuresPerSecond)
	}
	for i := range res.Endpoints {
		row(&res.Endpoints[i])
	}
	fmt.Fprintln(w, sep)
	row(&res.Total)
	fmt.Fprintln(w)

	fmt.Fprintln(w, "Response time percentiles (HDR histogram, 3 significant digits, ms)")
	header := []any{typeWidth, "Type", nameWidth, "Name"}
	for _, l := range percentileLabels {
		header = append(header, l)
	}
	header = append(header, "# reqs")
	pctFormat := "%-*s %-*s %8s" + strings.Repeat(" %6s", len(percentileLabels)) + "\n"
	fmt.Fprintf(w, pctFormat, header...)
	psep := strings.Repeat("-", typeWidth) + "|" + strings.Repeat("-", nameWidth) + "|" + strings.Repeat("-", 8) +
		strings.Repeat("|"+strings.Repeat("-", 6), len(percentileLabels))
	fmt.Fprintln(w, psep)
	prow := func(e *EndpointStats) {
		vals := []any{typeWidth, e.Method, nameWidth, e.Name}
		for _, d := range e.Percentiles() {
			vals = append(vals, tableMillis(d))
		}
		vals = append(vals, strconv.FormatInt(e.Requests, 10))
		fmt.Fprintf(w, pctFormat, vals...)
	}
	for i := range res.Endpoints {
		prow(&res.Endpoints[i])
	}
	fmt.Fprintln(w, psep)
	if res.Total.Requests > 0 {
		prow(&res.Total)
	}
	fmt.Fprintln(w)

	if len(res.Failures) > 0 {
		fmt.Fprintln(w, "Error report")
		fmt.Fprintf(w, "%-18s %s\n", "# occurrences", "Error")
		esep := strings.Repeat("-", 18) + "|" + strings.Repeat("-", typeWidth+nameWidth+40)
		fmt.Fprintln(w, esep)
		for _, f := range res.Failures {
			fmt.Fprintf(w, "%-18d %s %s: %s\n", f.Occurrences, f.Method, f.Name, f.Error)
		}
		fmt.Fprintln(w, esep)
		fmt.Fprintln(w)
	}

	writeRunSummary(w, res)
	writeJobs(w, res.Jobs)
	writeResources(w, res.Resources)
	writeSLOVerdicts(w, res)
	if res.Baseline != nil {
		fmt.Fprintln(w)
		WriteComparison(w, res.Baseline, "run "+res.Baseline.BaseID, "this run "+res.RunID)
	}
	writeGateVerdicts(w, res)
}

// writeJobs prints the --track-jobs section.
func writeJobs(w io.Writer, j *JobStats) {
	if j == nil {
		return
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Voice-overs followed to their end (--track-jobs, status polled every %s): %d accepted", j.PollInterval, j.Accepted)
	if j.Untracked > 0 {
		fmt.Fprintf(w, ", %d not followed (too many at once)", j.Untracked)
	}
	fmt.Fprintln(w)
	var parts []string
	for _, k := range []string{"succeeded", "partial", "failed", "cancelled", "unfinished", "lost"} {
		if n := j.Outcomes[k]; n > 0 || k == "succeeded" || k == "failed" {
			parts = append(parts, fmt.Sprintf("%s %d (%.1f%%)", k, n, j.Share(k)*100))
		}
	}
	fmt.Fprintf(w, "Outcomes: %s\n", strings.Join(parts, ", "))
	fmt.Fprintf(w, "%-12s %8s %9s %9s %9s %9s %9s\n", "Time", "# tasks", "p50", "p90", "p95", "p99", "max")
	for _, row := range []struct {
		name string
		s    DurationSummary
	}{{"queued", j.Queued}, {"processing", j.Processing}, {"total", j.Total}, {"delivered", j.Delivered}} {
		fmt.Fprintf(w, "%-12s %8d %9s %9s %9s %9s %9s\n", row.name, row.s.Count, formatLatency(row.s.P50), formatLatency(row.s.P90),
			formatLatency(row.s.P95), formatLatency(row.s.P99), formatLatency(row.s.Max))
	}
	fmt.Fprintln(w, "queued: created to started; processing: started to finished; total: created to finished (server clock);")
	fmt.Fprintln(w, "delivered: the 202 to the poll that saw the end (includes up to one poll interval). "+j.Note)
	fmt.Fprintf(w, "Status polls: %d (%d failed and were retried)\n", j.Polls, j.PollErrors)
}

// writeResources prints the servers' resource trends of an open-model run.
func writeResources(w io.Writer, r *ResourceStats) {
	if r == nil {
		return
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Server resources (from /metrics every 10 s; growth is the least-squares slope over the run)")
	for _, h := range r.Hosts {
		fmt.Fprintf(w, "%s: %d samples", h.Host, len(h.Samples))
		if h.Errors > 0 {
			fmt.Fprintf(w, ", %d scrapes failed", h.Errors)
		}
		fmt.Fprintln(w)
		for _, t := range h.Trends {
			flag := ""
			if t.Growing {
				flag = "  GROWING: " + t.Note
			} else if t.Note != "" {
				flag = "  (" + t.Note + ")"
			}
			format := formatCount
			if t.Metric == "rss_bytes" {
				format = formatBytes
			}
			fmt.Fprintf(w, "  %-11s first %s last %s, slope %s/h, R² %.2f%s\n", t.Metric, format(t.First), format(t.Last),
				format(t.SlopePerHour), t.R2, flag)
		}
	}
	if r.Growing() {
		fmt.Fprintln(w, "WARNING: a server resource grew steadily during the run (a leak, or a run too short to level off)")
	}
}

// tableMillis formats a latency in milliseconds for a narrow column.
func tableMillis(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms < 10:
		return strconv.FormatFloat(ms, 'f', 2, 64)
	case ms < 100:
		return strconv.FormatFloat(ms, 'f', 1, 64)
	default:
		return strconv.FormatFloat(ms, 'f', 0, 64)
	}
}

func writeRunSummary(w io.Writer, res *Result) {
	state := "finished"
	if res.Interrupted {
		state = "interrupted (Ctrl-C): statistics cover the time until then"
	} else if res.StoppedFromWeb {
		state = "stopped from the web view: statistics cover the time until then"
	}
	fmt.Fprintf(w, "Run %s %s after %s against %s\n", res.RunID, state,
		res.Duration().Round(time.Millisecond), strings.Join(res.Hosts, ", "))
	if res.Model == "open" && res.Schedule != nil {
		s := res.Schedule
		fmt.Fprintf(w, "Open model: %g req/s scheduled, %d started (%.1f/s), %d accounts; latency counts from the scheduled start\n",
			res.Rate, s.Scheduled, s.AchievedRPS, res.Users)
		fmt.Fprintf(w, "Start lag (generator delay, included in latencies): p50 %s, p99 %s, max %s; %d starts more than %s late\n",
			formatLatency(s.LagP50), formatLatency(s.LagP99), formatLatency(s.LagMax), s.LateStarts, formatLatency(LateStartThreshold))
		if s.Late() {
			fmt.Fprintln(w, "WARNING: the generator could not keep its schedule; part of the latency above is its own delay")
		}
		if s.NeverStarted() {
			fmt.Fprintln(w, "WARNING: "+neverStartedNote)
		}
	} else {
		wait := "think times 1-3 s (regular) / 2-5 s (power)"
		if res.NoWait {
			wait = "no think time (--no-wait)"
		}
		fmt.Fprintf(w, "Closed model: %d users spawned at %g/s, %s\n", res.Users, res.SpawnRate, wait)
	}
	if res.Abandoned > 0 {
		fmt.Fprintf(w, "%d requests still in flight when the run stopped were abandoned (not in the statistics)\n", res.Abandoned)
	}
}

// writeSLOVerdicts prints "SLO met" or the plain list of missed targets.
func writeSLOVerdicts(w io.Writer, res *Result) {
	if len(res.SLOs) == 0 {
		return
	}
	var missed []string
	for _, s := range res.SLOs {
		if !s.Met {
			missed = append(missed, s.Message)
		}
	}
	if len(missed) == 0 {
		fmt.Fprintf(w, "SLO: all %d targets met\n", len(res.SLOs))
		return
	}
	fmt.Fprintf(w, "SLO: %d of %d targets missed:\n", len(missed), len(res.SLOs))
	for _, m := range missed {
		fmt.Fprintf(w, "  - %s\n", m)
	}
}
