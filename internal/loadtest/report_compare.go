package loadtest

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// compareColumns are the metrics the comparison table shows, in order.
var compareColumns = []string{"p50", "p95", "p99", "avg", "rps", "errors"}

// Summary is the row's overall verdict: a regression when any metric got
// significantly worse, an improvement when some got significantly better and
// none worse, else no significant change.
func (e *EndpointComparison) Summary() string {
	better := false
	for _, m := range e.Metrics {
		if m.Significant && m.Worse {
			return "regression"
		}
		better = better || m.Significant
	}
	if better {
		return "improvement"
	}
	return "no significant change"
}

// WriteComparison prints a comparison as a table: each metric's change in
// percent (errors in points), starred when significant, and a verdict per row.
func WriteComparison(w io.Writer, c *Comparison, baseLabel, newLabel string) {
	fmt.Fprintf(w, "Comparison: %s (base, started %s, server %s) -> %s (server %s)\n", baseLabel,
		c.BaseStart.UTC().Format(time.RFC3339), c.BaseVersion, newLabel, c.NewVersion)
	if !c.SameMachine() {
		fmt.Fprintf(w, "NOTE: the runs came from different machines (%s, %d cores vs %s, %d cores)\n",
			c.BaseMachine.CPUModel, c.BaseMachine.Cores, c.NewMachine.CPUModel, c.NewMachine.Cores)
	}
	nameWidth := 36
	for _, r := range c.Rows {
		nameWidth = max(nameWidth, len(r.Label)+2)
	}
	header := fmt.Sprintf("%-*s", nameWidth, "Name")
	for _, col := range compareColumns {
		header += fmt.Sprintf(" %10s", col)
	}
	fmt.Fprintln(w, header+"  verdict")
	fmt.Fprintln(w, strings.Repeat("-", nameWidth+11*len(compareColumns)+24))
	for _, r := range c.Rows {
		line := fmt.Sprintf("%-*s", nameWidth, r.Label)
		for _, col := range compareColumns {
			line += fmt.Sprintf(" %10s", formatChangeCell(r.Metric(col)))
		}
		fmt.Fprintln(w, line+"  "+r.Summary())
	}
	fmt.Fprintln(w, "Changes: latencies and rps in percent of the base, errors in percentage points; * significant")
	fmt.Fprintln(w, "(percentiles: order-statistic intervals do not overlap, a 5% test, Bonferroni-corrected; avg: Mann-Whitney U on the histograms,")
	fmt.Fprintf(w, " Bonferroni-corrected alpha %g, effect |A-0.5| >= %g; rps: Mann-Whitney on per-second counts or a Poisson test)\n", compareAlpha, minEffect)
	if len(c.Rows) > 0 {
		agg := &c.Rows[0]
		for _, col := range compareColumns {
			if m := agg.Metric(col); m != nil && m.Detail != "" {
				fmt.Fprintf(w, "  %s %s: %s -> %s, %s (%s)\n", agg.Label, col, formatMetricValue(m, m.Base), formatMetricValue(m, m.New), m.Verdict(), m.Detail)
			}
		}
	}
}

func formatChangeCell(m *MetricChange) string {
	if m == nil {
		return "-"
	}
	var s string
	if m.Metric == "errors" {
		s = formatSignedPercent(m.Change)[:len(formatSignedPercent(m.Change))-1] + "pt"
	} else {
		s = formatSignedPercent(m.Change)
	}
	if m.Significant {
		s += "*"
	}
	return s
}

func formatMetricValue(m *MetricChange, v float64) string {
	switch m.Metric {
	case "rps":
		return fmt.Sprintf("%.1f req/s", v)
	case "errors":
		return formatPercent(v)
	default:
		return formatLatency(time.Duration(v * float64(time.Millisecond)))
	}
}

// writeGateVerdicts prints the --max-regression verdicts.
func writeGateVerdicts(w io.Writer, res *Result) {
	if len(res.Gates) == 0 {
		return
	}
	failed := 0
	for _, g := range res.Gates {
		if g.Failed {
			failed++
		}
	}
	if failed == 0 {
		fmt.Fprintf(w, "Regression gate: all %d limits held\n", len(res.Gates))
	} else {
		fmt.Fprintf(w, "Regression gate: %d of %d limits failed:\n", failed, len(res.Gates))
	}
	for _, g := range res.Gates {
		mark := "ok  "
		if g.Failed {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "  %s %s\n", mark, g.Message)
	}
}
