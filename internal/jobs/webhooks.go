package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/service"
	"github.com/omnivibepro/omnivibe/internal/webhook"
)

// Webhook deliveries have their own queue, so that slow receivers never hold
// the voice-overs' workers (nor the reverse).
const (
	QueueWebhooks = "webhooks"
	kindWebhook   = "webhook_delivery"
	// webhookJobTimeout bounds a delivery job: one attempt (webhook.DefaultTimeout)
	// and the writes around it.
	webhookJobTimeout = webhook.DefaultTimeout + 20*time.Second
	// defaultWebhookWorkers is how many deliveries a process sends at once.
	defaultWebhookWorkers = 10
)

// WebhookArgs are the arguments of a delivery job: the delivery row holds the
// rest. The account and endpoint name whose delivery it is, so the job acts
// on no other (service.WebhookJob); jobs enqueued before they were carried
// have neither.
type WebhookArgs struct {
	DeliveryID int64 `json:"delivery_id"`
	AccountID  int64 `json:"account_id,omitempty"`
	WebhookID  int64 `json:"webhook_id,omitempty"`
}

// Kind names the job kind.
func (WebhookArgs) Kind() string { return kindWebhook }

// InsertOpts gives deliveries their queue and the retry budget that spans
// about 24 hours with webhook.NextAttempt's schedule.
func (WebhookArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueWebhooks, MaxAttempts: webhook.MaxAttempts}
}

// WebhookRunner makes delivery attempts (the service).
type WebhookRunner interface {
	DeliverWebhook(ctx context.Context, job service.WebhookJob, next time.Time) error
}

type webhookWorker struct {
	river.WorkerDefaults[WebhookArgs]
	run *lateRunner
}

func (w *webhookWorker) Timeout(*river.Job[WebhookArgs]) time.Duration { return webhookJobTimeout }

// NextRetry replaces River's default schedule (attempt⁴ seconds) with the
// webhook one: exponential from 30 s, capped at 4 h, with jitter.
func (w *webhookWorker) NextRetry(job *river.Job[WebhookArgs]) time.Time {
	return nextWebhookAttempt(job.JobRow)
}

// nextWebhookAttempt is when River runs a job again after its current
// attempt fails; the worker records the same time on the delivery.
func nextWebhookAttempt(j *rivertype.JobRow) time.Time {
	at := time.Now()
	if j.AttemptedAt != nil {
		at = *j.AttemptedAt
	}
	return webhook.NextAttempt(at, j.Attempt, j.ID)
}

func (w *webhookWorker) Work(ctx context.Context, job *river.Job[WebhookArgs]) error {
	r, ok := w.run.Runner.(WebhookRunner)
	if !ok {
		return errors.New("jobs: the runner does not deliver webhooks")
	}
	var next time.Time
	if job.Attempt < job.MaxAttempts {
		next = nextWebhookAttempt(job.JobRow)
	}
	return r.DeliverWebhook(ctx, service.WebhookJob{AccountID: job.Args.AccountID, WebhookID: job.Args.WebhookID,
		DeliveryID: job.Args.DeliveryID, JobID: job.ID}, next)
}

// EnqueueWebhook inserts a delivery's job in the transaction of its event.
func (q *Queue[TTx]) EnqueueWebhook(ctx context.Context, tx service.Tx, d omnivibe.WebhookDelivery) (int64, error) {
	ttx, err := q.txOf(tx)
	if err != nil {
		return 0, err
	}
	res, err := q.client.InsertTx(ctx, ttx, WebhookArgs{DeliveryID: d.ID, AccountID: d.AccountID, WebhookID: d.WebhookID}, nil)
	if err != nil {
		return 0, fmt.Errorf("enqueue webhook delivery: %w", err)
	}
	return res.Job.ID, nil
}

var _ service.WebhookQueue = (*Queue[any])(nil)
