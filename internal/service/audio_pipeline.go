package service

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/speech"
)

// The rules of a voice-over's final status (shared/spec/api.md, "Audio").
const (
	// earlyStopBelow: a first attempt scoring under this stops the loop; more
	// attempts of the same text rarely recover from a mismatch that large.
	earlyStopBelow = 0.6
	// partialAbove: a best attempt above this, though under the threshold,
	// is delivered as partial; at or below it the task fails.
	partialAbove = 0.8
	// providerTries is how often a provider call is tried when the provider
	// is unavailable (429, 5xx, network), with exponential backoff between.
	providerTries = 3
)

// errTaskStopped means the task was cancelled (or finished by someone else)
// while it ran: the worker stops without touching it.
var errTaskStopped = errors.New("audio task stopped")

// attempt is the outcome of one synthesize → transcribe → score round.
type attempt struct {
	audio      speech.Audio
	similarity *float64
	transcript string
	words      []omnivibe.AudioWord
}

// RunAudioTask is the work of one voice-over, run by a queue worker: normalize
// the text, then per attempt synthesize, transcribe and score, keeping the
// best attempt, until the similarity reaches the threshold, the attempts run
// out, or the first attempt is so far off that more would not help. Progress
// and stage are written as it goes. A nil error means the task reached a
// final status (or was cancelled); an error means the job should run again.
// A job acts only on the task of the account it was enqueued for (jobs
// enqueued before they carried the account have AccountID 0).
func (s *Service) RunAudioTask(ctx context.Context, job AudioJob) error {
	taskID := job.TaskID
	t, err := s.store.AudioTaskForWork(ctx, taskID)
	if omnivibe.ErrorCode(err) == omnivibe.CodeNotFound {
		return nil // deleted with its campaign or content
	}
	if err != nil {
		return err
	}
	if job.AccountID != 0 && t.AccountID != job.AccountID {
		s.log.Warn("audio job found another account's task; nothing done", "task_id", taskID)
		return nil
	}
	if omnivibe.AudioFinished(t.Status) {
		return nil
	}
	started := time.Now()
	err = s.runAudio(ctx, &t)
	if errors.Is(err, errTaskStopped) {
		s.log.Info("audio task stopped", "task_id", taskID)
		return nil
	}
	if err == nil {
		s.audioObs.Finished(t.Status, t.Attempts, time.Since(started))
	}
	return err
}

// stage runs one stage of the pipeline under the observer.
func stage[T any](ctx context.Context, s *Service, name string, call func(context.Context) (T, error)) (T, error) {
	ctx, end := s.audioObs.StartStage(ctx, name)
	out, err := call(ctx)
	end(err)
	return out, err
}

func (s *Service) runAudio(ctx context.Context, t *omnivibe.AudioTask) error {
	now := s.clock()
	// A task may run again after a crash: it starts over.
	t.Status, t.Stage, t.Progress, t.StartedAt = omnivibe.AudioRunning, omnivibe.StageNormalizing, 0.02, &now
	t.Attempts, t.Iterations, t.Similarity, t.Error, t.Warning, t.Transcript = 0, []omnivibe.AudioIteration{}, nil, nil, nil, ""
	t.Synthesizer, t.ProvidersSkipped, t.Words = s.speech.Synthesizer.Name(), []omnivibe.ProviderSkip{}, []omnivibe.AudioWord{}
	if err := s.saveAudio(ctx, t); err != nil {
		return err
	}

	normalized, _ := stage(ctx, s, "normalize", func(context.Context) (speech.Normalized, error) {
		return speech.Normalize(t.Text, t.Language), nil
	})
	t.NormalizedText = normalized.Text
	t.Normalization = make([]omnivibe.Replacement, len(normalized.Replacements))
	for i, r := range normalized.Replacements {
		t.Normalization[i] = omnivibe.Replacement{Original: r.Original, Spoken: r.Spoken}
	}
	if normalized.Text == "" {
		return s.failAudio(ctx, t, omnivibe.AudioError{Stage: "normalize", Code: "nothing_to_say", Message: "the text has no words to speak once headings and labels are removed"})
	}
	reason := speech.UnverifiedReason(s.speech.Recognizer, t.Language)
	verify := reason == ""
	t.Recognizer = "none"
	if verify {
		t.Recognizer = s.speech.Recognizer.Name()
	} else {
		t.Warning = &reason
	}

	var best *attempt
	earlyStop := false
	for n := 1; n <= t.MaxAttempts; n++ {
		t.Attempts = n
		t.Stage, t.Progress = omnivibe.StageSynthesizing, progress(t, n, 0)
		if err := s.saveAudio(ctx, t); err != nil {
			return err
		}
		synth := s.speech.Synthesizer
		if v, ok := synth.(attemptVariant); ok {
			synth = v.ForAttempt(n)
		}
		var route speech.Route
		audio, err := stage(ctx, s, "synthesize", func(ctx context.Context) (a speech.Audio, err error) {
			return retryProvider(ctx, func() (speech.Audio, error) {
				a, route, err = synthesizeRouted(ctx, synth, t.NormalizedText, t.Language, t.VoiceID)
				return a, err
			})
		})
		noteRoute(t, "synthesize", n, route, &t.Synthesizer)
		if err != nil {
			return s.providerFailed(ctx, t, "synthesize", failedProvider(route, s.speech.Synthesizer.Name()), err)
		}
		t.Synthetic = t.Synthetic || audio.Synthetic
		if !verify {
			best = &attempt{audio: audio, words: []omnivibe.AudioWord{}} // nothing heard, nothing to mark
			t.Iterations = append(t.Iterations, omnivibe.AudioIteration{Attempt: n, Duration: audio.Duration})
			break // nothing can tell one attempt from another
		}

		t.Stage, t.Progress = omnivibe.StageTranscribing, progress(t, n, 0.45)
		if err := s.saveAudio(ctx, t); err != nil {
			return err
		}
		// speech.Verify checks the audio word by word: the local
		// recognizer by utterance verification, any other by comparing its
		// transcript (normalized too, so "15%" matches "fifteen percent").
		checked, err := stage(ctx, s, "transcribe", func(ctx context.Context) (v speech.Verification, err error) {
			return retryProvider(ctx, func() (speech.Verification, error) {
				v, route, err = verifyRouted(ctx, s.speech.Recognizer, audio, t.Language, t.NormalizedText)
				return v, err
			})
		})
		noteRoute(t, "transcribe", n, route, &t.Recognizer)
		if err != nil {
			return s.providerFailed(ctx, t, "transcribe", failedProvider(route, s.speech.Recognizer.Name()), err)
		}

		t.Stage, t.Progress = omnivibe.StageScoring, progress(t, n, 0.9)
		sim, _ := stage(ctx, s, "score", func(context.Context) (float64, error) {
			return checked.Similarity, nil
		})
		transcript := checked.Transcript
		s.audioObs.Scored(t.Language, sim)
		t.Iterations = append(t.Iterations, omnivibe.AudioIteration{Attempt: n, Similarity: &sim, Transcript: transcript, Duration: audio.Duration})
		if best == nil || sim > *best.similarity {
			best = &attempt{audio: audio, similarity: &sim, transcript: transcript, words: audioWords(checked.Words)}
			t.Similarity, t.Transcript = &sim, transcript
		}
		if sim >= t.AccuracyThreshold {
			break
		}
		if n == 1 && sim < earlyStopBelow {
			earlyStop = true
			break
		}
	}

	t.Verified = verify
	var final string
	switch {
	case !verify, *best.similarity >= t.AccuracyThreshold:
		final = omnivibe.AudioSucceeded
	case earlyStop, *best.similarity > partialAbove:
		final = omnivibe.AudioPartial
	default:
		msg := fmt.Sprintf("the best of %d attempts scored %.2f, at or under %.2f", t.Attempts, *best.similarity, partialAbove)
		t.Words = best.words // where it went wrong
		return s.failAudio(ctx, t, omnivibe.AudioError{Stage: "score", Code: "low_similarity", Message: msg})
	}

	t.Stage, t.Progress = omnivibe.StageStoring, 0.95
	if err := s.saveAudio(ctx, t); err != nil {
		return err
	}
	rel, err := stage(ctx, s, "store", func(context.Context) (string, error) {
		return s.files.Save(t.AccountID, t.TaskID+"."+best.audio.Format, best.audio.Data)
	})
	if err != nil {
		s.log.Error("audio not stored", "task_id", t.TaskID, "err", err)
		return s.failAudio(ctx, t, omnivibe.AudioError{Stage: "store", Code: "internal", Retryable: true, Message: "the audio could not be stored"})
	}
	t.AudioPath, t.AudioFormat = rel, best.audio.Format
	t.Words = best.words
	d := best.audio.Duration
	t.Duration = &d
	t.Status = final
	return s.finishAudio(ctx, t, false)
}

// progress is how far a task is: attempts share the span from 5 % to 90 %,
// and within an attempt, stage is the fraction done.
func progress(t *omnivibe.AudioTask, attempt int, stage float64) float64 {
	return 0.05 + 0.85*(float64(attempt-1)+stage)/float64(t.MaxAttempts)
}

// attemptVariant is a synthesizer that can say a text differently on a later
// attempt (espeak-ng, which is otherwise deterministic, speaks slower).
type attemptVariant interface {
	ForAttempt(n int) speech.Synthesizer
}

// maxProviderWait caps how long a provider's Retry-After is honoured inside a job.
const maxProviderWait = 30 * time.Second

// retryProvider calls a provider, again with backoff and jitter while it is
// unavailable (429, 5xx, network), waiting at least what the provider asked
// for. Rejections and context ends are final.
func retryProvider[T any](ctx context.Context, call func() (T, error)) (T, error) {
	var out T
	var err error
	delay := 500 * time.Millisecond
	for try := 1; try <= providerTries; try++ {
		out, err = call()
		if err == nil || !errors.Is(err, speech.ErrProviderUnavailable) || try == providerTries {
			return out, err
		}
		wait := delay/2 + rand.N(delay) // #nosec G404 -- jitter keeps retrying workers apart; it needs spread, not secrecy
		var pe *speech.ProviderError
		if errors.As(err, &pe) && pe.RetryAfterSeconds > 0 {
			wait = max(wait, min(maxProviderWait, time.Duration(pe.RetryAfterSeconds*float64(time.Second))))
		}
		select {
		case <-ctx.Done():
			return out, ctx.Err()
		case <-time.After(wait):
		}
		delay *= 2
	}
	return out, err
}

// providerFailed ends a task whose provider failed for good. A context that
// ended is not the provider's fault: the job stops (cancelled) or runs again.
func (s *Service) providerFailed(ctx context.Context, t *omnivibe.AudioTask, stage, provider string, err error) error {
	if ctx.Err() != nil {
		if s.audioCancelled(t.TaskID) {
			return errTaskStopped
		}
		return ctx.Err()
	}
	e := omnivibe.AudioError{Stage: stage, Provider: provider, Message: err.Error()}
	switch {
	case errors.Is(err, speech.ErrProviderUnavailable):
		e.Code, e.Retryable = "provider_unavailable", true
	case errors.Is(err, speech.ErrUnsupportedLanguage):
		e.Code = "unsupported_language"
	case errors.Is(err, speech.ErrProviderRejected):
		e.Code = "provider_rejected"
	default:
		e.Code, e.Retryable = "provider_error", true
	}
	s.log.Warn("audio provider failed", "task_id", t.TaskID, "stage", stage, "provider", provider, "err", err)
	return s.failAudio(ctx, t, e)
}

// audioCancelled reports whether the task was cancelled through the API.
func (s *Service) audioCancelled(taskID string) bool {
	t, err := s.store.AudioTaskForWork(context.Background(), taskID)
	return err == nil && t.Status == omnivibe.AudioCancelled
}

// failAudio ends a task as failed and gives its quota unit back.
func (s *Service) failAudio(ctx context.Context, t *omnivibe.AudioTask, e omnivibe.AudioError) error {
	t.Status, t.Error = omnivibe.AudioFailed, &e
	return s.finishAudio(ctx, t, true)
}

// finishAudio writes a task's final state; a failed task's unit goes back, a
// delivered one moves its content forward.
func (s *Service) finishAudio(ctx context.Context, t *omnivibe.AudioTask, refund bool) error {
	now := s.clock()
	t.Stage, t.FinishedAt = omnivibe.StageDone, &now
	if t.Status != omnivibe.AudioFailed {
		t.Progress = 1
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		if err := s.checkNotStopped(ctx, tx, t.TaskID); err != nil {
			return err
		}
		if err := tx.UpdateAudioTask(ctx, *t); err != nil {
			return err
		}
		if err := s.emitAudioEvent(ctx, tx, *t); err != nil {
			return err
		}
		if refund {
			_, _, err := tx.AddUsage(ctx, t.AccountID, t.QuotaPeriod, omnivibe.QuotaAudio, -1, nil)
			return err
		}
		if t.ContentID == nil {
			return nil
		}
		c, err := tx.ContentByID(ctx, t.AccountID, *t.ContentID)
		if omnivibe.ErrorCode(err) == omnivibe.CodeNotFound {
			return nil
		} else if err != nil {
			return err
		}
		if c.Status != omnivibe.ContentDraft && c.Status != omnivibe.ContentScriptGenerated {
			return nil
		}
		c.Status, c.UpdatedAt = omnivibe.ContentAudioGenerated, now
		return tx.UpdateContent(ctx, c)
	})
}

// saveAudio writes a running task's progress, unless it was cancelled meanwhile.
func (s *Service) saveAudio(ctx context.Context, t *omnivibe.AudioTask) error {
	if ctx.Err() != nil {
		if s.audioCancelled(t.TaskID) {
			return errTaskStopped
		}
		return ctx.Err()
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		if err := s.checkNotStopped(ctx, tx, t.TaskID); err != nil {
			return err
		}
		return tx.UpdateAudioTask(ctx, *t)
	})
}

func (s *Service) checkNotStopped(ctx context.Context, tx Tx, taskID string) error {
	cur, err := tx.LockAudioTask(ctx, taskID)
	if omnivibe.ErrorCode(err) == omnivibe.CodeNotFound {
		return errTaskStopped
	}
	if err != nil {
		return err
	}
	if omnivibe.AudioFinished(cur.Status) {
		return errTaskStopped
	}
	return nil
}

// ReconcileAudio fails the unfinished tasks, older than age, whose job will
// never run again (discarded after its last attempt, for instance when the
// process running it was killed each time): no task stays running forever.
func (s *Service) ReconcileAudio(ctx context.Context, age time.Duration) (int, error) {
	if s.queue == nil {
		return 0, nil
	}
	tasks, err := s.store.UnfinishedAudioTasks(ctx, s.clock().Add(-age), 100)
	if err != nil {
		return 0, err
	}
	fixed := 0
	for i := range tasks {
		t := &tasks[i]
		done, err := s.queue.JobFinished(ctx, t.JobID)
		if err != nil {
			return fixed, err
		}
		if !done {
			continue
		}
		err = s.failAudio(ctx, t, omnivibe.AudioError{Stage: errorStage(t.Stage), Code: "job_lost", Retryable: true,
			Message: "the job ended without finishing the task (its worker stopped too often); submit it again"})
		if err != nil && !errors.Is(err, errTaskStopped) {
			return fixed, err
		}
		s.audioObs.Finished(omnivibe.AudioFailed, t.Attempts, s.clock().Sub(t.CreatedAt))
		fixed++
	}
	return fixed, nil
}

// errorStage names the stage of a failure the way the contract does.
func errorStage(stage string) string {
	switch stage {
	case omnivibe.StageSynthesizing:
		return "synthesize"
	case omnivibe.StageTranscribing:
		return "transcribe"
	case omnivibe.StageScoring:
		return "score"
	case omnivibe.StageStoring, omnivibe.StageDone:
		return "store"
	}
	return "normalize"
}
