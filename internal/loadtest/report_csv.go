package loadtest

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Locust's CSV columns, exactly as locust/stats.py (2.x) writes them.
var (
	statsCSVColumns = append([]string{
		"Type", "Name", "Request Count", "Failure Count", "Median Response Time", "Average Response Time",
		"Min Response Time", "Max Response Time", "Average Content Size", "Requests/s", "Failures/s",
	}, percentileLabels...)
	historyCSVColumns = append(append([]string{
		"Timestamp", "User Count", "Type", "Name", "Requests/s", "Failures/s",
	}, percentileLabels...),
		"Total Request Count", "Total Failure Count", "Total Median Response Time", "Total Average Response Time",
		"Total Min Response Time", "Total Max Response Time", "Total Average Content Size")
	failuresCSVColumns = []string{"Method", "Name", "Error", "Occurrences"}
)

// WriteCSV writes <prefix>_stats.csv, <prefix>_stats_history.csv and
// <prefix>_failures.csv with Locust's columns and conventions: one row per request
// type sorted by name then method, then the "Aggregated" row with an empty Type;
// times in milliseconds (median and percentiles as integers, the rest as floats);
// "N/A" percentiles for a row without requests; one history row a second for the
// Aggregated row, whose percentiles are, as in Locust without --csv-full-history,
// those of the run so far.
func WriteCSV(prefix string, res *Result) error {
	files := []struct {
		suffix string
		write  func(io.Writer, *Result) error
	}{
		{"_stats.csv", writeStatsCSV},
		{"_stats_history.csv", writeHistoryCSV},
		{"_failures.csv", writeFailuresCSV},
	}
	for _, f := range files {
		if err := writeFile(prefix+f.suffix, func(w io.Writer) error { return f.write(w, res) }); err != nil {
			return err
		}
	}
	return nil
}

// writeFile writes a report file whole, so a failed write leaves no half a report
// under the final name.
func writeFile(name string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), ".loadtest-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	// CreateTemp makes the file 0600; reports are meant to be shared (CI
	// artifacts, a page on a team's server) and hold counts, latencies, the
	// targets' addresses and failure kinds, never a credential, so they get
	// the mode any new file gets under umask 022.
	if err := os.Chmod(tmp.Name(), 0o644); err != nil { // #nosec G302 -- a shared report of aggregate numbers, see above
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	return nil
}

// newCSVWriter writes as Python's csv module does by default (CRLF line ends).
func newCSVWriter(w io.Writer) *csv.Writer {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	return cw
}

func writeStatsCSV(w io.Writer, res *Result) error {
	cw := newCSVWriter(w)
	_ = cw.Write(statsCSVColumns)
	rows := append(append([]EndpointStats(nil), res.Endpoints...), res.Total)
	for i := range rows {
		e := &rows[i]
		rec := []string{
			e.Method, e.Name,
			strconv.FormatInt(e.Requests, 10), strconv.FormatInt(e.Failures, 10),
			csvMillisInt(e.Percentile(50)),
			pyFloat(millis(e.Mean)),
			csvMillisOrZero(e.Min, e.Requests), csvMillisOrZero(e.Max, e.Requests),
			csvContentSize(e.ContentBytes, e.Requests),
			pyFloat(e.RequestsPerSecond), pyFloat(e.FailuresPerSecond),
		}
		rec = append(rec, csvPercentiles(e.Percentiles(), e.Requests)...)
		_ = cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

func writeHistoryCSV(w io.Writer, res *Result) error {
	cw := newCSVWriter(w)
	_ = cw.Write(historyCSVColumns)
	for _, p := range res.History {
		rec := []string{
			strconv.FormatInt(p.Time.Unix(), 10), strconv.Itoa(p.Users), "", "Aggregated",
			strconv.FormatFloat(p.WindowRequestsPerSecond, 'f', 6, 64),
			strconv.FormatFloat(p.WindowFailuresPerSecond, 'f', 6, 64),
		}
		rec = append(rec, csvPercentiles(p.TotalPercentiles, p.TotalRequests)...)
		rec = append(rec,
			strconv.FormatInt(p.TotalRequests, 10), strconv.FormatInt(p.TotalFailures, 10),
			csvMillisInt(p.TotalPercentiles[0]),
			pyFloat(millis(p.TotalMean)),
			csvMillisOrZero(p.TotalMin, p.TotalRequests), csvMillisOrZero(p.TotalMax, p.TotalRequests),
			csvContentSize(p.TotalContentBytes, p.TotalRequests),
		)
		_ = cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

func writeFailuresCSV(w io.Writer, res *Result) error {
	cw := newCSVWriter(w)
	_ = cw.Write(failuresCSVColumns)
	for _, f := range res.Failures {
		_ = cw.Write([]string{f.Method, f.Name, f.Error, strconv.FormatInt(f.Occurrences, 10)})
	}
	cw.Flush()
	return cw.Error()
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// csvMillisInt is Locust's integer milliseconds (median and percentiles).
func csvMillisInt(d time.Duration) string {
	return strconv.FormatInt(int64(math.Round(millis(d))), 10)
}

// csvMillisOrZero is Locust's "min_response_time or 0": a float when there were
// requests, the integer 0 when there were none.
func csvMillisOrZero(d time.Duration, requests int64) string {
	if requests == 0 {
		return "0"
	}
	return pyFloat(millis(d))
}

func csvContentSize(bytes, requests int64) string {
	if requests == 0 {
		return "0"
	}
	return pyFloat(float64(bytes) / float64(requests))
}

func csvPercentiles(ps []time.Duration, requests int64) []string {
	out := make([]string, len(percentileLabels))
	for i := range out {
		if requests == 0 {
			out[i] = "N/A"
		} else {
			out[i] = csvMillisInt(ps[i])
		}
	}
	return out
}

// pyFloat formats a float as Python's repr does, which is what Locust's csv
// module writes: the shortest round-trip digits, always with a decimal point or an
// exponent (12.0, 0.5, 1e-05).
func pyFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	abs := math.Abs(f)
	if f != 0 && (abs < 1e-4 || abs >= 1e16) {
		s := strconv.FormatFloat(f, 'e', -1, 64)
		mant, exp, _ := strings.Cut(s, "e")
		sign := exp[0]
		exp = strings.TrimLeft(exp[1:], "0")
		if len(exp) < 2 {
			exp = strings.Repeat("0", 2-len(exp)) + exp
		}
		return mant + "e" + string(sign) + exp
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsRune(s, '.') {
		s += ".0"
	}
	return s
}
