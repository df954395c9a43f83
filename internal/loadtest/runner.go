package loadtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	mathrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/omnivibepro/omnivibe/client"
)

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

	// wantUsers is the closed model's user count; the web view may change it
	// while the run goes on. usersChanged wakes the spawner when it does.
	wantUsers    atomic.Int64
	usersChanged chan struct{}
	jobs         *jobTracker // --track-jobs, else nil
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
	r.wantUsers.Store(int64(opts.Users))
	r.usersChanged = make(chan struct{}, 1)
	if opts.TrackJobs {
		r.jobs = newJobTracker(transport, opts)
	}
	return r
}

// setUsers changes the closed model's number of running users.
func (r *runner) setUsers(n int) {
	r.wantUsers.Store(int64(n))
	select {
	case r.usersChanged <- struct{}{}:
	default:
	}
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
	// The version is asked for beside the run, so a slow /healthz delays nothing.
	versionCh := make(chan string, 1)
	go func() { versionCh <- serverVersion(ctx, r.transport, opts) }()

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
	var web *webView
	if opts.Web != "" {
		var err error
		if web, err = startWebView(opts, r, cancelStop); err != nil {
			return nil, err
		}
		defer web.close()
		if progress != nil {
			fmt.Fprintf(progress, "loadtest: live view on http://%s/\n", web.addr)
		}
	}
	var watcher *resourceWatcher
	var scrapes sync.WaitGroup
	defer scrapes.Wait() // no resource line is printed after Run returned
	if opts.Rate > 0 {
		watcher = newResourceWatcher(r.transport, opts)
	}
	jobsDone := make(chan struct{})
	jobsCtx, cancelJobs := context.WithCancel(ctx)
	defer cancelJobs()
	if r.jobs != nil {
		go func() {
			defer close(jobsDone)
			r.jobs.run(jobsCtx)
		}()
	} else {
		close(jobsDone)
	}

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
			if web != nil {
				web.publish(col.liveSnapshot(now, p, r, "running"))
			}
			// The first sample comes ten seconds in, then one every ten seconds;
			// the scrape runs beside the ticks so a slow /metrics delays nothing.
			if watcher != nil && len(col.history)%int(resourceEvery/time.Second) == 0 {
				scrapes.Add(1)
				go func(elapsed time.Duration, p HistoryPoint) {
					defer scrapes.Done()
					line := watcher.sample(stopCtx, elapsed, p)
					live.printAside(line)
				}(p.Elapsed, p)
			}
		}
	}
	end := time.Now()
	col.tick(end, int(r.users.Load()), 0)
	live.finish()
	if r.jobs != nil {
		// No task is accepted any more; the tracked ones get --track-timeout to end.
		r.jobs.close()
		t := time.NewTimer(opts.TrackTimeout)
		select {
		case <-jobsDone:
		case <-t.C:
			cancelJobs()
			<-jobsDone
		case <-ctx.Done():
			cancelJobs()
			<-jobsDone
		}
		t.Stop()
	}

	res := &Result{
		RunID: r.runID, Model: "closed", Hosts: opts.Hosts, Users: opts.Users, SpawnRate: opts.SpawnRate,
		RunTime: opts.RunTime, NoWait: opts.NoWait, Rate: opts.Rate, Timeout: opts.Timeout,
		Start: start, End: end, Interrupted: ctx.Err() != nil, History: col.history,
		MaxInFlight: opts.MaxInFlight, ServerVersion: <-versionCh, Machine: thisMachine(),
	}
	if web != nil {
		res.StoppedFromWeb = web.stopped.Load()
	}
	res.Endpoints, res.Total, res.Failures = col.snapshot(end)
	if r.jobs != nil {
		res.Jobs = r.jobs.stats()
	}
	if watcher != nil {
		scrapes.Wait()
		res.Resources = watcher.stats()
	}
	if opts.Rate > 0 {
		res.Model = "open"
		res.Schedule = r.scheduleStats(col, end)
	}
	res.Abandoned = r.abandoned.Load()
	res.SLOs = CheckSLOs(res, opts.SLOs)
	if web != nil {
		web.publish(finalSnapshot(res))
		if opts.webHold != nil {
			select {
			case <-opts.webHold:
			case <-ctx.Done():
			}
		}
	}
	return res, nil
}

// serverVersion asks the first host's /healthz for the version it runs.
func serverVersion(ctx context.Context, transport http.RoundTripper, opts Options) string {
	ctx, cancel := context.WithTimeout(ctx, min(opts.Timeout, 5*time.Second))
	defer cancel()
	c := client.New(opts.Hosts[0], client.WithHTTPClient(&http.Client{Transport: transport}), client.WithUserAgent(userAgent[0]))
	h, err := c.Health(ctx)
	switch {
	case err != nil:
		return "unknown (/healthz: " + failureKind(err) + ")"
	case h.Version == "":
		return "unknown"
	}
	return h.Version
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
	return phase{spawning: n < int(r.wantUsers.Load()), started: n}
}

func (r *runner) waitScale() float64 {
	if r.opts.waitScale > 0 {
		return r.opts.waitScale
	}
	return 1
}

// runClosed starts the users at the spawn rate and lets each loop until the run
// ends, Locust's way. Loops and waits end with stop; requests use reqCtx. When
// the web view changes the user count, users are started (at the spawn rate)
// or stopped (the last started first, at once, as Locust stops them) until the
// count is met; a stopped user's request in flight still finishes and counts.
func (r *runner) runClosed(stop, reqCtx context.Context) {
	var wg sync.WaitGroup
	counts := make([]int, len(userKinds))
	type running struct {
		kind   int
		cancel context.CancelFunc
	}
	var users []running
	timer := newStoppedTimer()
	interval := time.Duration(float64(time.Second) / r.opts.SpawnRate)
	var lastSpawn time.Time
	for next := 0; stop.Err() == nil; {
		want := int(r.wantUsers.Load())
		switch {
		case len(users) < want:
			if !lastSpawn.IsZero() && !sleepUntil(stop, timer, lastSpawn.Add(interval)) {
				continue
			}
			lastSpawn = time.Now()
			k := kindForUser(counts)
			counts[k]++
			i := next
			next++
			a := newAccount(i, userKinds[k], r.targets[i%len(r.targets)], r.runID)
			userStop, cancel := context.WithCancel(stop)
			users = append(users, running{k, cancel})
			r.users.Add(1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				r.runUser(userStop, reqCtx, a, i)
			}()
		case len(users) > want:
			u := users[len(users)-1]
			users = users[:len(users)-1]
			counts[u.kind]--
			u.cancel()
			r.users.Add(-1)
		default:
			select {
			case <-stop.Done():
			case <-r.usersChanged:
			}
		}
	}
	for _, u := range users {
		u.cancel()
	}
	wg.Wait()
}

// userRand is the random source of virtual user (or open-model worker) n:
// a generator of its own, so users share no lock, seeded from the run's seed
// and n, so each draws a different sequence.
func (r *runner) userRand(n int64) *mathrand.Rand {
	return mathrand.New(mathrand.NewPCG(r.seed, uint64(n))) // #nosec G404 G115 -- think times and task choices need spread, not secrecy (the run's seed comes from crypto/rand); n only picks a stream, so its sign does not matter
}

// runUser is one virtual user: its on-start steps, then tasks with think times.
func (r *runner) runUser(stop, reqCtx context.Context, a *account, index int) {
	// Each request's timeout context hangs off the user's own context, not the
	// run's: registering it with a shared parent would take one lock for all.
	reqCtx, cancel := context.WithCancel(reqCtx)
	defer cancel()
	rng := r.userRand(int64(index))
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
		parse := a.takeTaskID
		if r.jobs != nil {
			parse = func(b []byte) string {
				id, kind := parseTaskID(b)
				if kind != "" {
					return kind
				}
				a.addTask(tg.urls[epAudioStatus] + url.PathEscape(id))
				r.jobs.add(a, id)
				return ""
			}
		}
		r.exchange(ctx, s, epGenerateAudio, http.MethodPost, tg.urls[epGenerateAudio], h, audioBody, parse)
	case taskAudioStatus:
		u := a.randomTask(intn)
		if u == "" {
			return false
		}
		r.exchange(ctx, s, epAudioStatus, http.MethodGet, u, h, nil, nil)
	}
	return true
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
