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
	writeSLOVerdicts(w, res)
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
