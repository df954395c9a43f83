package loadtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	mathrand "math/rand/v2"
	"net"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

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

	Endpoints []EndpointStats // sorted by name, then method, as Locust sorts them
	Total     EndpointStats   // the Aggregated row
	Failures  []FailureStats  // most frequent first
	History   []HistoryPoint  // one point a second
	Schedule  *ScheduleStats  // open model only
	SLOs      []SLOResult
	// Abandoned counts requests still in flight when the run stopped (Ctrl-C, or
	// --stop-timeout after --run-time). They measured nothing and are not counted.
	Abandoned int64
}

// Duration is how long the run lasted.
func (r *Result) Duration() time.Duration { return r.End.Sub(r.Start) }

// SLOsMet reports whether every target was met (true when there were none).
func (r *Result) SLOsMet() bool {
	for _, s := range r.SLOs {
		if !s.Met {
			return false
		}
	}
	return true
}

// LateStartThreshold is how late an open-model start may be before it counts
// as late: beyond timer and scheduler jitter, a sign of a generator short of CPU
// or of --max-inflight.
const LateStartThreshold = 10 * time.Millisecond

// Late reports whether more than 1 % of the scheduled starts were late, in
// which case the latencies measure the generator as much as the server.
func (s *ScheduleStats) Late() bool { return s.LateStarts*100 > s.Scheduled }

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

// runner holds one run's shared state.
type runner struct {
	opts      Options
	runID     string
	seed      uint64
	transport *http.Transport
	rec       *recorder
	targets   []*target

	inFlight  atomic.Int64
	users     atomic.Int64 // running users, or provisioned accounts
	scheduled atomic.Int64
	late      atomic.Int64
	schedAt   atomic.Int64 // UnixNano of the schedule's start; 0 before it
	abandoned atomic.Int64 // requests cut off by the stop, not in the statistics
}

func newRunner(opts Options) *runner {
	var id [4]byte
	_, _ = rand.Read(id[:])
	var seed [8]byte
	_, _ = rand.Read(seed[:])
	r := &runner{
		opts:  opts,
		runID: hex.EncodeToString(id[:]),
		rec:   newRecorder(2 * runtime.GOMAXPROCS(0)),
	}
	for _, b := range seed {
		r.seed = r.seed<<8 | uint64(b)
	}
	for _, h := range opts.Hosts {
		r.targets = append(r.targets, newTarget(h))
	}
	// One connection per user (closed) or per request in flight (open) is what a
	// fleet of real clients would hold; keeping them all idle-pooled means no
	// connection is closed and re-dialled between requests.
	conns := opts.Users + 16
	if opts.Rate > 0 {
		conns = opts.MaxInFlight + 16
	}
	transport := &http.Transport{
		Proxy:                 nil, // a load test measures the server, not a proxy from the environment
		DialContext:           (&net.Dialer{Timeout: opts.Timeout, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          0,
		MaxIdleConnsPerHost:   conns,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   opts.Timeout,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     false, // HTTP/1.1, as Locust's requests speaks it
	}
	r.transport = transport
	return r
}

// Run executes one load test and returns what it measured. progress receives the
// live line once a second (nil: none). Cancelling ctx stops the run early, as
// Ctrl-C does; the result then holds everything measured until then.
func Run(ctx context.Context, opts Options, progress io.Writer) (*Result, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	r := newRunner(opts)
	defer r.transport.CloseIdleConnections()

	start := time.Now()
	// stopCtx ends at --run-time (or Ctrl-C): no new request starts after it.
	// reqCtx cancels requests still in flight: at once on Ctrl-C, otherwise after
	// --stop-timeout, so the slowest requests of the last seconds are still counted.
	stopCtx, cancelStop := context.WithDeadline(ctx, start.Add(opts.RunTime))
	defer cancelStop()
	reqCtx, cancelReq := context.WithCancel(ctx)
	defer cancelReq()
	go func() {
		<-stopCtx.Done()
		t := time.NewTimer(opts.StopTimeout)
		defer t.Stop()
		select {
		case <-t.C:
			cancelReq()
		case <-reqCtx.Done():
		}
	}()
	col := newCollector(r.rec, start)
	live := newLiveView(progress, opts, start)

	done := make(chan struct{})
	go func() {
		defer close(done)
		if opts.Rate > 0 {
			r.runOpen(stopCtx, reqCtx)
		} else {
			r.runClosed(stopCtx, reqCtx)
		}
	}()

	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
loop:
	for {
		select {
		case <-done:
			break loop
		case now := <-ticker.C:
			p := col.tick(now, int(r.users.Load()), int(r.inFlight.Load()))
			live.update(p, r.phase(now))
		}
	}
	end := time.Now()
	col.tick(end, int(r.users.Load()), 0)
	live.finish()

	res := &Result{
		RunID: r.runID, Model: "closed", Hosts: opts.Hosts, Users: opts.Users, SpawnRate: opts.SpawnRate,
		RunTime: opts.RunTime, NoWait: opts.NoWait, Rate: opts.Rate, Timeout: opts.Timeout,
		Start: start, End: end, Interrupted: ctx.Err() != nil, History: col.history,
	}
	res.Endpoints, res.Total, res.Failures = col.snapshot(end)
	if opts.Rate > 0 {
		res.Model = "open"
		res.Schedule = r.scheduleStats(col, end)
	}
	res.Abandoned = r.abandoned.Load()
	res.SLOs = CheckSLOs(res, opts.SLOs)
	return res, nil
}

// phase says what the run is doing, for the live line.
type phase struct {
	spawning   bool // closed: users still starting; open: accounts still provisioning
	started    int  // users started, or accounts ready
	scheduling bool // open: the schedule is running
}

func (r *runner) phase(now time.Time) phase {
	n := int(r.users.Load())
	if r.opts.Rate > 0 {
		return phase{spawning: r.schedAt.Load() == 0, started: n, scheduling: r.schedAt.Load() != 0}
	}
	return phase{spawning: n < r.opts.Users, started: n}
}

func (r *runner) waitScale() float64 {
	if r.opts.waitScale > 0 {
		return r.opts.waitScale
	}
	return 1
}

// runClosed starts the users at the spawn rate and lets each loop until the run
// ends, Locust's way. Loops and waits end with stop; requests use reqCtx.
func (r *runner) runClosed(stop, reqCtx context.Context) {
	var wg sync.WaitGroup
	counts := make([]int, len(userKinds))
	start := time.Now()
	timer := newStoppedTimer()
	for i := 0; i < r.opts.Users; i++ {
		if i > 0 && !sleepUntil(stop, timer, start.Add(time.Duration(float64(i)/r.opts.SpawnRate*float64(time.Second)))) {
			break
		}
		k := kindForUser(counts)
		counts[k]++
		a := newAccount(i, userKinds[k], r.targets[i%len(r.targets)], r.runID)
		r.users.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.runUser(stop, reqCtx, a, i)
		}()
	}
	wg.Wait()
}

// runUser is one virtual user: its on-start steps, then tasks with think times.
func (r *runner) runUser(stop, reqCtx context.Context, a *account, index int) {
	// Each request's timeout context hangs off the user's own context, not the
	// run's: registering it with a shared parent would take one lock for all.
	reqCtx, cancel := context.WithCancel(reqCtx)
	defer cancel()
	rng := mathrand.New(mathrand.NewPCG(r.seed, uint64(index)))
	intn, intn64 := rng.IntN, rng.Int64N
	timer := newStoppedTimer()
	s := slot{shard: index, lag: -1}
	for stop.Err() == nil {
		if !a.ready.Load() {
			if !r.setUp(reqCtx, a, s) {
				// A failed on-start is retried after the user's think time, even with
				// --no-wait: a broken server must not be hammered with sign-ups.
				if !sleepFor(stop, timer, a.kind.waitTime(intn64, r.waitScale())) {
					return
				}
			}
			continue
		}
		r.renewIfDue(reqCtx, a, s)
		r.doTask(reqCtx, a, a.kind.pickTask(intn), s, intn)
		if !r.opts.NoWait && !sleepFor(stop, timer, a.kind.waitTime(intn64, r.waitScale())) {
			return
		}
	}
}

// setUp runs the account's remaining on-start steps (register, pro plan, client)
// and reports whether all succeeded. A failed step is recorded and resumed at the
// next call; a failed register is retried with a new email, since the server may
// have created the first one.
func (r *runner) setUp(ctx context.Context, a *account, s slot) bool {
	a.setupMu.Lock()
	defer a.setupMu.Unlock()
	for a.step < stepDone {
		var ok bool
		switch a.step {
		case stepRegister:
			a.attempts++
			ok = r.exchange(ctx, s, epRegister, http.MethodPost, a.target.urls[epRegister], jsonHeader, a.registerBody(),
				func(b []byte) string { return a.takeTokens(b, time.Now()) })
		case stepSetPlan:
			ok = r.exchange(ctx, s, epSetPlan, http.MethodPut, a.target.urls[epSetPlan], a.creds.Load().header, planProBody, nil)
		case stepCreateClient:
			ok = !a.kind.needsClient ||
				r.exchange(ctx, s, epCreateClient, http.MethodPost, a.target.urls[epCreateClient], a.creds.Load().header, a.clientBody(), a.takeClientID)
		}
		if !ok {
			return false
		}
		a.step++
	}
	a.ready.Store(true)
	return true
}

// renewIfDue refreshes the account's access token shortly before it expires (the
// contract's tokens last 30 minutes, shorter than a long soak). It reports whether
// it sent a request. Only one request renews an account at a time; a failed
// renewal is retried a second later at the earliest.
func (r *runner) renewIfDue(ctx context.Context, a *account, s slot) bool {
	c := a.creds.Load()
	if c == nil || c.refreshToken == "" || c.expiresAt.IsZero() || time.Now().Before(c.renewAt()) {
		return false
	}
	if !a.renewing.CompareAndSwap(false, true) {
		return false
	}
	defer a.renewing.Store(false)
	body, _ := jsonObject("refresh_token", c.refreshToken)
	ok := r.exchange(ctx, s, epRefreshToken, http.MethodPost, a.target.urls[epRefreshToken], jsonHeader, body,
		func(b []byte) string { return a.takeTokens(b, time.Now()) })
	if !ok && a.creds.Load() == c {
		retry := *c
		retry.retryAt = time.Now().Add(time.Second)
		a.creds.Store(&retry)
	}
	return true
}

// doTask performs one scenario task and reports whether it sent a request (a power
// user with no audio task yet has no status to poll, and skips, as in the report).
func (r *runner) doTask(ctx context.Context, a *account, t task, s slot, intn func(int) int) bool {
	tg := a.target
	h := a.creds.Load().header
	switch t {
	case taskListCampaigns:
		r.exchange(ctx, s, epListCampaigns, http.MethodGet, tg.urls[epListCampaigns], h, nil, nil)
	case taskGenerateScript:
		r.exchange(ctx, s, epGenerateScript, http.MethodPost, tg.urls[epGenerateScript], h, scriptBody(intn), nil)
	case taskCreateCampaign:
		r.exchange(ctx, s, epCreateCampaign, http.MethodPost, tg.urls[epCreateCampaign], h, a.campaignBody(intn), nil)
	case taskListPlans:
		r.exchange(ctx, s, epListPlans, http.MethodGet, tg.urls[epListPlans], publicHeader, nil, nil)
	case taskGenerateAudio:
		r.exchange(ctx, s, epGenerateAudio, http.MethodPost, tg.urls[epGenerateAudio], h, audioBody, a.takeTaskID)
	case taskAudioStatus:
		u := a.randomTask(intn)
		if u == "" {
			return false
		}
		r.exchange(ctx, s, epAudioStatus, http.MethodGet, u, h, nil, nil)
	}
	return true
}

// runOpen provisions the accounts (register, pro plan, client, at the spawn rate,
// each retrying after its think time until it succeeds), then starts requests on
// the fixed schedule until the run ends. The schedule starts only once every
// account is ready, so that no scheduled request finds its account missing.
func (r *runner) runOpen(stop, reqCtx context.Context) {
	byKind := make([][]*account, len(userKinds))
	counts := make([]int, len(userKinds))
	var wg sync.WaitGroup
	start := time.Now()
	timer := newStoppedTimer()
	for i := 0; i < r.opts.Users; i++ {
		if i > 0 && !sleepUntil(stop, timer, start.Add(time.Duration(float64(i)/r.opts.SpawnRate*float64(time.Second)))) {
			break
		}
		k := kindForUser(counts)
		counts[k]++
		a := newAccount(i, userKinds[k], r.targets[i%len(r.targets)], r.runID)
		byKind[k] = append(byKind[k], a)
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := mathrand.New(mathrand.NewPCG(r.seed, uint64(i)))
			t := newStoppedTimer()
			for !r.setUp(reqCtx, a, slot{shard: i, lag: -1}) {
				if !sleepFor(stop, t, a.kind.waitTime(rng.Int64N, r.waitScale())) {
					return
				}
			}
			r.users.Add(1)
		}()
	}
	wg.Wait()
	if stop.Err() != nil {
		return
	}
	r.schedule(stop, reqCtx, byKind)
}

// schedule starts request k at start + k/rate and times it from then, so that
// waiting for a slow server is charged to the requests that waited.
//
// Requests are run by a pool of workers, each claiming the next slot from a
// shared counter, sleeping until it is due and sending it (as wrk2's connections
// do): a backlog costs nothing but a counter, and the generator does not spend
// its CPU on thousands of parked goroutines when it falls behind. The pool keeps
// one worker idle: when the last idle worker takes a request, another starts, so
// a stalled server still receives a new request at every slot, up to
// --max-inflight at once. Past that, when the machine has no CPU to spare, or
// while the pool is already growing as fast as it may, slots wait for a worker; the wait shows as start lag (and in their latency) and
// starts more than LateStartThreshold late are counted. A worker that finishes while enough others
// are idle ends, so the pool follows the concurrency the server needs.
func (r *runner) schedule(stop, reqCtx context.Context, byKind [][]*account) {
	// The pool may at most double (or grow by 16) every growthPeriod, and stops
	// growing when less than 5 % of the machine's CPU time was idle over the last
	// cpuPeriod; it grows again above 15 %. Unchecked, a start-up burst (new
	// connections on both sides) makes requests slow, slow requests make the
	// pool grow, and thousands of busy connections cost more CPU per request
	// than the generator and server have: the schedule never recovers.
	const (
		growthPeriod          = 100 * time.Millisecond
		cpuPeriod             = 2 * growthPeriod
		shortBelow, ampleOver = 0.05, 0.15
	)

	var kinds []int
	var cumulative []float64
	sum := 0.0
	for k, share := range openModelMix() {
		if len(byKind[k]) > 0 {
			sum += share
			kinds = append(kinds, k)
			cumulative = append(cumulative, sum)
		}
	}
	for i := range cumulative {
		cumulative[i] /= sum
	}

	start := time.Now()
	r.schedAt.Store(start.UnixNano())
	deadline, hasDeadline := stop.Deadline()
	interval := float64(time.Second) / r.opts.Rate
	maxWorkers := int64(r.opts.MaxInFlight)
	maxIdle := int64(2 * runtime.GOMAXPROCS(0))

	var next, workers, idle, ids, limit atomic.Int64
	limit.Store(min(maxWorkers, 2*maxIdle))
	var wg sync.WaitGroup
	var spawn func() bool
	wg.Add(1) // the sampler spawns workers too, so it must end before wg.Wait does
	go func() {
		defer wg.Done()
		cpu := newCPUIdle()
		cpuShort := false
		t := time.NewTicker(growthPeriod)
		defer t.Stop()
		for tick := 1; ; tick++ {
			select {
			case <-stop.Done():
				return
			case <-t.C:
			}
			if tick%int(cpuPeriod/growthPeriod) == 0 {
				if idle, ok := cpu.fraction(); ok && !r.opts.ignoreCPU {
					cpuShort = idle < shortBelow || cpuShort && idle < ampleOver
				}
			}
			w := workers.Load()
			if cpuShort {
				limit.Store(w)
			} else {
				limit.Store(min(maxWorkers, max(2*w, w+16)))
			}
			// Every worker may be busy with a refused spawn behind it: then no one
			// watches the schedule, so start the worker that was refused.
			if idle.Load() <= 0 {
				spawn()
			}
		}
	}()
	work := func(id int64) {
		defer wg.Done()
		reqCtx, cancel := context.WithCancel(reqCtx) // see runUser
		defer cancel()
		rng := mathrand.New(mathrand.NewPCG(r.seed, uint64(id)))
		timer := newStoppedTimer()
		for {
			k := next.Add(1) - 1
			at := start.Add(time.Duration(float64(k) * interval))
			if hasDeadline && !at.Before(deadline) || !sleepUntil(stop, timer, at) {
				return
			}
			lag := time.Since(at)
			if lag > LateStartThreshold {
				r.late.Add(1)
			}
			if idle.Add(-1) == 0 {
				spawn()
			}
			r.scheduled.Add(1)
			s := slot{shard: int(id), scheduled: at, lag: lag}
			x := rng.Float64()
			ki := len(kinds) - 1
			for i, c := range cumulative {
				if x < c {
					ki = i
					break
				}
			}
			accounts := byKind[kinds[ki]]
			a := accounts[rng.IntN(len(accounts))]
			// The slot is the schedule's: it renews the account's token when due,
			// and a status poll with no task to poll generates audio instead.
			if !r.renewIfDue(reqCtx, a, s) && !r.doTask(reqCtx, a, a.kind.pickTask(rng.IntN), s, rng.IntN) {
				r.doTask(reqCtx, a, taskGenerateAudio, s, rng.IntN)
			}
			// Enough workers wait already: this one ends, so that after a burst
			// the pool (and the set of busy connections) shrinks back.
			if idle.Load() >= maxIdle {
				workers.Add(-1)
				return
			}
			idle.Add(1)
		}
	}
	spawn = func() bool {
		for {
			n := workers.Load()
			if n >= limit.Load() {
				return false
			}
			if workers.CompareAndSwap(n, n+1) {
				idle.Add(1)
				wg.Add(1)
				go work(ids.Add(1))
				return true
			}
		}
	}
	for range min(maxWorkers, maxIdle) {
		spawn()
	}
	wg.Wait()
}

func (r *runner) scheduleStats(col *collector, end time.Time) *ScheduleStats {
	s := &ScheduleStats{Scheduled: r.scheduled.Load(), LateStarts: r.late.Load(), Mix: map[string]float64{}}
	if at := r.schedAt.Load(); at != 0 {
		s.Start = time.Unix(0, at)
		if secs := end.Sub(s.Start).Seconds(); secs > 0 {
			s.AchievedRPS = float64(s.Scheduled) / secs
		}
	}
	lag := &col.cum.startLag
	s.LagP50 = counterPercentile(lag, 50)
	s.LagP99 = counterPercentile(lag, 99)
	s.LagMax = time.Duration(lag.maxNanos)
	for i, share := range openModelMix() {
		s.Mix[userKinds[i].name] = share
	}
	return s
}

func newStoppedTimer() *time.Timer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return t
}

// sleepFor waits d, or until ctx ends (then it returns false).
func sleepFor(ctx context.Context, t *time.Timer, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t.Reset(d)
	select {
	case <-ctx.Done():
		t.Stop()
		return false
	case <-t.C:
		return true
	}
}

// sleepUntil waits until at, or until ctx ends (then it returns false).
func sleepUntil(ctx context.Context, t *time.Timer, at time.Time) bool {
	return sleepFor(ctx, t, time.Until(at))
}
