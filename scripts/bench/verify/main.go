// Command verify measures how well the local verifier (speech.Verify with
// verify.PocketSphinx) catches the copy errors a voice-over can carry, and
// how often it raises a false alarm on a right one. Every sentence of its
// corpus (corpus.go) is synthesized by several synthesizers and voices
// (espeak-ng, and flite, whose voices sound unlike espeak's) and verified
// as the API does (service.Verdict at the threshold 0.95) in these trials:
//
//   - right: the audio says the script;
//   - wrong: the audio says another sentence (for the ROC AUC of the
//     similarity, right against wrong);
//   - slip: the audio says the sentence with its copy error (a number,
//     date, name, product or claim word changed), checked against the
//     original;
//   - omission: the script is the sentence and its neighbour, the audio
//     says the sentence only;
//   - insertion: the audio says the sentence and an extra one, the script
//     is the sentence only.
//
// It prints, per voice and synthesizer and per kind of copy error, the
// share caught (verdict not match) and the share where the changed word
// itself is flagged, the false alarms on right recordings, the omissions
// and insertions caught, the ROC AUC, and how long a 60-second voice-over
// takes to verify. scripts/bench/verify.sh runs it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/service"
	"github.com/omnivibepro/omnivibe/internal/speech"
	"github.com/omnivibepro/omnivibe/internal/verify"
)

// The trials run on each sentence and voice.
const (
	trialRight     = "right"
	trialWrong     = "wrong"
	trialSlip      = "slip"
	trialOmission  = "omission"
	trialInsertion = "insertion"
)

var trials = []string{trialRight, trialWrong, trialSlip, trialOmission, trialInsertion}

// partialAbove is the service's bound between partial and mismatch, for the
// count of wrong sentences judged mismatch.
const partialAbove = 0.8

func main() {
	n := flag.Int("n", 0, "sentences of each kind to use, the first of each (0: all)")
	kindList := flag.String("kinds", strings.Join(kinds, ","), "kinds of copy error to use")
	voiceList := flag.String("voices", "espeak:default,espeak:+f3,flite:slt,flite:rms",
		"synthesizer:voice pairs; espeak-ng takes a variant (+f3) or a voice name (en-gb+m2), flite a voice of flite -lv (slt, rms, awb, kal16, kal)")
	trialList := flag.String("trials", strings.Join(trials, ","), "trials to run")
	threshold := flag.Float64("threshold", 0.95, "accuracy threshold of the verdict (the API's default)")
	parallel := flag.Int("parallel", runtime.NumCPU(), "verifications at once")
	timing := flag.Bool("time", true, "time the verification of a 60-second voice-over")
	verbose := flag.Bool("v", false, "print every trial")
	flag.Parse()
	cfg := config{
		n: *n, kinds: split(*kindList), voices: split(*voiceList), trials: split(*trialList),
		threshold: *threshold, parallel: max(1, *parallel), timing: *timing, verbose: *verbose,
	}
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "verify:", err)
		os.Exit(1)
	}
}

type config struct {
	n                     int
	kinds, voices, trials []string
	threshold             float64
	parallel              int
	timing, verbose       bool
}

func split(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// voice is one synthesizer speaking in one voice.
type voice struct {
	name       string // "espeak:+f3"
	family     string // "espeak"
	synthesize func(ctx context.Context, text string) (speech.Audio, error)
}

func newVoice(spec string) (voice, error) {
	family, name, ok := strings.Cut(spec, ":")
	if !ok || name == "" {
		return voice{}, fmt.Errorf("voice %q: want synthesizer:voice, as espeak:+f3 or flite:slt", spec)
	}
	v := voice{name: spec, family: family}
	switch family {
	case "espeak":
		if _, err := exec.LookPath("espeak-ng"); err != nil {
			return voice{}, fmt.Errorf("voice %q: espeak-ng is not installed", spec)
		}
		tts := speech.NewEspeak(speech.EspeakConfig{})
		v.synthesize = func(ctx context.Context, text string) (speech.Audio, error) {
			return tts.Synthesize(ctx, text, "en", name)
		}
	case "flite":
		if _, err := exec.LookPath("flite"); err != nil {
			return voice{}, fmt.Errorf("voice %q: flite is not installed (apt-get install flite), or leave flite out of -voices", spec)
		}
		v.synthesize = func(ctx context.Context, text string) (speech.Audio, error) {
			return flite(ctx, name, text)
		}
	default:
		return voice{}, fmt.Errorf("voice %q: unknown synthesizer %q (espeak or flite)", spec, family)
	}
	return v, nil
}

// flite speaks text with one of flite's voices. flite is only this bench's
// second synthesizer, not one of the product's: it writes 16 kHz mono WAV
// files, which the verifier resamples as it does any upload. The text goes
// in a file and the arguments as a list, never through a shell.
func flite(ctx context.Context, voiceName, text string) (speech.Audio, error) {
	dir, err := os.MkdirTemp("", "bench-flite-")
	if err != nil {
		return speech.Audio{}, err
	}
	defer os.RemoveAll(dir)
	in, out := filepath.Join(dir, "text.txt"), filepath.Join(dir, "out.wav")
	if err := os.WriteFile(in, []byte(text+"\n"), 0o600); err != nil {
		return speech.Audio{}, err
	}
	cmd := exec.CommandContext(ctx, "flite", "-voice", voiceName, "-f", in, "-o", out) // #nosec G204 -- a measuring tool run by a developer: flite with an argument list, no shell; the voice comes from its own -voices flag
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := speech.RunLowPriority(cmd); err != nil {
		return speech.Audio{}, fmt.Errorf("flite -voice %s: %v: %s", voiceName, err, strings.TrimSpace(stderr.String()))
	}
	data, err := os.ReadFile(out) // #nosec G304 -- the file flite just wrote in this run's own temporary directory
	if err != nil {
		return speech.Audio{}, fmt.Errorf("flite -voice %s wrote no audio (%s): %w", voiceName, strings.TrimSpace(stderr.String()), err)
	}
	w, err := speech.DecodeWAV(data)
	if err != nil {
		return speech.Audio{}, fmt.Errorf("flite -voice %s: %w", voiceName, err)
	}
	return speech.NewWAVAudio(w.Mono()), nil
}

// trial is one verification: audio saying spoken, checked against script
// (both normalized for speech, as the product speaks and checks them).
type trial struct {
	kind   string // right, wrong, slip, omission, insertion
	entry  int    // index in corpus
	voice  int    // index in the voices
	script string
	spoken string
	words  []string // the script's words, as the verifier lists them
	// span is the script words [lo, hi) the audio changes: a slip's changed
	// words, an omission's omitted sentence; empty otherwise.
	lo, hi int
	// swap is a slip's change, "twenty → thirty".
	swap string
}

// outcome is what the verifier made of a trial.
type outcome struct {
	similarity   float64
	verdict      string
	spanFlagged  bool // some word of the span is not ok
	spanMissing  int  // words of the span reported missing
	otherFlagged int  // words outside the span not ok
	extra        bool // an extra word was reported
	flagged      []string
	transcript   string
}

func run(cfg config) error {
	ctx := context.Background()
	found := speech.DetectLocalEngines(speech.Config{})
	if found.PocketSphinx == "" {
		return errors.New("pocketsphinx (with pocketsphinx-en-us) must be installed")
	}
	stt := verify.NewPocketSphinx(speech.PocketSphinxConfig{})
	for _, k := range cfg.kinds {
		if !slices.Contains(kinds, k) {
			return fmt.Errorf("unknown kind %q (%s)", k, strings.Join(kinds, ", "))
		}
	}
	for _, t := range cfg.trials {
		if !slices.Contains(trials, t) {
			return fmt.Errorf("unknown trial %q (%s)", t, strings.Join(trials, ", "))
		}
	}
	var voices []voice
	for _, spec := range cfg.voices {
		v, err := newVoice(spec)
		if err != nil {
			return err
		}
		voices = append(voices, v)
	}
	if len(voices) == 0 || len(cfg.kinds) == 0 || len(cfg.trials) == 0 {
		return errors.New("nothing to run: -voices, -kinds and -trials must each name one at least")
	}

	// The sentences: the first n of each kind asked for.
	var sel []int
	taken := map[string]int{}
	for i, e := range corpus {
		if slices.Contains(cfg.kinds, e.kind) && (cfg.n <= 0 || taken[e.kind] < cfg.n) {
			sel = append(sel, i)
			taken[e.kind]++
		}
	}
	norm := func(s string) string { return speech.Normalize(s, "en").Text }
	var jobs []trial
	for _, i := range sel {
		e := corpus[i]
		n := len(corpus)
		// The neighbours are fixed by the corpus, not by the selection, so
		// a sentence's trials are the same whatever subset runs.
		next := corpus[(i+1)%n].script    // the omitted sentence
		extra := corpus[(i+n/2)%n].script // the inserted sentence
		other := corpus[(i+n/3)%n].script // the wrong sentence's script
		omitScript, insertSpoken := e.script+" "+next, e.script+" "+extra
		if i%2 == 1 { // every other trial misses or adds the first sentence
			omitScript, insertSpoken = next+" "+e.script, extra+" "+e.script
		}
		pairs := map[string][2]string{ // script, spoken
			trialRight:     {e.script, e.script},
			trialWrong:     {other, e.script},
			trialSlip:      {e.script, e.slip},
			trialOmission:  {omitScript, e.script},
			trialInsertion: {e.script, insertSpoken},
		}
		for vi := range voices {
			for _, kind := range cfg.trials {
				p := pairs[kind]
				t := trial{kind: kind, entry: i, voice: vi, script: norm(p[0]), spoken: norm(p[1])}
				t.words = verify.ScriptWords(t.script)
				if kind == trialSlip || kind == trialOmission {
					said := verify.ScriptWords(t.spoken)
					var saidHi int
					t.lo, t.hi, saidHi = changed(t.words, said)
					t.swap = strings.Join(t.words[t.lo:t.hi], " ") + " → " + strings.Join(said[t.lo:saidHi], " ")
					if t.lo == t.hi {
						return fmt.Errorf("corpus entry %q: its %s changes no word of the script once normalized (%q against %q)", e.script, kind, t.script, t.spoken)
					}
				}
				jobs = append(jobs, t)
			}
		}
	}

	outcomes := make([]outcome, len(jobs))
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		done     atomic.Int64
	)
	sem := make(chan struct{}, cfg.parallel)
	started := time.Now()
	var audioSeconds atomic.Int64 // milliseconds of audio verified
	for idx, t := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			o, seconds, err := runTrial(ctx, stt, voices[t.voice], t, cfg.threshold)
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = fmt.Errorf("%s %s %q: %w", t.kind, voices[t.voice].name, corpus[t.entry].script, err)
				}
				mu.Unlock()
				return
			}
			outcomes[idx] = o
			audioSeconds.Add(int64(seconds * 1000))
			if cfg.verbose {
				mu.Lock()
				printTrial(t, o, voices[t.voice].name)
				mu.Unlock()
			}
			if d := done.Add(1); !cfg.verbose && (d%50 == 0 || int(d) == len(jobs)) {
				fmt.Fprintf(os.Stderr, "\r%d of %d verifications, %.0f s", d, len(jobs), time.Since(started).Seconds())
				if int(d) == len(jobs) {
					fmt.Fprintln(os.Stderr)
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	took := time.Since(started)

	var kindsUsed []string
	for _, k := range kinds {
		if taken[k] > 0 {
			kindsUsed = append(kindsUsed, k)
		}
	}
	fmt.Printf("corpus: %d sentences (%s) x %d voices (%s); trials %s; %d verifications of %.0f s of audio in %.1f s with %d at once; threshold %.2f\n",
		len(sel), perKind(taken, kindsUsed), len(voices), strings.Join(cfg.voices, ", "), strings.Join(cfg.trials, ", "),
		len(jobs), float64(audioSeconds.Load())/1000, took.Seconds(), cfg.parallel, cfg.threshold)
	report(cfg, voices, kindsUsed, jobs, outcomes)
	if cfg.timing {
		return timeMinute(ctx, stt)
	}
	return nil
}

func perKind(taken map[string]int, used []string) string {
	var parts []string
	for _, k := range used {
		parts = append(parts, fmt.Sprintf("%d %s", taken[k], k))
	}
	return strings.Join(parts, ", ")
}

// runTrial synthesizes a trial's audio, verifies it against its script as
// the API does, and reads the verdict and the span's words.
func runTrial(ctx context.Context, stt *verify.PocketSphinx, v voice, t trial, threshold float64) (outcome, float64, error) {
	audio, err := v.synthesize(ctx, t.spoken)
	if err != nil {
		return outcome{}, 0, err
	}
	res, err := speech.Verify(ctx, stt, audio, "en", t.script)
	if err != nil {
		return outcome{}, 0, err
	}
	o := outcome{similarity: res.Similarity, verdict: service.Verdict(res.Similarity, threshold, res.Words), transcript: res.Transcript}
	var listed []speech.CheckedWord
	for _, w := range res.Words {
		if w.Status == speech.WordExtra {
			o.extra = true
			o.flagged = append(o.flagged, "+"+w.Word)
			continue
		}
		listed = append(listed, w)
		if w.Status != speech.WordOK {
			d := w.Word + "(" + w.Status
			if w.Heard != "" {
				d += "→" + w.Heard
			}
			o.flagged = append(o.flagged, d+")")
		}
	}
	for i, w := range align(t.words, listed) {
		bad := w == nil || w.Status != speech.WordOK
		if i >= t.lo && i < t.hi {
			if bad {
				o.spanFlagged = true
			}
			if w != nil && w.Status == speech.WordMissing {
				o.spanMissing++
			}
		} else if bad {
			o.otherFlagged++
		}
	}
	return o, audio.Duration, nil
}

func printTrial(t trial, o outcome, voiceName string) {
	e := corpus[t.entry]
	span := ""
	if t.hi > t.lo {
		span = fmt.Sprintf(" span %q flagged %v", strings.Join(t.words[t.lo:t.hi], " "), o.spanFlagged)
	}
	fmt.Printf("%-9s %-7s %-15s %-8s sim %.3f%s | flagged: %s | script %q | spoken %q | heard %q\n",
		t.kind, e.kind, voiceName, o.verdict, o.similarity, span, strings.Join(o.flagged, " "), t.script, t.spoken, o.transcript)
}

// changed finds where two word lists differ, as one span: the words
// [lo, hi) of a, and the words of b in their place from lo on (a copy
// error changes one place).
func changed(a, b []string) (lo, hi, bHi int) {
	for lo < len(a) && lo < len(b) && a[lo] == b[lo] {
		lo++
	}
	hi, bHi = len(a), len(b)
	for hi > lo && bHi > lo && a[hi-1] == b[bHi-1] {
		hi--
		bHi--
	}
	return lo, hi, bHi
}

// align pairs each script word with the verifier's entry for it (the
// verification's words other than extra ones, in order), by the longest
// common subsequence when the verifier split the script differently; a
// word it does not list gets nil.
func align(words []string, listed []speech.CheckedWord) []*speech.CheckedWord {
	out := make([]*speech.CheckedWord, len(words))
	same := len(words) == len(listed)
	for i := 0; same && i < len(words); i++ {
		same = words[i] == listed[i].Word
	}
	if same {
		for i := range listed {
			out[i] = &listed[i]
		}
		return out
	}
	n, m := len(words), len(listed)
	l := make([][]int, n+1)
	for i := range l {
		l[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			switch {
			case words[i] == listed[j].Word:
				l[i][j] = l[i+1][j+1] + 1
			default:
				l[i][j] = max(l[i+1][j], l[i][j+1])
			}
		}
	}
	for i, j := 0, 0; i < n && j < m; {
		switch {
		case words[i] == listed[j].Word:
			out[i] = &listed[j]
			i++
			j++
		case l[i+1][j] >= l[i][j+1]:
			i++
		default:
			j++
		}
	}
	return out
}

// tally counts trials of one kind.
type tally struct{ n, hits, hits2 int }

func (t tally) pct(hits int) string {
	if t.n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f", 100*float64(hits)/float64(t.n))
}

// row is a line of the tables: one voice, a synthesizer's voices, or all.
type row struct {
	name   string
	voices []int
}

func report(cfg config, voices []voice, kindsUsed []string, jobs []trial, outcomes []outcome) {
	// The rows: each voice, each synthesizer's voices together, all.
	var rows []row
	var families []string
	for _, v := range voices {
		if !slices.Contains(families, v.family) {
			families = append(families, v.family)
		}
	}
	for _, f := range families {
		var members []int
		for i, v := range voices {
			if v.family == f {
				members = append(members, i)
				rows = append(rows, row{v.name, []int{i}})
			}
		}
		if len(members) > 1 {
			rows = append(rows, row{f + " (all)", members})
		}
	}
	if len(families) > 1 {
		all := make([]int, len(voices))
		for i := range all {
			all[i] = i
		}
		rows = append(rows, row{"all voices", all})
	}
	pick := func(r row, kind, entryKind string) []int {
		var out []int
		for i, t := range jobs {
			if t.kind == kind && slices.Contains(r.voices, t.voice) && (entryKind == "" || corpus[t.entry].kind == entryKind) {
				out = append(out, i)
			}
		}
		return out
	}
	has := func(kind string) bool { return slices.Contains(cfg.trials, kind) }

	if has(trialSlip) {
		fmt.Println()
		fmt.Println("copy errors (audio says the slip): caught = verdict not match / the changed word flagged, in %")
		fmt.Printf("%-18s", "voice")
		cols := append(slices.Clone(kindsUsed), "")
		for _, k := range cols {
			name := k
			if k == "" {
				name = "all"
			}
			fmt.Printf(" %13s", name)
		}
		fmt.Println()
		for _, r := range rows {
			fmt.Printf("%-18s", r.name)
			for _, k := range cols {
				var t tally
				for _, i := range pick(r, trialSlip, k) {
					t.n++
					if outcomes[i].verdict != omnivibe.VerdictMatch {
						t.hits++
					}
					if outcomes[i].spanFlagged {
						t.hits2++
					}
				}
				fmt.Printf(" %13s", fmt.Sprintf("%s/%s n%d", t.pct(t.hits), t.pct(t.hits2), t.n))
			}
			fmt.Println()
		}
	}

	if has(trialRight) || has(trialWrong) || has(trialOmission) || has(trialInsertion) {
		otherTrials(rows, pick, jobs, outcomes)
	}
	similarities(jobs, outcomes)
	if has(trialSlip) {
		missedSlips(voices, jobs, outcomes)
	}
	if has(trialRight) {
		falseAlarms(voices, jobs, outcomes)
	}
}

func otherTrials(rows []row, pick func(r row, kind, entryKind string) []int, jobs []trial, outcomes []outcome) {
	fmt.Println()
	fmt.Println("right audio: false alarms = verdict not match; omission (script has a sentence the audio lacks): caught, omitted words reported missing, other words flagged;")
	fmt.Println("insertion (audio has an extra sentence): caught, an extra word reported, script words flagged; all in %")
	fmt.Printf("%-18s %5s %7s | %5s %7s %8s %7s | %5s %7s %6s %7s | %s\n", "voice", "right", "f.alarm",
		"omit", "caught", "missing", "others", "ins", "caught", "extra", "flagged", "AUC right/wrong")
	for _, r := range rows {
		var right, omit, ins tally
		var omitWords, omitOthers, omitOtherFlagged, insWords int
		for _, i := range pick(r, trialRight, "") {
			right.n++
			if outcomes[i].verdict != omnivibe.VerdictMatch {
				right.hits++
			}
		}
		for _, i := range pick(r, trialOmission, "") {
			o, t := outcomes[i], jobs[i]
			omit.n++
			if o.verdict != omnivibe.VerdictMatch {
				omit.hits++
			}
			omitWords += t.hi - t.lo
			omit.hits2 += o.spanMissing
			omitOthers += len(t.words) - (t.hi - t.lo)
			omitOtherFlagged += o.otherFlagged
		}
		var insExtra, insFlagged int
		for _, i := range pick(r, trialInsertion, "") {
			o, t := outcomes[i], jobs[i]
			ins.n++
			if o.verdict != omnivibe.VerdictMatch {
				ins.hits++
			}
			if o.extra {
				insExtra++
			}
			insWords += len(t.words)
			insFlagged += o.otherFlagged
		}
		var rs, ws []float64
		for _, i := range pick(r, trialRight, "") {
			rs = append(rs, outcomes[i].similarity)
		}
		for _, i := range pick(r, trialWrong, "") {
			ws = append(ws, outcomes[i].similarity)
		}
		aucText := "-"
		if len(rs) > 0 && len(ws) > 0 {
			aucText = fmt.Sprintf("%.4f", auc(rs, ws))
		}
		fmt.Printf("%-18s %5d %7s | %5d %7s %8s %7s | %5d %7s %6s %7s | %s\n", r.name,
			right.n, right.pct(right.hits),
			omit.n, omit.pct(omit.hits), share(omit.hits2, omitWords), share(omitOtherFlagged, omitOthers),
			ins.n, ins.pct(ins.hits), ins.pct(insExtra), share(insFlagged, insWords), aucText)
	}

}

// similarities prints the similarity over all voices, as the earlier bench
// did, and the ROC AUC and equal error rate of right against wrong.
func similarities(jobs []trial, outcomes []outcome) {
	by := map[string][]float64{}
	for i, t := range jobs {
		by[t.kind] = append(by[t.kind], outcomes[i].similarity)
	}
	fmt.Println()
	fmt.Printf("%-48s %5s %6s %6s %6s\n", "similarity, all voices", "n", "min", "median", "max")
	for _, k := range trials {
		v := slices.Sorted(slices.Values(by[k]))
		if len(v) == 0 {
			continue
		}
		fmt.Printf("%-48s %5d %6.3f %6.3f %6.3f\n", describe(k), len(v), v[0], v[len(v)/2], v[len(v)-1])
	}
	if len(by[trialRight]) > 0 && len(by[trialWrong]) > 0 {
		fmt.Printf("ROC AUC right vs wrong sentence:             %.4f\n", auc(by[trialRight], by[trialWrong]))
		fmt.Printf("equal error rate right vs wrong sentence:    %.4f\n", eer(by[trialRight], by[trialWrong]))
		var mismatch int
		for _, s := range by[trialWrong] {
			if s <= partialAbove {
				mismatch++
			}
		}
		fmt.Printf("wrong sentence at or below %.2f (mismatch):   %d of %d\n", partialAbove, mismatch, len(by[trialWrong]))
	}

}

// missedSlips lists the copy errors judged match, by sentence, with the
// voices that missed them.
func missedSlips(voices []voice, jobs []trial, outcomes []outcome) {
	missed := map[int][]string{}
	swaps := map[int]string{}
	for i, t := range jobs {
		if t.kind == trialSlip && outcomes[i].verdict == omnivibe.VerdictMatch {
			missed[t.entry] = append(missed[t.entry], voices[t.voice].name)
			swaps[t.entry] = t.swap
		}
	}
	entries := slices.Collect(maps.Keys(missed))
	sort.Slice(entries, func(i, j int) bool {
		a, b := entries[i], entries[j]
		if len(missed[a]) != len(missed[b]) {
			return len(missed[a]) > len(missed[b])
		}
		return a < b
	})
	fmt.Println()
	fmt.Printf("copy errors judged match, by sentence (%d sentences):\n", len(entries))
	for _, e := range entries {
		fmt.Printf("  %d of %d voices, %-7s %-28s %q (%s)\n", len(missed[e]), len(voices), corpus[e].kind, swaps[e],
			corpus[e].script, strings.Join(missed[e], ", "))
	}
}

// falseAlarms lists the right recordings not judged match: by sentence,
// the voices that raised the alarm. A sentence every voice trips over
// hints at the normalization or the dictionary rather than the voice.
func falseAlarms(voices []voice, jobs []trial, outcomes []outcome) {
	type alarm struct {
		entry  int
		voices []string
	}
	alarms := map[int]*alarm{}
	for i, t := range jobs {
		if t.kind != trialRight || outcomes[i].verdict == omnivibe.VerdictMatch {
			continue
		}
		a := alarms[t.entry]
		if a == nil {
			a = &alarm{entry: t.entry}
			alarms[t.entry] = a
		}
		a.voices = append(a.voices, fmt.Sprintf("%s %s %.3f: %s", voices[t.voice].name, outcomes[i].verdict,
			outcomes[i].similarity, strings.Join(outcomes[i].flagged, " ")))
	}
	list := make([]*alarm, 0, len(alarms))
	for _, a := range alarms {
		sort.Strings(a.voices)
		list = append(list, a)
	}
	sort.Slice(list, func(i, j int) bool {
		if len(list[i].voices) != len(list[j].voices) {
			return len(list[i].voices) > len(list[j].voices)
		}
		return list[i].entry < list[j].entry
	})
	fmt.Println()
	fmt.Printf("false alarms on right audio, by sentence (%d sentences):\n", len(list))
	for _, a := range list {
		every := ""
		if len(a.voices) == len(voices) && len(voices) > 1 {
			every = ", every voice"
		}
		fmt.Printf("  %d of %d voices%s: %q\n", len(a.voices), len(voices), every, corpus[a.entry].script)
		for _, v := range a.voices {
			fmt.Printf("      %s\n", v)
		}
	}
}

func share(hits, n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f", 100*float64(hits)/float64(n))
}

func describe(kind string) string {
	switch kind {
	case trialRight:
		return "right: own text"
	case trialWrong:
		return "wrong: another sentence's text"
	case trialSlip:
		return "slip: own text, the copy error in the audio"
	case trialOmission:
		return "omission: own text and the next, audio one"
	}
	return "insertion: own text, audio with an extra one"
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

// timeMinute verifies a voice-over of about 60 seconds (espeak-ng's
// default voice) three times and reports the median, beside the
// transcription-only check of the same audio measured in the same run.
func timeMinute(ctx context.Context, stt *verify.PocketSphinx) error {
	var words []string
	for _, e := range corpus {
		words = append(words, strings.Fields(speech.Normalize(e.script, "en").Text)...)
		if len(words) >= 150 { // 150 words a minute: the writer's reading speed
			break
		}
	}
	text := strings.Join(words, " ")
	audio, err := speech.NewEspeak(speech.EspeakConfig{}).Synthesize(ctx, text, "en", "default")
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
	took, err := median(func() error {
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
	fmt.Println()
	fmt.Printf("60 s voice-over (%.1f s of audio, similarity %.3f): verify %.2f s (ceiling 3 s: %.2f of it), transcription-only check %.2f s (ratio %.2f)\n",
		audio.Duration, sim, took.Seconds(), took.Seconds()/3, transcribe.Seconds(), took.Seconds()/transcribe.Seconds())
	fmt.Printf("machine: %d CPUs, load average %s\n", runtime.NumCPU(), strings.TrimSpace(string(load)))
	return nil
}
