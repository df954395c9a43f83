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
