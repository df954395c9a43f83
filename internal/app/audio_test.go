package app_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/client"
	"github.com/omnivibepro/omnivibe/internal/config"
	"github.com/omnivibepro/omnivibe/internal/service"
	"github.com/omnivibepro/omnivibe/internal/speech"
)

func ptr[T any](v T) *T { return &v }

// TestVoiceOverWithLocalEngines runs the real espeak-ng and pocketsphinx on an
// English script of a content: the task is delivered, verified, with a
// playable WAV. It succeeds unless the check flagged a word of every
// attempt: the local verifier still takes a right word for a slip now and
// then (docs/benchmarks.md), and a flagged word is never a success, so the
// task is then partial, its warning naming the word.
func TestVoiceOverWithLocalEngines(t *testing.T) {
	requireLocalSpeech(t)
	s := start(t, func(c *config.Config) { c.TTS, c.STT = "espeak", "pocketsphinx" })
	c := owner(t, s, "pro")
	ctx := context.Background()
	cl, _ := c.CreateClient(ctx, omnivibe.ClientInput{Name: omnivibe.Some("Cafe")})
	camp, _ := c.CreateCampaign(ctx, omnivibe.CampaignInput{ClientID: omnivibe.Some(cl.ID), Name: omnivibe.Some("Spring")})
	content, err := c.CreateContent(ctx, camp.ID, omnivibe.ContentInput{Topic: omnivibe.Some("home cafe latte art"), Platform: omnivibe.Some("youtube"), Language: omnivibe.Some("en")})
	if err != nil {
		t.Fatal(err)
	}
	d := 30
	if _, err := c.GenerateScript(ctx, omnivibe.ScriptRequest{ContentID: &content.ID, TargetDuration: &d}); err != nil {
		t.Fatal(err)
	}
	acc, err := c.GenerateAudio(ctx, omnivibe.AudioRequest{ContentID: &content.ID, Language: "en", AccuracyThreshold: ptr(0.85)}, "")
	if err != nil || acc.Status != "queued" || acc.Replayed {
		t.Fatalf("generate: %+v, %v", acc, err)
	}
	task := wait(t, c, acc.TaskID)
	flagged := 0
	for _, w := range task.Words {
		if w.Status != "ok" {
			flagged++
			t.Logf("flagged on the best of %d attempts: %q %s", task.Attempts, w.Word, w.Status)
		}
	}
	delivered := (task.Status == omnivibe.AudioSucceeded && flagged == 0) ||
		(task.Status == omnivibe.AudioPartial && flagged > 0 && task.Attempts == 5 && task.Warning != nil && strings.Contains(*task.Warning, "flagged"))
	if !delivered || !task.Verified || task.Similarity == nil || *task.Similarity < 0.85 ||
		task.Recognizer != "pocketsphinx" || task.Synthesizer != "espeak" || task.Synthetic || task.AudioURL == nil || task.Duration == nil {
		t.Fatalf("task: %+v", task)
	}
	if task.Progress != 1 || task.Stage != omnivibe.StageDone || task.FinishedAt == nil || len(task.Iterations) != task.Attempts {
		t.Fatalf("final state: %+v", task)
	}
	t.Logf("similarity %.3f after %d attempt(s), %.1f s of audio; heard %q", *task.Similarity, task.Attempts, *task.Duration, task.Transcript)
	// The finished task shows its word-by-word check: most script words
	// said, each with its time.
	said := 0
	for _, w := range task.Words {
		if w.Status == "ok" && w.Start != nil && w.End != nil {
			said++
		}
	}
	if said*10 < len(strings.Fields(task.NormalizedText))*8 {
		t.Fatalf("%d of %d words said: %+v", said, len(strings.Fields(task.NormalizedText)), task.Words)
	}
	file, err := c.DownloadAudio(ctx, acc.TaskID, "")
	if err != nil || file.ContentType != "audio/wav" || file.Status != 200 {
		t.Fatalf("download: %v %+v", err, file.ContentType)
	}
	w, err := speech.DecodeWAV(file.Data)
	if err != nil || w.Duration() < 5 {
		t.Fatalf("not a playable WAV of the script: %v (%.1f s)", err, w.Duration())
	}
	part, err := c.DownloadAudio(ctx, acc.TaskID, "bytes=0-99")
	if err != nil || part.Status != 206 || len(part.Data) != 100 || !strings.HasPrefix(part.ContentRange, "bytes 0-99/") || string(part.Data[:4]) != "RIFF" {
		t.Fatalf("range: %v, %d, %q", err, part.Status, part.ContentRange)
	}
	after, _ := c.Content(ctx, content.ID)
	if after.Status != omnivibe.ContentAudioGenerated {
		t.Fatalf("content status %q", after.Status)
	}
}

// TestMismatchWithLocalEngines feeds the real recognizer audio of other text
// (the synthesizer speaks what it is asked to; the task's text is not what
// the recognizer's grammar expects): the similarity is low and the task ends
// by the rules, not succeeded.
func TestMismatchWithLocalEngines(t *testing.T) {
	requireLocalSpeech(t)
	s := start(t, func(c *config.Config) { c.TTS, c.STT = "espeak", "pocketsphinx" })
	c := owner(t, s, "pro")
	real := s.app.Speech.Synthesizer
	s.app.Service.UseAudio(s.app.Queue, filesOf(t, s), serviceSpeech(otherText{real}, s.app.Speech.Recognizer), nil)
	acc, err := c.GenerateAudio(context.Background(), omnivibe.AudioRequest{Text: "Bright mornings start with fresh bread from the corner bakery.", Language: "en", MaxAttempts: ptr(3)}, "")
	if err != nil {
		t.Fatal(err)
	}
	task := wait(t, c, acc.TaskID)
	if task.Status == omnivibe.AudioSucceeded || task.Similarity == nil || *task.Similarity >= 0.8 {
		t.Fatalf("mismatch ended %s with similarity %v: %+v", task.Status, task.Similarity, task)
	}
	t.Logf("mismatch: %s after %d attempt(s), best similarity %.3f, heard %q", task.Status, task.Attempts, *task.Similarity, task.Transcript)
	// The words say where it went wrong: most of the script was not said.
	wrong := 0
	for _, w := range task.Words {
		if w.Status != "ok" {
			wrong++
		}
	}
	if len(task.Words) == 0 || wrong*2 < len(task.Words) {
		t.Fatalf("words of the mismatch: %+v", task.Words)
	}
}

// otherText is a synthesizer that speaks a different sentence than asked:
// the recognizer gets audio of other text.
type otherText struct{ speech.Synthesizer }

func (o otherText) Synthesize(ctx context.Context, _, language, voice string) (speech.Audio, error) {
	return o.Synthesizer.Synthesize(ctx, "Please remember to water the garden plants every evening in summer.", language, voice)
}

// TestStatusRules drives the attempt loop with transcripts chosen by the test
// (through the hosted providers' protocol) and checks every ending the
// contract names.
func TestStatusRules(t *testing.T) {
	const text = "Fresh coffee every morning makes the whole team happy"
	tests := []struct {
		name        string
		transcripts []string
		max         int
		status      string
		attempts    int
		refund      bool
	}{
		{"exact first time", []string{text}, 5, omnivibe.AudioSucceeded, 1, false},
		{"good on the third", []string{"fresh coffee every morning", "fresh coffee every morning makes the team", text}, 5, omnivibe.AudioSucceeded, 3, false},
		{"close but never enough", []string{"fresh coffee every morning makes the whole team"}, 3, omnivibe.AudioPartial, 3, false},
		// One word heard wrong scores 0.98, over the threshold: the task is
		// tried again, and delivered as partial if the word stays wrong.
		{"one word wrong, then right", []string{"Fresh coffee every morning makes the whole tram happy", text}, 5, omnivibe.AudioSucceeded, 2, false},
		{"one word wrong throughout", []string{"Fresh coffee every morning makes the whole tram happy"}, 3, omnivibe.AudioPartial, 3, false},
		{"far off at first: stop early", []string{"something else entirely"}, 5, omnivibe.AudioPartial, 1, false},
		{"mediocre throughout", []string{"fresh coffee every morning makes", "fresh coffee every morning"}, 3, omnivibe.AudioFailed, 3, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake := newFakeOpenAISpeech(t, tc.transcripts...)
			s := start(t, hosted(fake))
			c := owner(t, s, "free")
			acc, err := c.GenerateAudio(context.Background(), omnivibe.AudioRequest{Text: text, Language: "en", MaxAttempts: &tc.max}, "")
			if err != nil {
				t.Fatal(err)
			}
			task := wait(t, c, acc.TaskID)
			if task.Status != tc.status || task.Attempts != tc.attempts || len(task.Iterations) != tc.attempts || !task.Verified {
				t.Fatalf("got %s after %d attempts (verified %v), want %s after %d: %+v", task.Status, task.Attempts, task.Verified, tc.status, tc.attempts, task)
			}
			if int(fake.speechCalls.Load()) != tc.attempts {
				t.Fatalf("synthesized %d times, want %d", fake.speechCalls.Load(), tc.attempts)
			}
			best := 0.0
			for _, it := range task.Iterations {
				best = max(best, *it.Similarity)
			}
			if *task.Similarity != best {
				t.Fatalf("similarity %v is not the best attempt's %v", *task.Similarity, best)
			}
			u, _ := c.Usage(context.Background())
			if want := map[bool]int{true: 0, false: 1}[tc.refund]; u.Used.Audio != want {
				t.Fatalf("audio quota used %d, want %d", u.Used.Audio, want)
			}
			if (task.AudioURL == nil) != (tc.status == omnivibe.AudioFailed) {
				t.Fatalf("audio_url %v for a %s task", task.AudioURL, task.Status)
			}
			if tc.status == omnivibe.AudioFailed && (task.Error == nil || task.Error.Code != "low_similarity" || task.Error.Stage != "score") {
				t.Fatalf("error: %+v", task.Error)
			}
		})
	}
}

// TestUnverifiedLanguage: no recognizer for Korean, so the task succeeds
// unverified, with a warning.
func TestUnverifiedLanguage(t *testing.T) {
	fake := newFakeOpenAISpeech(t, "unused")
	s := start(t, func(c *config.Config) {
		hosted(fake)(c)
		c.STT = "none"
	})
	c := owner(t, s, "free")
	acc, err := c.GenerateAudio(context.Background(), omnivibe.AudioRequest{Text: "안녕하세요, 테스트 오디오입니다. 2024년 6월 15일, 10,000원 할인!", Language: "ko"}, "")
	if err != nil {
		t.Fatal(err)
	}
	task := wait(t, c, acc.TaskID)
	if task.Status != omnivibe.AudioSucceeded || task.Verified || task.Similarity != nil || task.Warning == nil || task.Recognizer != "none" {
		t.Fatalf("task: %+v", task)
	}
	if !strings.Contains(task.NormalizedText, "이천이십사") || len(task.Normalization) == 0 {
		t.Fatalf("normalization: %q %+v", task.NormalizedText, task.Normalization)
	}
}

// TestProviderFailure: a synthesizer that keeps answering 503 fails the task
// with a structured, retryable error, and the quota unit comes back.
func TestProviderFailure(t *testing.T) {
	fake := newFakeOpenAISpeech(t, "x")
	s := start(t, func(c *config.Config) {
		hosted(fake)(c)
		c.OpenAIAPIKey = "sk-wrong" // the fake answers 401: a rejection, not retried
	})
	c := owner(t, s, "free")
	acc, err := c.GenerateAudio(context.Background(), omnivibe.AudioRequest{Text: "hello there", Language: "en"}, "")
	if err != nil {
		t.Fatal(err)
	}
	task := wait(t, c, acc.TaskID)
	if task.Status != omnivibe.AudioFailed || task.Error == nil || task.Error.Stage != "synthesize" || task.Error.Code != "provider_rejected" ||
		task.Error.Provider != "openai" || task.Error.Retryable || strings.Contains(task.Error.Message, "sk-wrong") {
		t.Fatalf("task: %+v, error %+v", task, task.Error)
	}
	if u, _ := c.Usage(context.Background()); u.Used.Audio != 0 {
		t.Fatalf("a failed task used %d units", u.Used.Audio)
	}
}

// TestProviderUnavailableIsRetried: a synthesizer that answers 503 (with
// Retry-After) twice is tried again, and the task succeeds.
func TestProviderUnavailableIsRetried(t *testing.T) {
	fake := newFakeOpenAISpeech(t, "hello there")
	fake.unavailable.Store(2)
	s := start(t, hosted(fake))
	c := owner(t, s, "free")
	acc, err := c.GenerateAudio(context.Background(), omnivibe.AudioRequest{Text: "hello there", Language: "en"}, "")
	if err != nil {
		t.Fatal(err)
	}
	task := wait(t, c, acc.TaskID)
	if task.Status != omnivibe.AudioSucceeded || task.Attempts != 1 || fake.speechCalls.Load() != 3 {
		t.Fatalf("task %s after %d attempts, %d speech calls: %+v", task.Status, task.Attempts, fake.speechCalls.Load(), task.Error)
	}
}

func TestCancel(t *testing.T) {
	fake := newFakeOpenAISpeech(t, "hello there")
	fake.block = make(chan struct{})
	s := start(t, hosted(fake))
	c := owner(t, s, "free")
	ctx := context.Background()
	running, err := c.GenerateAudio(ctx, omnivibe.AudioRequest{Text: "hello there", Language: "en"}, "")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for fake.speechCalls.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if task, _ := c.AudioStatus(ctx, running.TaskID); task.Status != omnivibe.AudioRunning || task.Stage != omnivibe.StageSynthesizing {
		t.Fatalf("not running: %+v", task)
	}
	if err := c.CancelAudio(ctx, running.TaskID); err != nil {
		t.Fatal(err)
	}
	close(fake.block)
	time.Sleep(3 * time.Second) // the worker learns of the cancellation within ~2 s
	task, _ := c.AudioStatus(ctx, running.TaskID)
	if task.Status != omnivibe.AudioCancelled || task.FinishedAt == nil {
		t.Fatalf("after cancel: %+v", task)
	}
	if u, _ := c.Usage(ctx); u.Used.Audio != 0 {
		t.Fatalf("a cancelled task used %d units", u.Used.Audio)
	}
	if err := c.CancelAudio(ctx, running.TaskID); !client.IsCode(err, omnivibe.CodeConflict) {
		t.Fatalf("cancel twice: %v", err)
	}
	if _, err := c.DownloadAudio(ctx, running.TaskID, ""); !client.IsCode(err, omnivibe.CodeConflict) {
		t.Fatalf("download of a cancelled task: %v", err)
	}
}

// TestQueuedLimitAndCancelQueued runs with no workers, so tasks stay queued.
func TestQueuedLimitAndCancelQueued(t *testing.T) {
	fake := newFakeOpenAISpeech(t, "x")
	s := start(t, func(c *config.Config) {
		hosted(fake)(c)
		c.Workers = 0
	})
	c := owner(t, s, "pro")
	ctx := context.Background()
	var first string
	for i := 0; i < omnivibe.MaxQueuedAudioPerAccount; i++ {
		acc, err := c.GenerateAudio(ctx, omnivibe.AudioRequest{Text: fmt.Sprintf("line %d", i), Language: "en"}, "")
		if err != nil {
			t.Fatalf("task %d: %v", i, err)
		}
		if i == 0 {
			first = acc.TaskID
		}
	}
	_, err := c.GenerateAudio(ctx, omnivibe.AudioRequest{Text: "one too many", Language: "en"}, "")
	var e *client.Error
	if !client.IsCode(err, omnivibe.CodeRateLimited) || !asClientError(err, &e) || e.Status != 429 || e.RetryAfter <= 0 {
		t.Fatalf("101st queued task: %v", err)
	}
	// Another account is not held back by this one's burst.
	if _, err := owner(t, s, "free").GenerateAudio(ctx, omnivibe.AudioRequest{Text: "mine", Language: "en"}, ""); err != nil {
		t.Fatalf("other account: %v", err)
	}
	if err := c.CancelAudio(ctx, first); err != nil {
		t.Fatal(err)
	}
	if task, _ := c.AudioStatus(ctx, first); task.Status != omnivibe.AudioCancelled {
		t.Fatalf("cancelled queued task: %+v", task)
	}
	if _, err := c.GenerateAudio(ctx, omnivibe.AudioRequest{Text: "room again", Language: "en"}, ""); err != nil {
		t.Fatalf("after a cancel there is room: %v", err)
	}
	page, err := c.ListAudio(ctx, omnivibe.AudioFilter{Status: "queued", PageSize: 5})
	if err != nil || page.Total != 100 || len(page.Tasks) != 5 || page.Tasks[0].Text != "room again" {
		t.Fatalf("list: %d %v", page.Total, err)
	}
}

func asClientError(err error, target **client.Error) bool {
	e, ok := err.(*client.Error)
	*target = e
	return ok
}

func TestIdempotencyKey(t *testing.T) {
	fake := newFakeOpenAISpeech(t, "x")
	s := start(t, func(c *config.Config) {
		hosted(fake)(c)
		c.Workers = 0
	})
	c := owner(t, s, "free")
	ctx := context.Background()
	in := omnivibe.AudioRequest{Text: "only once", Language: "en"}
	first, err := c.GenerateAudio(ctx, in, "order-42")
	if err != nil || first.Replayed {
		t.Fatalf("first: %+v, %v", first, err)
	}
	again, err := c.GenerateAudio(ctx, in, "order-42")
	if err != nil || !again.Replayed || again.TaskID != first.TaskID {
		t.Fatalf("retry: %+v, %v", again, err)
	}
	if _, err := c.GenerateAudio(ctx, omnivibe.AudioRequest{Text: "something else", Language: "en"}, "order-42"); !client.IsCode(err, omnivibe.CodeConflict) {
		t.Fatalf("key reused for another request: %v", err)
	}
	// Concurrent retries of one request make one task.
	var wg sync.WaitGroup
	ids := make([]string, 10)
	for i := range ids {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			acc, err := c.GenerateAudio(ctx, omnivibe.AudioRequest{Text: "racing", Language: "en"}, "race-1")
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = acc.TaskID
		}(i)
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("several tasks for one key: %v", ids)
		}
	}
	if u, _ := c.Usage(ctx); u.Used.Audio != 2 {
		t.Fatalf("usage %d, want 2 (one per key)", u.Used.Audio)
	}
	// Another account's key space is its own.
	if acc, err := owner(t, s, "free").GenerateAudio(ctx, in, "order-42"); err != nil || acc.Replayed || acc.TaskID == first.TaskID {
		t.Fatalf("other account: %+v, %v", acc, err)
	}
}

func TestAudioQuota(t *testing.T) {
	fake := newFakeOpenAISpeech(t, "x")
	s := start(t, func(c *config.Config) {
		hosted(fake)(c)
		c.Workers = 0
	})
	c := owner(t, s, "free")
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, refused := 0, 0
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, err := c.GenerateAudio(ctx, omnivibe.AudioRequest{Text: fmt.Sprintf("line %d", i), Language: "en"}, "")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case client.IsCode(err, omnivibe.CodeQuotaExceeded):
				refused++
			default:
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	u, _ := c.Usage(ctx)
	if ok != 15 || refused != 35 || u.Used.Audio != 15 {
		t.Fatalf("ok %d refused %d used %d; want 15, 35, 15", ok, refused, u.Used.Audio)
	}
}

func TestAudioBadInput(t *testing.T) {
	fake := newFakeOpenAISpeech(t, "x")
	s := start(t, func(c *config.Config) {
		hosted(fake)(c)
		c.Workers = 0
	})
	c := owner(t, s, "free")
	other := owner(t, s, "free")
	ctx := context.Background()
	cl, _ := c.CreateClient(ctx, omnivibe.ClientInput{Name: omnivibe.Some("C")})
	camp, _ := c.CreateCampaign(ctx, omnivibe.CampaignInput{ClientID: omnivibe.Some(cl.ID), Name: omnivibe.Some("S")})
	noScript, _ := c.CreateContent(ctx, camp.ID, omnivibe.ContentInput{Topic: omnivibe.Some("t"), Platform: omnivibe.Some("tiktok")})
	for name, in := range map[string]omnivibe.AudioRequest{
		"no text":           {},
		"blank text":        {Text: "   "},
		"text too long":     {Text: strings.Repeat("a", 5001)},
		"language":          {Text: "x", Language: "fr"},
		"threshold":         {Text: "x", AccuracyThreshold: ptr(1.5)},
		"attempts":          {Text: "x", MaxAttempts: ptr(11)},
		"zero attempts":     {Text: "x", MaxAttempts: ptr(0)},
		"voice with a path": {Text: "x", VoiceID: "../../etc/passwd"},
		"voice with spaces": {Text: "x", VoiceID: "a b"},
		"content no script": {ContentID: &noScript.ID},
	} {
		if _, err := c.GenerateAudio(ctx, in, ""); !client.IsCode(err, omnivibe.CodeValidation) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := other.GenerateAudio(ctx, omnivibe.AudioRequest{ContentID: &noScript.ID}, ""); !client.IsCode(err, omnivibe.CodeValidation) {
		t.Errorf("another account's content: %v", err)
	}
	if _, err := c.GenerateAudio(ctx, omnivibe.AudioRequest{Text: "x"}, strings.Repeat("k", 256)); !client.IsCode(err, omnivibe.CodeValidation) {
		t.Errorf("long idempotency key: %v", err)
	}
	acc, _ := c.GenerateAudio(ctx, omnivibe.AudioRequest{Text: "x", Language: "en"}, "")
	for _, probe := range []func() error{
		func() error { _, err := other.AudioStatus(ctx, acc.TaskID); return err },
		func() error { return other.CancelAudio(ctx, acc.TaskID) },
		func() error { _, err := other.DownloadAudio(ctx, acc.TaskID, ""); return err },
		func() error { _, err := c.AudioStatus(ctx, "aud_doesnotexist"); return err },
		func() error { _, err := c.DownloadAudio(ctx, "..%2F..%2Fomnivibe.db", ""); return err },
		func() error { _, err := c.DownloadAudio(ctx, "../../omnivibe.db", ""); return err },
	} {
		if err := probe(); !client.IsCode(err, omnivibe.CodeNotFound) {
			t.Errorf("probe: %v", err)
		}
	}
	if page, _ := other.ListAudio(ctx, omnivibe.AudioFilter{}); page.Total != 0 {
		t.Errorf("another account lists %d tasks", page.Total)
	}
	if _, err := c.DownloadAudio(ctx, acc.TaskID, ""); !client.IsCode(err, omnivibe.CodeConflict) {
		t.Errorf("download while queued: %v", err)
	}
}

// TestReconcileFailsTasksWhoseJobIsGone: a task whose job will never run again
// (here cancelled behind the service's back) is failed by the reconciler and
// its unit given back, so no task waits forever.
func TestReconcileFailsTasksWhoseJobIsGone(t *testing.T) {
	fake := newFakeOpenAISpeech(t, "x")
	s := start(t, func(c *config.Config) {
		hosted(fake)(c)
		c.Workers = 0
	})
	c := owner(t, s, "free")
	ctx := context.Background()
	acc, err := c.GenerateAudio(ctx, omnivibe.AudioRequest{Text: "lost", Language: "en"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := s.app.Service.ReconcileAudio(ctx, 0); err != nil || n != 0 {
		t.Fatalf("a healthy queued task was reconciled: %d, %v", n, err)
	}
	task, _ := c.AudioStatus(ctx, acc.TaskID)
	jobID := jobOf(t, s, task.TaskID)
	err = s.app.Store.InTx(ctx, func(tx service.Tx) error { return s.app.Queue.CancelAudio(ctx, tx, jobID) })
	if err != nil {
		t.Fatal(err)
	}
	if n, err := s.app.Service.ReconcileAudio(ctx, 0); err != nil || n != 1 {
		t.Fatalf("reconciled %d, %v; want 1", n, err)
	}
	task, _ = c.AudioStatus(ctx, acc.TaskID)
	if task.Status != omnivibe.AudioFailed || task.Error == nil || task.Error.Code != "job_lost" || !task.Error.Retryable {
		t.Fatalf("task: %+v", task)
	}
	if u, _ := c.Usage(ctx); u.Used.Audio != 0 {
		t.Fatalf("usage %d after a lost job", u.Used.Audio)
	}
}

func jobOf(t *testing.T, s started, taskID string) int64 {
	t.Helper()
	task, err := s.app.Store.AudioTaskForWork(context.Background(), taskID)
	if err != nil || task.JobID == 0 {
		t.Fatalf("task %s has no job: %v", taskID, err)
	}
	return task.JobID
}
