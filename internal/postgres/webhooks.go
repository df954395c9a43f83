package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/omnivibepro/omnivibe"
)

const webhookColumns = `id, account_id, url, description, events, enabled, secret_sealed, previous_secret_sealed,
	previous_secret_expires_at, failing_since, disabled_reason, disabled_at, created_at, updated_at`

func scanWebhook(row pgx.Row) (omnivibe.Webhook, error) {
	var w omnivibe.Webhook
	var events string
	err := row.Scan(&w.ID, &w.AccountID, &w.URL, &w.Description, &events, &w.Enabled, &w.SecretSealed, &w.PreviousSecretSealed,
		&w.PreviousSecretExpiresAt, &w.FailingSince, &w.DisabledReason, &w.DisabledAt, &w.CreatedAt, &w.UpdatedAt)
	w.Events = strings.Split(events, ",")
	w.PreviousSecretExpiresAt, w.FailingSince, w.DisabledAt = utcPtr(w.PreviousSecretExpiresAt), utcPtr(w.FailingSince), utcPtr(w.DisabledAt)
	w.CreatedAt, w.UpdatedAt = utc(w.CreatedAt), utc(w.UpdatedAt)
	return w, err
}

func (q queries) WebhookByID(ctx context.Context, accountID, id int64) (omnivibe.Webhook, error) {
	w, err := scanWebhook(q.db.QueryRow(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE id = $1 AND account_id = $2`+q.lock, id, accountID))
	return w, notFoundOr(err, "webhook")
}

func (q queries) ListWebhooks(ctx context.Context, accountID int64) ([]omnivibe.Webhook, error) {
	return collect(ctx, q.db, scanWebhook, `SELECT `+webhookColumns+` FROM webhooks WHERE account_id = $1 ORDER BY id`, accountID)
}

func (q queries) CreateWebhook(ctx context.Context, w *omnivibe.Webhook) error {
	return q.db.QueryRow(ctx, `INSERT INTO webhooks (account_id, url, description, events, enabled, secret_sealed, previous_secret_sealed,
		previous_secret_expires_at, failing_since, disabled_reason, disabled_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
		w.AccountID, w.URL, w.Description, strings.Join(w.Events, ","), w.Enabled, w.SecretSealed, w.PreviousSecretSealed,
		w.PreviousSecretExpiresAt, w.FailingSince, w.DisabledReason, w.DisabledAt, w.CreatedAt, w.UpdatedAt).Scan(&w.ID)
}

func (q queries) UpdateWebhook(ctx context.Context, w omnivibe.Webhook) error {
	tag, err := q.db.Exec(ctx, `UPDATE webhooks SET url = $1, description = $2, events = $3, enabled = $4, secret_sealed = $5,
		previous_secret_sealed = $6, previous_secret_expires_at = $7, failing_since = $8, disabled_reason = $9, disabled_at = $10,
		updated_at = $11 WHERE id = $12 AND account_id = $13`,
		w.URL, w.Description, strings.Join(w.Events, ","), w.Enabled, w.SecretSealed, w.PreviousSecretSealed,
		w.PreviousSecretExpiresAt, w.FailingSince, w.DisabledReason, w.DisabledAt, w.UpdatedAt, w.ID, w.AccountID)
	return mustAffect(tag, err, "webhook")
}

func (q queries) DeleteWebhook(ctx context.Context, accountID, id int64) error {
	tag, err := q.db.Exec(ctx, `DELETE FROM webhooks WHERE id = $1 AND account_id = $2`, id, accountID)
	return mustAffect(tag, err, "webhook")
}

const deliveryColumns = `id, webhook_id, account_id, message_id, event_type, payload, status, attempts, response_code,
	response_body, duration_ms, error, last_attempt_at, next_attempt_at, job_id, created_at, updated_at`

func scanDelivery(row pgx.Row) (omnivibe.WebhookDelivery, error) {
	var d omnivibe.WebhookDelivery
	var payload string
	err := row.Scan(&d.ID, &d.WebhookID, &d.AccountID, &d.MessageID, &d.EventType, &payload, &d.Status, &d.Attempts, &d.ResponseCode,
		&d.ResponseBody, &d.DurationMS, &d.Error, &d.LastAttemptAt, &d.NextAttemptAt, &d.JobID, &d.CreatedAt, &d.UpdatedAt)
	d.Payload = []byte(payload)
	d.LastAttemptAt, d.NextAttemptAt = utcPtr(d.LastAttemptAt), utcPtr(d.NextAttemptAt)
	d.CreatedAt, d.UpdatedAt = utc(d.CreatedAt), utc(d.UpdatedAt)
	return d, err
}

func (q queries) WebhookDelivery(ctx context.Context, accountID, webhookID, id int64) (omnivibe.WebhookDelivery, error) {
	d, err := scanDelivery(q.db.QueryRow(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries
		WHERE id = $1 AND webhook_id = $2 AND account_id = $3`+q.lock, id, webhookID, accountID))
	return d, notFoundOr(err, "delivery")
}

func (q queries) WebhookDeliveryForWork(ctx context.Context, id int64) (omnivibe.WebhookDelivery, error) {
	d, err := scanDelivery(q.db.QueryRow(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE id = $1`+q.lock, id))
	return d, notFoundOr(err, "delivery")
}

func (q queries) ListWebhookDeliveries(ctx context.Context, accountID, webhookID int64, page, pageSize int) ([]omnivibe.WebhookDelivery, int, error) {
	return pageOf(ctx, q.db, `SELECT count(*) FROM webhook_deliveries WHERE webhook_id = $1 AND account_id = $2`,
		`SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE webhook_id = $1 AND account_id = $2 ORDER BY id DESC LIMIT $3 OFFSET $4`,
		[]any{webhookID, accountID}, pageSize, offset(page, pageSize), scanDelivery)
}

func (q queries) CreateWebhookDelivery(ctx context.Context, d *omnivibe.WebhookDelivery) error {
	return q.db.QueryRow(ctx, `INSERT INTO webhook_deliveries (webhook_id, account_id, message_id, event_type, payload, status, attempts,
		response_code, response_body, duration_ms, error, last_attempt_at, next_attempt_at, job_id, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
		d.WebhookID, d.AccountID, d.MessageID, d.EventType, string(d.Payload), d.Status, d.Attempts, d.ResponseCode,
		d.ResponseBody, d.DurationMS, d.Error, d.LastAttemptAt, d.NextAttemptAt, d.JobID, d.CreatedAt, d.UpdatedAt).Scan(&d.ID)
}

func (q queries) UpdateWebhookDelivery(ctx context.Context, d omnivibe.WebhookDelivery) error {
	tag, err := q.db.Exec(ctx, `UPDATE webhook_deliveries SET status = $1, attempts = $2, response_code = $3, response_body = $4,
		duration_ms = $5, error = $6, last_attempt_at = $7, next_attempt_at = $8, job_id = $9, updated_at = $10
		WHERE id = $11 AND account_id = $12`,
		d.Status, d.Attempts, d.ResponseCode, d.ResponseBody, d.DurationMS, d.Error, d.LastAttemptAt, d.NextAttemptAt, d.JobID,
		d.UpdatedAt, d.ID, d.AccountID)
	return mustAffect(tag, err, "delivery")
}
