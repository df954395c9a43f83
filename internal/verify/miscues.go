package verify

import (
	"context"
	"errors"
	"fmt"
	"github.com/omnivibepro/omnivibe/internal/speech"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// Thresholds of the utterance verification, measured on espeak-ng speech
// (scripts/bench/verify.sh and TestLocalVerifyWords; docs/benchmarks.md).
// Scores are pocketsphinx's acoustic log-likelihoods (log base 1.0001) per
// 10 ms frame.
var (
	// wordLLRMargin is how far a word's log-likelihood ratio per frame (its
	// score in the alignment minus the free phone loop's over the same
	// frames) may fall below the median of the utterance's words and still
	// count as said. Relative to the median, because how close the
	// context-independent phone loop comes to the triphone alignment varies
	// with the voice and the recording: with the trigram phone model, right
	// words scored -2 to -67 per frame with utterance medians about -25, a
	// replaced word -77 to -98 (the bench measures the unigram loop in use).
	// The margin trades right words flagged against slips missed: on the
	// bench's 104 right recordings and 104 with one word changed, 45 flagged
	// a word in 12 right ones and missed 27 slips, 40 flagged 15 and missed
	// 19, 35 flagged 27 and missed 11; 40 makes the fewest errors.
	wordLLRMargin = 45.0
	// utteranceLLRFloor: below this median ratio per frame the audio as a
	// whole is not the script, however its words compare with one another
	// (the margin above is relative, and a wrong recording is wrong
	// throughout), so no word counts as said. On the bench's 104 right
	// recordings the median was -25.6 at the lowest; recordings of another
	// sentence that still aligned fell to -35 to -72 (the three at -35 to
	// -40 came out partial, so a floor nearer -30 is worth measuring).
	utteranceLLRFloor = -40.0
)

// VerifyWords checks English audio against a script the way reading
// tutors and pronunciation assessment judge read speech against a known
// text: it looks for miscues (a word replaced, left out, or speech added),
// rather than asking a recognizer constrained to the script what it hears
// (which "hears" the script in audio that says something else).
//
// Two searches read one set of acoustic scores, every senone in every
// frame, computed once (scoreSenones), so their scores of a frame share one
// reference:
//
//   - The miscue search (search.go) decodes the audio with a grammar of the
//     script in which each word may be replaced by its competitors (the
//     closed classes of competitors.go: numbers, days, months, claim words)
//     or skipped, each at a penalty, and in which a free loop of phones may
//     stand before each sentence and after the last. A competitor that wins
//     is a substitution, with the competitor as what was heard; a skipped
//     word is missing; a stretch of the phone loop is extra speech. This is
//     the reading tutor's decoding of the text plus its likely miscues
//     (J. Mostow, S. F. Roth, A. G. Hauptmann, M. Kane, "A prototype
//     reading coach that listens", AAAI 1994), with the garbage loop of
//     keyword spotting (R. C. Rose, D. B. Paul, "A hidden Markov model
//     based keyword recognition system", ICASSP 1990) for what the script
//     does not have. A voice the model fits poorly is searched again with
//     larger penalties (penalties.scaledFor).
//   - A free phone loop (pocketsphinx -allphone, context-independent
//     phones, every phone equally likely) gives the best score any phone
//     sequence reaches on the same frames. A word the miscue search read as
//     itself is tested by its log-likelihood ratio per frame to it: its
//     score minus the loop's over its frames divided by its frame count,
//     the "goodness of pronunciation" of Witt and Young (S. M. Witt,
//     S. J. Young, "Phone-level pronunciation scoring and assessment for
//     interactive language learning", Speech Communication 30(2-3), 2000),
//     taken over a word; thresholding it is the hypothesis test of
//     utterance verification (R. A. Sukkar, C.-H. Lee, IEEE Trans. Speech
//     and Audio Processing 4(6), 1996; M. G. Rahim, C.-H. Lee, B.-H. Juang,
//     ibid. 5(3), 1997). It finds a word replaced by one outside every
//     competitor class (a product, a name), which scores far below the
//     loop however well the search managed to place it.
//
// What was heard in place of a word that failed its ratio, and the words of
// extra speech, are decoded with the general language model. Audio with
// nothing loud enough to be speech is answered without a search.
func (p *PocketSphinx) VerifyWords(ctx context.Context, audio speech.Audio, language, expectedText string) (speech.Verification, error) {
	if !p.Supports(language) {
		return speech.Verification{}, speech.Unsupported(speech.ProviderPocketSphinx, language)
	}
	normalized := speech.Normalize(expectedText, "en").Text
	words := ScriptWords(normalized)
	allMissing := func() speech.Verification {
		v := speech.Verification{}
		for _, w := range words {
			v.Words = append(v.Words, speech.CheckedWord{Word: w, Status: speech.WordMissing})
		}
		v.Similarity = speech.Similarity(expectedText, "")
		return v
	}
	w, err := audio.Waveform()
	if err != nil {
		return speech.Verification{}, &speech.ProviderError{Provider: speech.ProviderPocketSphinx, Kind: speech.ErrProviderRejected, Message: "cannot decode the audio: " + err.Error()}
	}
	if w.Duration() < 0.1 || !hasSpeech(w) {
		return allMissing(), nil
	}
	run, err := p.newRun(w)
	if err != nil {
		return speech.Verification{}, err
	}
	defer run.close()
	lex, err := p.lexicon(ctx, words, namesIn(normalized))
	if err != nil {
		return speech.Verification{}, err
	}
	positions, wordAt := searchPositions(lex, words, sentenceStarts(normalized))
	if len(positions) == 0 {
		return allMissing(), nil
	}
	// Every search below reads the same acoustic scores: computed once,
	// in pieces at once (see scoreSenones).
	if err := run.scoreSenones(ctx, runtime.NumCPU()); err != nil {
		return speech.Verification{}, err
	}
	// How well the model fits the voice decides the miscue search's
	// penalties (see scaledFor), so the cheap forced alignment to the
	// script's exact words measures it first, beside the phone loop: on
	// two cores that halves the wait.
	type loopResult struct {
		cum []float64
		err error
	}
	loopDone := make(chan loopResult, 1)
	go func() {
		cum, err := run.phoneLoop(ctx)
		loopDone <- loopResult{cum, err}
	}()
	if err := lex.write(run.dir); err != nil {
		<-loopDone
		return speech.Verification{}, &speech.ProviderError{Provider: speech.ProviderPocketSphinx, Kind: speech.ErrProviderUnavailable, Message: err.Error()}
	}
	strict, err := run.align(ctx, lex)
	lr := <-loopDone
	if err != nil {
		return speech.Verification{}, err
	}
	if lr.err != nil {
		return speech.Verification{}, lr.err
	}
	pen := basePenalties()
	if fit := medianLLR(strict, lr.cum); strict != nil && fit < 0 {
		pen = pen.scaledFor(fit)
	}
	segs, err := run.miscueSearch(ctx, positions, pen)
	if err != nil {
		return speech.Verification{}, err
	}
	median := ownWordMedian(segs, lr.cum)
	if segs, err = run.secondOpinion(ctx, positions, pen, segs, lr.cum, median); err != nil {
		return speech.Verification{}, err
	}
	return run.judge(ctx, positions, wordAt, words, segs, lr.cum)
}

// maxSecondOpinions bounds the words a second search is asked about: more
// skipped words than this are a sentence left out, not a slip of the search.
const maxSecondOpinions = 3

// secondOpinion searches again when the miscue search skipped a few words,
// this time requiring them, and keeps that search when each of them then
// scores as a said word does (its ratio to the phone loop within
// wordLLRMargin of the median). The penalties are in nats for any length,
// while the phone loop's lead over a right word grows with its frames: on a
// voice the model fits poorly a long word at a sentence's edge can lose to
// a skip and the insertion loop though it was said (espeak-ng's "midnight"
// did). Words the audio does not say score far below the others when
// forced, and stay missing.
func (r *sphinxRun) secondOpinion(ctx context.Context, positions []searchPosition, pen penalties, segs []segment, loop []float64, median float64) ([]segment, error) {
	seen := make([]bool, len(positions))
	for _, s := range segs {
		if pos, _, phone, ok := parseSymbol(s.word); ok && !phone && pos < len(positions) && !isFiller(s.word) {
			seen[pos] = true
		}
	}
	var skipped []int
	for i, ok := range seen {
		if !ok {
			skipped = append(skipped, i)
		}
	}
	if len(skipped) == 0 || len(skipped) > maxSecondOpinions || len(segs) == 0 {
		return segs, nil
	}
	for _, i := range skipped {
		positions[i].required = true
	}
	forced, err := r.miscueSearch(ctx, positions, pen)
	for _, i := range skipped {
		positions[i].required = false
	}
	if err != nil || forced == nil {
		return segs, err
	}
	fits := 0
	for _, s := range forced {
		pos, comp, phone, ok := parseSymbol(s.word)
		frames := s.end - s.start
		if !ok || phone || isFiller(s.word) || comp >= 0 || frames <= 0 || !slices.Contains(skipped, pos) {
			continue
		}
		if (float64(s.score)-loopScore(loop, s.start, s.end))/float64(frames) >= median-wordLLRMargin {
			fits++
		}
	}
	if fits < len(skipped) {
		return segs, nil
	}
	return forced, nil
}

// searchPositions are the script's words that have a pronunciation, with
// their competitors; wordAt[i] is position i's index in words.
func searchPositions(lex *lexicon, words []string, starts []bool) (positions []searchPosition, wordAt []int) {
	symbolOf := make(map[string]string, len(lex.spelling))
	for sym, w := range lex.spelling {
		symbolOf[w] = sym
	}
	sentenceStart := true
	for i, w := range words {
		if i < len(starts) && starts[i] {
			sentenceStart = true
		}
		sym, ok := symbolOf[w]
		if !ok {
			continue
		}
		pos := searchPosition{word: w, prons: lex.prons[sym], sentenceStart: sentenceStart}
		for _, c := range competitors(w) {
			if prons := lex.competitors[c]; len(prons) > 0 {
				pos.competitors = append(pos.competitors, c)
				pos.compProns = append(pos.compProns, prons)
			}
		}
		pos.firstNeighbour = len(pos.competitors)
		for _, n := range lex.neighbours[w] {
			pos.competitors = append(pos.competitors, n)
			pos.compProns = append(pos.compProns, lex.competitors[n])
		}
		positions = append(positions, pos)
		wordAt = append(wordAt, i)
		sentenceStart = false
	}
	return positions, wordAt
}

// phoneLoop decodes the audio with the free phone loop and returns the
// cumulative acoustic score by frame: the loop's score of frames [s, e) is
// cum[e] - cum[s]. A phone's score is spread evenly over its frames.
func (r *sphinxRun) phoneLoop(ctx context.Context) ([]float64, error) {
	const out = "loop.seg"
	// The loop is free: every phone may follow every other with the same
	// probability (a unigram language model over the model's phones; the
	// installed en-us-phone.lm.bin trigram would prefer likely phone
	// strings and took half again as long). Context-independent phones
	// decode at about 0.09 x real time here; the triphone loop took 12 x.
	lm, err := r.phoneLoopLMFile()
	if err != nil {
		return nil, err
	}
	if err := r.decode(ctx, "loop", "utt\n", r.input,
		"-allphone", lm, "-allphone_ci", "yes", "-lw", "2",
		"-compallsen", "yes", "-backtrace", "no",
		"-hypseg", filepath.Join(r.dir, out),
	); err != nil {
		return nil, err
	}
	data, err := r.root.ReadFile(out)
	if err != nil {
		return nil, &speech.ProviderError{Provider: speech.ProviderPocketSphinx, Kind: speech.ErrProviderUnavailable, Message: "no phone loop output: " + err.Error()}
	}
	segs := parseHypseg(strings.TrimSpace(string(data)))
	last := 0
	for _, s := range segs {
		last = max(last, s.end)
	}
	cum := make([]float64, last+1)
	for _, s := range segs {
		if s.end <= s.start {
			continue
		}
		per := float64(s.score) / float64(s.end-s.start)
		for f := s.start; f < s.end; f++ {
			cum[f+1] = per
		}
	}
	for f := 1; f < len(cum); f++ {
		cum[f] += cum[f-1]
	}
	return cum, nil
}

// phoneLoopLM is an ARPA unigram language model giving each phone of the
// en-us acoustic model (the CMU dictionary's 39 and silence) the same
// probability, log10(1/40).
var phoneLoopLM = func() string {
	phones := strings.Fields("AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH SIL T TH UH UW V W Y Z ZH")
	var b strings.Builder
	fmt.Fprintf(&b, "\\data\\\nngram 1=%d\n\n\\1-grams:\n", len(phones))
	for _, ph := range phones {
		fmt.Fprintf(&b, "%.4f %s\n", math.Log10(1/float64(len(phones))), ph)
	}
	b.WriteString("\n\\end\\\n")
	return b.String()
}()

// phoneLoopLMFile writes phoneLoopLM into the run's directory, once, and
// returns its path. Once, because the pieces of scoreSenones decode with it
// at the same time: rewriting it under a running decoder could let that
// decoder read it half written.
func (r *sphinxRun) phoneLoopLMFile() (string, error) {
	const name = "phones.lm"
	f, err := r.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return filepath.Join(r.dir, name), nil
	}
	if err == nil {
		_, err = f.WriteString(phoneLoopLM)
		err = errors.Join(err, f.Close())
	}
	if err != nil {
		return "", &speech.ProviderError{Provider: speech.ProviderPocketSphinx, Kind: speech.ErrProviderUnavailable, Message: err.Error()}
	}
	return filepath.Join(r.dir, name), nil
}

// loopScore is the phone loop's score of frames [s, e), clamped to what it decoded.
func loopScore(cum []float64, s, e int) float64 {
	s, e = min(max(s, 0), len(cum)-1), min(max(e, 0), len(cum)-1)
	return cum[e] - cum[s]
}

// frameSeconds is the decoder's frame length (-frate 100).
const frameSeconds = 0.01

// judge turns the miscue search's segments into checked words. A script
// word the search read as itself is tested once more by its goodness of
// pronunciation against the phone loop (a word replaced by one outside its
// competitors is found there); one it read as a competitor is substituted
// by it; one it skipped is missing; and a stretch of the insertion loop at
// least unexplainedFrames long is extra speech, whose words the general
// language model is asked for.
func (r *sphinxRun) judge(ctx context.Context, positions []searchPosition, wordAt []int, words []string, segs []segment, loop []float64) (speech.Verification, error) {
	type found struct {
		frames [2]int
		llr    float64
		comp   int // -1: the script's word
		seen   bool
	}
	byPos := make([]found, len(positions))
	// extra holds the insertion loop's stretches, each before the
	// position it precedes (len(positions): after the last).
	type stretch struct {
		frames [2]int
		before int
	}
	var extra []stretch
	next := 0 // the position after the last one decoded
	var run *stretch
	for _, s := range segs {
		frames := s.end - s.start
		if frames <= 0 || isFiller(s.word) {
			continue
		}
		pos, comp, phone, ok := parseSymbol(s.word)
		if !ok {
			continue
		}
		if phone {
			if run == nil || run.before != next {
				extra = append(extra, stretch{frames: [2]int{s.start, s.end}, before: next})
				run = &extra[len(extra)-1]
			}
			run.frames[1] = s.end
			continue
		}
		if pos < 0 || pos >= len(positions) {
			continue
		}
		llr := (float64(s.score) - loopScore(loop, s.start, s.end)) / float64(frames)
		byPos[pos] = found{frames: [2]int{s.start, s.end}, llr: llr, comp: comp, seen: true}
		next = pos + 1
	}

	median := ownWordMedian(segs, loop)

	// item is one entry of the result before the general model is asked
	// what was heard in failed stretches.
	type item struct {
		word   speech.CheckedWord
		frames [2]int
		decode bool // ask the general model what the frames say
		extra  bool // an unexplained stretch: its words are extra
	}
	seconds := func(f int) *float64 { v := float64(f) * frameSeconds; return &v }
	var items []item
	addExtra := func(before int) {
		for _, e := range extra {
			if e.before == before && e.frames[1]-e.frames[0] >= unexplainedFrames {
				items = append(items, item{frames: e.frames, decode: true, extra: true})
			}
		}
	}
	pos := 0
	for i, w := range words {
		if pos >= len(positions) || wordAt[pos] != i {
			// No pronunciation: nothing could tell whether it was said.
			items = append(items, item{word: speech.CheckedWord{Word: w, Status: speech.WordMissing}})
			continue
		}
		addExtra(pos)
		f := byPos[pos]
		pos++
		if !f.seen {
			items = append(items, item{word: speech.CheckedWord{Word: w, Status: speech.WordMissing}})
			continue
		}
		cw := speech.CheckedWord{Word: w, Status: speech.WordOK, Start: seconds(f.frames[0]), End: seconds(f.frames[1])}
		it := item{word: cw, frames: f.frames}
		switch {
		case f.comp >= 0:
			it.word.Status, it.word.Heard = speech.WordSubstituted, positions[pos-1].competitors[f.comp]
		case median < utteranceLLRFloor, f.llr < median-wordLLRMargin && !weakWord(w):
			it.word.Status = speech.WordSubstituted
			// What a wholly wrong recording says instead is not worth a
			// decode of all of it with the general model.
			it.decode = median >= utteranceLLRFloor
		}
		items = append(items, it)
	}
	addExtra(len(positions))

	// Ask the general model what was said in each failed stretch; adjacent
	// failed words make one stretch, whose words go to its first word.
	var ranges [][2]int
	var owners []int
	for i := 0; i < len(items); i++ {
		if !items[i].decode {
			continue
		}
		j := i
		for j+1 < len(items) && items[j+1].decode && items[j+1].extra == items[i].extra && !items[i].extra {
			j++
		}
		ranges = append(ranges, [2]int{items[i].frames[0], items[j].frames[1]})
		owners = append(owners, i)
		i = j
	}
	heard := make(map[int]string, len(owners))
	if len(ranges) > 0 {
		hyps, err := r.decodeFree(ctx, ranges)
		if err != nil {
			return speech.Verification{}, err
		}
		for k, i := range owners {
			heard[i] = hyps[k]
		}
	}
	var v speech.Verification
	var transcript []string
	for i, it := range items {
		if it.extra {
			said := strings.Fields(heard[i])
			if len(said) == 0 && it.frames[1]-it.frames[0] < unheardExtraFrames {
				continue // a breath or a pause's noise, not words
			}
			if len(said) == 0 {
				// Speech the script lacks, though the general model
				// makes no words of it: still extra.
				said = []string{unrecognizedSpeech}
			}
			for _, w := range said {
				v.Words = append(v.Words, speech.CheckedWord{Word: w, Status: speech.WordExtra, Start: seconds(it.frames[0]), End: seconds(it.frames[1])})
				transcript = append(transcript, w)
			}
			continue
		}
		cw := it.word
		switch cw.Status {
		case speech.WordOK:
			transcript = append(transcript, cw.Word)
		case speech.WordSubstituted:
			if h, ok := heard[i]; ok {
				cw.Heard = h
			}
			if cw.Heard != "" {
				transcript = append(transcript, cw.Heard)
			}
		}
		v.Words = append(v.Words, cw)
	}
	v.Transcript = strings.Join(transcript, " ")
	v.Confidence = median
	v.Similarity = speech.Similarity(strings.Join(words, " "), v.Transcript)
	return v, nil
}

// unheardExtraFrames: a stretch of extra speech of which the general model
// makes no words counts only from this long (shorter ones were breaths and
// noise in right recordings).
const unheardExtraFrames = 60

// unrecognizedSpeech stands for the words of extra speech that the general
// language model could not make out.
const unrecognizedSpeech = "[speech]"

// ownWordMedian is the median log-likelihood ratio per frame, against the
// phone loop, of the script words a miscue search read as themselves.
func ownWordMedian(segs []segment, loop []float64) float64 {
	var own []segment
	for _, s := range segs {
		if _, comp, phone, ok := parseSymbol(s.word); ok && !phone && comp < 0 {
			own = append(own, s)
		}
	}
	return medianLLR(own, loop)
}

// weakWord: a word whose goodness of pronunciation alone does not flag it:
// a function word or one of two letters or fewer. Their short, weak forms
// ("of" said as "uh") score far from the phone loop in right recordings,
// and a slip of one changes no offer; the ones that do ("no", "all",
// "only") have competitors.
func weakWord(w string) bool { return len(w) <= 2 || functionWords[w] }

// medianLLR is the median log-likelihood ratio per frame, against the
// phone loop, of the words (not fillers) of a forced alignment; 0 when it
// has none.
func medianLLR(segs []segment, loop []float64) float64 {
	var llrs []float64
	for _, s := range segs {
		if frames := s.end - s.start; frames > 0 && !isFiller(s.word) {
			llrs = append(llrs, (float64(s.score)-loopScore(loop, s.start, s.end))/float64(frames))
		}
	}
	if len(llrs) == 0 {
		return 0
	}
	slices.Sort(llrs)
	return llrs[len(llrs)/2]
}
