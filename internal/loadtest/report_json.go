package loadtest

import (
	"encoding/json"
	"io"
	"math"
	"time"
)

// The JSON summary's shape. Times are in milliseconds (floats, microsecond
// precision), rates per second, sizes in bytes.
type (
	jsonReport struct {
		Tool            string         `json:"tool"`
		RunID           string         `json:"run_id"`
		Model           string         `json:"model"`
		Hosts           []string       `json:"hosts"`
		Users           int            `json:"users"`
		SpawnRate       float64        `json:"spawn_rate"`
		RunTimeSeconds  float64        `json:"run_time_s"`
		NoWait          bool           `json:"no_wait"`
		Rate            float64        `json:"rate,omitempty"`
		TimeoutSeconds  float64        `json:"timeout_s"`
		StartedAt       time.Time      `json:"started_at"`
		EndedAt         time.Time      `json:"ended_at"`
		DurationSeconds float64        `json:"duration_s"`
		Interrupted     bool           `json:"interrupted"`
		Abandoned       int64          `json:"abandoned_requests"`
		Total           jsonEndpoint   `json:"total"`
		Endpoints       []jsonEndpoint `json:"endpoints"`
		Failures        []jsonFailure  `json:"failures"`
		Schedule        *jsonSchedule  `json:"schedule,omitempty"`
		SLO             *jsonSLO       `json:"slo,omitempty"`
		History         []jsonHistory  `json:"history"`
		ServerVersion   string         `json:"server_version,omitempty"`
		Machine         Machine        `json:"machine"`
		StoppedFromWeb  bool           `json:"stopped_from_web,omitempty"`
		Baseline        *jsonBaseline  `json:"baseline,omitempty"`
		Jobs            *JobStats      `json:"jobs,omitempty"`
		Resources       *ResourceStats `json:"resources,omitempty"`
	}
	jsonBaseline struct {
		RunID     string           `json:"run_id"`
		StartedAt time.Time        `json:"started_at"`
		Version   string           `json:"server_version"`
		Endpoints []jsonComparison `json:"endpoints"`
		Gates     *jsonGates       `json:"gates,omitempty"`
	}
	jsonComparison struct {
		Name        string           `json:"name"`
		Verdict     string           `json:"verdict"`
		Metrics     []jsonChange     `json:"metrics"`
		MannWhitney *jsonMannWhitney `json:"mann_whitney,omitempty"`
	}
	jsonChange struct {
		Metric      string  `json:"metric"`
		Base        float64 `json:"base"`
		New         float64 `json:"new"`
		Change      float64 `json:"change"`
		Significant bool    `json:"significant"`
		Verdict     string  `json:"verdict"`
		Detail      string  `json:"detail"`
	}
	jsonMannWhitney struct {
		U           float64 `json:"u"`
		Z           float64 `json:"z"`
		P           float64 `json:"p"`
		A           float64 `json:"a"`
		Significant bool    `json:"significant"`
	}
	jsonGates struct {
		Passed bool       `json:"passed"`
		Limits []jsonGate `json:"limits"`
	}
	jsonGate struct {
		Endpoint    string  `json:"endpoint"`
		Limit       string  `json:"limit"`
		Change      float64 `json:"change"`
		Significant bool    `json:"significant"`
		Failed      bool    `json:"failed"`
		Message     string  `json:"message"`
	}
	jsonEndpoint struct {
		Method            string             `json:"method,omitempty"`
		Name              string             `json:"name"`
		Requests          int64              `json:"requests"`
		Failures          int64              `json:"failures"`
		FailureRatio      float64            `json:"failure_ratio"`
		MinMs             float64            `json:"min_ms"`
		MaxMs             float64            `json:"max_ms"`
		MeanMs            float64            `json:"mean_ms"`
		MedianMs          float64            `json:"median_ms"`
		PercentilesMs     map[string]float64 `json:"percentiles_ms"`
		RequestsPerSecond float64            `json:"requests_per_s"`
		FailuresPerSecond float64            `json:"failures_per_s"`
		AvgContentBytes   float64            `json:"avg_content_bytes"`
	}
	jsonFailure struct {
		Method      string `json:"method"`
		Name        string `json:"name"`
		Error       string `json:"error"`
		Occurrences int64  `json:"occurrences"`
	}
	jsonSchedule struct {
		Start             time.Time          `json:"start"`
		Scheduled         int64              `json:"scheduled"`
		AchievedPerSecond float64            `json:"achieved_per_s"`
		LateStarts        int64              `json:"late_starts"`
		LagP50Ms          float64            `json:"start_lag_p50_ms"`
		LagP99Ms          float64            `json:"start_lag_p99_ms"`
		LagMaxMs          float64            `json:"start_lag_max_ms"`
		Mix               map[string]float64 `json:"mix"`
	}
	jsonSLO struct {
		Met     bool            `json:"met"`
		Targets []jsonSLOTarget `json:"targets"`
	}
	jsonSLOTarget struct {
		Endpoint string `json:"endpoint"`
		Target   string `json:"target"`
		Observed string `json:"observed"`
		Met      bool   `json:"met"`
		Message  string `json:"message"`
	}
	jsonHistory struct {
		Time               time.Time `json:"time"`
		ElapsedSeconds     float64   `json:"elapsed_s"`
		Users              int       `json:"users"`
		InFlight           int       `json:"in_flight"`
		Requests           int64     `json:"requests"`
		Failures           int64     `json:"failures"`
		P50Ms              float64   `json:"p50_ms"`
		P95Ms              float64   `json:"p95_ms"`
		P99Ms              float64   `json:"p99_ms"`
		WindowRPS          float64   `json:"window_rps"`
		WindowFailuresPerS float64   `json:"window_failures_per_s"`
		WindowP50Ms        float64   `json:"window_p50_ms"`
		WindowP95Ms        float64   `json:"window_p95_ms"`
		TotalRequests      int64     `json:"total_requests"`
		TotalFailures      int64     `json:"total_failures"`
	}
)

// WriteJSON writes the run's summary as one JSON document.
func WriteJSON(w io.Writer, res *Result) error {
	r := jsonReport{
		Tool: "omnivibe loadtest", RunID: res.RunID, Model: res.Model, Hosts: res.Hosts, Users: res.Users,
		SpawnRate: res.SpawnRate, RunTimeSeconds: res.RunTime.Seconds(), NoWait: res.NoWait, Rate: res.Rate,
		TimeoutSeconds: res.Timeout.Seconds(), StartedAt: res.Start.UTC(), EndedAt: res.End.UTC(),
		DurationSeconds: res.Duration().Seconds(), Interrupted: res.Interrupted, Abandoned: res.Abandoned,
		Total: endpointJSON(&res.Total), Endpoints: []jsonEndpoint{}, Failures: []jsonFailure{},
		History: make([]jsonHistory, 0, len(res.History)),
	}
	for i := range res.Endpoints {
		r.Endpoints = append(r.Endpoints, endpointJSON(&res.Endpoints[i]))
	}
	for _, f := range res.Failures {
		r.Failures = append(r.Failures, jsonFailure(f))
	}
	if s := res.Schedule; s != nil {
		r.Schedule = &jsonSchedule{
			Start: s.Start.UTC(), Scheduled: s.Scheduled, AchievedPerSecond: s.AchievedRPS, LateStarts: s.LateStarts,
			LagP50Ms: millis(s.LagP50), LagP99Ms: millis(s.LagP99), LagMaxMs: millis(s.LagMax), Mix: s.Mix,
		}
	}
	if len(res.SLOs) > 0 {
		r.SLO = &jsonSLO{Met: res.SLOsMet()}
		for _, s := range res.SLOs {
			ep := s.SLO.Endpoint
			if ep == "" {
				ep = "Aggregated"
			}
			r.SLO.Targets = append(r.SLO.Targets, jsonSLOTarget{
				Endpoint: ep, Target: s.SLO.Spec, Observed: s.Observed, Met: s.Met, Message: s.Message,
			})
		}
	}
	for _, p := range res.History {
		r.History = append(r.History, jsonHistory{
			Time: p.Time.UTC(), ElapsedSeconds: p.Elapsed.Seconds(), Users: p.Users, InFlight: p.InFlight,
			Requests: p.Requests, Failures: p.Failures,
			P50Ms: millis(p.P50), P95Ms: millis(p.P95), P99Ms: millis(p.P99),
			WindowRPS: p.WindowRequestsPerSecond, WindowFailuresPerS: p.WindowFailuresPerSecond,
			WindowP50Ms: millis(p.WindowP50), WindowP95Ms: millis(p.WindowP95),
			TotalRequests: p.TotalRequests, TotalFailures: p.TotalFailures,
		})
	}
	r.ServerVersion, r.Machine, r.StoppedFromWeb, r.Jobs, r.Resources = res.ServerVersion, res.Machine, res.StoppedFromWeb, res.Jobs, res.Resources
	if c := res.Baseline; c != nil {
		b := &jsonBaseline{RunID: c.BaseID, StartedAt: c.BaseStart.UTC(), Version: c.BaseVersion, Endpoints: []jsonComparison{}}
		for _, row := range c.Rows {
			jc := jsonComparison{Name: row.Label, Verdict: row.Summary()}
			for _, m := range row.Metrics {
				change := m.Change
				if math.IsInf(change, 0) {
					change = 0 // JSON has no infinity; base and new say it all
				}
				jc.Metrics = append(jc.Metrics, jsonChange{Metric: m.Metric, Base: m.Base, New: m.New, Change: change,
					Significant: m.Significant, Verdict: m.Verdict(), Detail: m.Detail})
			}
			if mw := row.MannWhitney; mw != nil {
				jc.MannWhitney = &jsonMannWhitney{U: mw.U, Z: mw.Z, P: mw.P, A: mw.A, Significant: mw.Significant}
			}
			b.Endpoints = append(b.Endpoints, jc)
		}
		if len(res.Gates) > 0 {
			b.Gates = &jsonGates{Passed: res.GatesPassed()}
			for _, g := range res.Gates {
				ep := g.Gate.Endpoint
				if ep == "" {
					ep = "Aggregated"
				}
				change := g.Change
				if math.IsInf(change, 0) {
					change = 0
				}
				b.Gates.Limits = append(b.Gates.Limits, jsonGate{Endpoint: ep, Limit: g.Gate.Spec, Change: change,
					Significant: g.Significant, Failed: g.Failed, Message: g.Message})
			}
		}
		r.Baseline = b
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func endpointJSON(e *EndpointStats) jsonEndpoint {
	j := jsonEndpoint{
		Method: e.Method, Name: e.Name, Requests: e.Requests, Failures: e.Failures, FailureRatio: e.FailureRatio(),
		MinMs: millis(e.Min), MaxMs: millis(e.Max), MeanMs: millis(e.Mean), MedianMs: millis(e.Percentile(50)),
		PercentilesMs:     make(map[string]float64, len(reportPercentiles)),
		RequestsPerSecond: e.RequestsPerSecond, FailuresPerSecond: e.FailuresPerSecond,
		AvgContentBytes: e.AverageContentSize(),
	}
	for i, d := range e.Percentiles() {
		j.PercentilesMs["p"+percentileLabels[i][:len(percentileLabels[i])-1]] = millis(d)
	}
	return j
}
