package verify

import (
	"bufio"
	"context"
	"github.com/omnivibepro/omnivibe/internal/speech"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestScoreCuts: pieces of at least scorePieceMinSeconds, no more than the
// cores, each boundary at the quietest frame near the even split.
func TestScoreCuts(t *testing.T) {
	second := pocketSphinxRate
	tone := func(seconds float64) []float32 {
		s := make([]float32, int(seconds*float64(second)))
		for i := range s {
			s[i] = float32(0.5 * math.Sin(float64(i)/5))
		}
		return s
	}
	// 30 s of tone with a 0.2 s silence at 14.5 s: the cut goes into it.
	samples := append(append(tone(14.5), make([]float32, second/5)...), tone(15.3)...)
	frames := (len(samples)-windowSamples)/frameSamples + 1
	cuts := scoreCuts(samples, 2)
	if len(cuts) != 3 || cuts[0] != 0 || cuts[2] != frames {
		t.Fatalf("cuts = %v, want 0, a cut, %d", cuts, frames)
	}
	if silentFrom, silentTo := 1450, 1470-windowSamples/frameSamples; cuts[1] < silentFrom || cuts[1] > silentTo {
		t.Errorf("cut at frame %d, want inside the silence (frames %d-%d)", cuts[1], silentFrom, silentTo)
	}
	if got := scoreCuts(samples, 8); len(got) != 3 {
		t.Errorf("8 cores on 30 s: cuts %v, want 2 pieces (each at least %d s)", got, scorePieceMinSeconds)
	}
	if got := scoreCuts(tone(15), 2); len(got) != 2 {
		t.Errorf("15 s: cuts %v, want one piece", got)
	}
	if got := scoreCuts(make([]float32, 100), 2); len(got) != 2 || got[1] != 0 {
		t.Errorf("shorter than a window: cuts %v, want [0 0]", got)
	}
}

// TestSharedScoresKeepTheAudioClock: the scores computed in pieces and
// joined hold one frame per frame of the audio, and a search reading them
// places the script's words where a search scoring the audio itself does.
func TestSharedScoresKeepTheAudioClock(t *testing.T) {
	tts, _ := requireLocalEngines(t)
	ps := NewPocketSphinx(speech.PocketSphinxConfig{})
	ctx := context.Background()
	script := speech.Normalize(strings.Join(englishScripts[:3], " "), "en").Text
	audio, err := tts.Synthesize(ctx, script, "en", "default")
	if err != nil {
		t.Fatal(err)
	}
	w, err := audio.Waveform()
	if err != nil {
		t.Fatal(err)
	}
	if w.Duration() < 2*scorePieceMinSeconds {
		t.Fatalf("%.1f s of audio: too short for two pieces", w.Duration())
	}
	align := func(cores int) (*sphinxRun, []segment) {
		run, err := ps.newRun(w)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(run.close)
		lex, err := ps.lexicon(ctx, ScriptWords(script), nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := lex.write(run.dir); err != nil {
			t.Fatal(err)
		}
		if cores > 0 {
			if err := run.scoreSenones(ctx, cores); err != nil {
				t.Fatal(err)
			}
		} else {
			run.input = audioEveryFrame
		}
		segs, err := run.align(ctx, lex)
		if err != nil || segs == nil {
			t.Fatalf("alignment (cores %d): %v, %d segments", cores, err, len(segs))
		}
		return run, segs
	}
	directRun, direct := align(0)
	shared, joined := align(2)

	f, err := shared.root.Open("utt.sen")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	header, senones, err := readScoreHeader(bufio.NewReader(f))
	if err != nil {
		t.Fatal(err)
	}
	frameSize := int64(2 + 2*senones)
	if (info.Size()-int64(len(header)))%frameSize != 0 {
		t.Fatalf("joined scores: %d bytes after the header, not whole frames of %d", info.Size()-int64(len(header)), frameSize)
	}
	log, err := directRun.root.ReadFile("strict.log")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(\d+) frames, `).FindSubmatch(log)
	if m == nil {
		t.Fatal("no frame count in the decoder's log")
	}
	if got, want := (info.Size()-int64(len(header)))/frameSize, string(m[1]); strconv.FormatInt(got, 10) != want {
		t.Errorf("joined scores hold %d frames, the audio decodes to %s", got, want)
	}
	words := func(segs []segment) []segment {
		var out []segment
		for _, s := range segs {
			if !isFiller(s.word) {
				out = append(out, s)
			}
		}
		return out
	}
	a, b := words(direct), words(joined)
	if len(a) != len(b) || len(a) != len(ScriptWords(script)) {
		t.Fatalf("%d words aligned on the audio, %d on the shared scores, script has %d", len(a), len(b), len(ScriptWords(script)))
	}
	// The pieces' scores differ a little from the whole's (each piece has
	// its own cepstral mean), which may move a boundary between two short
	// words or pick another pronunciation of one; words stay in place.
	base := func(sym string) string { s, _, _ := strings.Cut(sym, "("); return s }
	moved := 0
	for i := range a {
		d := max(abs(a[i].start-b[i].start), abs(a[i].end-b[i].end))
		if base(a[i].word) != base(b[i].word) || d > 10 {
			t.Errorf("word %d: %s %d-%d on the audio, %s %d-%d on the shared scores", i, a[i].word, a[i].start, a[i].end, b[i].word, b[i].start, b[i].end)
		}
		if d > 2 {
			moved++
		}
	}
	if moved > len(a)/10 {
		t.Errorf("%d of %d words moved more than 2 frames", moved, len(a))
	}
}

// TestVerifyLongAudioPath: audio past sharedScoresMaxSeconds is verified by
// searches that each score the audio themselves, with the same verdicts.
func TestVerifyLongAudioPath(t *testing.T) {
	tts, stt := requireLocalEngines(t)
	saved := sharedScoresMaxSeconds
	sharedScoresMaxSeconds = 1
	t.Cleanup(func() { sharedScoresMaxSeconds = saved })
	ctx := context.Background()
	text, audio := speak(t, tts, englishScripts[0])
	other, _ := speak(t, tts, englishScripts[3])
	v, err := speech.Verify(ctx, stt, audio, "en", text)
	if err != nil {
		t.Fatal(err)
	}
	if v.Similarity < 0.95 {
		t.Errorf("matching audio: similarity %.3f, want at least 0.95 (%q)", v.Similarity, v.Transcript)
	}
	if v, err = speech.Verify(ctx, stt, audio, "en", other); err != nil {
		t.Fatal(err)
	}
	if v.Similarity > 0.8 {
		t.Errorf("another script's audio: similarity %.3f, want at most 0.8 (%q)", v.Similarity, v.Transcript)
	}
}
