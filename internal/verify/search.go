package verify

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/omnivibepro/omnivibe/internal/speech"
)

// The miscue search's penalties, in nats of the decoder's log-likelihood
// (its scores are in units of 0.1024 nats: log base 1.0001, shifted ten
// bits). Chosen on scripts/bench/verify.sh's corpus of ad copy errors
// spoken by espeak-ng and flite voices (docs/benchmarks.md).
const (
	// competitorPenalty: a competitor must fit the audio this much better
	// than the script's word to take its place.
	competitorPenalty = 20.0
	// neighbourPenalty: the same for a content word's neighbours, which
	// are less likely slips than class mates, and more of them.
	neighbourPenalty = 100.0
	// skipPenalty: leaving a script word unsaid.
	skipPenalty = 80.0
	// sentenceSkipPenalty: leaving a whole sentence unsaid.
	sentenceSkipPenalty = 120.0
	// insertPenalty and phonePenalty: entering the free phone loop between
	// sentences (speech the script does not have), and each phone of it.
	insertPenalty = 20.0
	phonePenalty  = 20.0
	// maxArcNats is the largest penalty one arc of the grammar file
	// carries: its probabilities are 32-bit floats, whose smallest normal
	// value is about e^-87; larger penalties go through a chain of empty
	// arcs.
	maxArcNats = 80.0
)

// penalties are a miscue search's, in nats.
type penalties struct{ competitor, neighbour, skip, sentence, insert, phone float64 }

// basePenalties are for a voice the acoustic model fits (its words score
// near the phone loop).
func basePenalties() penalties {
	return penalties{competitor: competitorPenalty, neighbour: neighbourPenalty, skip: skipPenalty, sentence: sentenceSkipPenalty, insert: insertPenalty, phone: phonePenalty}
}

// scaledFor raises the penalties for a voice the model fits poorly, whose
// script words score median (per frame, in score units) below the phone
// loop: there every alternative to the script's word, and the phone loop
// most of all, gains on the right word by about as much as the voice
// misses the model, so the same evidence needs a larger margin. Leaving a
// word out is not raised: a larger skip penalty forces a missing
// sentence's words onto the audio of others.
// (espeak-ng's words score about -15 a frame, flite's about +5.)
func (p penalties) scaledFor(median float64) penalties {
	f := 1 + max(0, -median)/poorFitScale
	return penalties{competitor: p.competitor * f, neighbour: p.neighbour * f, skip: p.skip, sentence: p.sentence, insert: p.insert * f, phone: p.phone * f}
}

// poorFitScale: a voice whose words score this far below the phone loop
// per frame gets twice the penalties.
const poorFitScale = 20.0

// loopPhones are the en-us model's phones, each a word of the miscue
// search's insertion loop.
var loopPhones = strings.Fields("AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH T TH UH UW V W Y Z ZH")

// A miscue search's symbols: position i's script word is "p<i>", its k-th
// competitor "p<i>c<k>", a phone of the insertion loop "ph<k>". A symbol
// per position keeps a word that occurs twice, or a competitor that is also
// the next word, from being mistaken for another position.
func positionSymbol(i int) string      { return "p" + strconv.Itoa(i) }
func competitorSymbol(i, k int) string { return "p" + strconv.Itoa(i) + "c" + strconv.Itoa(k) }

// parseSymbol reads a miscue search's output symbol: the script position
// and the competitor (-1: the script's word), or phone true for a phone of
// the insertion loop.
func parseSymbol(sym string) (pos, comp int, phone, ok bool) {
	if i := strings.IndexByte(sym, '('); i > 0 {
		sym = sym[:i] // an alternative pronunciation
	}
	if strings.HasPrefix(sym, "ph") {
		return 0, 0, true, true
	}
	rest, found := strings.CutPrefix(sym, "p")
	if !found {
		return 0, 0, false, false
	}
	posText, compText, hasComp := strings.Cut(rest, "c")
	pos, err := strconv.Atoi(posText)
	if err != nil {
		return 0, 0, false, false
	}
	comp = -1
	if hasComp {
		if comp, err = strconv.Atoi(compText); err != nil {
			return 0, 0, false, false
		}
	}
	return pos, comp, false, true
}

// searchPosition is one script word of a miscue search.
type searchPosition struct {
	word        string
	prons       []string
	competitors []string   // the competitors the dictionary could spell
	compProns   [][]string // their pronunciations
	// firstNeighbour: competitors from here on are the word's neighbours
	// (neighbours.go), at the neighbours' penalty.
	firstNeighbour int
	// sentenceStart: speech the script does not have may come before it.
	sentenceStart bool
	// required: the search may not skip it (a second opinion on a word
	// the first search left out; see VerifyWords).
	required bool
}

// miscueGrammar writes the search's dictionary and finite-state grammar
// (Sphinx FSG format) for the positions: a chain of the script's words in
// which each word may be replaced by a competitor or skipped, each at a
// penalty, and where a free loop of phones may stand before each sentence
// and after the last (speech the script does not have).
func miscueGrammar(positions []searchPosition, pen penalties) (dict, fsg string) {
	var d strings.Builder
	writeProns := func(sym string, prons []string) {
		for k, pr := range prons {
			if k == 0 {
				fmt.Fprintf(&d, "%s %s\n", sym, pr)
			} else {
				fmt.Fprintf(&d, "%s(%d) %s\n", sym, k+1, pr)
			}
		}
	}
	for k, ph := range loopPhones {
		fmt.Fprintf(&d, "ph%d %s\n", k, ph)
	}

	var arcs []string
	states := 0
	newState := func() int { states++; return states - 1 }
	// arc adds a transition at a penalty, through empty arcs where one arc
	// cannot carry it.
	var arc func(from, to int, penalty float64, word string)
	arc = func(from, to int, penalty float64, word string) {
		for penalty > maxArcNats {
			mid := newState()
			arcs = append(arcs, fmt.Sprintf("TRANSITION %d %d %.6e", from, mid, math.Exp(-maxArcNats)))
			from, penalty = mid, penalty-maxArcNats
		}
		line := fmt.Sprintf("TRANSITION %d %d %.6e", from, to, math.Exp(-penalty))
		if word != "" {
			line += " " + word
		}
		arcs = append(arcs, line)
	}
	// insertionLoop lets speech the script lacks stand at state at: one
	// or more phones, then on.
	insertionLoop := func(at int) int {
		loop, out := newState(), newState()
		for k := range loopPhones {
			arc(at, loop, pen.insert+pen.phone, "ph"+strconv.Itoa(k))
			arc(loop, loop, pen.phone, "ph"+strconv.Itoa(k))
		}
		arc(loop, out, 0, "")
		arc(at, out, 0, "")
		return out
	}

	// A skipped word leads to a state from which only the next word's arcs
	// leave, so skips do not chain: chained empty arcs make the decoder's
	// closure of them grow with the square of the script, every later word
	// then active in every frame (a minute of script took a minute to
	// search). A sentence left out whole takes its own empty arc instead.
	start := newState()
	at := start
	sentenceFrom, afterSkip := -1, -1
	for i, p := range positions {
		writeProns(positionSymbol(i), p.prons)
		for k := range p.competitors {
			writeProns(competitorSymbol(i, k), p.compProns[k])
		}
		if p.sentenceStart {
			if sentenceFrom >= 0 {
				arc(sentenceFrom, at, pen.sentence, "")
			}
			if afterSkip >= 0 {
				arc(afterSkip, at, 0, "")
				afterSkip = -1
			}
			sentenceFrom = at
			at = insertionLoop(at)
		}
		next := newState()
		for _, from := range []int{at, afterSkip} {
			if from < 0 {
				continue
			}
			arc(from, next, 0, positionSymbol(i))
			for k := range p.competitors {
				penalty := pen.competitor
				if k >= p.firstNeighbour {
					penalty = pen.neighbour
				}
				arc(from, next, penalty, competitorSymbol(i, k))
			}
		}
		afterSkip = -1
		if !p.required {
			afterSkip = newState()
			arc(at, afterSkip, pen.skip, "")
		}
		at = next
	}
	if sentenceFrom >= 0 {
		arc(sentenceFrom, at, pen.sentence, "")
	}
	if afterSkip >= 0 {
		arc(afterSkip, at, 0, "")
	}
	final := insertionLoop(at)

	var g strings.Builder
	fmt.Fprintf(&g, "FSG_BEGIN miscues\nNUM_STATES %d\nSTART_STATE %d\nFINAL_STATE %d\n", states, start, final)
	for _, a := range arcs {
		g.WriteString(a)
		g.WriteByte('\n')
	}
	g.WriteString("FSG_END\n")
	return d.String(), g.String()
}

// unprunedMaxSeconds: audio up to this long that no beam lets through is
// searched without pruning, which always ends but costs several times real
// time; longer audio that fails both beams is judged unsaid.
const unprunedMaxSeconds = 20.0

// silenceFillers is the search's filler dictionary: silence only. With the
// model's noise fillers a search may explain a wrong word as noise.
const silenceFillers = "<s> SIL\n</s> SIL\n<sil> SIL\n"

// miscueSearch decodes the run's audio with the miscue grammar of the
// positions and returns its segments.
func (r *sphinxRun) miscueSearch(ctx context.Context, positions []searchPosition, pen penalties) ([]segment, error) {
	dict, fsg := miscueGrammar(positions, pen)
	for name, text := range map[string]string{"miscues.dict": dict, "miscues.fsg": fsg, "fillers.dict": silenceFillers} {
		if err := r.root.WriteFile(name, []byte(text), 0o600); err != nil {
			return nil, &speech.ProviderError{Provider: speech.ProviderPocketSphinx, Kind: speech.ErrProviderUnavailable, Message: err.Error()}
		}
	}
	// The beams are as narrow as right recordings allow (on espeak-ng's
	// voice, which the model fits worst, a minute of script searched in
	// 1.2 s, against 5.2 s at 1e-200); audio that falls out of them is
	// searched again wider.
	segs, err := r.searchWithBeams(ctx, "1e-120", "1e-100")
	if err != nil || segs != nil {
		return segs, err
	}
	if segs, err = r.searchWithBeams(ctx, "1e-200", "1e-150"); err != nil || segs != nil || r.audio.Duration() > unprunedMaxSeconds {
		return segs, err
	}
	// Audio far from the script (a sentence left out, another text) can
	// fall out of any beam before the grammar's end: the feasibility study
	// saw even 1e-300 prune the only complete path. Without pruning the
	// search always ends, at several times the cost, paid only by audio
	// that is already wrong.
	return r.searchWithBeams(ctx, "0", "0")
}

// searchWithBeams runs the miscue search with the given state and word
// beams; no segments when no path reached the grammar's end.
func (r *sphinxRun) searchWithBeams(ctx context.Context, beam, wordBeam string) ([]segment, error) {
	const out = "miscues.seg"
	if err := r.decode(ctx, "miscues", "utt\n", r.input,
		"-dict", filepath.Join(r.dir, "miscues.dict"), "-fdict", filepath.Join(r.dir, "fillers.dict"),
		"-fsg", filepath.Join(r.dir, "miscues.fsg"),
		"-compallsen", "yes", "-lw", "1", "-bestpath", "no",
		"-beam", beam, "-pbeam", beam, "-wbeam", wordBeam, "-lpbeam", wordBeam, "-lponlybeam", wordBeam,
		"-maxhmmpf", "-1",
		"-hypseg", filepath.Join(r.dir, out)); err != nil {
		return nil, err
	}
	data, err := r.root.ReadFile(out)
	if err != nil {
		return nil, &speech.ProviderError{Provider: speech.ProviderPocketSphinx, Kind: speech.ErrProviderUnavailable, Message: "no miscue search output: " + err.Error()}
	}
	return parseHypseg(strings.TrimSpace(string(data))), nil
}

// sentenceStarts marks the words of normalized text that begin a sentence
// (after ., !, ? or ; and the first word), in the order scriptWords gives
// them.
func sentenceStarts(text string) []bool {
	var starts []bool
	for _, sentence := range strings.FieldsFunc(text, func(r rune) bool { return strings.ContainsRune(".!?;…。", r) }) {
		for i := range ScriptWords(sentence) {
			starts = append(starts, i == 0)
		}
	}
	return starts
}

// hasSpeech reports whether audio holds anything loud enough to be speech:
// a 10 ms frame at least speechFloorDBFS. Silence and near-silence are
// answered without a search: ten minutes of it took a minute of both cores.
func hasSpeech(w speech.Waveform) bool {
	const frame = 160 // 10 ms at 16 kHz; other rates only shift the window
	floor := math.Pow(10, speechFloorDBFS/20)
	samples := w.Samples
	for start := 0; start+frame <= len(samples); start += frame {
		var sum float64
		for _, s := range samples[start : start+frame] {
			sum += float64(s) * float64(s)
		}
		if math.Sqrt(sum/frame) >= floor {
			return true
		}
	}
	return false
}

// speechFloorDBFS: quieter than this throughout, audio holds no speech to
// check (speech is read at -30 to -10 dBFS; a quiet room's noise floor
// records at -60 and below).
const speechFloorDBFS = -50.0
