package speech

import (
	"context"
	"errors"
	"math"
	"net/http"
	"os"
	"strings"
	"testing"
)

func requireEspeak(t *testing.T) *Espeak {
	t.Helper()
	if DetectLocalEngines(Config{}).Espeak == "" {
		if os.Getenv("OMNIVIBE_REQUIRE_SPEECH") == "1" {
			t.Fatal("espeak-ng is not installed; OMNIVIBE_REQUIRE_SPEECH=1 requires it")
		}
		t.Skip("espeak-ng is not installed (apt-get install -y espeak-ng); set OMNIVIBE_REQUIRE_SPEECH=1 to make this a failure")
	}
	return NewEspeak(EspeakConfig{})
}

func TestEspeakLanguages(t *testing.T) {
	e := requireEspeak(t)
	ctx := context.Background()
	texts := map[string]string{
		"ko": "안녕하세요, 테스트 오디오입니다.",
		"en": "Hello, this is a test.",
		"ja": "こんにちは、テストです。",
		"zh": "大家好，这是一个测试。",
	}
	for lang, text := range texts {
		a, err := e.Synthesize(ctx, text, lang, "default")
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		w, err := DecodeWAV(a.Data)
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		if a.Format != FormatWAV || a.SampleRate != 22050 || w.SampleRate != 22050 || w.Channels != 1 || a.Duration < 0.5 || a.Duration != w.Duration() {
			t.Errorf("%s: %s %d Hz %.2f s (file says %d Hz, %.2f s)", lang, a.Format, a.SampleRate, a.Duration, w.SampleRate, w.Duration())
		}
		var energy float64
		for _, s := range w.Samples {
			energy += float64(s) * float64(s)
		}
		if rms := math.Sqrt(energy / float64(len(w.Samples))); rms < 0.01 {
			t.Errorf("%s: RMS %.4f, the audio is silent", lang, rms)
		}
	}
}

// TestEspeakSpeed checks that the default speed follows the reading-speed
// model and that a configured speed changes the length.
func TestEspeakSpeed(t *testing.T) {
	e := requireEspeak(t)
	ctx := context.Background()
	text := "Welcome to our summer sale. Every pair of running shoes is thirty percent off this week only."
	words := float64(len(strings.Fields(text)))
	a, err := e.Synthesize(ctx, text, "en", "")
	if err != nil {
		t.Fatal(err)
	}
	if wpm := words / a.Duration * 60; wpm < 120 || wpm > 180 {
		t.Errorf("default speed %.0f words/min, want about 150", wpm)
	}
	fast := NewEspeak(EspeakConfig{WordsPerMinute: map[string]int{"en": 300}})
	b, err := fast.Synthesize(ctx, text, "en", "")
	if err != nil {
		t.Fatal(err)
	}
	if b.Duration >= a.Duration*0.75 {
		t.Errorf("300 words/min took %.2f s, 150 took %.2f s", b.Duration, a.Duration)
	}
}

func TestEspeakVoicesAndErrors(t *testing.T) {
	e := requireEspeak(t)
	ctx := context.Background()
	if _, err := e.Synthesize(ctx, "Hello", "en", "+f3"); err != nil {
		t.Errorf("variant voice: %v", err)
	}
	if _, err := e.Synthesize(ctx, "Hello", "en", "en-gb"); err != nil {
		t.Errorf("named voice: %v", err)
	}
	tests := []struct {
		name, text, lang, voice string
		kind                    error
	}{
		{"option as voice", "Hello", "en", "--help", ErrProviderRejected},
		{"voice with spaces", "Hello", "en", "en us", ErrProviderRejected},
		{"unknown voice", "Hello", "en", "nosuchvoice", ErrProviderRejected},
		{"empty text", "  ", "en", "", ErrProviderRejected},
		{"unsupported language", "Bonjour", "fr", "", ErrUnsupportedLanguage},
	}
	for _, tt := range tests {
		if _, err := e.Synthesize(ctx, tt.text, tt.lang, tt.voice); !errors.Is(err, tt.kind) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.kind)
		}
	}
	// Text is data on standard input: shell syntax is spoken, not run.
	if _, err := e.Synthesize(ctx, "$(touch /tmp/omnivibe-pwned); `id`", "en", ""); err != nil {
		t.Errorf("shell-looking text: %v", err)
	}
	if _, err := os.Stat("/tmp/omnivibe-pwned"); err == nil {
		t.Error("text was run by a shell")
	}
	ctxDone, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := e.Synthesize(ctxDone, "Hello", "en", ""); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}

func TestEspeakMissingBinary(t *testing.T) {
	e := NewEspeak(EspeakConfig{Binary: "/nonexistent/espeak-ng"})
	_, err := e.Synthesize(context.Background(), "Hello", "en", "")
	if !errors.Is(err, ErrProviderUnavailable) {
		t.Errorf("got %v, want ErrProviderUnavailable", err)
	}
}

func TestSynthetic(t *testing.T) {
	calls := 0
	s := NewSynthetic(func(text, language string) float64 {
		calls++
		if language != "ko" {
			t.Errorf("language %q", language)
		}
		return float64(len([]rune(text))) / 200 * 60 // 200 characters a minute
	})
	text := "안녕하세요, 테스트 오디오입니다."
	a, err := s.Synthesize(context.Background(), text, "ko", "default")
	if err != nil {
		t.Fatal(err)
	}
	want := float64(len([]rune(text))) / 200 * 60
	if !a.Synthetic || a.Format != FormatWAV || math.Abs(a.Duration-want) > 0.001 || calls != 1 {
		t.Errorf("synthetic=%v %s %.3f s (want %.3f), %d calls", a.Synthetic, a.Format, a.Duration, want, calls)
	}
	w, err := a.Waveform()
	if err != nil {
		t.Fatal(err)
	}
	var loud, quiet int
	for _, v := range w.Samples {
		if math.Abs(float64(v)) > 0.05 {
			loud++
		} else {
			quiet++
		}
	}
	if loud == 0 || quiet == 0 {
		t.Errorf("%d loud and %d quiet samples: want bursts with pauses", loud, quiet)
	}
	b, _ := s.Synthesize(context.Background(), text, "ko", "")
	if string(a.Data) != string(b.Data) {
		t.Error("the same text gave different signals")
	}
	zero := NewSynthetic(func(string, string) float64 { return math.NaN() })
	if z, err := zero.Synthesize(context.Background(), "x", "ko", ""); err != nil || z.Duration <= 0 {
		t.Errorf("NaN duration: %v, %.2f s", err, z.Duration)
	}
}

func TestConstructors(t *testing.T) {
	dur := func(string, string) float64 { return 1 }
	okSynth := []Config{
		{TTS: "espeak"},
		{TTS: "elevenlabs", ElevenLabs: ElevenLabsConfig{APIKey: "k"}},
		{TTS: "openai", OpenAI: OpenAIConfig{APIKey: "k"}},
		{TTS: "synthetic", SyntheticDuration: dur},
	}
	for _, cfg := range okSynth {
		s, err := NewSynthesizer(cfg)
		if err != nil || s.Name() != cfg.TTS {
			t.Errorf("NewSynthesizer(%q): %v, %v", cfg.TTS, s, err)
		}
	}
	badSynth := []Config{{TTS: ""}, {TTS: "polly"}, {TTS: "elevenlabs"}, {TTS: "openai"}, {TTS: "synthetic"}}
	for _, cfg := range badSynth {
		if _, err := NewSynthesizer(cfg); err == nil {
			t.Errorf("NewSynthesizer(%q) accepted", cfg.TTS)
		}
	}
	okRecog := []Config{{STT: "openai", OpenAI: OpenAIConfig{APIKey: "k"}}, {STT: "none"}}
	for _, cfg := range okRecog {
		r, err := NewRecognizer(cfg)
		if err != nil || r.Name() != cfg.STT {
			t.Errorf("NewRecognizer(%q): %v, %v", cfg.STT, r, err)
		}
	}
	for _, cfg := range []Config{{STT: "whisper.cpp"}, {STT: "openai"}, {STT: ""}} {
		if _, err := NewRecognizer(cfg); err == nil {
			t.Errorf("NewRecognizer(%q) accepted", cfg.STT)
		}
	}
	if c := (Config{}).httpClient(); c == http.DefaultClient || c.Timeout == 0 {
		t.Error("default HTTP client has no timeout")
	}
}

func TestNoRecognizerAndReasons(t *testing.T) {
	none := NoRecognizer{}
	if none.Supports("en") {
		t.Error("none supports English")
	}
	if _, err := none.Transcribe(context.Background(), Audio{}, "en", ""); !errors.Is(err, ErrUnsupportedLanguage) {
		t.Errorf("none: %v", err)
	}
	tests := []struct {
		r        Recognizer
		language string
		want     string
	}{
		{none, "ko", "no speech recognizer is configured"},
		{nil, "ko", "no speech recognizer is configured"},
	}
	for _, tt := range tests {
		got := UnverifiedReason(tt.r, tt.language)
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("UnverifiedReason(%v, %q) = %q, want %q", tt.r, tt.language, got, tt.want)
		}
	}
}

func TestDetectLocalEngines(t *testing.T) {
	missing := DetectLocalEngines(Config{
		Espeak:       EspeakConfig{Binary: "/nonexistent/espeak-ng"},
		PocketSphinx: PocketSphinxConfig{Binary: "/nonexistent/pocketsphinx_batch"},
	})
	if missing.Espeak != "" || missing.PocketSphinx != "" || missing.DefaultTTS() != "" || missing.DefaultSTT() != "none" {
		t.Errorf("nothing installed, got %+v, %q, %q", missing, missing.DefaultTTS(), missing.DefaultSTT())
	}
	noModel := DetectLocalEngines(Config{PocketSphinx: PocketSphinxConfig{ModelDir: t.TempDir()}})
	if noModel.PocketSphinx != "" {
		t.Errorf("pocketsphinx without a model reported as %q", noModel.PocketSphinx)
	}
	found := DetectLocalEngines(Config{})
	if found.Espeak != "" && found.DefaultTTS() != "espeak" {
		t.Errorf("espeak-ng at %s but default TTS %q", found.Espeak, found.DefaultTTS())
	}
	if found.PocketSphinx != "" && found.DefaultSTT() != "pocketsphinx" {
		t.Errorf("pocketsphinx at %s but default STT %q", found.PocketSphinx, found.DefaultSTT())
	}
}

func TestProviderErrorText(t *testing.T) {
	err := &ProviderError{Provider: "elevenlabs", Status: 429, Message: "slow down", Kind: ErrProviderUnavailable}
	if got := err.Error(); got != "elevenlabs: speech provider unavailable (HTTP 429): slow down" {
		t.Errorf("got %q", got)
	}
	if got := (&ProviderError{Provider: "espeak", Kind: ErrProviderRejected}).Error(); got != "espeak: speech provider rejected the request" {
		t.Errorf("got %q", got)
	}
	for in, want := range map[string]string{"en-US": "en", "ko_KR": "ko", " ZH ": "zh", "": ""} {
		if got := PrimaryLanguage(in); got != want {
			t.Errorf("PrimaryLanguage(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEspeakSlowsDownOnLaterAttempts(t *testing.T) {
	e := NewEspeak(EspeakConfig{})
	if e.ForAttempt(1) != Synthesizer(e) {
		t.Fatal("the first attempt must use the configured speed")
	}
	third := e.ForAttempt(3).(*Espeak)
	if third.speeds["en"] != 120 || third.speeds["ko"] != 80 || e.speeds["en"] != 150 {
		t.Fatalf("speeds: attempt 3 en %d ko %d; original en %d", third.speeds["en"], third.speeds["ko"], e.speeds["en"])
	}
	if e.ForAttempt(10).(*Espeak).speeds["zh"] != 80 {
		t.Fatal("speed must not go below espeak-ng's slowest")
	}
}
