package jobs

import (
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/omnivibepro/omnivibe/internal/webhook"
)

// The schedule River applies to a failing delivery: each wait longer than
// the one before until the cap, jittered, about 24 h in all, and the same
// time the worker records on the delivery.
func TestWebhookRetryScheduleGrows(t *testing.T) {
	w := &webhookWorker{}
	clock := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	first := clock
	var prev time.Duration
	for attempt := 1; attempt < webhook.MaxAttempts; attempt++ {
		at := clock
		job := &river.Job[WebhookArgs]{JobRow: &rivertype.JobRow{ID: 4242, Attempt: attempt, AttemptedAt: &at, MaxAttempts: webhook.MaxAttempts}}
		next := w.NextRetry(job)
		wait := next.Sub(at)
		if attempt > 1 && wait <= prev*13/10 && webhook.RetryDelay(attempt) != webhook.RetryDelay(attempt-1) {
			t.Fatalf("attempt %d waits %v after %v: not growing", attempt, wait, prev)
		}
		if !next.Equal(nextWebhookAttempt(job.JobRow)) {
			t.Fatal("the worker and River compute different times")
		}
		prev, clock = wait, next
	}
	if span := clock.Sub(first); span < 20*time.Hour || span > 30*time.Hour {
		t.Fatalf("the retries span %v, want about 24 h", span)
	}
	if got := (WebhookArgs{}).InsertOpts(); got.MaxAttempts != webhook.MaxAttempts || got.Queue != QueueWebhooks {
		t.Fatalf("insert options %+v", got)
	}
}
