package verify

import (
	"context"
	"fmt"
	"github.com/omnivibepro/omnivibe/internal/speech"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestLocalDiscrimination measures how the local check scores audio of the
// right script against audio that is wrong in the ways a voice-over can be
// wrong, over every script of englishScripts (about a minute and a half of
// decoding; run with OMNIVIBE_SPEECH_MEASURE=1 -v to see the table). It
// fails when the right audio does not score clearly above audio of other
// text, or above audio with part of the script missing or added.
func TestLocalDiscrimination(t *testing.T) {
	if os.Getenv("OMNIVIBE_SPEECH_MEASURE") != "1" {
		t.Skip("set OMNIVIBE_SPEECH_MEASURE=1 to measure the local check on every script pair (about a minute)")
	}
	tts, stt := requireLocalEngines(t)
	ctx := context.Background()
	n := len(englishScripts)
	texts := make([]string, n)
	audios := make([]speech.Audio, n)
	for i, s := range englishScripts {
		texts[i], audios[i] = speak(t, tts, s)
	}
	score := func(expected string, a speech.Audio) (float64, string) {
		transcript, err := stt.Transcribe(ctx, a, "en", expected)
		if err != nil {
			t.Fatal(err)
		}
		return speech.Similarity(expected, transcript), transcript
	}
	results := map[string][]float64{}
	add := func(kind string, s float64) { results[kind] = append(results[kind], s) }
	for i := range n {
		for j := range n {
			s, transcript := score(texts[i], audios[j])
			if i == j {
				add("matching audio", s)
				t.Logf("script %2d matching: %.3f %q", i, s, transcript)
			} else {
				add("another script's audio", s)
			}
		}
		sentences := regexp.MustCompile(`[.?!]\s+`).Split(englishScripts[i], -1)
		_, dropped := speak(t, tts, strings.Join(sentences[:len(sentences)-1], ". "))
		s, _ := score(texts[i], dropped)
		add("last sentence missing", s)

		w, _ := audios[i].Waveform()
		w.Samples = w.Samples[:len(w.Samples)*6/10]
		s, _ = score(texts[i], speech.NewWAVAudio(w))
		add("cut off at 60 %", s)

		words := strings.Fields(englishScripts[i])
		swapped := 0
		for k := 2; k < len(words) && swapped < 2; k += 5 {
			if len(strings.Trim(words[k], ".,?!")) > 4 {
				words[k] = []string{"purple", "rocket"}[swapped]
				swapped++
			}
		}
		_, changed := speak(t, tts, strings.Join(words, " "))
		s, _ = score(texts[i], changed)
		add("two words different", s)

		_, longer := speak(t, tts, englishScripts[i]+" Call us now for a special gift and more great deals.")
		s, transcript := score(texts[i], longer)
		add("extra sentence spoken", s)
		t.Logf("script %2d extra sentence: %.3f %q", i, s, transcript)

		silent := speech.Waveform{SampleRate: 22050, Channels: 1, Samples: make([]float32, int(audios[i].Duration*22050))}
		s, _ = score(texts[i], speech.NewWAVAudio(silent))
		add("silence", s)
	}
	kinds := []string{"matching audio", "two words different", "extra sentence spoken", "last sentence missing", "cut off at 60 %", "another script's audio", "silence"}
	var table strings.Builder
	fmt.Fprintf(&table, "\n%-24s %5s %6s %6s %6s %6s\n", "audio", "n", "min", "median", "mean", "max")
	for _, k := range kinds {
		v := slices.Clone(results[k])
		slices.Sort(v)
		var sum float64
		for _, x := range v {
			sum += x
		}
		fmt.Fprintf(&table, "%-24s %5d %6.3f %6.3f %6.3f %6.3f\n", k, len(v), v[0], v[len(v)/2], sum/float64(len(v)), v[len(v)-1])
	}
	t.Log(table.String())
	// Audio of other text must score far below the right audio; audio with
	// part of the script missing or added must still score below it.
	lo := slices.Min(results["matching audio"])
	for _, k := range []string{"another script's audio", "silence"} {
		if hi := slices.Max(results[k]); lo-hi < 0.3 {
			t.Errorf("matching audio scored down to %.3f, %s up to %.3f: want a gap of at least 0.3", lo, k, hi)
		}
	}
	for _, k := range []string{"extra sentence spoken", "last sentence missing", "cut off at 60 %"} {
		if hi := slices.Max(results[k]); hi >= lo {
			t.Errorf("matching audio scored down to %.3f, %s up to %.3f: want it lower", lo, k, hi)
		}
	}
}
