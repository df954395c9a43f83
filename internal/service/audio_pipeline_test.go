package service_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
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
	if err := a.svc.RunAudioTask(context.Background(), taskID); err != nil {
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
)

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
	go func() { job <- a.svc.RunAudioTask(context.Background(), taskID) }()
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
