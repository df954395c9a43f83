package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/omnivibepro/omnivibe"
)

const webhookColumns = `id, account_id, url, description, events, enabled, secret_sealed, previous_secret_sealed,
	previous_secret_expires_at, failing_since, disabled_reason, disabled_at, created_at, updated_at`

func scanWebhook(row interface{ Scan(...any) error }) (omnivibe.Webhook, error) {
	var w omnivibe.Webhook
	var events string
	var prevExpires, failing, disabledAt sql.NullInt64
	var reason sql.NullString
	var created, updated int64
	err := row.Scan(&w.ID, &w.AccountID, &w.URL, &w.Description, &events, &w.Enabled, &w.SecretSealed, &w.PreviousSecretSealed,
		&prevExpires, &failing, &reason, &disabledAt, &created, &updated)
	w.Events = strings.Split(events, ",")
	w.PreviousSecretExpiresAt, w.FailingSince, w.DisabledAt = timePtr(prevExpires), timePtr(failing), timePtr(disabledAt)
	if reason.Valid {
		w.DisabledReason = &reason.String
	}
	w.CreatedAt, w.UpdatedAt = fromMicros(created), fromMicros(updated)
	return w, err
}

func (q queries) WebhookByID(ctx context.Context, accountID, id int64) (omnivibe.Webhook, error) {
	w, err := scanWebhook(q.queryRow(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE id = ? AND account_id = ?`, id, accountID))
	return w, notFoundOr(err, "webhook")
}

func (q queries) ListWebhooks(ctx context.Context, accountID int64) ([]omnivibe.Webhook, error) {
	rows, err := q.query(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE account_id = ? ORDER BY id`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []omnivibe.Webhook{}
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

func nullText(s *string) sql.NullString {
	if s == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: *s, Valid: true}
}

func (q queries) CreateWebhook(ctx context.Context, w *omnivibe.Webhook) error {
	return q.queryRow(ctx, `INSERT INTO webhooks (account_id, url, description, events, enabled, secret_sealed, previous_secret_sealed,
		previous_secret_expires_at, failing_since, disabled_reason, disabled_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		w.AccountID, w.URL, w.Description, strings.Join(w.Events, ","), w.Enabled, w.SecretSealed, w.PreviousSecretSealed,
		nullMicros(w.PreviousSecretExpiresAt), nullMicros(w.FailingSince), nullText(w.DisabledReason), nullMicros(w.DisabledAt),
		micros(w.CreatedAt), micros(w.UpdatedAt)).Scan(&w.ID)
}

func (q queries) UpdateWebhook(ctx context.Context, w omnivibe.Webhook) error {
	res, err := q.exec(ctx, `UPDATE webhooks SET url = ?, description = ?, events = ?, enabled = ?, secret_sealed = ?,
		previous_secret_sealed = ?, previous_secret_expires_at = ?, failing_since = ?, disabled_reason = ?, disabled_at = ?, updated_at = ?
		WHERE id = ? AND account_id = ?`,
		w.URL, w.Description, strings.Join(w.Events, ","), w.Enabled, w.SecretSealed, w.PreviousSecretSealed,
		nullMicros(w.PreviousSecretExpiresAt), nullMicros(w.FailingSince), nullText(w.DisabledReason), nullMicros(w.DisabledAt),
		micros(w.UpdatedAt), w.ID, w.AccountID)
	return mustAffect(res, err, "webhook")
}

func (q queries) DeleteWebhook(ctx context.Context, accountID, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM webhooks WHERE id = ? AND account_id = ?`, id, accountID)
	return mustAffect(res, err, "webhook")
}

const deliveryColumns = `id, webhook_id, account_id, message_id, event_type, payload, status, attempts, response_code,
	response_body, duration_ms, error, last_attempt_at, next_attempt_at, job_id, created_at, updated_at`

func scanDelivery(row interface{ Scan(...any) error }) (omnivibe.WebhookDelivery, error) {
	var d omnivibe.WebhookDelivery
	var payload string
	var code, duration, last, next sql.NullInt64
	var errText sql.NullString
	var created, updated int64
	err := row.Scan(&d.ID, &d.WebhookID, &d.AccountID, &d.MessageID, &d.EventType, &payload, &d.Status, &d.Attempts, &code,
		&d.ResponseBody, &duration, &errText, &last, &next, &d.JobID, &created, &updated)
	d.Payload = []byte(payload)
	if code.Valid {
		c := int(code.Int64)
		d.ResponseCode = &c
	}
	if duration.Valid {
		d.DurationMS = &duration.Int64
	}
	if errText.Valid {
		d.Error = &errText.String
	}
	d.LastAttemptAt, d.NextAttemptAt = timePtr(last), timePtr(next)
	d.CreatedAt, d.UpdatedAt = fromMicros(created), fromMicros(updated)
	return d, err
}

func (q queries) WebhookDelivery(ctx context.Context, accountID, webhookID, id int64) (omnivibe.WebhookDelivery, error) {
	d, err := scanDelivery(q.queryRow(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries
		WHERE id = ? AND webhook_id = ? AND account_id = ?`, id, webhookID, accountID))
	return d, notFoundOr(err, "delivery")
}

func (q queries) WebhookDeliveryForWork(ctx context.Context, id int64) (omnivibe.WebhookDelivery, error) {
	d, err := scanDelivery(q.queryRow(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE id = ?`, id))
	return d, notFoundOr(err, "delivery")
}

func (q queries) ListWebhookDeliveries(ctx context.Context, accountID, webhookID int64, page, pageSize int) ([]omnivibe.WebhookDelivery, int, error) {
	var total int
	if err := q.queryRow(ctx, `SELECT count(*) FROM webhook_deliveries WHERE webhook_id = ? AND account_id = ?`,
		webhookID, accountID).Scan(&total); err != nil {
		return nil, 0, err
	}
	out := []omnivibe.WebhookDelivery{}
	if total == 0 {
		return out, 0, nil
	}
	rows, err := q.query(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE webhook_id = ? AND account_id = ?
		ORDER BY id DESC LIMIT ? OFFSET ?`, webhookID, accountID, pageSize, offset(page, pageSize))
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, d)
	}
	return out, total, rows.Err()
}

func nullInt(p *int) sql.NullInt64 {
	if p == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: int64(*p), Valid: true}
}

func nullInt64(p *int64) sql.NullInt64 {
	if p == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: *p, Valid: true}
}

func (q queries) CreateWebhookDelivery(ctx context.Context, d *omnivibe.WebhookDelivery) error {
	return q.queryRow(ctx, `INSERT INTO webhook_deliveries (webhook_id, account_id, message_id, event_type, payload, status, attempts,
		response_code, response_body, duration_ms, error, last_attempt_at, next_attempt_at, job_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		d.WebhookID, d.AccountID, d.MessageID, d.EventType, string(d.Payload), d.Status, d.Attempts, nullInt(d.ResponseCode),
		d.ResponseBody, nullInt64(d.DurationMS), nullText(d.Error), nullMicros(d.LastAttemptAt), nullMicros(d.NextAttemptAt),
		d.JobID, micros(d.CreatedAt), micros(d.UpdatedAt)).Scan(&d.ID)
}

func (q queries) UpdateWebhookDelivery(ctx context.Context, d omnivibe.WebhookDelivery) error {
	res, err := q.exec(ctx, `UPDATE webhook_deliveries SET status = ?, attempts = ?, response_code = ?, response_body = ?,
		duration_ms = ?, error = ?, last_attempt_at = ?, next_attempt_at = ?, job_id = ?, updated_at = ?
		WHERE id = ? AND account_id = ?`,
		d.Status, d.Attempts, nullInt(d.ResponseCode), d.ResponseBody, nullInt64(d.DurationMS), nullText(d.Error),
		nullMicros(d.LastAttemptAt), nullMicros(d.NextAttemptAt), d.JobID, micros(d.UpdatedAt), d.ID, d.AccountID)
	return mustAffect(res, err, "delivery")
}
