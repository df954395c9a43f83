package service

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/webhook"
)

// WebhookQueue runs webhook deliveries in the background, durably: a
// delivery's job is inserted in the transaction of the event it tells of, so
// an event that happened is delivered even if the process dies right after.
type WebhookQueue interface {
	// EnqueueWebhook adds the job of a delivery; the job carries the
	// delivery's account and endpoint besides its id (WebhookJob).
	EnqueueWebhook(ctx context.Context, tx Tx, d omnivibe.WebhookDelivery) (jobID int64, err error)
}

// WebhookJob is what a delivery job was enqueued for: one delivery of one
// endpoint of one account, by the job JobID. The job acts on that row only
// while it is still that job's delivery (deliveryOfJob): an id alone could
// name a row that came after the one the job was made for.
type WebhookJob struct {
	AccountID, WebhookID, DeliveryID int64
	JobID                            int64
}

// WebhookSender makes one delivery attempt (webhook.Sender: signed, through
// the address policy, bounded in time and size).
type WebhookSender interface {
	Send(ctx context.Context, r webhook.Request) webhook.Result
}

// SecretBox keeps signing secrets encrypted at rest (webhook.Box).
type SecretBox interface {
	Seal(secret string) ([]byte, error)
	Open(sealed []byte) (string, error)
}

// WebhookConfig holds the webhook rules; zero values take the defaults noted.
type WebhookConfig struct {
	// AllowInsecure accepts http:// URLs whose host is this machine.
	AllowInsecure bool
	// MaxPerAccount bounds an account's webhooks; default 20.
	MaxPerAccount int
	// DisableAfter is how long an endpoint may fail every delivery before it
	// is disabled; default 5 days.
	DisableAfter time.Duration
}

// Rotation overlap bounds: how long a replaced secret keeps signing.
const (
	defaultOverlap = 24 * time.Hour
	maxOverlap     = 7 * 24 * time.Hour
)

type webhooks struct {
	queue  WebhookQueue
	sender WebhookSender
	box    SecretBox
	cfg    WebhookConfig
}

// UseWebhooks turns webhooks on.
func (s *Service) UseWebhooks(q WebhookQueue, sender WebhookSender, box SecretBox, cfg WebhookConfig) {
	if cfg.MaxPerAccount <= 0 {
		cfg.MaxPerAccount = 20
	}
	if cfg.DisableAfter <= 0 {
		cfg.DisableAfter = 5 * 24 * time.Hour
	}
	s.hooks = &webhooks{queue: q, sender: sender, box: box, cfg: cfg}
}

// ErrWebhookRetry means a delivery attempt failed in a way another attempt
// may mend; the queue schedules it.
var ErrWebhookRetry = errors.New("webhook delivery will be retried")

// canUseWebhooks is the rule for every webhook call: the endpoints and their
// deliveries carry the account's data to wherever the URL points, and their
// secrets sign as the account, so only those who manage it see or change them.
func (s *Service) canUseWebhooks(p Principal) error {
	if err := p.canManage(); err != nil {
		return err
	}
	if s.hooks == nil {
		return omnivibe.Errorf(omnivibe.CodeUnavailable, "webhooks are not configured on this server")
	}
	return nil
}

// CreateWebhook adds an endpoint; its signing secret is in this answer only.
func (s *Service) CreateWebhook(ctx context.Context, p Principal, in omnivibe.WebhookInput) (omnivibe.Webhook, error) {
	if err := s.canUseWebhooks(p); err != nil {
		return omnivibe.Webhook{}, err
	}
	now := s.clock()
	w := omnivibe.Webhook{AccountID: p.AccountID, CreatedAt: now, UpdatedAt: now}
	if err := in.Apply(&w, true, s.hooks.cfg.AllowInsecure); err != nil {
		return w, err
	}
	secret, err := webhook.NewSecret()
	if err != nil {
		return w, err
	}
	if w.SecretSealed, err = s.hooks.box.Seal(secret); err != nil {
		return w, err
	}
	err = s.store.InTx(ctx, func(tx Tx) error {
		if err := tx.LockAccount(ctx, p.AccountID); err != nil {
			return err
		}
		existing, err := tx.ListWebhooks(ctx, p.AccountID)
		if err != nil {
			return err
		}
		if len(existing) >= s.hooks.cfg.MaxPerAccount {
			return omnivibe.Errorf(omnivibe.CodeConflict, "an account may have at most %d webhooks", s.hooks.cfg.MaxPerAccount)
		}
		return tx.CreateWebhook(ctx, &w)
	})
	w.Secret = secret
	return w, err
}

// ListWebhooks returns the account's endpoints, oldest first, without secrets.
func (s *Service) ListWebhooks(ctx context.Context, p Principal) (omnivibe.WebhookList, error) {
	if err := s.canUseWebhooks(p); err != nil {
		return omnivibe.WebhookList{}, err
	}
	ws, err := s.store.ListWebhooks(ctx, p.AccountID)
	return omnivibe.WebhookList{Webhooks: ws}, err
}

// Webhook returns one of the account's endpoints, without its secret.
func (s *Service) Webhook(ctx context.Context, p Principal, id int64) (omnivibe.Webhook, error) {
	if err := s.canUseWebhooks(p); err != nil {
		return omnivibe.Webhook{}, err
	}
	return s.store.WebhookByID(ctx, p.AccountID, id)
}

// UpdateWebhook changes the fields sent. Enabling an endpoint the server
// disabled clears why it did.
func (s *Service) UpdateWebhook(ctx context.Context, p Principal, id int64, in omnivibe.WebhookInput) (omnivibe.Webhook, error) {
	if err := s.canUseWebhooks(p); err != nil {
		return omnivibe.Webhook{}, err
	}
	var w omnivibe.Webhook
	err := s.store.InTx(ctx, func(tx Tx) error {
		var err error
		if w, err = tx.WebhookByID(ctx, p.AccountID, id); err != nil {
			return err
		}
		if err := in.Apply(&w, false, s.hooks.cfg.AllowInsecure); err != nil {
			return err
		}
		w.UpdatedAt = s.clock()
		return tx.UpdateWebhook(ctx, w)
	})
	return w, err
}

// DeleteWebhook removes an endpoint and its deliveries; jobs still queued for
// them find nothing to do.
func (s *Service) DeleteWebhook(ctx context.Context, p Principal, id int64) error {
	if err := s.canUseWebhooks(p); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Tx) error { return tx.DeleteWebhook(ctx, p.AccountID, id) })
}

// RotateWebhookSecret replaces an endpoint's signing secret; the new one is
// in this answer only. The replaced one keeps signing (beside the new one)
// for the overlap, so receivers can switch without missing a delivery.
func (s *Service) RotateWebhookSecret(ctx context.Context, p Principal, id int64, in omnivibe.WebhookRotation) (omnivibe.Webhook, error) {
	if err := s.canUseWebhooks(p); err != nil {
		return omnivibe.Webhook{}, err
	}
	overlap := defaultOverlap
	if in.OverlapSeconds.Set {
		overlap = time.Duration(in.OverlapSeconds.Value) * time.Second
		if in.OverlapSeconds.Null || overlap < 0 || overlap > maxOverlap {
			var v omnivibe.Violations
			v.Addf("overlap_seconds", "must be 0-%d", int(maxOverlap/time.Second))
			return omnivibe.Webhook{}, v.Err()
		}
	}
	secret, err := webhook.NewSecret()
	if err != nil {
		return omnivibe.Webhook{}, err
	}
	sealed, err := s.hooks.box.Seal(secret)
	if err != nil {
		return omnivibe.Webhook{}, err
	}
	var w omnivibe.Webhook
	err = s.store.InTx(ctx, func(tx Tx) error {
		if w, err = tx.WebhookByID(ctx, p.AccountID, id); err != nil {
			return err
		}
		now := s.clock()
		w.PreviousSecretSealed, w.PreviousSecretExpiresAt = nil, nil
		if overlap > 0 {
			until := now.Add(overlap)
			w.PreviousSecretSealed, w.PreviousSecretExpiresAt = w.SecretSealed, &until
		}
		w.SecretSealed, w.UpdatedAt = sealed, now
		return tx.UpdateWebhook(ctx, w)
	})
	w.Secret = secret
	return w, err
}

// WebhookDeliveries returns a page of an endpoint's deliveries, newest first.
func (s *Service) WebhookDeliveries(ctx context.Context, p Principal, id int64, page, pageSize int) (omnivibe.DeliveryPage, error) {
	if err := s.canUseWebhooks(p); err != nil {
		return omnivibe.DeliveryPage{}, err
	}
	if _, err := s.store.WebhookByID(ctx, p.AccountID, id); err != nil {
		return omnivibe.DeliveryPage{}, err
	}
	ds, total, err := s.store.ListWebhookDeliveries(ctx, p.AccountID, id, page, pageSize)
	return omnivibe.DeliveryPage{Deliveries: ds, Total: total, Page: page, PageSize: pageSize}, err
}

// RetryWebhookDelivery sends a finished delivery again, as a new job with a
// fresh retry schedule and the same webhook-id (receivers drop duplicates).
func (s *Service) RetryWebhookDelivery(ctx context.Context, p Principal, id, deliveryID int64) (omnivibe.WebhookDelivery, error) {
	if err := s.canUseWebhooks(p); err != nil {
		return omnivibe.WebhookDelivery{}, err
	}
	var d omnivibe.WebhookDelivery
	err := s.store.InTx(ctx, func(tx Tx) error {
		w, err := tx.WebhookByID(ctx, p.AccountID, id)
		if err != nil {
			return err
		}
		if d, err = tx.WebhookDelivery(ctx, p.AccountID, id, deliveryID); err != nil {
			return err
		}
		if d.Status == omnivibe.DeliveryPending || d.Status == omnivibe.DeliveryRetrying {
			return omnivibe.Errorf(omnivibe.CodeConflict, "the delivery is %s: an attempt is already scheduled", d.Status)
		}
		if !w.Enabled {
			return omnivibe.Errorf(omnivibe.CodeConflict, "the webhook is disabled; enable it first")
		}
		d.Status, d.NextAttemptAt, d.UpdatedAt = omnivibe.DeliveryPending, nil, s.clock()
		if d.JobID, err = s.hooks.queue.EnqueueWebhook(ctx, tx, d); err != nil {
			return err
		}
		return tx.UpdateWebhookDelivery(ctx, d)
	})
	return d, err
}

// TestWebhook sends an endpoint a webhook.test event.
func (s *Service) TestWebhook(ctx context.Context, p Principal, id int64) (omnivibe.WebhookDelivery, error) {
	if err := s.canUseWebhooks(p); err != nil {
		return omnivibe.WebhookDelivery{}, err
	}
	var d omnivibe.WebhookDelivery
	err := s.store.InTx(ctx, func(tx Tx) error {
		w, err := tx.WebhookByID(ctx, p.AccountID, id)
		if err != nil {
			return err
		}
		if !w.Enabled {
			return omnivibe.Errorf(omnivibe.CodeConflict, "the webhook is disabled; enable it first")
		}
		ds, err := s.enqueueEvent(ctx, tx, []omnivibe.Webhook{w}, omnivibe.EventWebhookTest,
			map[string]any{"webhook_id": w.ID, "message": "a test event sent from OmniVibe Pro"})
		if err == nil {
			d = ds[0]
		}
		return err
	})
	return d, err
}

// emitWebhookEvent enqueues, in tx, a delivery of an event to every enabled
// endpoint of the account that subscribes to it. Call it in the transaction
// that makes the event happen: the deliveries exist if and only if it does.
func (s *Service) emitWebhookEvent(ctx context.Context, tx Tx, accountID int64, event string, data any) error {
	if s.hooks == nil {
		return nil
	}
	all, err := tx.ListWebhooks(ctx, accountID)
	if err != nil {
		return err
	}
	var to []omnivibe.Webhook
	for _, w := range all {
		if w.Wants(event) {
			to = append(to, w)
		}
	}
	if len(to) == 0 {
		return nil
	}
	_, err = s.enqueueEvent(ctx, tx, to, event, data)
	return err
}

// audioEvents names the event of each final state of a voice-over.
var audioEvents = map[string]string{
	omnivibe.AudioSucceeded: omnivibe.EventAudioSucceeded,
	omnivibe.AudioPartial:   omnivibe.EventAudioPartial,
	omnivibe.AudioFailed:    omnivibe.EventAudioFailed,
	omnivibe.AudioCancelled: omnivibe.EventAudioCancelled,
}

// emitAudioEvent tells of a task that reached a final state; its data is the
// task as GET /audio/status/{task_id} shows it.
func (s *Service) emitAudioEvent(ctx context.Context, tx Tx, t omnivibe.AudioTask) error {
	event, ok := audioEvents[t.Status]
	if !ok {
		return nil
	}
	s.withAudioURL(&t)
	return s.emitWebhookEvent(ctx, tx, t.AccountID, event, t)
}

// enqueueEvent stores one delivery per endpoint, all with one message ID,
// and their jobs.
func (s *Service) enqueueEvent(ctx context.Context, tx Tx, to []omnivibe.Webhook, event string, data any) ([]omnivibe.WebhookDelivery, error) {
	now := s.clock()
	body, err := json.Marshal(struct {
		Type      string    `json:"type"`
		Timestamp time.Time `json:"timestamp"`
		Data      any       `json:"data"`
	}{event, now, data})
	if err != nil {
		return nil, err
	}
	msgID, err := newMessageID()
	if err != nil {
		return nil, err
	}
	out := make([]omnivibe.WebhookDelivery, 0, len(to))
	for _, w := range to {
		d := omnivibe.WebhookDelivery{WebhookID: w.ID, AccountID: w.AccountID, MessageID: msgID, EventType: event, Payload: body,
			Status: omnivibe.DeliveryPending, CreatedAt: now, UpdatedAt: now}
		if err := tx.CreateWebhookDelivery(ctx, &d); err != nil {
			return nil, err
		}
		if d.JobID, err = s.hooks.queue.EnqueueWebhook(ctx, tx, d); err != nil {
			return nil, err
		}
		if err := tx.UpdateWebhookDelivery(ctx, d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// newMessageID returns a webhook-id: "msg_" and 128 random bits.
func newMessageID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "msg_" + base64.RawURLEncoding.EncodeToString(b), nil
}

// DeliverWebhook makes one attempt of a job's delivery, for the queue's
// workers. next is when the queue will try again if this attempt fails in a
// way that can mend; zero when this is the last attempt. It returns an error
// wrapping ErrWebhookRetry when the queue should try again, nil when the
// job is done (delivered, failed for good, or its delivery is no longer
// there for it: gone with its endpoint).
func (s *Service) DeliverWebhook(ctx context.Context, job WebhookJob, next time.Time) error {
	if s.hooks == nil {
		return errors.New("webhooks are not configured in this process")
	}
	d, err := deliveryOfJob(ctx, s.store, job)
	if omnivibe.ErrorCode(err) == omnivibe.CodeNotFound {
		return nil
	} else if err != nil {
		return err
	}
	if d.Status == omnivibe.DeliverySucceeded || d.Status == omnivibe.DeliveryFailed {
		return nil // recorded before this process died; not sent twice
	}
	w, err := s.store.WebhookByID(ctx, d.AccountID, d.WebhookID)
	if omnivibe.ErrorCode(err) == omnivibe.CodeNotFound {
		return nil
	} else if err != nil {
		return err
	}
	now := s.clock()
	if !w.Enabled {
		return s.recordAttempt(ctx, job, d, webhook.Result{Outcome: webhook.Failed, Err: errors.New("the webhook is disabled")}, now, time.Time{}, false)
	}
	keys, err := s.signingKeys(w, now)
	if err != nil {
		return s.recordAttempt(ctx, job, d, webhook.Result{Outcome: webhook.Failed, Err: err}, now, time.Time{}, false)
	}
	res := s.hooks.sender.Send(ctx, webhook.Request{URL: w.URL, MessageID: d.MessageID, Timestamp: now, Body: d.Payload, Keys: keys})
	return s.recordAttempt(ctx, job, d, res, now, next, true)
}

// deliveryOfJob returns the delivery a job was enqueued for, or not found
// when that row is no longer the job's: deleted with its endpoint, or a row
// of another account, endpoint or job that came to hold the id. Jobs
// enqueued before they carried their account (AccountID 0) are bound by
// their job id alone, which the delivery records.
func deliveryOfJob(ctx context.Context, r Reader, job WebhookJob) (omnivibe.WebhookDelivery, error) {
	var d omnivibe.WebhookDelivery
	var err error
	if job.AccountID != 0 {
		d, err = r.WebhookDelivery(ctx, job.AccountID, job.WebhookID, job.DeliveryID)
	} else {
		d, err = r.WebhookDeliveryForWork(ctx, job.DeliveryID)
	}
	if err != nil {
		return omnivibe.WebhookDelivery{}, err
	}
	if d.JobID != job.JobID {
		return omnivibe.WebhookDelivery{}, omnivibe.NotFound("delivery")
	}
	return d, nil
}

// signingKeys returns the keys that sign an endpoint's deliveries at now: the
// current secret's, and the previous one's during a rotation's overlap.
func (s *Service) signingKeys(w omnivibe.Webhook, now time.Time) ([][]byte, error) {
	sealed := [][]byte{w.SecretSealed}
	if w.PreviousSecretSealed != nil && w.PreviousSecretExpiresAt != nil && now.Before(*w.PreviousSecretExpiresAt) {
		sealed = append(sealed, w.PreviousSecretSealed)
	}
	keys := make([][]byte, 0, len(sealed))
	for _, b := range sealed {
		secret, err := s.hooks.box.Open(b)
		if err != nil {
			return nil, errors.New("the signing secret cannot be read (was the server secret replaced?); rotate it")
		}
		key, err := webhook.SecretKey(secret)
		if err != nil {
			return nil, err
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// recordAttempt writes an attempt's outcome on the job's delivery (d, read
// before the attempt) and, when it was sent, on the endpoint's run of
// failures: a 410, or failing for DisableAfter, disables the endpoint and
// says why.
func (s *Service) recordAttempt(ctx context.Context, job WebhookJob, d omnivibe.WebhookDelivery, res webhook.Result, now, next time.Time, sent bool) error {
	retry := false
	var failure string
	err := s.store.InTx(ctx, func(tx Tx) error {
		cur, err := deliveryOfJob(ctx, tx, job)
		if omnivibe.ErrorCode(err) == omnivibe.CodeNotFound {
			return nil
		} else if err != nil {
			return err
		}
		w, err := tx.WebhookByID(ctx, cur.AccountID, cur.WebhookID)
		if omnivibe.ErrorCode(err) == omnivibe.CodeNotFound {
			return nil
		} else if err != nil {
			return err
		}
		cur.UpdatedAt, cur.NextAttemptAt, cur.Error = now, nil, nil
		if sent {
			cur.Attempts++
			cur.LastAttemptAt = &now
			cur.ResponseCode, cur.ResponseBody = nil, storableText(res.Body)
			if res.StatusCode != 0 {
				code := res.StatusCode
				cur.ResponseCode = &code
			}
			ms := res.Duration.Milliseconds()
			cur.DurationMS = &ms
		}
		if res.Outcome == webhook.Delivered {
			cur.Status = omnivibe.DeliverySucceeded
			if w.FailingSince != nil {
				w.FailingSince, w.UpdatedAt = nil, now
				if err := tx.UpdateWebhook(ctx, w); err != nil {
					return err
				}
			}
			return tx.UpdateWebhookDelivery(ctx, cur)
		}
		failure = "delivery failed"
		if res.Err != nil {
			failure = res.Err.Error()
		}
		cur.Error = &failure
		if sent && w.Enabled {
			if w.FailingSince == nil {
				w.FailingSince = &now
			}
			switch {
			case res.Outcome == webhook.Gone:
				disableWebhook(&w, now, "the endpoint answered 410 Gone")
			case now.Sub(*w.FailingSince) >= s.hooks.cfg.DisableAfter:
				disableWebhook(&w, now, fmt.Sprintf("every delivery since %s failed (last: %s)", w.FailingSince.Format(time.RFC3339), failure))
			}
			w.UpdatedAt = now
			if err := tx.UpdateWebhook(ctx, w); err != nil {
				return err
			}
		}
		cur.Status = omnivibe.DeliveryFailed
		if res.Outcome == webhook.Retry && !next.IsZero() && w.Enabled {
			cur.Status, cur.NextAttemptAt, retry = omnivibe.DeliveryRetrying, &next, true
		}
		return tx.UpdateWebhookDelivery(ctx, cur)
	})
	if err != nil {
		return err
	}
	if retry {
		return fmt.Errorf("%w: %s", ErrWebhookRetry, failure)
	}
	if failure != "" {
		s.log.Info("webhook delivery failed", "delivery", d.ID, "webhook", d.WebhookID, "err", failure)
	}
	return nil
}

func disableWebhook(w *omnivibe.Webhook, now time.Time, reason string) {
	w.Enabled, w.DisabledAt, w.DisabledReason = false, &now, &reason
}

// storableText makes an answer's bytes text every store keeps: valid UTF-8
// without NUL (PostgreSQL's text refuses both).
func storableText(b []byte) string {
	return strings.ReplaceAll(strings.ToValidUTF8(string(b), "\uFFFD"), "\x00", "\uFFFD")
}
