package loadtest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SLO is one target checked at the end of a run.
type SLO struct {
	// Endpoint is "METHOD /name" as in the statistics table, or empty for the
	// whole run (the Aggregated row).
	Endpoint string
	// Metric is "p<N>" (a percentile, N in 0-100), "avg", "max", "errors" or "rps".
	Metric string
	// Percentile is N for a "p<N>" metric.
	Percentile float64
	// Latency is the most a latency metric may be.
	Latency time.Duration
	// MaxErrorRatio is the most the failure ratio (0-1) may be, for "errors".
	MaxErrorRatio float64
	// MinRPS is the least the throughput (requests per second) may be, for "rps".
	MinRPS float64
	// Spec is the target as written, for messages.
	Spec string
}

// SLOResult is the verdict on one SLO.
type SLOResult struct {
	SLO      SLO
	Met      bool
	Observed string // the measured value, formatted like the target
	Message  string // a plain sentence: what was measured against what
}

// ParseSLO parses one --slo value: comma-separated targets, optionally prefixed by
// an endpoint and a colon.
//
//	p50=200ms,p95=500ms,p99=1s,errors=1%,rps=100
//	GET /api/v1/campaigns:p95=100ms,p99=150ms
//
// Latencies are Go durations (150ms, 1.5s) or bare milliseconds; errors is a
// percentage (1%) or a fraction (0.01); rps is a floor, everything else a ceiling.
func ParseSLO(spec string) ([]SLO, error) {
	endpointName, parts, err := splitTargets(spec)
	if err != nil {
		return nil, err
	}
	var out []SLO
	for _, part := range parts {
		key, value, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("target %q: want metric=value, e.g. p95=500ms", part)
		}
		key, value = strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(value)
		s := SLO{Endpoint: endpointName, Metric: key, Spec: key + "=" + value}
		switch {
		case key == "errors" || key == "error" || key == "failures":
			s.Metric = "errors"
			ratio, err := parseRatio(value)
			if err != nil {
				return nil, fmt.Errorf("target %q: %w", part, err)
			}
			s.MaxErrorRatio = ratio
		case key == "rps":
			v, err := strconv.ParseFloat(value, 64)
			if err != nil || v < 0 {
				return nil, fmt.Errorf("target %q: want requests per second, e.g. rps=100", part)
			}
			s.MinRPS = v
		case key == "avg" || key == "mean" || key == "max" || strings.HasPrefix(key, "p"):
			if key == "mean" {
				s.Metric = "avg"
			}
			if strings.HasPrefix(key, "p") {
				p, err := strconv.ParseFloat(key[1:], 64)
				if err != nil || p < 0 || p > 100 {
					return nil, fmt.Errorf("target %q: a percentile is p followed by 0-100, e.g. p99 or p99.9", part)
				}
				s.Percentile = p
			}
			d, err := parseLatency(value)
			if err != nil {
				return nil, fmt.Errorf("target %q: %w", part, err)
			}
			s.Latency = d
		default:
			return nil, fmt.Errorf("target %q: unknown metric %q; want pN, avg, max, errors or rps", part, key)
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, errors.New("no targets")
	}
	return out, nil
}

func parseLatency(s string) (time.Duration, error) {
	if ms, err := strconv.ParseFloat(s, 64); err == nil && ms >= 0 {
		return time.Duration(ms * float64(time.Millisecond)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, errors.New("want a latency like 200ms or 1s")
	}
	return d, nil
}

func parseRatio(s string) (float64, error) {
	if pct, ok := strings.CutSuffix(s, "%"); ok {
		v, err := strconv.ParseFloat(strings.TrimSpace(pct), 64)
		if err != nil || v < 0 || v > 100 {
			return 0, errors.New("want a percentage like 1% or a fraction like 0.01")
		}
		return v / 100, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || v > 1 {
		return 0, errors.New("want a percentage like 1% or a fraction like 0.01")
	}
	return v, nil
}

// splitTargets splits a --slo or --max-regression value into the endpoint it
// names ("" for the whole run: none, or "Aggregated") and its non-empty
// comma-separated metric=value parts.
func splitTargets(spec string) (endpointName string, parts []string, err error) {
	targets := spec
	if i := strings.LastIndex(spec, ":"); i >= 0 {
		endpointName, targets = strings.TrimSpace(spec[:i]), spec[i+1:]
		if endpointName == "Aggregated" {
			endpointName = ""
		} else if _, ok := lookupEndpoint(endpointName); !ok {
			return "", nil, fmt.Errorf("unknown endpoint %q; want one of: %s", endpointName, endpointList())
		}
	}
	for _, part := range strings.Split(targets, ",") {
		if part = strings.TrimSpace(part); part != "" {
			parts = append(parts, part)
		}
	}
	return endpointName, parts, nil
}

func endpointList() string {
	names := make([]string, 0, len(endpoints)+1)
	for _, e := range endpoints {
		names = append(names, e.String())
	}
	return strings.Join(append(names, "Aggregated"), ", ")
}

// CheckSLOs judges every target against the run's statistics. A target on an
// endpoint that saw no requests is missed: nothing was shown to meet it.
func CheckSLOs(res *Result, slos []SLO) []SLOResult {
	out := make([]SLOResult, 0, len(slos))
	for _, s := range slos {
		stats := &res.Total
		scope := "whole run"
		if s.Endpoint != "" {
			scope = s.Endpoint
			stats = nil
			for i := range res.Endpoints {
				if res.Endpoints[i].Label() == s.Endpoint {
					stats = &res.Endpoints[i]
				}
			}
		}
		r := SLOResult{SLO: s}
		switch {
		case stats == nil || stats.Requests == 0:
			r.Observed = "no requests"
			r.Message = fmt.Sprintf("%s %s: no requests were recorded", scope, s.Spec)
		case s.Metric == "errors":
			got := stats.FailureRatio()
			r.Met = got <= s.MaxErrorRatio
			r.Observed = formatPercent(got)
			r.Message = fmt.Sprintf("%s errors: %s (%d of %d requests) %s %s",
				scope, r.Observed, stats.Failures, stats.Requests, verdictSign(r.Met, "≤", ">"), formatPercent(s.MaxErrorRatio))
		case s.Metric == "rps":
			got := stats.RequestsPerSecond
			r.Met = got >= s.MinRPS
			r.Observed = strconv.FormatFloat(got, 'f', 1, 64)
			r.Message = fmt.Sprintf("%s rps: %s req/s %s %g", scope, r.Observed, verdictSign(r.Met, "≥", "<"), s.MinRPS)
		default:
			var got time.Duration
			switch s.Metric {
			case "avg":
				got = stats.Mean
			case "max":
				got = stats.Max
			default:
				got = stats.Percentile(s.Percentile)
			}
			r.Met = got <= s.Latency
			r.Observed = formatLatency(got)
			r.Message = fmt.Sprintf("%s %s: %s %s %s", scope, s.Metric, r.Observed, verdictSign(r.Met, "≤", ">"), formatLatency(s.Latency))
		}
		out = append(out, r)
	}
	return out
}

func verdictSign(met bool, ok, missed string) string {
	if met {
		return ok
	}
	return missed
}

func formatPercent(ratio float64) string {
	s := strconv.FormatFloat(ratio*100, 'f', 3, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "%"
}

// formatLatency prints a latency with the precision it deserves and no trailing
// zeros: 0.312ms, 5ms, 12.3ms, 123ms, 1.25s.
func formatLatency(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	unit, v, decimals := "ms", ms, 3
	switch {
	case ms >= 1000:
		unit, v, decimals = "s", ms/1000, 2
	case ms >= 100:
		decimals = 0
	case ms >= 10:
		decimals = 1
	}
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s + unit
}
