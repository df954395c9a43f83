package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/client"
	"github.com/omnivibepro/omnivibe/internal/app"
	"github.com/omnivibepro/omnivibe/internal/config"
	"github.com/omnivibepro/omnivibe/internal/filestore"
	"github.com/omnivibepro/omnivibe/internal/service"
	"github.com/omnivibepro/omnivibe/internal/speech"
)

// started is the whole product on a temporary data directory, served over a
// real connection, with its workers running.
type started struct {
	app  *app.App
	base string
	cfg  config.Config
}

func start(t *testing.T, mutate func(*config.Config)) started {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir, cfg.PasswordCost, cfg.PasswordHash, cfg.Workers = t.TempDir(), 4, "bcrypt", 2
	cfg.MetricsToken = metricsToken
	if mutate != nil {
		mutate(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	a, err := app.New(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.API)
	t.Cleanup(func() {
		srv.Close()
		if err := a.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return started{app: a, base: srv.URL, cfg: cfg}
}

var emails atomic.Int64

// owner registers an account, on the given plan, and returns its client.
func owner(t *testing.T, s started, plan string) *client.Client {
	t.Helper()
	c := client.New(s.base)
	_, err := c.Register(context.Background(), omnivibe.Registration{Email: fmt.Sprintf("o%d@example.com", emails.Add(1)), Password: "Passw0rd!", Name: "Owner"})
	if err != nil {
		t.Fatal(err)
	}
	if plan != "" && plan != "free" {
		if _, err := c.ChangePlan(context.Background(), plan); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// requireLocalSpeech skips when espeak-ng and pocketsphinx are missing, unless
// OMNIVIBE_REQUIRE_SPEECH=1 (CI), where it fails.
func requireLocalSpeech(t *testing.T) {
	t.Helper()
	for _, bin := range []string{"espeak-ng", "pocketsphinx_batch"} {
		if _, err := exec.LookPath(bin); err != nil {
			if os.Getenv("OMNIVIBE_REQUIRE_SPEECH") == "1" {
				t.Fatalf("%s is not installed (scripts/test-deps.sh installs it)", bin)
			}
			t.Skipf("%s is not installed; run scripts/test-deps.sh", bin)
		}
	}
}

func wait(t *testing.T, c *client.Client, taskID string) omnivibe.AudioTask {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	task, err := c.WaitAudio(ctx, taskID, 50*time.Millisecond)
	if err != nil {
		t.Fatalf("wait for %s: %v (last: %+v)", taskID, err, task)
	}
	return task
}

// fakeOpenAISpeech is a test server on the far side of the network boundary:
// it speaks OpenAI's /v1/audio/speech (answering a short WAV) and
// /v1/audio/transcriptions (answering the transcripts it is given, in turn).
type fakeOpenAISpeech struct {
	*httptest.Server
	speechCalls, transcribeCalls atomic.Int32
	transcripts                  []string
	// block, when set, holds speech requests until it is closed.
	block chan struct{}
	// unavailable is how many speech requests answer 503 first.
	unavailable atomic.Int32
}

func newFakeOpenAISpeech(t *testing.T, transcripts ...string) *fakeOpenAISpeech {
	f := &fakeOpenAISpeech{transcripts: transcripts}
	wav := silenceWAV(16000, 0.5)
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer sk-test" {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}`)
			return
		}
		switch r.URL.Path {
		case "/v1/audio/speech":
			f.speechCalls.Add(1)
			if f.unavailable.Add(-1) >= 0 {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusServiceUnavailable)
				io.WriteString(w, `{"error":{"message":"The engine is currently overloaded, please try again later","type":"server_error"}}`)
				return
			}
			if f.block != nil {
				select {
				case <-f.block:
				case <-r.Context().Done():
					return
				}
			}
			w.Header().Set("Content-Type", "audio/wav")
			w.Write(wav)
		case "/v1/audio/transcriptions":
			if err := r.ParseMultipartForm(1 << 20); err != nil || r.FormValue("model") == "" {
				w.WriteHeader(http.StatusBadRequest)
				io.WriteString(w, `{"error":{"message":"bad multipart","type":"invalid_request_error"}}`)
				return
			}
			n := int(f.transcribeCalls.Add(1)) - 1
			text := f.transcripts[len(f.transcripts)-1]
			if n < len(f.transcripts) {
				text = f.transcripts[n]
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"text":%q}`, text)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.Close)
	return f
}

// silenceWAV is a mono 16-bit WAV of the given length.
func silenceWAV(rate int, seconds float64) []byte {
	frames := int(float64(rate) * seconds)
	data := make([]byte, 44+2*frames)
	copy(data, "RIFF")
	le32(data[4:], uint32(36+2*frames))
	copy(data[8:], "WAVEfmt ")
	le32(data[16:], 16)
	data[20], data[22] = 1, 1
	le32(data[24:], uint32(rate))
	le32(data[28:], uint32(2*rate))
	data[32], data[34] = 2, 16
	copy(data[36:], "data")
	le32(data[40:], uint32(2*frames))
	return data
}

func le32(b []byte, v uint32) { b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24) }

// hosted configures the OpenAI speech providers against a fake server.
func hosted(f *fakeOpenAISpeech) func(*config.Config) {
	return func(c *config.Config) {
		c.TTS, c.STT, c.OpenAIAPIKey, c.SpeechBaseURL = "openai", "openai", "sk-test", f.URL
	}
}

func filesOf(t *testing.T, s started) service.AudioFiles {
	t.Helper()
	f, err := filestore.Open(s.cfg.AudioRoot())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func serviceSpeech(synth speech.Synthesizer, rec speech.Recognizer) service.Speech {
	return service.Speech{Synthesizer: synth, Recognizer: rec}
}
