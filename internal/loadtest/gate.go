package loadtest

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Gate is one --max-regression limit: how much worse than the baseline a metric
// may get before the run fails, provided the change is significant.
type Gate struct {
	Endpoint string // "METHOD /name", or empty for the Aggregated row
	Metric   string // pN, avg, rps, errors
	// Limit is the allowed change: a fraction for latencies (0.2: 20 % slower)
	// and rps (-0.1: 10 % fewer requests per second), percentage points as a
	// fraction for errors (0.01: one point more).
	Limit float64
	Spec  string
}

// GateResult is the verdict on one gate.
type GateResult struct {
	Gate        Gate
	Change      float64
	Significant bool
	Failed      bool // past the limit and significant
	Message     string
}

// ParseGates parses one --max-regression value, in --slo's syntax:
//
//	p99=20%,rps=-10%
//	GET /api/v1/campaigns:p95=15%,errors=1%
func ParseGates(spec string) ([]Gate, error) {
	endpointName, parts, err := splitTargets(spec)
	if err != nil {
		return nil, err
	}
	var out []Gate
	for _, part := range parts {
		key, value, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("limit %q: want metric=percent, e.g. p99=20%%", part)
		}
		key = strings.ToLower(strings.TrimSpace(key))
		pct, ok := strings.CutSuffix(strings.TrimSpace(value), "%")
		v, err := strconv.ParseFloat(strings.TrimSpace(pct), 64)
		if !ok || err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("limit %q: want a percentage, e.g. p99=20%% or rps=-10%%", part)
		}
		g := Gate{Endpoint: endpointName, Metric: key, Limit: v / 100, Spec: key + "=" + strings.TrimSpace(value)}
		switch {
		case key == "rps":
			// A drop is what is limited; "rps=10%" means the same as "rps=-10%".
			g.Limit = -math.Abs(g.Limit)
		case key == "errors" || key == "avg":
			if g.Limit < 0 {
				return nil, fmt.Errorf("limit %q: an allowed increase is 0 or more", part)
			}
		case key == "p50" || key == "p95" || key == "p99":
			if g.Limit < 0 {
				return nil, fmt.Errorf("limit %q: an allowed increase is 0 or more", part)
			}
		default:
			return nil, fmt.Errorf("limit %q: unknown metric %q; want p50, p95, p99, avg, rps or errors", part, key)
		}
		out = append(out, g)
	}
	if len(out) == 0 {
		return nil, errors.New("no limits")
	}
	return out, nil
}

// CheckGates judges every gate against a comparison. A gate on an endpoint that
// one of the runs did not exercise fails: nothing shows it held.
func CheckGates(c *Comparison, gates []Gate) []GateResult {
	out := make([]GateResult, 0, len(gates))
	for _, g := range gates {
		scope := "whole run"
		label := "Aggregated"
		if g.Endpoint != "" {
			scope, label = g.Endpoint, g.Endpoint
		}
		r := GateResult{Gate: g}
		var row *EndpointComparison
		for i := range c.Rows {
			if c.Rows[i].Label == label {
				row = &c.Rows[i]
			}
		}
		var m *MetricChange
		if row != nil && row.base != nil && c.base != nil {
			// Each gate is one pre-declared test: it is judged at the
			// comparison's level shared among the gates only, not among
			// every row of the table.
			own := compareRow(row.Label, row.base, row.cur, c.base, c.cur, row.Label == "Aggregated", 1/float64(len(gates)))
			m = own.Metric(g.Metric)
		} else if row != nil {
			m = row.Metric(g.Metric)
		}
		if m == nil || row.BaseRequests == 0 || row.Requests == 0 {
			r.Failed = true
			r.Message = fmt.Sprintf("%s %s: no requests to compare in one of the runs", scope, g.Spec)
			out = append(out, r)
			continue
		}
		r.Change, r.Significant = m.Change, m.Significant
		var past bool
		var shown, limit string
		switch g.Metric {
		case "rps":
			past = m.Change < g.Limit
			shown, limit = formatSignedPercent(m.Change), formatSignedPercent(g.Limit)
		case "errors":
			past = m.Change > g.Limit
			shown, limit = formatSignedPercent(m.Change)+" points", formatSignedPercent(g.Limit)+" points"
		default:
			past = m.Change > g.Limit
			shown, limit = formatSignedPercent(m.Change), formatSignedPercent(g.Limit)
		}
		r.Failed = past && m.Significant && m.Worse
		switch {
		case r.Failed:
			r.Message = fmt.Sprintf("%s %s: %s, past the limit %s, and significant (%s)", scope, g.Metric, shown, limit, m.Detail)
		case past:
			r.Message = fmt.Sprintf("%s %s: %s is past the limit %s but not significant (%s): not failed", scope, g.Metric, shown, limit, m.Detail)
		default:
			r.Message = fmt.Sprintf("%s %s: %s within the limit %s", scope, g.Metric, shown, limit)
		}
		out = append(out, r)
	}
	return out
}

func formatSignedPercent(f float64) string {
	if math.IsInf(f, 0) {
		return "+∞%"
	}
	s := strconv.FormatFloat(f*100, 'f', 1, 64)
	if f >= 0 {
		s = "+" + s
	}
	return s + "%"
}

// trimFloat prints a number without trailing zeros.
func trimFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
