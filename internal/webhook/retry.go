package webhook

import (
	"fmt"
	"hash/fnv"
	"time"
)

// The retry schedule: after attempt n fails, the next comes
// retryBase·2^(n-1) later (at most retryCap), ±20 % jitter so that the
// deliveries of an endpoint that was down do not all come back at once.
// MaxAttempts attempts span about 24 hours (ScheduleSpan).
const (
	retryBase   = 30 * time.Second
	retryCap    = 4 * time.Hour
	MaxAttempts = 15
)

// RetryDelay is the wait after failed attempt n (1-based), before jitter.
func RetryDelay(attempt int) time.Duration {
	d := retryBase
	for i := 1; i < attempt && d < retryCap; i++ {
		d *= 2
	}
	return min(d, retryCap)
}

// NextAttempt is when the attempt after failed attempt n, made at
// attemptedAt, runs. The jitter is drawn from seed (the job's ID) and n, so
// that the worker that records the time and the queue that schedules it
// compute the same one.
func NextAttempt(attemptedAt time.Time, attempt int, seed int64) time.Time {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d.%d", seed, attempt)
	frac := float64(h.Sum64()%10001)/10000*0.4 - 0.2 // -0.2 .. +0.2
	d := RetryDelay(attempt)
	return attemptedAt.Add(d + time.Duration(float64(d)*frac))
}

// ScheduleSpan is the time from the first attempt to the last, without jitter.
func ScheduleSpan() time.Duration {
	var total time.Duration
	for n := 1; n < MaxAttempts; n++ {
		total += RetryDelay(n)
	}
	return total
}
