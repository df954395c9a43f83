package service_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/cache"
	"github.com/omnivibepro/omnivibe/internal/filestore"
	"github.com/omnivibepro/omnivibe/internal/jobs"
	"github.com/omnivibepro/omnivibe/internal/service"
	"github.com/omnivibepro/omnivibe/internal/speech"
	"github.com/omnivibepro/omnivibe/internal/sqlite"
	"github.com/omnivibepro/omnivibe/internal/writer"
)

// fakeOpenAIAudio is a test server on the far side of the network boundary:
// it speaks OpenAI's POST /v1/audio/speech (answering half a second of
// silence as WAV) and POST /v1/audio/transcriptions (answering the
// transcripts it is given, one a call, the last one again once they run
// out). What it "hears" is chosen by the test; the pipeline's own code
// (speech.Verify) turns each transcript into the words it flags.
type fakeOpenAIAudio struct {
	*httptest.Server
	speechCalls, transcribeCalls atomic.Int32
	transcripts                  []string
}

func newFakeOpenAIAudio(t *testing.T, transcripts ...string) *fakeOpenAIAudio {
	t.Helper()
	f := &fakeOpenAIAudio{transcripts: transcripts}
	wav := speech.EncodeWAV(speech.Waveform{SampleRate: 16000, Channels: 1, Samples: make([]float32, 8000)})
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer sk-test" {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}}`)
			return
		}
		switch r.URL.Path {
		case "/v1/audio/speech":
			f.speechCalls.Add(1)
			w.Header().Set("Content-Type", "audio/wav")
			w.Write(wav)
		case "/v1/audio/transcriptions":
			if err := r.ParseMultipartForm(1 << 20); err != nil || r.FormValue("model") == "" {
				w.WriteHeader(http.StatusBadRequest)
				io.WriteString(w, `{"error":{"message":"bad multipart","type":"invalid_request_error"}}`)
				return
			}
			n := int(f.transcribeCalls.Add(1)) - 1
			text := f.transcripts[min(n, len(f.transcripts)-1)]
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"text":%q}`, text)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.Close)
	return f
}

// audioService is the real service on a temporary SQLite file, with the
// real job queue (insert-only: the test runs each task's job itself, so it
// knows when the job is done), the real audio store, and OpenAI's speech
// providers talking to far. verifications, when not nil, is the service's
// verification pool.
type audioService struct {
	svc   *service.Service
	far   *fakeOpenAIAudio
	owner service.Principal
}

func newAudioService(t *testing.T, far *fakeOpenAIAudio, verifications *service.Pool) *audioService {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	dbPath := filepath.Join(t.TempDir(), "svc.db")
	store, err := sqlite.Open(ctx, dbPath, sqlite.Options{CheckpointEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	mem := cache.NewMemory(8 << 20)
	t.Cleanup(mem.Close)
	w, err := writer.New(writerConfig(), log, &http.Client{})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := service.New(service.Config{JWTSecret: []byte("0123456789abcdef0123456789abcdef"), PasswordCost: 4, PasswordAlgorithm: service.PasswordBcrypt},
		service.Deps{Store: store, Cache: mem, Writer: w, Logger: log, Verifications: verifications})
	if err != nil {
		t.Fatal(err)
	}
	queue, err := jobs.NewSQLite(ctx, store.Writer(), jobs.Config{Workers: 0}, log)
	if err != nil {
		t.Fatal(err)
	}
	files, err := filestore.Open(filepath.Join(t.TempDir(), "audio"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { files.Close() })
	cfg := speech.OpenAIConfig{APIKey: "sk-test", BaseURL: far.URL}
	svc.UseAudio(queue, files, service.Speech{
		Synthesizer: speech.NewOpenAISpeech(cfg, far.Client()),
		Recognizer:  speech.NewOpenAITranscriber(cfg, far.Client()),
	}, nil)
	return &audioService{svc: svc, far: far, owner: owner(t, svc)}
}

// start accepts a voice-over of text, as POST /audio/generate does.
func (a *audioService) start(t *testing.T, text string, maxAttempts int) string {
	t.Helper()
	threshold := 0.95
	task, _, err := a.svc.GenerateAudio(context.Background(), a.owner,
		omnivibe.AudioRequest{Text: text, Language: "en", AccuracyThreshold: &threshold, MaxAttempts: &maxAttempts}, "")
	if err != nil {
		t.Fatal(err)
	}
	return task.TaskID
}

// run works the task's job to its end, as a queue worker does, and returns
// the task as GET /audio/status shows it.
func (a *audioService) run(t *testing.T, taskID string) omnivibe.AudioTask {
	t.Helper()
	if err := a.svc.RunAudioTask(context.Background(), service.AudioJob{AccountID: a.owner.AccountID, TaskID: taskID}); err != nil {
		t.Fatalf("job: %v", err)
	}
	task, err := a.svc.AudioTask(context.Background(), a.owner, taskID)
	if err != nil {
		t.Fatal(err)
	}
	return task
}

// The script says a price; the transcripts are what the far side heard.
const (
	priceScript = "Every latte is $4 until Friday, and the whole team loves it."
	// heardRight is the script as said.
	heardRight = priceScript
	// heardWrongPrice says five dollars: one word of the script substituted,
	// at a similarity of 0.956, above the 0.95 threshold.
	heardWrongPrice = "Every latte is $5 until Friday, and the whole team loves it."
)

// flagged lists the words of a task that are not ok.
func flagged(task omnivibe.AudioTask) []omnivibe.AudioWord {
	var out []omnivibe.AudioWord
	for _, w := range task.Words {
		if w.Status != "ok" {
			out = append(out, w)
		}
	}
	return out
}

// TestMiscueIsTriedAgainAndACleanAttemptSucceeds: the first attempt's
// similarity reaches the threshold, but a word was heard wrong, so the voice
// is synthesized again; the second attempt is clean and the task succeeds
// with it.
func TestMiscueIsTriedAgainAndACleanAttemptSucceeds(t *testing.T) {
	a := newAudioService(t, newFakeOpenAIAudio(t, heardWrongPrice, heardRight), nil)
	task := a.run(t, a.start(t, priceScript, 3))

	if task.Status != omnivibe.AudioSucceeded || task.Attempts != 2 || len(task.Iterations) != 2 || a.far.speechCalls.Load() != 2 {
		t.Fatalf("got %s after %d attempts (%d syntheses), want succeeded after 2: %+v", task.Status, task.Attempts, a.far.speechCalls.Load(), task)
	}
	first := task.Iterations[0]
	if *first.Similarity < task.AccuracyThreshold || first.Flagged != 1 {
		t.Fatalf("first attempt: similarity %v, %d flagged; want at the threshold with 1 flagged (so the miscue, not the score, made the retry)", *first.Similarity, first.Flagged)
	}
	if task.Iterations[1].Flagged != 0 || *task.Similarity != 1 || len(flagged(task)) != 0 || task.Warning != nil || task.AudioURL == nil {
		t.Fatalf("the clean attempt is not the one delivered: %+v, flagged %+v", task, flagged(task))
	}
}

// TestPersistentMiscueEndsPartial: every attempt hears the wrong price, so
// every attempt is made, and the task is delivered as partial (never
// succeeded), with the flagged word and what was heard on the task and in
// its warning.
func TestPersistentMiscueEndsPartial(t *testing.T) {
	a := newAudioService(t, newFakeOpenAIAudio(t, heardWrongPrice), nil)
	task := a.run(t, a.start(t, priceScript, 3))

	if task.Status != omnivibe.AudioPartial || task.Attempts != 3 || a.far.speechCalls.Load() != 3 {
		t.Fatalf("got %s after %d attempts (%d syntheses), want partial after 3: %+v", task.Status, task.Attempts, a.far.speechCalls.Load(), task)
	}
	if task.Similarity == nil || *task.Similarity < task.AccuracyThreshold {
		t.Fatalf("similarity %v: the test wants one at the threshold, so that only the miscue keeps it from succeeding", task.Similarity)
	}
	got := flagged(task)
	if len(got) != 1 || got[0].Word != "four" || got[0].Status != "substituted" || got[0].Heard != "five" {
		t.Fatalf("flagged words %+v, want four substituted, heard as five", got)
	}
	want := `the best of 3 attempts still has 1 word flagged: "four" heard as "five"`
	if task.Warning == nil || *task.Warning != want {
		t.Fatalf("warning %v, want %q", task.Warning, want)
	}
	// Delivered, not failed: the audio is there and its quota unit spent.
	if task.AudioURL == nil || task.Error != nil {
		t.Fatalf("a partial task has audio and no error: %+v", task)
	}
	if u, err := a.svc.Usage(context.Background(), a.owner); err != nil || u.Used.Audio != 1 {
		t.Fatalf("audio used %+v, %v; want 1", u.Used, err)
	}
}

// TestBestAttemptHasFewestFlaggedWords: the first attempt scores higher
// but has two words wrong; the second misses one word. The second is the
// one kept: fewest flagged words first, then the highest similarity.
func TestBestAttemptHasFewestFlaggedWords(t *testing.T) {
	const twoWrong = "Every latte is $4 until Friday, and the whole tram loved it." // 0.971, 2 flagged
	const oneMissing = "Every latte is $4 until, and the whole team loves it."      // 0.946, 1 flagged
	a := newAudioService(t, newFakeOpenAIAudio(t, twoWrong, oneMissing), nil)
	task := a.run(t, a.start(t, priceScript, 2))

	if task.Status != omnivibe.AudioPartial || task.Attempts != 2 {
		t.Fatalf("got %s after %d attempts, want partial after 2: %+v", task.Status, task.Attempts, task)
	}
	first, second := task.Iterations[0], task.Iterations[1]
	if first.Flagged != 2 || second.Flagged != 1 || *first.Similarity <= *second.Similarity {
		t.Fatalf("attempts %+v and %+v: the test wants the first higher with more flagged", first, second)
	}
	if *task.Similarity != *second.Similarity || task.Transcript != oneMissing {
		t.Fatalf("kept similarity %v (%q), want the second attempt's %v", *task.Similarity, task.Transcript, *second.Similarity)
	}
	if got := flagged(task); len(got) != 1 || got[0].Word != "friday" || got[0].Status != "missing" {
		t.Fatalf("flagged words %+v, want friday missing", got)
	}
	if want := `1 word flagged: "friday" missing`; task.Warning == nil || !strings.HasSuffix(*task.Warning, want) {
		t.Fatalf("warning %v, want it to end %q", task.Warning, want)
	}
}

// TestPipelineWaitsForAVerificationSlot: the pipeline verifies in the same
// pool as uploads. With its only slot taken and its queue full, an upload
// would be refused busy, but the job's attempt waits its turn, and
// verifies once the slot is free.
func TestPipelineWaitsForAVerificationSlot(t *testing.T) {
	pool := service.NewVerifyPool(1, 0)
	a := newAudioService(t, newFakeOpenAIAudio(t, heardRight), pool)
	taskID := a.start(t, priceScript, 1)

	release := make(chan struct{})
	held := make(chan error, 1)
	go func() { held <- pool.Do(context.Background(), func() { <-release }) }()
	waitUntil(t, "the slot taken", func() bool { return pool.Running() == 1 })
	if err := pool.Do(context.Background(), func() { t.Error("a refused caller's work ran") }); omnivibe.ErrorCode(err) != omnivibe.CodeBusy {
		t.Fatalf("another upload with the pool full: got %v, want busy", err)
	}

	job := make(chan error, 1)
	go func() {
		job <- a.svc.RunAudioTask(context.Background(), service.AudioJob{AccountID: a.owner.AccountID, TaskID: taskID})
	}()
	waitUntil(t, "the job waiting for the slot", func() bool { return pool.Waiting() == 1 })
	if n := a.far.transcribeCalls.Load(); n != 0 {
		t.Fatalf("the job verified %d times without a slot", n)
	}
	close(release)
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	if err := <-job; err != nil {
		t.Fatalf("job: %v", err)
	}
	task, err := a.svc.AudioTask(context.Background(), a.owner, taskID)
	if err != nil {
		t.Fatal(err)
	}
	if task.Status != omnivibe.AudioSucceeded || a.far.transcribeCalls.Load() != 1 {
		t.Fatalf("after the slot was freed: %s, %d verifications: %+v", task.Status, a.far.transcribeCalls.Load(), task.Error)
	}
}
