package loadtest

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

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
			rng := r.userRand(int64(i))
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
// while the pool already grows as fast as it may, slots wait for a worker: the
// wait shows as start lag (and in their latency), and starts more than
// LateStartThreshold late are counted. A worker that finishes while enough
// others are idle ends, so the pool follows the concurrency the server needs.
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
	var spawn func()
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
		rng := r.userRand(id)
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
	spawn = func() {
		for {
			n := workers.Load()
			if n >= limit.Load() {
				return
			}
			if workers.CompareAndSwap(n, n+1) {
				idle.Add(1)
				wg.Add(1)
				go work(ids.Add(1))
				return
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
