// Command verify measures how well the local verifier (speech.Verify with
// pocketsphinx) tells right voice-overs from wrong ones. It synthesizes every
// sentence of its corpus with espeak-ng in two voices and verifies each
// recording against its own text (right), against another sentence's text
// (wrong), and, recorded with one word changed, against its own text (a
// slip). It prints the ROC AUC and equal error rate of the similarity for
// right against wrong, the share of slips whose word is flagged, and how long
// a 60-second voice-over takes to verify. scripts/bench/verify.sh runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/omnivibepro/omnivibe/internal/speech"
	"github.com/omnivibepro/omnivibe/internal/verify"
)

// The voice-over thresholds of the service (shared/spec/api.md): a task
// succeeds at the default accuracy threshold and is partial above 0.8.
const (
	matchThreshold   = 0.95
	partialThreshold = 0.8
)

type result struct {
	kind       string // right, wrong, slip
	similarity float64
	flagged    int  // script words not ok
	caught     bool // slip: the changed word is flagged
}

func main() {
	n := flag.Int("n", len(corpus), "sentences of the corpus to use")
	parallel := flag.Int("parallel", runtime.NumCPU(), "verifications at once")
	verbose := flag.Bool("v", false, "print every verification")
	flag.Parse()
	if err := run(min(*n, len(corpus)), *parallel, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "verify:", err)
		os.Exit(1)
	}
}

func run(n, parallel int, verbose bool) error {
	ctx := context.Background()
	found := speech.DetectLocalEngines(speech.Config{})
	if found.Espeak == "" || found.PocketSphinx == "" {
		return fmt.Errorf("espeak-ng and pocketsphinx (with pocketsphinx-en-us) must be installed")
	}
	tts := speech.NewEspeak(speech.EspeakConfig{})
	stt := verify.NewPocketSphinx(speech.PocketSphinxConfig{})
	voices := []string{"default", "+f3"}

	type job struct {
		kind, text, spoken, voice string
		changed                   int // index of the changed word, slip only
	}
	var jobs []job
	for i := range n {
		text := speech.Normalize(corpus[i], "en").Text
		other := speech.Normalize(corpus[(i+n/2)%n], "en").Text
		words := strings.Fields(text)
		k := changedWord(words)
		slip := slices.Clone(words)
		slip[k] = replacements[i%len(replacements)]
		for _, v := range voices {
			jobs = append(jobs,
				job{kind: "right", text: text, spoken: text, voice: v},
				job{kind: "wrong", text: other, spoken: text, voice: v},
				job{kind: "slip", text: text, spoken: strings.Join(slip, " "), voice: v, changed: k})
		}
	}

	results := make([]result, len(jobs))
	errs := make(chan error, len(jobs))
	sem := make(chan struct{}, max(1, parallel))
	var wg sync.WaitGroup
	started := time.Now()
	for idx, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			audio, err := tts.Synthesize(ctx, j.spoken, "en", j.voice)
			if err != nil {
				errs <- err
				return
			}
			v, err := speech.Verify(ctx, stt, audio, "en", j.text)
			if err != nil {
				errs <- err
				return
			}
			r := result{kind: j.kind, similarity: v.Similarity}
			pos := 0
			for _, w := range v.Words {
				if w.Status == speech.WordExtra {
					continue
				}
				if w.Status != speech.WordOK {
					r.flagged++
					if j.kind == "slip" && pos == j.changed {
						r.caught = true
					}
				}
				pos++
			}
			results[idx] = r
			if verbose {
				fmt.Printf("%-5s %-7s sim %.3f llr %6.1f flagged %2d caught %-5v %q\n", j.kind, j.voice, v.Similarity, v.Confidence, r.flagged, r.caught, v.Transcript)
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	took := time.Since(started)

	by := map[string][]float64{}
	for _, r := range results {
		by[r.kind] = append(by[r.kind], r.similarity)
	}
	fmt.Printf("corpus: %d sentences x %d voices (%s); %d verifications in %.1f s with %d at once\n",
		n, len(voices), strings.Join(voices, ", "), len(jobs), took.Seconds(), parallel)
	fmt.Printf("%-44s %5s %6s %6s %6s\n", "similarity", "n", "min", "median", "max")
	for _, k := range []string{"right", "wrong", "slip"} {
		v := slices.Sorted(slices.Values(by[k]))
		fmt.Printf("%-44s %5d %6.3f %6.3f %6.3f\n", describe(k), len(v), v[0], v[len(v)/2], v[len(v)-1])
	}
	fmt.Printf("ROC AUC right vs wrong sentence:             %.4f\n", auc(by["right"], by["wrong"]))
	fmt.Printf("equal error rate right vs wrong sentence:    %.4f\n", eer(by["right"], by["wrong"]))
	wrongAll := append(slices.Clone(by["wrong"]), by["slip"]...)
	fmt.Printf("ROC AUC right vs wrong sentence or slip:     %.4f\n", auc(by["right"], wrongAll))
	var wrongBelowMatch, wrongBelowPartial, rightMatch, rightFlagged, slipCaught, slipNotMatch int
	for _, r := range results {
		switch r.kind {
		case "wrong":
			if r.similarity < matchThreshold {
				wrongBelowMatch++
			}
			if r.similarity <= partialThreshold {
				wrongBelowPartial++
			}
		case "right":
			if r.similarity >= matchThreshold && r.flagged == 0 {
				rightMatch++
			}
			if r.flagged > 0 {
				rightFlagged++
			}
		case "slip":
			if r.caught {
				slipCaught++
			}
			if r.similarity < matchThreshold || r.flagged > 0 {
				slipNotMatch++
			}
		}
	}
	total := len(by["right"])
	fmt.Printf("wrong sentence below the match threshold %.2f: %d of %d\n", matchThreshold, wrongBelowMatch, total)
	fmt.Printf("wrong sentence at or below %.2f (mismatch):   %d of %d\n", partialThreshold, wrongBelowPartial, total)
	fmt.Printf("right audio verdict match:                   %d of %d (%d with a word flagged)\n", rightMatch, total, rightFlagged)
	fmt.Printf("one-word changes caught (that word flagged): %d of %d (%.1f %%)\n", slipCaught, total, 100*float64(slipCaught)/float64(total))
	fmt.Printf("one-word changes not verdict match:          %d of %d\n", slipNotMatch, total)

	return timeMinute(ctx, tts, stt)
}

func describe(kind string) string {
	switch kind {
	case "right":
		return "right: own text"
	case "wrong":
		return "wrong: another sentence's text"
	}
	return "slip: own text, one word changed in the audio"
}

// changedWord picks the word a slip replaces: the longest in the middle
// half of the sentence, so the change is neither at an edge nor a tiny word.
func changedWord(words []string) int {
	best := len(words) / 2
	for i := len(words) / 4; i < len(words)*3/4; i++ {
		if len(words[i]) > len(words[best]) {
			best = i
		}
	}
	return best
}

// auc is the probability that a right score beats a wrong one (ties count
// half): the area under the ROC curve, by the Mann-Whitney U statistic.
func auc(right, wrong []float64) float64 {
	var wins float64
	for _, r := range right {
		for _, w := range wrong {
			switch {
			case r > w:
				wins++
			case r == w:
				wins += 0.5
			}
		}
	}
	return wins / float64(len(right)*len(wrong))
}

// eer is the error rate where rejecting right audio and accepting wrong
// audio are equally likely, over every threshold the scores allow.
func eer(right, wrong []float64) float64 {
	cuts := append(slices.Clone(right), wrong...)
	cuts = append(cuts, 2)
	sort.Float64s(cuts)
	best, bestGap := 1.0, 2.0
	for _, c := range cuts {
		var fr, fa float64
		for _, r := range right {
			if r < c {
				fr++
			}
		}
		for _, w := range wrong {
			if w >= c {
				fa++
			}
		}
		fr /= float64(len(right))
		fa /= float64(len(wrong))
		if gap := abs(fr - fa); gap < bestGap {
			best, bestGap = (fr+fa)/2, gap
		}
	}
	return best
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// timeMinute verifies a voice-over of about 60 seconds three times and
// reports the median, beside the transcription-only check of the same
// audio measured in the same run.
func timeMinute(ctx context.Context, tts speech.Synthesizer, stt *verify.PocketSphinx) error {
	var words []string
	for _, s := range corpus {
		words = append(words, strings.Fields(speech.Normalize(s, "en").Text)...)
		if len(words) >= 150 { // 150 words a minute: the writer's reading speed
			break
		}
	}
	text := strings.Join(words, " ")
	audio, err := tts.Synthesize(ctx, text, "en", "default")
	if err != nil {
		return err
	}
	median := func(f func() error) (time.Duration, error) {
		var d []time.Duration
		for range 3 {
			start := time.Now()
			if err := f(); err != nil {
				return 0, err
			}
			d = append(d, time.Since(start))
		}
		slices.Sort(d)
		return d[1], nil
	}
	var sim float64
	verify, err := median(func() error {
		v, err := speech.Verify(ctx, stt, audio, "en", text)
		sim = v.Similarity
		return err
	})
	if err != nil {
		return err
	}
	transcribe, err := median(func() error {
		_, err := stt.Transcribe(ctx, audio, "en", text)
		return err
	})
	if err != nil {
		return err
	}
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("60 s voice-over (%.1f s of audio, similarity %.3f): verify %.2f s (ceiling 3 s: %.2f of it), transcription-only check %.2f s (ratio %.2f)\n",
		audio.Duration, sim, verify.Seconds(), verify.Seconds()/3, transcribe.Seconds(), verify.Seconds()/transcribe.Seconds())
	fmt.Printf("machine: %d CPUs, load average %s\n", runtime.NumCPU(), strings.TrimSpace(string(load)))
	return nil
}
