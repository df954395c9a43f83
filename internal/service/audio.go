package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/speech"
)

// Queue runs audio tasks in the background, durably.
type Queue interface {
	// EnqueueAudio adds the job of a task inside tx: the task exists if and
	// only if its job does. Jobs of a lower priority number run first
	// (1-4, see AudioPriority).
	EnqueueAudio(ctx context.Context, tx Tx, job AudioJob, priority int) (jobID int64, err error)
	// CancelAudio cancels a task's job inside tx; a running job is told to stop.
	CancelAudio(ctx context.Context, tx Tx, jobID int64) error
	// JobFinished reports whether a job will never run again (completed,
	// cancelled or discarded after its last attempt).
	JobFinished(ctx context.Context, jobID int64) (bool, error)
}

// AudioJob is what a voice-over job was enqueued for: the task TaskID of the
// account AccountID. Task ids are random and never given twice; the account
// is checked as well, so a job can act on its own account's task only.
type AudioJob struct {
	AccountID int64
	TaskID    string
}

// AudioFiles keeps the audio of finished tasks (internal/filestore).
type AudioFiles interface {
	Save(accountID int64, name string, data []byte) (string, error)
	Open(rel string) (*os.File, error)
	Remove(rel string) error
}

// Speech is what voice-overs are made with: a synthesizer, and a recognizer
// that checks them (nil, or one that supports no language, when none is configured).
type Speech struct {
	Synthesizer speech.Synthesizer
	Recognizer  speech.Recognizer
}

// AudioObserver watches the voice-over pipeline, for metrics and traces.
type AudioObserver interface {
	// StartStage is called as a stage (normalize, synthesize, transcribe,
	// score, store) begins; end is called with its outcome.
	StartStage(ctx context.Context, stage string) (_ context.Context, end func(error))
	// Finished is called once a task reaches a final status.
	Finished(status string, attempts int, took time.Duration)
	// Scored is called with every attempt's similarity.
	Scored(language string, similarity float64)
}

// noObserver watches nothing.
type noObserver struct{}

func (noObserver) StartStage(ctx context.Context, _ string) (context.Context, func(error)) {
	return ctx, func(error) {}
}
func (noObserver) Finished(string, int, time.Duration) {}
func (noObserver) Scored(string, float64)              {}

// UseAudio enables voice-overs. It is separate from New because the queue's
// workers call back into the service. obs may be nil.
func (s *Service) UseAudio(q Queue, files AudioFiles, sp Speech, obs AudioObserver) {
	if obs == nil {
		obs = noObserver{}
	}
	s.queue, s.files, s.speech, s.audioObs = q, files, sp, obs
}

// newTaskID returns an opaque task ID: "aud_" and 128 random bits.
func newTaskID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "aud_" + base64.RawURLEncoding.EncodeToString(b), nil
}

// validIdempotencyKey accepts keys a client can reasonably send.
func validIdempotencyKey(k string) bool {
	if len(k) == 0 || len(k) > 255 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// GenerateAudio accepts a voice-over task and queues its job; it answers in
// milliseconds and the work runs in the background. With an idempotency key,
// a retried request returns the first task (created false) instead of a new one.
func (s *Service) GenerateAudio(ctx context.Context, p Principal, in omnivibe.AudioRequest, idempotencyKey string) (task omnivibe.AudioTask, created bool, err error) {
	if err := p.canWrite(); err != nil {
		return task, false, err
	}
	if err := in.Validate(); err != nil {
		return task, false, err
	}
	if idempotencyKey != "" && !validIdempotencyKey(idempotencyKey) {
		return task, false, fieldError("Idempotency-Key", "must be 1-255 printable ASCII characters")
	}
	if s.queue == nil || s.speech.Synthesizer == nil {
		return task, false, omnivibe.Errorf(omnivibe.CodeUnavailable, "voice-overs are not configured on this server")
	}
	text := in.Text
	var campaignID *int64
	if in.ContentID != nil {
		c, err := s.store.ContentByID(ctx, p.AccountID, *in.ContentID)
		if omnivibe.ErrorCode(err) == omnivibe.CodeNotFound {
			return task, false, fieldError("content_id", "must be a content of this account")
		} else if err != nil {
			return task, false, err
		}
		campaignID = &c.CampaignID
		if text == "" {
			sc, err := s.store.LatestScript(ctx, p.AccountID, c.ID)
			if omnivibe.ErrorCode(err) == omnivibe.CodeNotFound {
				return task, false, fieldError("content_id", "has no script yet: generate one first")
			} else if err != nil {
				return task, false, err
			}
			text = sc.SpokenText()
		}
	}
	hash := audioRequestHash(text, in)
	if idempotencyKey != "" {
		if t, err := s.store.AudioTaskByIdempotencyKey(ctx, p.AccountID, idempotencyKey); err == nil {
			return s.sameRequest(t, hash)
		}
	}
	taskID, err := newTaskID()
	if err != nil {
		return task, false, err
	}
	now := s.clock()
	task = omnivibe.AudioTask{
		TaskID: taskID, AccountID: p.AccountID, CampaignID: campaignID, ContentID: in.ContentID, IdempotencyKey: idempotencyKey,
		RequestHash: hash, Text: text, Language: in.Language, VoiceID: in.VoiceID, AccuracyThreshold: *in.AccuracyThreshold,
		MaxAttempts: *in.MaxAttempts, Status: omnivibe.AudioQueued, Stage: omnivibe.StageQueued, QuotaPeriod: omnivibe.Period(now),
		Synthesizer: s.speech.Synthesizer.Name(), Recognizer: s.recognizerName(in.Language), CreatedAt: now,
		Synthetic: s.speech.Synthesizer.Name() == speech.ProviderSynthetic,
	}
	err = s.store.InTx(ctx, func(tx Tx) error {
		if err := tx.LockAccount(ctx, p.AccountID); err != nil {
			return err
		}
		queued, err := tx.CountAudioTasks(ctx, p.AccountID, omnivibe.AudioQueued)
		if err != nil {
			return err
		}
		if queued >= omnivibe.MaxQueuedAudioPerAccount {
			return &omnivibe.Error{Code: omnivibe.CodeRateLimited, RetryAfter: 30 * time.Second,
				Message: fmt.Sprintf("the account already has %d voice-overs queued; wait for some to finish", queued)}
		}
		if err := s.consumeQuota(ctx, tx, p.AccountID, omnivibe.QuotaAudio); err != nil {
			return err
		}
		running, err := tx.CountAudioTasks(ctx, p.AccountID, omnivibe.AudioRunning)
		if err != nil {
			return err
		}
		if task.JobID, err = s.queue.EnqueueAudio(ctx, tx, AudioJob{AccountID: p.AccountID, TaskID: taskID}, AudioPriority(queued+running)); err != nil {
			return err
		}
		return tx.CreateAudioTask(ctx, &task)
	})
	if omnivibe.ErrorCode(err) == omnivibe.CodeConflict && idempotencyKey != "" {
		// A concurrent request with the same key won the race.
		if t, err := s.store.AudioTaskByIdempotencyKey(ctx, p.AccountID, idempotencyKey); err == nil {
			return s.sameRequest(t, hash)
		}
	}
	if err != nil {
		return omnivibe.AudioTask{}, false, err
	}
	s.withAudioURL(&task)
	return task, true, nil
}

// sameRequest answers a retried request: the first task when the request is
// the same, a conflict when the key was reused for another request.
func (s *Service) sameRequest(t omnivibe.AudioTask, hash string) (omnivibe.AudioTask, bool, error) {
	if t.RequestHash != hash {
		return omnivibe.AudioTask{}, false, omnivibe.Errorf(omnivibe.CodeConflict, "this Idempotency-Key was used for a different request")
	}
	s.withAudioURL(&t)
	return t, false, nil
}

func audioRequestHash(text string, in omnivibe.AudioRequest) string {
	h := sha256.New()
	content := ""
	if in.ContentID != nil {
		content = strconv.FormatInt(*in.ContentID, 10)
	}
	for _, part := range []string{text, in.Language, in.VoiceID, strconv.FormatFloat(*in.AccuracyThreshold, 'g', -1, 64),
		strconv.Itoa(*in.MaxAttempts), content} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// recognizerName is the recognizer that will check audio in language, or "none".
func (s *Service) recognizerName(language string) string {
	if r := s.speech.Recognizer; r != nil && r.Supports(language) {
		return r.Name()
	}
	return "none"
}

// withAudioURL sets the download URL of a task that has audio.
func (s *Service) withAudioURL(t *omnivibe.AudioTask) {
	if t.AudioPath != "" {
		u := "/api/v1/audio/download/" + t.TaskID
		t.AudioURL = &u
	}
}

// AudioTask returns one of the account's tasks, with its live progress.
func (s *Service) AudioTask(ctx context.Context, p Principal, taskID string) (omnivibe.AudioTask, error) {
	t, err := s.store.AudioTask(ctx, p.AccountID, taskID)
	if err != nil {
		return t, err
	}
	s.withAudioURL(&t)
	return t, nil
}

// ListAudio returns a page of the account's tasks, newest first.
func (s *Service) ListAudio(ctx context.Context, p Principal, f omnivibe.AudioFilter) (omnivibe.AudioPage, error) {
	var v omnivibe.Violations
	f.Check(&v)
	if err := v.Err(); err != nil {
		return omnivibe.AudioPage{}, err
	}
	tasks, total, err := s.store.ListAudioTasks(ctx, p.AccountID, f)
	for i := range tasks {
		s.withAudioURL(&tasks[i])
	}
	return omnivibe.AudioPage{Tasks: tasks, Total: total, Page: f.Page, PageSize: f.PageSize}, err
}

// CancelAudio cancels a queued or running task and gives its quota unit back.
func (s *Service) CancelAudio(ctx context.Context, p Principal, taskID string) error {
	if err := p.canWrite(); err != nil {
		return err
	}
	if s.queue == nil {
		return omnivibe.Errorf(omnivibe.CodeUnavailable, "voice-overs are not configured on this server")
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		t, err := tx.LockAudioTask(ctx, taskID)
		if err != nil || t.AccountID != p.AccountID {
			return omnivibe.NotFound("audio task")
		}
		if omnivibe.AudioFinished(t.Status) {
			return omnivibe.Errorf(omnivibe.CodeConflict, "the task is already %s", t.Status)
		}
		now := s.clock()
		t.Status, t.Stage, t.FinishedAt = omnivibe.AudioCancelled, omnivibe.StageDone, &now
		if err := tx.UpdateAudioTask(ctx, t); err != nil {
			return err
		}
		if err := s.emitAudioEvent(ctx, tx, t); err != nil {
			return err
		}
		if _, _, err := tx.AddUsage(ctx, t.AccountID, t.QuotaPeriod, omnivibe.QuotaAudio, -1, nil); err != nil {
			return err
		}
		return s.queue.CancelAudio(ctx, tx, t.JobID)
	})
}

// AudioDownload is a finished task's audio, opened for reading.
type AudioDownload struct {
	File        *os.File
	Name        string
	ContentType string
	ModTime     time.Time
}

// AudioFile opens the audio of one of the account's finished tasks.
func (s *Service) AudioFile(ctx context.Context, p Principal, taskID string) (AudioDownload, error) {
	t, err := s.store.AudioTask(ctx, p.AccountID, taskID)
	if err != nil {
		return AudioDownload{}, err
	}
	if !omnivibe.AudioFinished(t.Status) {
		return AudioDownload{}, omnivibe.Errorf(omnivibe.CodeConflict, "the task is %s; the audio is ready when it has finished", t.Status)
	}
	if t.AudioPath == "" || s.files == nil {
		return AudioDownload{}, omnivibe.Errorf(omnivibe.CodeConflict, "the task ended %s without audio", t.Status)
	}
	f, err := s.files.Open(t.AudioPath)
	if err != nil {
		return AudioDownload{}, fmt.Errorf("open audio of %s: %w", t.TaskID, err)
	}
	ct := "audio/wav"
	if t.AudioFormat == speech.FormatMP3 {
		ct = "audio/mpeg"
	}
	mod := t.CreatedAt
	if t.FinishedAt != nil {
		mod = *t.FinishedAt
	}
	return AudioDownload{File: f, Name: t.TaskID + "." + t.AudioFormat, ContentType: ct, ModTime: mod}, nil
}

// removeAudioFiles deletes files whose rows are gone; a failure is logged: the
// rows, which are what users see, are already deleted.
func (s *Service) removeAudioFiles(paths []string) {
	if s.files == nil {
		return
	}
	for _, p := range paths {
		if err := s.files.Remove(p); err != nil {
			s.log.Warn("audio file not removed", "path", p, "err", err)
		}
	}
}
