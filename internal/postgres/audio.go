package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/omnivibepro/omnivibe"
)

const audioColumns = `id, task_id, account_id, campaign_id, content_id, idempotency_key, request_hash, text, language, voice_id,
	accuracy_threshold, max_attempts, status, stage, progress, attempts, similarity, verified, warning, normalized_text,
	normalization, transcript, iterations, synthesizer, recognizer, synthetic, audio_path, audio_format, duration, error,
	job_id, quota_period, created_at, started_at, finished_at, providers_skipped, words`

func scanAudioTask(row pgx.Row) (omnivibe.AudioTask, error) {
	var t omnivibe.AudioTask
	var idem *string
	var warning string
	var normalization, iterations, audioErr, words []byte
	var jobID *int64
	var skipped []byte
	err := row.Scan(&t.ID, &t.TaskID, &t.AccountID, &t.CampaignID, &t.ContentID, &idem, &t.RequestHash, &t.Text, &t.Language, &t.VoiceID,
		&t.AccuracyThreshold, &t.MaxAttempts, &t.Status, &t.Stage, &t.Progress, &t.Attempts, &t.Similarity, &t.Verified, &warning,
		&t.NormalizedText, &normalization, &t.Transcript, &iterations, &t.Synthesizer, &t.Recognizer, &t.Synthetic, &t.AudioPath,
		&t.AudioFormat, &t.Duration, &audioErr, &jobID, &t.QuotaPeriod, &t.CreatedAt, &t.StartedAt, &t.FinishedAt, &skipped, &words)
	if err != nil {
		return t, err
	}
	if idem != nil {
		t.IdempotencyKey = *idem
	}
	if warning != "" {
		t.Warning = &warning
	}
	if jobID != nil {
		t.JobID = *jobID
	}
	t.CreatedAt, t.StartedAt, t.FinishedAt = utc(t.CreatedAt), utcPtr(t.StartedAt), utcPtr(t.FinishedAt)
	t.Normalization, t.Iterations = []omnivibe.Replacement{}, []omnivibe.AudioIteration{}
	if err := json.Unmarshal(normalization, &t.Normalization); err != nil {
		return t, err
	}
	if err := json.Unmarshal(iterations, &t.Iterations); err != nil {
		return t, err
	}
	if err := json.Unmarshal(skipped, &t.ProvidersSkipped); err != nil {
		return t, err
	}
	if t.Words, err = decodeWords(words); err != nil {
		return t, err
	}
	if audioErr != nil {
		t.Error = &omnivibe.AudioError{}
		if err := json.Unmarshal(audioErr, t.Error); err != nil {
			return t, err
		}
	}
	return t, nil
}

// audioJSON encodes the task's structured fields as stored.
func audioJSON(t omnivibe.AudioTask) (normalization, iterations, audioErr []byte, err error) {
	n, it := t.Normalization, t.Iterations
	if n == nil {
		n = []omnivibe.Replacement{}
	}
	if it == nil {
		it = []omnivibe.AudioIteration{}
	}
	if normalization, err = json.Marshal(n); err != nil {
		return
	}
	if iterations, err = json.Marshal(it); err != nil {
		return
	}
	if t.Error != nil {
		audioErr, err = json.Marshal(t.Error)
	}
	return
}

func nullText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func warningText(w *string) string {
	if w == nil {
		return ""
	}
	return *w
}

func (q queries) AudioTask(ctx context.Context, accountID int64, taskID string) (omnivibe.AudioTask, error) {
	t, err := scanAudioTask(q.db.QueryRow(ctx, `SELECT `+audioColumns+` FROM audio_tasks WHERE task_id = $1 AND account_id = $2`, taskID, accountID))
	return t, notFoundOr(err, "audio task")
}

func (q queries) AudioTaskForWork(ctx context.Context, taskID string) (omnivibe.AudioTask, error) {
	t, err := scanAudioTask(q.db.QueryRow(ctx, `SELECT `+audioColumns+` FROM audio_tasks WHERE task_id = $1`, taskID))
	return t, notFoundOr(err, "audio task")
}

// LockAudioTask reads the task and locks its row until the transaction ends,
// so a cancel and a worker's progress cannot overwrite each other.
func (q queries) LockAudioTask(ctx context.Context, taskID string) (omnivibe.AudioTask, error) {
	t, err := scanAudioTask(q.db.QueryRow(ctx, `SELECT `+audioColumns+` FROM audio_tasks WHERE task_id = $1`+lockForUpdate, taskID))
	return t, notFoundOr(err, "audio task")
}

func (q queries) AudioTaskByIdempotencyKey(ctx context.Context, accountID int64, key string) (omnivibe.AudioTask, error) {
	t, err := scanAudioTask(q.db.QueryRow(ctx, `SELECT `+audioColumns+` FROM audio_tasks WHERE account_id = $1 AND idempotency_key = $2`, accountID, key))
	return t, notFoundOr(err, "audio task")
}

func (q queries) ListAudioTasks(ctx context.Context, accountID int64, f omnivibe.AudioFilter) ([]omnivibe.AudioTask, int, error) {
	where, page := `account_id = $1`, ` ORDER BY id DESC LIMIT $2 OFFSET $3`
	args := []any{accountID}
	if f.Status != "" {
		where, page = where+` AND status = $2`, ` ORDER BY id DESC LIMIT $3 OFFSET $4`
		args = append(args, f.Status)
	}
	return pageOf(ctx, q.db, `SELECT count(*) FROM audio_tasks WHERE `+where, `SELECT `+audioColumns+` FROM audio_tasks WHERE `+where+page,
		args, f.PageSize, offset(f.Page, f.PageSize), scanAudioTask)
}

func (q queries) CountAudioTasks(ctx context.Context, accountID int64, status string) (int, error) {
	var n int
	err := q.db.QueryRow(ctx, `SELECT count(*) FROM audio_tasks WHERE account_id = $1 AND status = $2`, accountID, status).Scan(&n)
	return n, err
}

func (q queries) AudioFiles(ctx context.Context, accountID, campaignID, contentID int64) ([]string, error) {
	return collect(ctx, q.db, func(r pgx.Row) (string, error) {
		var p string
		return p, r.Scan(&p)
	}, `SELECT audio_path FROM audio_tasks
		WHERE account_id = $1 AND audio_path <> '' AND (($2 > 0 AND campaign_id = $2) OR ($3 > 0 AND content_id = $3))`,
		accountID, campaignID, contentID)
}

func (q queries) UnfinishedAudioTasks(ctx context.Context, before time.Time, limit int) ([]omnivibe.AudioTask, error) {
	return collect(ctx, q.db, scanAudioTask, `SELECT `+audioColumns+` FROM audio_tasks
		WHERE status IN ('queued', 'running') AND created_at < $1 ORDER BY created_at LIMIT $2`, before, limit)
}

func (q queries) CreateAudioTask(ctx context.Context, t *omnivibe.AudioTask) error {
	normalization, iterations, audioErr, err := audioJSON(*t)
	if err != nil {
		return err
	}
	err = q.db.QueryRow(ctx, `INSERT INTO audio_tasks (task_id, account_id, campaign_id, content_id, idempotency_key, request_hash, text,
		language, voice_id, accuracy_threshold, max_attempts, status, stage, progress, attempts, similarity, verified, warning,
		normalized_text, normalization, transcript, iterations, synthesizer, recognizer, synthetic, audio_path, audio_format,
		duration, error, job_id, quota_period, created_at, started_at, finished_at, providers_skipped)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24,
		$25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35) RETURNING id`,
		t.TaskID, t.AccountID, t.CampaignID, t.ContentID, nullText(t.IdempotencyKey), t.RequestHash, t.Text, t.Language, t.VoiceID,
		t.AccuracyThreshold, t.MaxAttempts, t.Status, t.Stage, t.Progress, t.Attempts, t.Similarity, t.Verified, warningText(t.Warning),
		t.NormalizedText, normalization, t.Transcript, iterations, t.Synthesizer, t.Recognizer, t.Synthetic, t.AudioPath, t.AudioFormat,
		t.Duration, audioErr, nullID(t.JobID), t.QuotaPeriod, t.CreatedAt, t.StartedAt, t.FinishedAt, skippedJSON(*t)).Scan(&t.ID)
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
	tag, err := q.db.Exec(ctx, `UPDATE audio_tasks SET status = $1, stage = $2, progress = $3, attempts = $4, similarity = $5,
		verified = $6, warning = $7, normalized_text = $8, normalization = $9, transcript = $10, iterations = $11, synthesizer = $12,
		recognizer = $13, synthetic = $14, audio_path = $15, audio_format = $16, duration = $17, error = $18, job_id = $19,
		started_at = $20, finished_at = $21, providers_skipped = $22, words = $23 WHERE id = $24 AND account_id = $25`,
		t.Status, t.Stage, t.Progress, t.Attempts, t.Similarity, t.Verified, warningText(t.Warning), t.NormalizedText, normalization,
		t.Transcript, iterations, t.Synthesizer, t.Recognizer, t.Synthetic, t.AudioPath, t.AudioFormat, t.Duration, audioErr,
		nullID(t.JobID), t.StartedAt, t.FinishedAt, skippedJSON(t), words, t.ID, t.AccountID)
	return mustAffect(tag, err, "audio task")
}

// skippedJSON encodes the providers a task skipped; never null.
func skippedJSON(t omnivibe.AudioTask) []byte {
	if len(t.ProvidersSkipped) == 0 {
		return []byte("[]")
	}
	b, err := json.Marshal(t.ProvidersSkipped)
	if err != nil {
		return []byte("[]") // a slice of plain strings and numbers always encodes
	}
	return b
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
