package loadtest

import "time"

// Result is everything a run measured.
type Result struct {
	RunID       string
	Model       string // "closed" or "open"
	Hosts       []string
	Users       int
	SpawnRate   float64
	RunTime     time.Duration
	NoWait      bool
	Rate        float64 // open model: scheduled requests per second
	Timeout     time.Duration
	Start, End  time.Time
	Interrupted bool // stopped by Ctrl-C (context cancellation) before --run-time
	// StoppedFromWeb says the web view's stop button ended the run early.
	StoppedFromWeb bool

	Endpoints []EndpointStats // sorted by name, then method, as Locust sorts them
	Total     EndpointStats   // the Aggregated row
	Failures  []FailureStats  // most frequent first
	History   []HistoryPoint  // one point a second
	Schedule  *ScheduleStats  // open model only
	SLOs      []SLOResult
	// Abandoned counts requests still in flight when the run stopped (Ctrl-C, or
	// --stop-timeout after --run-time). They measured nothing and are not counted.
	Abandoned int64

	MaxInFlight   int
	ServerVersion string  // from the first host's /healthz ("unknown" when it says none)
	Machine       Machine // where the load came from
	// Baseline is the comparison with --baseline's run, nil without one; Gates
	// are the --max-regression verdicts against it.
	Baseline  *Comparison
	Gates     []GateResult
	Jobs      *JobStats      // --track-jobs: how accepted voice-overs ended, and when
	Resources *ResourceStats // open model: the server's memory, goroutines and files over time
}

// Duration is how long the run lasted.
func (r *Result) Duration() time.Duration { return r.End.Sub(r.Start) }

// GatesPassed reports whether no --max-regression limit was significantly exceeded.
func (r *Result) GatesPassed() bool {
	for _, g := range r.Gates {
		if g.Failed {
			return false
		}
	}
	return true
}

// SLOsMet reports whether every target was met (true when there were none).
func (r *Result) SLOsMet() bool {
	for _, s := range r.SLOs {
		if !s.Met {
			return false
		}
	}
	return true
}

// ScheduleStats describe how well the open model kept its schedule. Every latency
// already includes the start lag; these numbers say how much of it was the
// generator's own doing.
type ScheduleStats struct {
	Start     time.Time // when the first scheduled request was due (after provisioning)
	Scheduled int64     // requests started on the schedule
	// LateStarts counts requests sent more than LateStartThreshold after their
	// scheduled time: the generator (CPU, or --max-inflight) held them back.
	LateStarts  int64
	LagP50      time.Duration
	LagP99      time.Duration
	LagMax      time.Duration
	Mix         map[string]float64 // share of scheduled requests per user kind
	AchievedRPS float64            // scheduled requests per second of schedule
}

// LateStartThreshold is how late an open-model start may be before it counts
// as late: beyond timer and scheduler jitter, a sign of a generator short of CPU
// or of --max-inflight.
const LateStartThreshold = 10 * time.Millisecond

// Late reports whether more than 1 % of the scheduled starts were late, in
// which case the latencies measure the generator as much as the server.
func (s *ScheduleStats) Late() bool { return s.LateStarts*100 > s.Scheduled }

// NeverStarted reports whether the open model's schedule never began, because
// not every account could be provisioned before the run ended.
func (s *ScheduleStats) NeverStarted() bool { return s.Start.IsZero() }

// neverStartedNote explains a schedule that never began.
const neverStartedNote = "The schedule never started: not every account could be provisioned (register, pro plan, client) before the run ended; see the failures."
