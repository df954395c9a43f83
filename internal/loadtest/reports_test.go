package loadtest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// syntheticResult records known requests over two ticks, so every number in the
// reports can be worked out by hand.
func syntheticResult() *Result {
	rec := newRecorder(2)
	start := time.Unix(1_700_000_000, 0)
	col := newCollector(rec, start)
	rec.record(0, epListCampaigns, 10*time.Millisecond, 100, "", -1)
	rec.record(1, epListCampaigns, 10*time.Millisecond, 100, "", -1)
	rec.record(1, epCreateCampaign, 20*time.Millisecond, 50, "HTTP 409 conflict", -1)
	col.tick(start.Add(time.Second), 5, 0)
	rec.record(0, epListCampaigns, 30*time.Millisecond, 100, "", -1)
	end := start.Add(2 * time.Second)
	col.tick(end, 5, 0)
	res := &Result{
		RunID: "test", Model: "closed", Hosts: []string{"http://127.0.0.1:8080"}, Users: 5, SpawnRate: 10,
		RunTime: 2 * time.Second, Timeout: time.Second, Start: start, End: end, History: col.history,
	}
	res.Endpoints, res.Total, res.Failures = col.snapshot(end)
	return res
}

// Locust's column names, copied from locust/stats.py (StatsCSV and
// StatsCSVFileWriter, Locust 2.x).
const (
	locustStatsHeader   = "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
	locustHistoryHeader = "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%,Total Request Count,Total Failure Count,Total Median Response Time,Total Average Response Time,Total Min Response Time,Total Max Response Time,Total Average Content Size"
	locustFailureHeader = "Method,Name,Error,Occurrences"
)

func writeCSVFiles(t *testing.T, res *Result) (stats, history, failures string) {
	t.Helper()
	prefix := filepath.Join(t.TempDir(), "run")
	if err := WriteCSV(prefix, res); err != nil {
		t.Fatal(err)
	}
	read := func(suffix string) string {
		b, err := os.ReadFile(prefix + suffix)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	return read("_stats.csv"), read("_stats_history.csv"), read("_failures.csv")
}

func TestCSVFilesMatchLocust(t *testing.T) {
	stats, history, failures := writeCSVFiles(t, syntheticResult())

	wantStats := locustStatsHeader + "\r\n" +
		"GET,/api/v1/campaigns,3,0,10,16.666666,10.0,30.0,100.0,1.5,0.0,10,10,10,10,30,30,30,30,30,30,30\r\n" +
		"POST,/api/v1/campaigns,1,1,20,20.0,20.0,20.0,50.0,0.5,0.5,20,20,20,20,20,20,20,20,20,20,20\r\n" +
		",Aggregated,4,1,10,17.5,10.0,30.0,87.5,2.0,0.5,10,20,20,20,30,30,30,30,30,30,30\r\n"
	if stats != wantStats {
		t.Errorf("stats.csv:\n%s\nwant:\n%s", stats, wantStats)
	}
	wantHistory := locustHistoryHeader + "\r\n" +
		"1700000001,5,,Aggregated,3.000000,1.000000,10,10,10,10,20,20,20,20,20,20,20,3,1,10,13.333333,10.0,20.0,83.33333333333333\r\n" +
		"1700000002,5,,Aggregated,2.000000,0.500000,10,20,20,20,30,30,30,30,30,30,30,4,1,10,17.5,10.0,30.0,87.5\r\n"
	if history != wantHistory {
		t.Errorf("stats_history.csv:\n%s\nwant:\n%s", history, wantHistory)
	}
	wantFailures := locustFailureHeader + "\r\n" + "POST,/api/v1/campaigns,HTTP 409 conflict,1\r\n"
	if failures != wantFailures {
		t.Errorf("failures.csv:\n%s\nwant:\n%s", failures, wantFailures)
	}
}

func TestCSVWithoutRequestsUsesLocustPlaceholders(t *testing.T) {
	rec := newRecorder(1)
	start := time.Unix(1_700_000_000, 0)
	col := newCollector(rec, start)
	col.tick(start.Add(time.Second), 0, 0)
	res := &Result{Start: start, End: start.Add(time.Second), History: col.history}
	res.Endpoints, res.Total, res.Failures = col.snapshot(res.End)

	stats, history, failures := writeCSVFiles(t, res)
	na := strings.Repeat(",N/A", 11)
	if want := locustStatsHeader + "\r\n,Aggregated,0,0,0,0.0,0,0,0,0.0,0.0" + na + "\r\n"; stats != want {
		t.Errorf("stats.csv:\n%q\nwant:\n%q", stats, want)
	}
	if want := locustHistoryHeader + "\r\n1700000001,0,,Aggregated,0.000000,0.000000" + na + ",0,0,0,0.0,0,0,0\r\n"; history != want {
		t.Errorf("stats_history.csv:\n%q\nwant:\n%q", history, want)
	}
	if want := locustFailureHeader + "\r\n"; failures != want {
		t.Errorf("failures.csv: %q, want %q", failures, want)
	}
}

func TestCSVQuotesLikePython(t *testing.T) {
	res := syntheticResult()
	res.Failures = []FailureStats{{Method: "POST", Name: "/api/v1/clients", Error: `transport error: bad "quote", comma`, Occurrences: 2}}
	_, _, failures := writeCSVFiles(t, res)
	rows, err := csv.NewReader(strings.NewReader(failures)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[1][2] != res.Failures[0].Error {
		t.Errorf("failures.csv rows %q, want the error to survive quoting", rows)
	}
}

func TestPythonFloatFormat(t *testing.T) {
	for f, want := range map[float64]string{
		0: "0.0", 12: "12.0", 0.5: "0.5", 16.666666: "16.666666", 1e-05: "1e-05", 2.5e16: "2.5e+16", 250.0 / 3: "83.33333333333333",
	} {
		if got := pyFloat(f); got != want {
			t.Errorf("pyFloat(%v) = %q, want %q", f, got, want)
		}
	}
}

func TestJSONSummary(t *testing.T) {
	res := syntheticResult()
	res.SLOs = CheckSLOs(res, mustParseSLO(t, "p99=1s,errors=1%"))
	var buf bytes.Buffer
	if err := WriteJSON(&buf, res); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Model string `json:"model"`
		Total struct {
			Requests      int64              `json:"requests"`
			Failures      int64              `json:"failures"`
			MeanMs        float64            `json:"mean_ms"`
			PercentilesMs map[string]float64 `json:"percentiles_ms"`
		} `json:"total"`
		Endpoints []struct{ Method, Name string } `json:"endpoints"`
		Failures  []struct {
			Error       string `json:"error"`
			Occurrences int64  `json:"occurrences"`
		} `json:"failures"`
		SLO struct {
			Met     bool `json:"met"`
			Targets []struct {
				Target string `json:"target"`
				Met    bool   `json:"met"`
			} `json:"targets"`
		} `json:"slo"`
		History []json.RawMessage `json:"history"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, buf.String())
	}
	if got.Model != "closed" || got.Total.Requests != 4 || got.Total.Failures != 1 || got.Total.MeanMs != 17.5 {
		t.Errorf("total %+v, model %q", got.Total, got.Model)
	}
	if p := got.Total.PercentilesMs["p99.9"]; p < 30 || p > 30.03 {
		t.Errorf("p99.9 = %v ms, want 30 ms within 0.1 %%", p)
	}
	if len(got.Total.PercentilesMs) != 11 {
		t.Errorf("got %d percentiles, want Locust's 11", len(got.Total.PercentilesMs))
	}
	if len(got.Endpoints) != 2 || got.Endpoints[0].Method != "GET" || len(got.History) != 2 {
		t.Errorf("endpoints %+v, %d history points", got.Endpoints, len(got.History))
	}
	if len(got.Failures) != 1 || got.Failures[0].Error != "HTTP 409 conflict" {
		t.Errorf("failures %+v", got.Failures)
	}
	if got.SLO.Met || len(got.SLO.Targets) != 2 || !got.SLO.Targets[0].Met || got.SLO.Targets[1].Met {
		t.Errorf("slo %+v, want p99 met and errors missed", got.SLO)
	}
}

func TestHTMLReportIsSelfContained(t *testing.T) {
	res := syntheticResult()
	res.SLOs = CheckSLOs(res, mustParseSLO(t, "errors=1%"))
	var buf bytes.Buffer
	if err := WriteHTML(&buf, res); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{"<!DOCTYPE html>", "<svg", "Requests per second", "Response times", "Users and requests in flight",
		"/api/v1/campaigns", "Aggregated", "HTTP 409 conflict", "99.99%", "missed"} {
		if !strings.Contains(page, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// Nothing may be fetched: no scripts, stylesheets, images or fonts from elsewhere.
	for _, banned := range []string{"<script", "<link", "src=", "@import", "url(", "href="} {
		if strings.Contains(page, banned) {
			t.Errorf("report contains %q: it must open offline", banned)
		}
	}
	if strings.Count(page, "<polyline") != 7 {
		t.Errorf("got %d chart lines, want 7 (2 throughput, 3 percentiles, 2 users)", strings.Count(page, "<polyline"))
	}
}

func TestConsoleReportLooksLikeLocust(t *testing.T) {
	res := syntheticResult()
	res.SLOs = CheckSLOs(res, mustParseSLO(t, "p99=1s,errors=1%"))
	var buf bytes.Buffer
	WriteConsoleReport(&buf, res)
	out := buf.String()
	for _, want := range []string{
		"Type     Name", "# reqs      # fails |    Avg     Min     Max    Med |   req/s  failures/s",
		"GET      /api/v1/campaigns", "Aggregated", "Response time percentiles",
		"Error report", "POST /api/v1/campaigns: HTTP 409 conflict",
		"SLO: 1 of 2 targets missed:", "  - whole run errors: 25% (1 of 4 requests) > 1%",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("console report lacks %q:\n%s", want, out)
		}
	}
}

func mustParseSLO(t *testing.T, spec string) []SLO {
	t.Helper()
	s, err := ParseSLO(spec)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
