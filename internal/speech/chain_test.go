package speech

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The chain tests put hosted_test.go's ElevenLabs and OpenAI protocol servers
// (fakes of the far side of the network) behind a chain, with a gate in
// front of each that can make it look down.

// gate answers like its provider when open, and otherwise fails the way a
// provider in trouble does: status (a 503 with the provider's error body) or,
// with hang, no answer until the client gives up.
type gate struct {
	next     http.Handler
	status   atomic.Int32
	hang     atomic.Bool
	requests atomic.Int32
	stop     chan struct{} // closed as the test ends: a hanging answer gives up
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.requests.Add(1)
	if g.hang.Load() {
		// The server notices a client that gave up only once the body is read.
		io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-g.stop:
		}
		return
	}
	if s := int(g.status.Load()); s != 0 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(s)
		io.WriteString(w, `{"detail":{"status":"service_unavailable","message":"The service is temporarily unavailable."}}`)
		return
	}
	g.next.ServeHTTP(w, r)
}

type chainFixture struct {
	eleven, openai *gate
	chain          *SynthesizerChain
}

func newChainFixture(t *testing.T, elevenKey string) *chainFixture {
	t.Helper()
	stop := make(chan struct{})
	f := &chainFixture{eleven: &gate{next: &elevenLabsServer{}, stop: stop}, openai: &gate{next: &openAIServer{}, stop: stop}}
	el := httptest.NewServer(f.eleven)
	oa := httptest.NewServer(f.openai)
	t.Cleanup(el.Close)
	t.Cleanup(oa.Close)
	t.Cleanup(func() { close(stop) }) // runs first: cleanups run last-in, first-out
	client := &http.Client{Timeout: 300 * time.Millisecond}
	f.chain = NewSynthesizerChain(
		NewElevenLabs(ElevenLabsConfig{APIKey: elevenKey, BaseURL: el.URL}, client),
		NewOpenAISpeech(OpenAIConfig{APIKey: testKey, BaseURL: oa.URL}, client),
	)
	return f
}

func TestSynthesizerChainFallsThrough(t *testing.T) {
	tests := []struct {
		name string
		down func(g *gate)
		code string
	}{
		{"503", func(g *gate) { g.status.Store(http.StatusServiceUnavailable) }, "server_error"},
		{"429", func(g *gate) { g.status.Store(http.StatusTooManyRequests) }, "rate_limited"},
		{"timeout", func(g *gate) { g.hang.Store(true) }, "timeout"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newChainFixture(t, testKey)
			tc.down(f.eleven)
			a, r, err := f.chain.SynthesizeRouted(context.Background(), "Hello there.", "en", "")
			if err != nil {
				t.Fatalf("SynthesizeRouted: %v", err)
			}
			if a.Format != FormatWAV || r.Provider != ProviderOpenAI {
				t.Fatalf("%s audio from %q, want OpenAI's WAV", a.Format, r.Provider)
			}
			if len(r.Skipped) != 1 || r.Skipped[0].Provider != ProviderElevenLabs || r.Skipped[0].Code != tc.code {
				t.Fatalf("skipped %+v, want elevenlabs %s", r.Skipped, tc.code)
			}
			assertNoKey(t, errors.New(r.Skipped[0].Message))
		})
	}
}

func TestSynthesizerChainStopsAtARejection(t *testing.T) {
	f := newChainFixture(t, "wrong-key")
	_, r, err := f.chain.SynthesizeRouted(context.Background(), "Hello there.", "en", "")
	var pe *ProviderError
	if !errors.As(err, &pe) || pe.Status != http.StatusUnauthorized || !errors.Is(err, ErrProviderRejected) {
		t.Fatalf("err = %v, want ElevenLabs' 401 rejection", err)
	}
	if r.Provider != ProviderElevenLabs || len(r.Skipped) != 0 || f.openai.requests.Load() != 0 {
		t.Fatalf("route %+v, %d OpenAI requests: a rejection must not fall through", r, f.openai.requests.Load())
	}
	// An unknown voice is the request's fault too.
	f = newChainFixture(t, testKey)
	if _, _, err := f.chain.SynthesizeRouted(context.Background(), "Hello there.", "en", "missing-voice"); !errors.Is(err, ErrProviderRejected) || f.openai.requests.Load() != 0 {
		t.Fatalf("unknown voice: err %v, %d OpenAI requests", err, f.openai.requests.Load())
	}
}

func TestSynthesizerChainAllDown(t *testing.T) {
	f := newChainFixture(t, testKey)
	f.eleven.status.Store(http.StatusBadGateway)
	f.openai.hang.Store(true)
	_, r, err := f.chain.SynthesizeRouted(context.Background(), "Hello there.", "en", "")
	var ce *ChainError
	if !errors.As(err, &ce) || !Retryable(err) {
		t.Fatalf("err = %v, want a retryable ChainError", err)
	}
	if r.Provider != "" || len(ce.Skipped) != 2 || ce.Skipped[0].Code != "server_error" || ce.Skipped[1].Code != "timeout" {
		t.Fatalf("route %+v, skipped %+v: want elevenlabs server_error and openai timeout", r, ce.Skipped)
	}
	if msg := err.Error(); !strings.Contains(msg, "elevenlabs") || !strings.Contains(msg, "openai") {
		t.Fatalf("error %q does not give each provider's reason", msg)
	}
}

func TestSynthesizerChainBreakerSkipsADeadProvider(t *testing.T) {
	f := newChainFixture(t, testKey)
	f.eleven.status.Store(http.StatusServiceUnavailable)
	for range DefaultBreakerFailures {
		if _, _, err := f.chain.SynthesizeRouted(context.Background(), "Hello there.", "en", ""); err != nil {
			t.Fatal(err)
		}
	}
	states := f.chain.Members()
	if states[0].Breaker() != "open" || states[1].Breaker() != "closed" {
		t.Fatalf("breakers %s, %s after %d failures of the first, want open, closed", states[0].Breaker(), states[1].Breaker(), DefaultBreakerFailures)
	}
	_, r, err := f.chain.SynthesizeRouted(context.Background(), "Hello there.", "en", "")
	if err != nil || r.Skipped[0].Code != "breaker_open" {
		t.Fatalf("err %v, skipped %+v: want elevenlabs skipped by its open breaker", err, r.Skipped)
	}
	if n := f.eleven.requests.Load(); n != int32(DefaultBreakerFailures) {
		t.Fatalf("ElevenLabs asked %d times, want %d: an open breaker sends nothing", n, DefaultBreakerFailures)
	}
}

func TestRecognizerChainSkipsAnUnsupportedLanguage(t *testing.T) {
	srv := &openAIServer{transcript: "안녕하세요"}
	oa := httptest.NewServer(srv)
	t.Cleanup(oa.Close)
	c := NewRecognizerChain(NoRecognizer{}, NewOpenAITranscriber(OpenAIConfig{APIKey: testKey, BaseURL: oa.URL}, oa.Client()))
	if !c.Supports("ko") || c.Name() != "none,openai" {
		t.Fatalf("supports ko %v, name %q", c.Supports("ko"), c.Name())
	}
	text, r, err := c.TranscribeRouted(context.Background(), NewWAVAudio(Waveform{SampleRate: 16000, Channels: 1, Samples: make([]float32, 1600)}), "ko", "안녕하세요")
	if err != nil || text != "안녕하세요" || r.Provider != ProviderOpenAI {
		t.Fatalf("%q from %q (%v), want OpenAI's transcript", text, r.Provider, err)
	}
	if len(r.Skipped) != 1 || r.Skipped[0].Code != "unsupported_language" {
		t.Fatalf("skipped %+v, want none as unsupported_language", r.Skipped)
	}
}
