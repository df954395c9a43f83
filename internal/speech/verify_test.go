package speech

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDiffWords(t *testing.T) {
	timed := func(words string) []TimedWord {
		var out []TimedWord
		for i, w := range strings.Fields(words) {
			out = append(out, TimedWord{Word: w, Start: float64(i), End: float64(i) + 0.5})
		}
		return out
	}
	for _, tc := range []struct {
		expected, heard, want string
	}{
		{"big sale today", "big sale today", "big:ok sale:ok today:ok"},
		{"big sale today", "big party today", "big:ok sale:substituted=party today:ok"},
		{"big sale today", "big today", "big:ok sale:missing today:ok"},
		{"big sale today", "big sale sale today", "big:ok sale:ok sale:extra today:ok"},
		{"big sale today", "", "big:missing sale:missing today:missing"},
		{"", "hello", "hello:extra"},
	} {
		var got []string
		for _, w := range diffWords(strings.Fields(tc.expected), timed(tc.heard)) {
			s := w.Word + ":" + w.Status
			if w.Heard != "" {
				s += "=" + w.Heard
			}
			if (w.Start == nil) != (w.Status == WordMissing) {
				t.Errorf("%q vs %q: %s has start %v", tc.expected, tc.heard, s, w.Start)
			}
			got = append(got, s)
		}
		if g := strings.Join(got, " "); g != tc.want {
			t.Errorf("%q heard as %q: got %s, want %s", tc.expected, tc.heard, g, tc.want)
		}
	}
}

// TestOpenAIVerifyWords verifies through the OpenAI protocol server: the
// recognizer asks for verbose_json with word timestamps, and the words come
// back in the same shape as the local verifier's, with their times.
func TestOpenAIVerifyWords(t *testing.T) {
	srv := &openAIServer{transcript: "Welcome to our summer party, 15% off."}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	stt := NewOpenAITranscriber(OpenAIConfig{APIKey: testKey, BaseURL: ts.URL}, ts.Client())
	audio := NewWAVAudio(Waveform{SampleRate: 16000, Channels: 1, Samples: make([]float32, 16000)})
	expected := Normalize("Welcome to our summer sale, 15% off.", "en").Text
	v, err := Verify(context.Background(), stt, audio, "en", expected)
	if err != nil {
		t.Fatal(err)
	}
	if srv.form["response_format"] != "verbose_json" || srv.form["timestamp_granularities[]"] != "word" {
		t.Errorf("form %v, want verbose_json with word timestamps", srv.form)
	}
	var got []string
	for _, w := range v.Words {
		got = append(got, w.Word+":"+w.Status+":"+w.Heard)
		if w.Start == nil || w.End == nil || *w.End <= *w.Start {
			t.Errorf("%s: start %v end %v, want the server's times", w.Word, w.Start, w.End)
		}
	}
	want := "welcome:ok: to:ok: our:ok: summer:ok: sale:substituted:party fifteen:ok: percent:ok: off:ok:"
	if g := strings.Join(got, " "); g != want {
		t.Errorf("words %s\nwant  %s", g, want)
	}
	// "fifteen percent" is the normalized "15%": both share its time.
	if *v.Words[5].Start != 2.5 || *v.Words[6].Start != 2.5 {
		t.Errorf("fifteen at %v, percent at %v; want both at 2.5 (the word 15%%)", *v.Words[5].Start, *v.Words[6].Start)
	}
	if v.Similarity >= 0.95 || v.Similarity < 0.8 {
		t.Errorf("similarity %.3f, want between 0.8 and 0.95 for one word of eight wrong", v.Similarity)
	}

	// gpt-4o transcribers refuse verbose_json: they are asked for json,
	// and the words come without times.
	stt = NewOpenAITranscriber(OpenAIConfig{APIKey: testKey, BaseURL: ts.URL, TranscriptionModel: "gpt-4o-transcribe"}, ts.Client())
	v, err = Verify(context.Background(), stt, audio, "en", expected)
	if err != nil {
		t.Fatal(err)
	}
	if srv.form["response_format"] != "json" || srv.form["timestamp_granularities[]"] != "" {
		t.Errorf("form %v, want plain json", srv.form)
	}
	if len(v.Words) != 8 || v.Words[4].Status != WordSubstituted || v.Words[4].Start != nil {
		t.Errorf("words %+v, want 8 with sale substituted, no times", v.Words)
	}
}

// The local verifier on real espeak-ng speech: the right audio matches,
// another script's audio does not, and a changed word is found.
func TestLocalVerifyWords(t *testing.T) {
	tts, stt := requireLocalEngines(t)
	ctx := context.Background()
	text, audio := speak(t, tts, englishScripts[0])
	other, _ := speak(t, tts, englishScripts[3])
	// A changed word of another length; a near rhyme ("winter" for
	// "summer") in a script this long is not always caught:
	// scripts/bench/verify.sh measures the share of one-word changes
	// caught.
	_, slipped := speak(t, tts, strings.Replace(englishScripts[0], "summer", "holiday", 1))

	v, err := Verify(ctx, stt, audio, "en", text)
	if err != nil {
		t.Fatal(err)
	}
	if v.Similarity < 0.95 {
		t.Errorf("matching audio: similarity %.3f, want at least 0.95 (%q)", v.Similarity, v.Transcript)
	}
	for _, w := range v.Words {
		if w.Status != WordOK || w.Start == nil || w.End == nil {
			t.Errorf("matching audio: %+v, want ok with times", w)
		}
	}

	v, err = Verify(ctx, stt, audio, "en", other)
	if err != nil {
		t.Fatal(err)
	}
	if v.Similarity > 0.8 {
		t.Errorf("another script's audio: similarity %.3f, want at most 0.8 (%q)", v.Similarity, v.Transcript)
	}

	v, err = Verify(ctx, stt, slipped, "en", text)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, w := range v.Words {
		if w.Word == "summer" {
			found = w.Status == WordSubstituted || w.Status == WordMissing
			t.Logf("summer read as holiday: %+v", w)
		}
	}
	if !found {
		t.Errorf("summer read as holiday: not flagged in %+v", v.Words)
	}
}

// BenchmarkVerify60s measures the local verification of a 60-second English
// voice-over (scripts/bench/verify.sh reports the same beside the
// transcription-only check): the alignment and the phone loop run at once.
func BenchmarkVerify60s(b *testing.B) {
	tts, stt := requireLocalEngines(b)
	ctx := context.Background()
	script := Normalize(strings.Join(englishScripts[:7], " "), "en").Text
	audio, err := tts.Synthesize(ctx, script, "en", "default")
	if err != nil {
		b.Fatal(err)
	}
	var last Verification
	for b.Loop() {
		if last, err = Verify(ctx, stt, audio, "en", script); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(audio.Duration, "audio-s")
	b.ReportMetric(last.Similarity, "similarity")
}
