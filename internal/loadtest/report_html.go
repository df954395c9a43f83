package loadtest

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// WriteHTML writes a self-contained report: inline CSS and inline SVG charts, no
// script and nothing fetched, so it opens offline and can be attached to a CI run.
func WriteHTML(w io.Writer, res *Result) error {
	return htmlReport.Execute(w, buildHTMLData(res))
}

type htmlData struct {
	Res       *Result
	Title     string
	Started   string
	Duration  string
	Hosts     string
	Shape     string
	Labels    []string
	Rows      []htmlRow
	Total     htmlRow
	Failures  []FailureStats
	SLOs      []SLOResult
	SLOMet    bool
	Charts    []template.HTML
	Schedule  string
	Warning   string
	Generated string

	Machine    string
	Comparison *htmlComparison
	Gates      []GateResult
	GatesOK    bool
	Jobs       *htmlJobs
	Resources  []htmlResourceHost
}

type htmlComparison struct {
	Title   string
	Note    string
	Columns []string
	Rows    []htmlCompareRow
	Details []string
}

type htmlCompareRow struct {
	Label   string
	Cells   []htmlCompareCell
	Verdict string
	Bad     bool
}

type htmlCompareCell struct {
	Text  string
	Title string
	Class string // "worse", "better" or ""
}

type htmlJobs struct {
	Summary  string
	Outcomes string
	Rows     []htmlJobRow
	Note     string
}

type htmlJobRow struct {
	Name                    string
	Count                   int64
	P50, P90, P95, P99, Max string
}

type htmlResourceHost struct {
	Host   string
	Trends []htmlTrend
}

type htmlTrend struct {
	Metric, First, Last, Slope, R2, Note string
	Growing                              bool
}

type htmlRow struct {
	Method, Name                string
	Requests, Failures          int64
	FailurePct                  string
	Avg, Min, Max               string
	Percentiles                 []string
	RPS, FailuresPerS, AvgSizeB string
}

func buildHTMLData(res *Result) htmlData {
	d := htmlData{
		Res:       res,
		Title:     "OmniVibe Pro load test " + res.RunID,
		Started:   res.Start.UTC().Format(time.RFC3339),
		Duration:  res.Duration().Round(time.Millisecond).String(),
		Hosts:     strings.Join(res.Hosts, ", "),
		Labels:    percentileLabels,
		Failures:  res.Failures,
		SLOs:      res.SLOs,
		SLOMet:    res.SLOsMet(),
		Generated: time.Now().UTC().Format(time.RFC3339),
	}
	if res.Model == "open" {
		d.Shape = fmt.Sprintf("open model: %g requests/s on a fixed schedule, %d accounts; latency from the scheduled start", res.Rate, res.Users)
		if s := res.Schedule; s != nil {
			d.Schedule = fmt.Sprintf("%d requests started (%.1f/s); start lag p50 %s, p99 %s, max %s; %d starts more than %s late",
				s.Scheduled, s.AchievedRPS, formatLatency(s.LagP50), formatLatency(s.LagP99), formatLatency(s.LagMax), s.LateStarts, formatLatency(LateStartThreshold))
			if s.Late() {
				d.Warning = "The generator could not keep its schedule: part of the latency is its own delay."
			}
			if s.NeverStarted() {
				d.Warning = neverStartedNote
			}
		}
	} else {
		wait := "think times 1-3 s (regular) / 2-5 s (power)"
		if res.NoWait {
			wait = "no think time"
		}
		d.Shape = fmt.Sprintf("closed model: %d users spawned at %g/s, %s", res.Users, res.SpawnRate, wait)
	}
	if res.Abandoned > 0 {
		d.Warning = strings.TrimSpace(d.Warning + fmt.Sprintf(" %d requests still in flight at the stop were abandoned and are not counted.", res.Abandoned))
	}
	if res.Interrupted {
		d.Warning = strings.TrimSpace(d.Warning + " The run was interrupted (Ctrl-C); the numbers cover the time until then.")
	}
	for i := range res.Endpoints {
		d.Rows = append(d.Rows, htmlRowOf(&res.Endpoints[i]))
	}
	d.Total = htmlRowOf(&res.Total)
	d.Charts = historyCharts(res)
	d.Machine = fmt.Sprintf("%s, %d cores; server version %s", res.Machine.CPUModel, res.Machine.Cores, res.ServerVersion)
	if c := res.Baseline; c != nil {
		hc := &htmlComparison{
			Title:   fmt.Sprintf("Compared with run %s (started %s, server %s)", c.BaseID, c.BaseStart.UTC().Format(time.RFC3339), c.BaseVersion),
			Columns: compareColumns,
			Note:    "Changes in percent of the base (errors in percentage points); * marks a significant change: percentiles by non-overlapping 95% order-statistic intervals, avg by Mann-Whitney U on the histograms, rps on per-second counts.",
		}
		if !c.SameMachine() {
			hc.Note += fmt.Sprintf(" The runs came from different machines (%s vs %s).", c.BaseMachine.CPUModel, c.NewMachine.CPUModel)
		}
		for _, r := range c.Rows {
			row := htmlCompareRow{Label: r.Label, Verdict: r.Summary(), Bad: r.Summary() == "regression"}
			for _, col := range compareColumns {
				m := r.Metric(col)
				cell := htmlCompareCell{Text: formatChangeCell(m)}
				if m != nil {
					cell.Title = fmt.Sprintf("%s -> %s; %s", formatMetricValue(m, m.Base), formatMetricValue(m, m.New), m.Detail)
					if m.Significant {
						cell.Class = map[bool]string{true: "worse", false: "better"}[m.Worse]
					}
				}
				row.Cells = append(row.Cells, cell)
			}
			hc.Rows = append(hc.Rows, row)
		}
		if len(c.Rows) > 0 {
			agg := &c.Rows[0]
			for _, col := range compareColumns {
				if m := agg.Metric(col); m != nil {
					hc.Details = append(hc.Details, fmt.Sprintf("%s %s: %s -> %s, %s (%s)", agg.Label, col,
						formatMetricValue(m, m.Base), formatMetricValue(m, m.New), m.Verdict(), m.Detail))
				}
			}
		}
		d.Comparison = hc
	}
	d.Gates, d.GatesOK = res.Gates, res.GatesPassed()
	if j := res.Jobs; j != nil {
		hj := &htmlJobs{
			Summary: fmt.Sprintf("%d voice-overs accepted, %d followed to their end (status polled every %s, %d polls)",
				j.Accepted, j.Accepted-j.Untracked, j.PollInterval, j.Polls),
			Note: "queued: created to started; processing: started to finished; total: created to finished (server clock); delivered: the 202 to the poll that saw the end. " + j.Note,
		}
		var parts []string
		for _, k := range []string{"succeeded", "partial", "failed", "cancelled", "unfinished", "lost"} {
			parts = append(parts, fmt.Sprintf("%s %d (%.1f%%)", k, j.Outcomes[k], j.Share(k)*100))
		}
		hj.Outcomes = strings.Join(parts, ", ")
		for _, r := range []struct {
			name string
			s    DurationSummary
		}{{"queued", j.Queued}, {"processing", j.Processing}, {"total", j.Total}, {"delivered", j.Delivered}} {
			hj.Rows = append(hj.Rows, htmlJobRow{Name: r.name, Count: r.s.Count, P50: formatLatency(r.s.P50), P90: formatLatency(r.s.P90),
				P95: formatLatency(r.s.P95), P99: formatLatency(r.s.P99), Max: formatLatency(r.s.Max)})
		}
		d.Jobs = hj
	}
	if r := res.Resources; r != nil {
		for _, h := range r.Hosts {
			hh := htmlResourceHost{Host: fmt.Sprintf("%s (%d samples, %d failed scrapes)", h.Host, len(h.Samples), h.Errors)}
			for _, t := range h.Trends {
				format := formatCount
				if t.Metric == "rss_bytes" {
					format = formatBytes
				}
				hh.Trends = append(hh.Trends, htmlTrend{Metric: t.Metric, First: format(t.First), Last: format(t.Last),
					Slope: format(t.SlopePerHour) + "/h", R2: fmt.Sprintf("%.2f", t.R2), Note: t.Note, Growing: t.Growing})
			}
			d.Resources = append(d.Resources, hh)
		}
	}
	return d
}

func htmlRowOf(e *EndpointStats) htmlRow {
	r := htmlRow{
		Method: e.Method, Name: e.Name, Requests: e.Requests, Failures: e.Failures,
		FailurePct: strconv.FormatFloat(e.FailureRatio()*100, 'f', 2, 64) + "%",
		Avg:        tableMillis(e.Mean), Min: tableMillis(e.Min), Max: tableMillis(e.Max),
		RPS:          strconv.FormatFloat(e.RequestsPerSecond, 'f', 2, 64),
		FailuresPerS: strconv.FormatFloat(e.FailuresPerSecond, 'f', 2, 64),
		AvgSizeB:     strconv.FormatFloat(e.AverageContentSize(), 'f', 0, 64),
	}
	for _, p := range e.Percentiles() {
		r.Percentiles = append(r.Percentiles, tableMillis(p))
	}
	return r
}

// historyCharts draws the three charts of Locust's report from the per-second
// history: throughput, response-time percentiles and users.
func historyCharts(res *Result) []template.HTML {
	var xs, rps, fps, p50, p95, p99, users, inflight []float64
	prev := time.Duration(0)
	for _, p := range res.History {
		span := (p.Elapsed - prev).Seconds()
		prev = p.Elapsed
		// The last tick, at the stop, may cover a few milliseconds: as a point
		// of a per-second chart it would be noise.
		if span < 0.5 {
			continue
		}
		xs = append(xs, p.Elapsed.Seconds())
		rps = append(rps, float64(p.Requests)/span)
		fps = append(fps, float64(p.Failures)/span)
		p50, p95, p99 = append(p50, millis(p.P50)), append(p95, millis(p.P95)), append(p99, millis(p.P99))
		users, inflight = append(users, float64(p.Users)), append(inflight, float64(p.InFlight))
	}
	userLabel := "users"
	if res.Model == "open" {
		userLabel = "accounts ready"
	}
	return []template.HTML{
		lineChart("Requests per second", "req/s", xs, []chartSeries{
			{"requests/s", "#2b7bb9", rps}, {"failures/s", "#d9412b", fps},
		}),
		lineChart("Response times (each second's own requests)", "ms", xs, []chartSeries{
			{"p50", "#2b9b57", p50}, {"p95", "#e3a21a", p95}, {"p99", "#b0306e", p99},
		}),
		lineChart("Users and requests in flight", "count", xs, []chartSeries{
			{userLabel, "#5a4fcf", users}, {"in flight", "#7f8c8d", inflight},
		}),
	}
}

type chartSeries struct {
	name, color string
	values      []float64
}

// lineChart renders an SVG line chart with axes, grid lines and a legend.
func lineChart(title, unit string, xs []float64, series []chartSeries) template.HTML {
	const (
		width, height          = 960, 280
		left, right, top, bott = 64, 16, 36, 36
	)
	plotW, plotH := float64(width-left-right), float64(height-top-bott)
	xMax := 1.0
	if len(xs) > 0 {
		xMax = math.Max(xs[len(xs)-1], 1)
	}
	yMax := 0.0
	for _, s := range series {
		for _, v := range s.values {
			yMax = math.Max(yMax, v)
		}
	}
	yMax = niceCeil(yMax)
	px := func(x float64) float64 { return float64(left) + x/xMax*plotW }
	py := func(y float64) float64 { return float64(top) + plotH - y/yMax*plotH }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="%s">`,
		width, height, template.HTMLEscapeString(title))
	fmt.Fprintf(&b, `<text x="%d" y="20" class="title">%s</text>`, left, template.HTMLEscapeString(title))
	for i := 0; i <= 4; i++ {
		y := yMax * float64(i) / 4
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" class="grid"/>`, left, width-right, py(y), py(y))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" class="tick" text-anchor="end">%s</text>`, left-6, py(y)+4, axisNumber(y))
	}
	step := timeStep(xMax / 6)
	for x := 0.0; x <= xMax+1e-9; x += step {
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="tick" text-anchor="middle">%s</text>`, px(x), height-bott+16,
			(time.Duration(x) * time.Second).String())
	}
	fmt.Fprintf(&b, `<text x="12" y="%d" class="tick" transform="rotate(-90 12 %d)" text-anchor="middle">%s</text>`,
		top+int(plotH/2), top+int(plotH/2), template.HTMLEscapeString(unit))
	legendX := width - right - 150*len(series)
	for i, s := range series {
		x := legendX + 150*i
		fmt.Fprintf(&b, `<rect x="%d" y="12" width="14" height="4" fill="%s"/><text x="%d" y="18" class="tick">%s</text>`,
			x, template.HTMLEscapeString(s.color), x+20, template.HTMLEscapeString(s.name))
		if len(xs) == 0 {
			continue
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="1.8" points="`, template.HTMLEscapeString(s.color))
		for j, v := range s.values {
			fmt.Fprintf(&b, "%.1f,%.1f ", px(xs[j]), py(v))
		}
		b.WriteString(`"/>`)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // #nosec G203 -- every string above went through HTMLEscapeString and everything else is a number formatted here
}

// timeStep is the smallest round number of seconds (1, 2, 5, 10, 15, 30 s,
// 1, 2, 5, 10, 15, 30 min, 1 h...) at least min, for time-axis ticks.
func timeStep(min float64) float64 {
	for _, s := range []float64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600} {
		if s >= min {
			return s
		}
	}
	return 3600 * math.Ceil(min/3600)
}

// niceCeil rounds a chart's maximum up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func axisNumber(v float64) string {
	if v >= 100 || v == math.Trunc(v) {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strings.TrimRight(strings.TrimRight(strconv.FormatFloat(v, 'f', 2, 64), "0"), ".")
}

var htmlReport = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #1d2430; background: #fafbfc; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; }
.meta { color: #4a5565; margin: 2px 0; }
.warn { background: #fff4d6; border: 1px solid #e3b341; padding: 8px 12px; border-radius: 4px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; background: #fff; font-variant-numeric: tabular-nums; font-size: 13px; }
th, td { border: 1px solid #dde2e8; padding: 3px 6px; text-align: right; white-space: nowrap; }
th { background: #eef1f5; } td.l, th.l { text-align: left; }
tr.total td { font-weight: 600; background: #f4f6f9; }
.met { color: #1f7a3f; font-weight: 600; } .missed { color: #b3261e; font-weight: 600; }
svg.chart { width: 100%; max-width: 960px; height: auto; background: #fff; border: 1px solid #dde2e8; margin: 8px 0; display: block; }
svg .title { font-size: 14px; font-weight: 600; fill: #1d2430; }
svg .tick { font-size: 11px; fill: #4a5565; }
svg .grid { stroke: #e6e9ee; stroke-width: 1; }
td.worse { color: #b3261e; font-weight: 600; }
td.better { color: #1e7b34; font-weight: 600; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p class="meta">Started {{.Started}}, lasted {{.Duration}}, against {{.Hosts}}</p>
<p class="meta">{{.Shape}}</p>
<p class="meta">Load from {{.Machine}}</p>
{{with .Schedule}}<p class="meta">{{.}}</p>{{end}}
{{with .Warning}}<p class="warn">{{.}}</p>{{end}}

{{if .SLOs}}
<h2>Targets: {{if .SLOMet}}<span class="met">all met</span>{{else}}<span class="missed">missed</span>{{end}}</h2>
<table>
<tr><th class="l">Scope</th><th class="l">Target</th><th>Observed</th><th class="l">Verdict</th></tr>
{{range .SLOs}}<tr><td class="l">{{if .SLO.Endpoint}}{{.SLO.Endpoint}}{{else}}whole run{{end}}</td><td class="l">{{.SLO.Spec}}</td><td>{{.Observed}}</td><td class="l">{{if .Met}}<span class="met">met</span>{{else}}<span class="missed">missed</span>: {{.Message}}{{end}}</td></tr>
{{end}}</table>
{{end}}

<h2>Requests (latencies in ms)</h2>
<div class="scroll"><table>
<tr><th class="l">Type</th><th class="l">Name</th><th># reqs</th><th># fails</th><th>fail %</th><th>Avg</th><th>Min</th><th>Max</th>{{range .Labels}}<th>{{.}}</th>{{end}}<th>req/s</th><th>fails/s</th><th>Avg size (B)</th></tr>
{{range .Rows}}<tr><td class="l">{{.Method}}</td><td class="l">{{.Name}}</td><td>{{.Requests}}</td><td>{{.Failures}}</td><td>{{.FailurePct}}</td><td>{{.Avg}}</td><td>{{.Min}}</td><td>{{.Max}}</td>{{range .Percentiles}}<td>{{.}}</td>{{end}}<td>{{.RPS}}</td><td>{{.FailuresPerS}}</td><td>{{.AvgSizeB}}</td></tr>
{{end}}{{with .Total}}<tr class="total"><td class="l"></td><td class="l">{{.Name}}</td><td>{{.Requests}}</td><td>{{.Failures}}</td><td>{{.FailurePct}}</td><td>{{.Avg}}</td><td>{{.Min}}</td><td>{{.Max}}</td>{{range .Percentiles}}<td>{{.}}</td>{{end}}<td>{{.RPS}}</td><td>{{.FailuresPerS}}</td><td>{{.AvgSizeB}}</td></tr>{{end}}
</table></div>

{{with .Comparison}}
<h2>{{.Title}}</h2>
<table>
<tr><th class="l">Name</th>{{range .Columns}}<th>{{.}}</th>{{end}}<th class="l">verdict</th></tr>
{{range .Rows}}<tr><td class="l">{{.Label}}</td>{{range .Cells}}<td class="{{.Class}}" title="{{.Title}}">{{.Text}}</td>{{end}}<td class="l">{{if .Bad}}<span class="missed">{{.Verdict}}</span>{{else}}{{.Verdict}}{{end}}</td></tr>
{{end}}</table>
<p class="meta">{{.Note}}</p>
<ul>{{range .Details}}<li>{{.}}</li>{{end}}</ul>
{{end}}
{{if .Gates}}
<h2>Regression gate: {{if .GatesOK}}<span class="met">all limits held</span>{{else}}<span class="missed">failed</span>{{end}}</h2>
<ul>{{range .Gates}}<li>{{if .Failed}}<span class="missed">FAIL</span>{{else}}<span class="met">ok</span>{{end}} {{.Message}}</li>{{end}}</ul>
{{end}}
{{with .Jobs}}
<h2>Voice-overs, start to end</h2>
<p>{{.Summary}}. Outcomes: {{.Outcomes}}</p>
<table>
<tr><th class="l">Time</th><th># tasks</th><th>p50</th><th>p90</th><th>p95</th><th>p99</th><th>max</th></tr>
{{range .Rows}}<tr><td class="l">{{.Name}}</td><td>{{.Count}}</td><td>{{.P50}}</td><td>{{.P90}}</td><td>{{.P95}}</td><td>{{.P99}}</td><td>{{.Max}}</td></tr>
{{end}}</table>
<p class="meta">{{.Note}}</p>
{{end}}
{{if .Resources}}
<h2>Server resources</h2>
{{range .Resources}}<h3>{{.Host}}</h3>
<table><tr><th class="l">Metric</th><th>first</th><th>last</th><th>slope</th><th>R²</th><th class="l">trend</th></tr>
{{range .Trends}}<tr><td class="l">{{.Metric}}</td><td>{{.First}}</td><td>{{.Last}}</td><td>{{.Slope}}</td><td>{{.R2}}</td><td class="l">{{if .Growing}}<span class="missed">growing: {{.Note}}</span>{{else}}{{.Note}}{{end}}</td></tr>
{{end}}</table>
{{end}}
{{end}}

<h2>Charts</h2>
{{range .Charts}}{{.}}
{{end}}

<h2>Failures</h2>
{{if .Failures}}<table>
<tr><th class="l">Method</th><th class="l">Name</th><th class="l">Error</th><th>Occurrences</th></tr>
{{range .Failures}}<tr><td class="l">{{.Method}}</td><td class="l">{{.Name}}</td><td class="l">{{.Error}}</td><td>{{.Occurrences}}</td></tr>
{{end}}</table>{{else}}<p>None.</p>{{end}}

<p class="meta">Percentiles come from HDR histograms (3 significant digits). Generated by omnivibe loadtest at {{.Generated}}.</p>
</body>
</html>
`))
