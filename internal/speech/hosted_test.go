package speech

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const testKey = "sk-test-SECRET-key-0123456789"

// assertNoKey fails when an error message carries the API key.
func assertNoKey(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), testKey) {
		t.Errorf("error reveals the API key: %v", err)
	}
}

// elevenLabsServer answers like ElevenLabs' text-to-speech endpoint and
// records the last request.
type elevenLabsServer struct {
	mu      sync.Mutex
	voice   string
	query   string
	body    map[string]any
	headers http.Header
}

func (s *elevenLabsServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	voice, ok := strings.CutPrefix(r.URL.Path, "/v1/text-to-speech/")
	if r.Method != http.MethodPost || !ok || voice == "" {
		http.Error(w, `{"detail":"Not Found"}`, http.StatusNotFound)
		return
	}
	if r.Header.Get("xi-api-key") != testKey {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"detail":{"status":"invalid_api_key","message":"Invalid API key"}}`)
		return
	}
	var body map[string]any
	if r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&body) != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.voice, s.query, s.body, s.headers = voice, r.URL.RawQuery, body, r.Header.Clone()
	s.mu.Unlock()
	text, _ := body["text"].(string)
	switch {
	case text == "":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		io.WriteString(w, `{"detail":[{"loc":["body","text"],"msg":"field required","type":"value_error.missing"}]}`)
	case voice == "missing-voice":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"detail":{"status":"voice_not_found","message":"A voice with the voice_id missing-voice was not found."}}`)
	case text == "busy":
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"detail":{"status":"too_many_concurrent_requests","message":"Too many concurrent requests."}}`)
	case text == "crash":
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, "internal server error")
	case text == "json instead":
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"detail":{"status":"odd","message":"not audio"}}`)
	case strings.HasPrefix(r.URL.Query().Get("output_format"), "pcm_"):
		w.Header().Set("Content-Type", "audio/pcm")
		w.Write(make([]byte, 2*16000)) // one second of 16 kHz silence
	default:
		w.Header().Set("Content-Type", "audio/mpeg")
		w.Write(silentMP3(40))
	}
}

func TestElevenLabs(t *testing.T) {
	srv := &elevenLabsServer{}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	ctx := context.Background()
	tts := NewElevenLabs(ElevenLabsConfig{APIKey: testKey, BaseURL: ts.URL + "/"}, ts.Client())

	audio, err := tts.Synthesize(ctx, "안녕하세요", "ko", "default")
	if err != nil {
		t.Fatal(err)
	}
	if audio.Format != FormatMP3 || audio.SampleRate != 44100 || math.Abs(audio.Duration-40*1152.0/44100) > 0.03 || audio.Synthetic {
		t.Errorf("audio %s %d Hz %.3f s synthetic=%v", audio.Format, audio.SampleRate, audio.Duration, audio.Synthetic)
	}
	if srv.voice != "21m00Tcm4TlvDq8ikWAM" || srv.query != "output_format=mp3_44100_128" {
		t.Errorf("voice %q, query %q", srv.voice, srv.query)
	}
	if srv.headers.Get("Accept") != "audio/mpeg" {
		t.Errorf("Accept %q", srv.headers.Get("Accept"))
	}
	settings, _ := srv.body["voice_settings"].(map[string]any)
	if srv.body["text"] != "안녕하세요" || srv.body["model_id"] != "eleven_multilingual_v2" || settings["stability"] != 0.5 || settings["similarity_boost"] != 0.75 {
		t.Errorf("body %v", srv.body)
	}
	if _, ok := srv.body["language_code"]; ok {
		t.Error("language_code sent to a model that rejects it")
	}

	flash := NewElevenLabs(ElevenLabsConfig{APIKey: testKey, BaseURL: ts.URL, ModelID: "eleven_flash_v2_5", OutputFormat: "pcm_16000"}, ts.Client())
	audio, err = flash.Synthesize(ctx, "Hello", "en-US", "my-voice")
	if err != nil {
		t.Fatal(err)
	}
	if srv.voice != "my-voice" || srv.body["language_code"] != "en" {
		t.Errorf("voice %q, language_code %v", srv.voice, srv.body["language_code"])
	}
	if audio.Format != FormatWAV || audio.SampleRate != 16000 || audio.Duration != 1 {
		t.Errorf("pcm answer became %s %d Hz %.3f s", audio.Format, audio.SampleRate, audio.Duration)
	}
	if _, err := DecodeWAV(audio.Data); err != nil {
		t.Errorf("pcm answer is not a WAV file: %v", err)
	}
}

func TestElevenLabsErrors(t *testing.T) {
	ts := httptest.NewServer(&elevenLabsServer{})
	defer ts.Close()
	ctx := context.Background()
	tts := NewElevenLabs(ElevenLabsConfig{APIKey: testKey, BaseURL: ts.URL}, ts.Client())
	wrongKey := NewElevenLabs(ElevenLabsConfig{APIKey: "wrong-" + testKey, BaseURL: ts.URL}, ts.Client())
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	unreachable := NewElevenLabs(ElevenLabsConfig{APIKey: testKey, BaseURL: closed.URL}, closed.Client())

	tests := []struct {
		name       string
		tts        *ElevenLabs
		text       string
		voice      string
		lang       string
		kind       error
		status     int
		message    string
		retryAfter float64
	}{
		{"bad key", wrongKey, "hi", "", "en", ErrProviderRejected, 401, "invalid_api_key: Invalid API key", 0},
		{"validation", tts, "", "", "en", ErrProviderRejected, 422, "field required", 0},
		{"unknown voice", tts, "hi", "missing-voice", "en", ErrProviderRejected, 404, "voice_not_found", 0},
		{"rate limited", tts, "busy", "", "en", ErrProviderUnavailable, 429, "too_many_concurrent_requests", 7},
		{"server error", tts, "crash", "", "en", ErrProviderUnavailable, 500, "internal server error", 0},
		{"json instead of audio", tts, "json instead", "", "en", ErrProviderUnavailable, 0, "not audio", 0},
		{"network", unreachable, "hi", "", "en", ErrProviderUnavailable, 0, "", 0},
		{"language", tts, "hi", "", "fr", ErrUnsupportedLanguage, 0, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.tts.Synthesize(ctx, tt.text, tt.lang, tt.voice)
			assertNoKey(t, err)
			if !errors.Is(err, tt.kind) {
				t.Fatalf("got %v, want %v", err, tt.kind)
			}
			var pe *ProviderError
			if !errors.As(err, &pe) {
				t.Fatalf("%v is not a *ProviderError", err)
			}
			if pe.Provider != ProviderElevenLabs || pe.Status != tt.status || !strings.Contains(pe.Message, tt.message) || pe.RetryAfterSeconds != tt.retryAfter {
				t.Errorf("got %+v, want status %d, message with %q, retry after %v", pe, tt.status, tt.message, tt.retryAfter)
			}
			if Retryable(err) != (tt.kind == ErrProviderUnavailable) {
				t.Errorf("Retryable = %v", Retryable(err))
			}
		})
	}
}

// openAIServer answers like OpenAI's audio endpoints.
type openAIServer struct {
	mu         sync.Mutex
	speech     []map[string]string
	form       map[string]string
	upload     []byte
	uploadName string
	uploadType string
	transcript string
}

func (s *openAIServer) fail(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": "invalid_request_error", "param": nil, "code": code}})
}

func (s *openAIServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+testKey {
		s.fail(w, http.StatusUnauthorized, "invalid_api_key", "Incorrect API key provided: sk-***.")
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v1/audio/speech":
		var body map[string]string
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			s.fail(w, http.StatusBadRequest, "", "We could not parse the JSON body of your request.")
			return
		}
		s.mu.Lock()
		s.speech = append(s.speech, body)
		s.mu.Unlock()
		switch {
		case body["input"] == "no credit":
			s.fail(w, http.StatusTooManyRequests, "insufficient_quota", "You exceeded your current quota.")
		case body["input"] == "slow down":
			w.Header().Set("retry-after-ms", "1500")
			s.fail(w, http.StatusTooManyRequests, "rate_limit_exceeded", "Rate limit reached for requests.")
		case len([]rune(body["input"])) > openAISpeechLimit:
			s.fail(w, http.StatusBadRequest, "string_above_max_length", "Input is too long.")
		default:
			// OpenAI streams WAV, so its size fields are placeholders.
			wav := EncodeWAV(Waveform{SampleRate: 24000, Channels: 1, Samples: make([]float32, 24000/2)})
			binary.LittleEndian.PutUint32(wav[4:], 0xFFFFFFFF)
			binary.LittleEndian.PutUint32(wav[40:], 0xFFFFFFFF)
			w.Header().Set("Content-Type", "audio/wav")
			w.Write(wav)
		}
	case r.Method == http.MethodPost && r.URL.Path == "/v1/audio/transcriptions":
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			s.fail(w, http.StatusBadRequest, "", "Could not parse multipart form")
			return
		}
		file, header, err := r.FormFile("file")
		if err != nil {
			s.fail(w, http.StatusBadRequest, "", "file is required")
			return
		}
		data, _ := io.ReadAll(file)
		s.mu.Lock()
		s.form = map[string]string{}
		for k, v := range r.MultipartForm.Value {
			s.form[k] = v[0]
		}
		s.upload, s.uploadName, s.uploadType = data, header.Filename, header.Header.Get("Content-Type")
		s.mu.Unlock()
		if s.form["model"] == "broken" {
			w.WriteHeader(http.StatusBadGateway)
			io.WriteString(w, "<html>bad gateway</html>")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if s.form["response_format"] == "verbose_json" {
			// OpenAI's verbose_json: the text with language and duration,
			// and the words with their times when word timestamps were
			// asked for (here half a second each).
			answer := map[string]any{"task": "transcribe", "language": "english", "duration": 0.5 * float64(len(strings.Fields(s.transcript))), "text": s.transcript}
			if s.form["timestamp_granularities[]"] == "word" {
				words := []map[string]any{}
				for i, w := range strings.Fields(s.transcript) {
					words = append(words, map[string]any{"word": w, "start": 0.5 * float64(i), "end": 0.5*float64(i) + 0.4})
				}
				answer["words"] = words
			}
			json.NewEncoder(w).Encode(answer)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"text": s.transcript})
	default:
		s.fail(w, http.StatusNotFound, "unknown_url", "Unknown request URL")
	}
}

func TestOpenAISpeech(t *testing.T) {
	srv := &openAIServer{}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	ctx := context.Background()
	tts := NewOpenAISpeech(OpenAIConfig{APIKey: testKey, BaseURL: ts.URL}, ts.Client())

	audio, err := tts.Synthesize(ctx, "Hello there.", "en", "")
	if err != nil {
		t.Fatal(err)
	}
	if audio.Format != FormatWAV || audio.SampleRate != 24000 || audio.Duration != 0.5 {
		t.Errorf("audio %s %d Hz %.2f s", audio.Format, audio.SampleRate, audio.Duration)
	}
	want := map[string]string{"model": "gpt-4o-mini-tts", "input": "Hello there.", "voice": "alloy", "response_format": "wav"}
	if got := srv.speech[0]; len(got) != len(want) || got["model"] != want["model"] || got["input"] != want["input"] || got["voice"] != want["voice"] || got["response_format"] != "wav" {
		t.Errorf("request body %v, want %v", got, want)
	}

	// A 5,000-character script is over the endpoint's limit: it is spoken
	// in parts cut at sentence ends and joined.
	srv.speech = nil
	long := strings.Repeat("This sentence is forty characters long. ", 125)
	audio, err = tts.Synthesize(ctx, long, "en", "nova")
	if err != nil {
		t.Fatal(err)
	}
	if len(srv.speech) != 2 || audio.Duration != 1 {
		t.Fatalf("%d requests, %.2f s of audio; want 2 requests, 1 s", len(srv.speech), audio.Duration)
	}
	for _, req := range srv.speech {
		if req["voice"] != "nova" || !strings.HasSuffix(req["input"], ".") || len([]rune(req["input"])) > openAISpeechLimit {
			t.Errorf("part of %d characters, voice %q, ends %q", len([]rune(req["input"])), req["voice"], req["input"][len(req["input"])-5:])
		}
	}
	if got := srv.speech[0]["input"] + " " + srv.speech[1]["input"]; got != strings.TrimSpace(long) {
		t.Error("the parts do not add up to the text")
	}
}

func TestOpenAISpeechErrors(t *testing.T) {
	ts := httptest.NewServer(&openAIServer{})
	defer ts.Close()
	ctx := context.Background()
	tts := NewOpenAISpeech(OpenAIConfig{APIKey: testKey, BaseURL: ts.URL}, ts.Client())
	bad := NewOpenAISpeech(OpenAIConfig{APIKey: "bad", BaseURL: ts.URL}, ts.Client())

	_, err := bad.Synthesize(ctx, "hi", "en", "")
	if !errors.Is(err, ErrProviderRejected) || !strings.Contains(err.Error(), "invalid_api_key") || !strings.Contains(err.Error(), "HTTP 401") {
		t.Errorf("bad key: %v", err)
	}
	_, err = tts.Synthesize(ctx, "no credit", "en", "")
	assertNoKey(t, err)
	if !errors.Is(err, ErrProviderRejected) || Retryable(err) {
		t.Errorf("insufficient_quota: %v (a 429 that waiting will not fix)", err)
	}
	_, err = tts.Synthesize(ctx, "slow down", "en", "")
	var pe *ProviderError
	if !errors.As(err, &pe) || !errors.Is(err, ErrProviderUnavailable) || pe.RetryAfterSeconds != 1.5 {
		t.Errorf("rate limited: %v %+v", err, pe)
	}
	if _, err := tts.Synthesize(ctx, "hi", "de", ""); !errors.Is(err, ErrUnsupportedLanguage) {
		t.Errorf("German: %v", err)
	}
}

func TestOpenAITranscriber(t *testing.T) {
	srv := &openAIServer{transcript: " Hello there, friend. "}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	ctx := context.Background()
	stt := NewOpenAITranscriber(OpenAIConfig{APIKey: testKey, BaseURL: ts.URL}, ts.Client())

	wav := NewWAVAudio(sine(22050, 440, 1, 0.5))
	text, err := stt.Transcribe(ctx, wav, "ko-KR", "expected text is not sent")
	if err != nil {
		t.Fatal(err)
	}
	if text != "Hello there, friend." {
		t.Errorf("text %q", text)
	}
	if srv.form["model"] != "whisper-1" || srv.form["language"] != "ko" || srv.form["response_format"] != "json" {
		t.Errorf("form %v", srv.form)
	}
	if _, ok := srv.form["prompt"]; ok {
		t.Error("the expected text was sent as a prompt")
	}
	if srv.uploadName != "audio.wav" || srv.uploadType != "audio/wav" {
		t.Errorf("upload %q %q", srv.uploadName, srv.uploadType)
	}
	up, err := DecodeWAV(srv.upload)
	if err != nil || up.SampleRate != 16000 || up.Channels != 1 || math.Abs(up.Duration()-1) > 0.001 {
		t.Errorf("uploaded WAV: %v, %d Hz, %d channels, %.3f s; want 16 kHz mono 1 s", err, up.SampleRate, up.Channels, up.Duration())
	}

	mp3 := Audio{Data: silentMP3(10), Format: FormatMP3}
	gpt := NewOpenAITranscriber(OpenAIConfig{APIKey: testKey, BaseURL: ts.URL, TranscriptionModel: "gpt-4o-transcribe"}, ts.Client())
	if _, err := gpt.Transcribe(ctx, mp3, "en", ""); err != nil {
		t.Fatal(err)
	}
	if srv.form["model"] != "gpt-4o-transcribe" || srv.uploadName != "audio.mp3" || srv.uploadType != "audio/mpeg" || string(srv.upload) != string(mp3.Data) {
		t.Errorf("mp3 upload: model %q, %q %q, %d bytes", srv.form["model"], srv.uploadName, srv.uploadType, len(srv.upload))
	}

	broken := NewOpenAITranscriber(OpenAIConfig{APIKey: testKey, BaseURL: ts.URL, TranscriptionModel: "broken"}, ts.Client())
	_, err = broken.Transcribe(ctx, wav, "en", "")
	if !errors.Is(err, ErrProviderUnavailable) || !strings.Contains(err.Error(), "502") {
		t.Errorf("bad gateway: %v", err)
	}
	if stt.Supports("fr") || !stt.Supports("zh") {
		t.Error("wrong language support")
	}
	if _, err := stt.Transcribe(ctx, wav, "fr", ""); !errors.Is(err, ErrUnsupportedLanguage) {
		t.Errorf("French: %v", err)
	}
}

func TestHostedHonourContext(t *testing.T) {
	block := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer ts.Close()
	defer close(block)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	tts := NewElevenLabs(ElevenLabsConfig{APIKey: testKey, BaseURL: ts.URL}, ts.Client())
	if _, err := tts.Synthesize(ctx, "hi", "en", ""); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want the context's deadline", err)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		header http.Header
		want   float64
	}{
		{http.Header{"Retry-After": {"30"}}, 30},
		{http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}}, 90},
		{http.Header{"Retry-After": {now.Add(-time.Minute).Format(http.TimeFormat)}}, 0},
		{http.Header{"Retry-After-Ms": {"250"}}, 0.25},
		{http.Header{"Retry-After": {"soon"}}, 0},
		{http.Header{}, 0},
	}
	for _, tt := range tests {
		if got := retryAfter(tt.header, now); got != tt.want {
			t.Errorf("retryAfter(%v) = %v, want %v", tt.header, got, tt.want)
		}
	}
}

func TestSplitForLimit(t *testing.T) {
	text := strings.Repeat("가나다라마바사. ", 30) // 270 characters
	parts := splitForLimit(text, 100)
	if strings.Join(parts, " ") != strings.TrimSpace(text) {
		t.Errorf("parts %q do not add up", parts)
	}
	for _, p := range parts {
		if n := len([]rune(p)); n > 100 || !strings.HasSuffix(p, ".") {
			t.Errorf("part of %d characters: %q", n, p)
		}
	}
	if got := splitForLimit(strings.Repeat("x", 250), 100); len(got) != 3 || len(got[0]) != 100 {
		t.Errorf("unbroken text split into %d parts", len(got))
	}
	if got := splitForLimit("short", 100); len(got) != 1 || got[0] != "short" {
		t.Errorf("short text: %q", got)
	}
}
