package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/omnivibepro/omnivibe"
)

const audioColumns = `id, task_id, account_id, campaign_id, content_id, idempotency_key, request_hash, text, language, voice_id,
	accuracy_threshold, max_attempts, status, stage, progress, attempts, similarity, verified, warning, normalized_text,
	normalization, transcript, iterations, synthesizer, recognizer, synthetic, audio_path, audio_format, duration, error,
	job_id, quota_period, created_at, started_at, finished_at, providers_skipped, words`

func scanAudioTask(row interface{ Scan(...any) error }) (omnivibe.AudioTask, error) {
	var t omnivibe.AudioTask
	var idem sql.NullString
	var warning string
	var normalization, iterations, words string
	var audioErr sql.NullString
	var jobID sql.NullInt64
	var created int64
	var started, finished sql.NullInt64
	var skipped string
	err := row.Scan(&t.ID, &t.TaskID, &t.AccountID, &t.CampaignID, &t.ContentID, &idem, &t.RequestHash, &t.Text, &t.Language, &t.VoiceID,
		&t.AccuracyThreshold, &t.MaxAttempts, &t.Status, &t.Stage, &t.Progress, &t.Attempts, &t.Similarity, &t.Verified, &warning,
		&t.NormalizedText, &normalization, &t.Transcript, &iterations, &t.Synthesizer, &t.Recognizer, &t.Synthetic, &t.AudioPath,
		&t.AudioFormat, &t.Duration, &audioErr, &jobID, &t.QuotaPeriod, &created, &started, &finished, &skipped, &words)
	if err != nil {
		return t, err
	}
	t.IdempotencyKey = idem.String
	if warning != "" {
		t.Warning = &warning
	}
	t.JobID = jobID.Int64
	t.CreatedAt, t.StartedAt, t.FinishedAt = fromMicros(created), timePtr(started), timePtr(finished)
	t.Normalization, t.Iterations = []omnivibe.Replacement{}, []omnivibe.AudioIteration{}
	if err := json.Unmarshal([]byte(normalization), &t.Normalization); err != nil {
		return t, err
	}
	if err := json.Unmarshal([]byte(iterations), &t.Iterations); err != nil {
		return t, err
	}
	if err := json.Unmarshal([]byte(skipped), &t.ProvidersSkipped); err != nil {
		return t, err
	}
	if t.Words, err = decodeWords([]byte(words)); err != nil {
		return t, err
	}
	if audioErr.Valid {
		t.Error = &omnivibe.AudioError{}
		if err := json.Unmarshal([]byte(audioErr.String), t.Error); err != nil {
			return t, err
		}
	}
	return t, nil
}

// audioJSON encodes the task's structured fields as stored.
func audioJSON(t omnivibe.AudioTask) (normalization, iterations string, audioErr sql.NullString, err error) {
	n := t.Normalization
	if n == nil {
		n = []omnivibe.Replacement{}
	}
	it := t.Iterations
	if it == nil {
		it = []omnivibe.AudioIteration{}
	}
	nb, err := json.Marshal(n)
	if err != nil {
		return
	}
	ib, err := json.Marshal(it)
	if err != nil {
		return
	}
	if t.Error != nil {
		eb, e := json.Marshal(t.Error)
		if e != nil {
			err = e
			return
		}
		audioErr = sql.NullString{String: string(eb), Valid: true}
	}
	return string(nb), string(ib), audioErr, nil
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

func warningText(w *string) string {
	if w == nil {
		return ""
	}
	return *w
}

func (q queries) AudioTask(ctx context.Context, accountID int64, taskID string) (omnivibe.AudioTask, error) {
	t, err := scanAudioTask(q.queryRow(ctx, `SELECT `+audioColumns+` FROM audio_tasks WHERE task_id = ? AND account_id = ?`, taskID, accountID))
	return t, notFoundOr(err, "audio task")
}

func (q queries) AudioTaskForWork(ctx context.Context, taskID string) (omnivibe.AudioTask, error) {
	t, err := scanAudioTask(q.queryRow(ctx, `SELECT `+audioColumns+` FROM audio_tasks WHERE task_id = ?`, taskID))
	return t, notFoundOr(err, "audio task")
}

func (q queries) AudioTaskByIdempotencyKey(ctx context.Context, accountID int64, key string) (omnivibe.AudioTask, error) {
	t, err := scanAudioTask(q.queryRow(ctx, `SELECT `+audioColumns+` FROM audio_tasks WHERE account_id = ? AND idempotency_key = ?`, accountID, key))
	return t, notFoundOr(err, "audio task")
}

func (q queries) ListAudioTasks(ctx context.Context, accountID int64, f omnivibe.AudioFilter) ([]omnivibe.AudioTask, int, error) {
	where := `account_id = ?`
	args := []any{accountID}
	if f.Status != "" {
		where += ` AND status = ?`
		args = append(args, f.Status)
	}
	var total int
	if err := q.queryRow(ctx, `SELECT count(*) FROM audio_tasks WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	tasks := []omnivibe.AudioTask{}
	if total == 0 || offset(f.Page, f.PageSize) >= total {
		return tasks, total, nil
	}
	rows, err := q.query(ctx, `SELECT `+audioColumns+` FROM audio_tasks WHERE `+where+` ORDER BY id DESC LIMIT ? OFFSET ?`,
		append(args, f.PageSize, offset(f.Page, f.PageSize))...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		t, err := scanAudioTask(rows)
		if err != nil {
			return nil, 0, err
		}
		tasks = append(tasks, t)
	}
	return tasks, total, rows.Err()
}

func (q queries) CountAudioTasks(ctx context.Context, accountID int64, status string) (int, error) {
	var n int
	err := q.queryRow(ctx, `SELECT count(*) FROM audio_tasks WHERE account_id = ? AND status = ?`, accountID, status).Scan(&n)
	return n, err
}

func (q queries) AudioFiles(ctx context.Context, accountID, campaignID, contentID int64) ([]string, error) {
	rows, err := q.query(ctx, `SELECT audio_path FROM audio_tasks
		WHERE account_id = ? AND audio_path != '' AND ((? > 0 AND campaign_id = ?) OR (? > 0 AND content_id = ?))`,
		accountID, campaignID, campaignID, contentID, contentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var paths []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		paths = append(paths, p)
	}
	return paths, rows.Err()
}

func (q queries) UnfinishedAudioTasks(ctx context.Context, before time.Time, limit int) ([]omnivibe.AudioTask, error) {
	rows, err := q.query(ctx, `SELECT `+audioColumns+` FROM audio_tasks
		WHERE status IN ('queued', 'running') AND created_at < ? ORDER BY created_at LIMIT ?`, micros(before), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var tasks []omnivibe.AudioTask
	for rows.Next() {
		t, err := scanAudioTask(rows)
		if err != nil {
			return nil, err
		}
		tasks = append(tasks, t)
	}
	return tasks, rows.Err()
}

func (q queries) CreateAudioTask(ctx context.Context, t *omnivibe.AudioTask) error {
	normalization, iterations, audioErr, err := audioJSON(*t)
	if err != nil {
		return err
	}
	err = q.queryRow(ctx, `INSERT INTO audio_tasks (task_id, account_id, campaign_id, content_id, idempotency_key, request_hash, text,
		language, voice_id, accuracy_threshold, max_attempts, status, stage, progress, attempts, similarity, verified, warning,
		normalized_text, normalization, transcript, iterations, synthesizer, recognizer, synthetic, audio_path, audio_format,
		duration, error, job_id, quota_period, created_at, started_at, finished_at, providers_skipped)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		t.TaskID, t.AccountID, t.CampaignID, t.ContentID, nullString(t.IdempotencyKey), t.RequestHash, t.Text, t.Language, t.VoiceID,
		t.AccuracyThreshold, t.MaxAttempts, t.Status, t.Stage, t.Progress, t.Attempts, t.Similarity, t.Verified, warningText(t.Warning),
		t.NormalizedText, normalization, t.Transcript, iterations, t.Synthesizer, t.Recognizer, t.Synthetic, t.AudioPath, t.AudioFormat,
		t.Duration, audioErr, nullID(t.JobID), t.QuotaPeriod, micros(t.CreatedAt), nullMicros(t.StartedAt), nullMicros(t.FinishedAt), skippedJSON(*t)).Scan(&t.ID)
	return conflictOr(err, "audio task", "this Idempotency-Key was already used")
}

func (q queries) UpdateAudioTask(ctx context.Context, t omnivibe.AudioTask) error {
	normalization, iterations, audioErr, err := audioJSON(t)
	if err != nil {
		return err
	}
	words, err := encodeWords(t.Words)
	if err != nil {
		return err
	}
	res, err := q.exec(ctx, `UPDATE audio_tasks SET status = ?, stage = ?, progress = ?, attempts = ?, similarity = ?, verified = ?,
		warning = ?, normalized_text = ?, normalization = ?, transcript = ?, iterations = ?, synthesizer = ?, recognizer = ?,
		synthetic = ?, audio_path = ?, audio_format = ?, duration = ?, error = ?, job_id = ?, started_at = ?, finished_at = ?,
		providers_skipped = ?, words = ? WHERE id = ? AND account_id = ?`,
		t.Status, t.Stage, t.Progress, t.Attempts, t.Similarity, t.Verified, warningText(t.Warning), t.NormalizedText, normalization,
		t.Transcript, iterations, t.Synthesizer, t.Recognizer, t.Synthetic, t.AudioPath, t.AudioFormat, t.Duration, audioErr,
		nullID(t.JobID), nullMicros(t.StartedAt), nullMicros(t.FinishedAt), skippedJSON(t), string(words), t.ID, t.AccountID)
	return mustAffect(res, err, "audio task")
}

// LockAudioTask reads the task: write transactions on the single writer are
// serial, so nothing changes it before this one ends.
func (q queries) LockAudioTask(ctx context.Context, taskID string) (omnivibe.AudioTask, error) {
	return q.AudioTaskForWork(ctx, taskID)
}

// skippedJSON encodes the providers a task skipped; never null.
func skippedJSON(t omnivibe.AudioTask) string {
	if len(t.ProvidersSkipped) == 0 {
		return "[]"
	}
	b, err := json.Marshal(t.ProvidersSkipped)
	if err != nil {
		return "[]" // a slice of plain strings and numbers always encodes
	}
	return string(b)
}

// encodeWords stores a task's word-by-word check (migration 0003); none is
// stored as an empty list.
func encodeWords(words []omnivibe.AudioWord) ([]byte, error) {
	if words == nil {
		words = []omnivibe.AudioWord{}
	}
	return json.Marshal(words)
}

// decodeWords reads what encodeWords stored; it is never nil.
func decodeWords(data []byte) ([]omnivibe.AudioWord, error) {
	words := []omnivibe.AudioWord{}
	if len(data) == 0 {
		return words, nil
	}
	err := json.Unmarshal(data, &words)
	return words, err
}
