package verify

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"github.com/omnivibepro/omnivibe/internal/speech"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// The decoder's settings and the thresholds of the check, measured on
// espeak-ng speech (see pocketsphinx_test.go and the package documentation).
const (
	// pocketSphinxRate is the sample rate the en-us acoustic model expects.
	pocketSphinxRate = 16000
	// alignmentBeam and alignmentWordBeam replace the default beams (1e-48,
	// 7e-29) for the forced alignment: with the defaults even correct
	// espeak-ng speech falls out of the beam before the grammar's end.
	alignmentBeam     = "1e-200"
	alignmentWordBeam = "1e-150"
	// wordScoreFloor is the lowest acoustic score per 10 ms frame (log base
	// 1.0001, relative to the best senone of the frame) at which an aligned
	// word counts as heard. Correct words scored -30 to -131 per frame,
	// words the audio did not contain -108 to -199.
	wordScoreFloor = -140
	// A silence or noise stretch of the alignment at least
	// unexplainedFrames long that scores below silenceScoreCeiling per frame
	// is speech the script does not explain (real pauses score -5 to -50).
	unexplainedFrames   = 30
	silenceScoreCeiling = -55
)

// PocketSphinx recognizes US English with CMU PocketSphinx's batch decoder,
// constrained to the words of the script it checks.
//
// A recognizer that may only answer with the script's words would find
// them in any audio, so it works in up to three passes:
//
//  1. Forced alignment: the grammar is the script's word sequence exactly.
//     Speech of the script aligns; speech of another text falls out of the
//     search beam and the alignment fails. A word that aligns with a poor
//     acoustic score (below wordScoreFloor per frame) is left out of the
//     transcript, since the audio did not say it.
//  2. Where the alignment put a long stretch of speech into a silence or
//     noise filler, the audio holds speech the script does not; those
//     stretches are decoded with the general English language model and
//     their words go into the transcript at their place.
//  3. If the alignment fails, the audio is decoded with a grammar of the
//     script's words in order, each optional, so the transcript keeps what
//     could be heard in order and Similarity scores it in proportion.
type PocketSphinx struct {
	binary, modelDir, espeak, tempDir string
}

// NewPocketSphinx returns the local English recognizer; it does not check
// that the program and model exist (see LocalEngines).
func NewPocketSphinx(cfg speech.PocketSphinxConfig) *PocketSphinx {
	cfg = cfg.WithDefaults()
	return &PocketSphinx{binary: cfg.Binary, modelDir: cfg.ModelDir, espeak: cfg.EspeakBinary, tempDir: cfg.TempDir}
}

// Name is "pocketsphinx".
func (p *PocketSphinx) Name() string { return speech.ProviderPocketSphinx }

// Supports is true for English only: the installed model is US English.
func (p *PocketSphinx) Supports(language string) bool {
	return speech.PrimaryLanguage(language) == "en"
}

// Transcribe checks English audio against expectedText (see the type's
// documentation for how). Without an expected text it decodes with the
// general language model, which turns synthetic voices into nonsense.
func (p *PocketSphinx) Transcribe(ctx context.Context, audio speech.Audio, language, expectedText string) (string, error) {
	if !p.Supports(language) {
		return "", speech.Unsupported(speech.ProviderPocketSphinx, language)
	}
	w, err := audio.Waveform()
	if err != nil {
		return "", &speech.ProviderError{Provider: speech.ProviderPocketSphinx, Kind: speech.ErrProviderRejected, Message: "cannot decode the audio: " + err.Error()}
	}
	if w.Duration() < 0.1 {
		return "", nil // too short to hold a word, and too short for the decoder
	}
	run, err := p.newRun(w)
	if err != nil {
		return "", err
	}
	defer run.close()

	lex, err := p.lexicon(ctx, ScriptWords(speech.Normalize(expectedText, "en").Text), nil)
	if err != nil {
		return "", err
	}
	if len(lex.sequence) == 0 {
		hyps, err := run.decodeFree(ctx, [][2]int{{0, -1}})
		if err != nil {
			return "", err
		}
		return hyps[0], nil
	}
	if err := lex.write(run.dir); err != nil {
		return "", &speech.ProviderError{Provider: speech.ProviderPocketSphinx, Kind: speech.ErrProviderUnavailable, Message: err.Error()}
	}
	segs, err := run.align(ctx, lex)
	if err != nil {
		return "", err
	}
	if segs == nil {
		return run.decodeInOrder(ctx, lex)
	}
	return run.checkAlignment(ctx, lex, segs)
}

// ScriptWords splits normalized English text into lower-case words, keeping
// apostrophes inside words ("don't") as the dictionary spells them: the
// words of a Verification, in order.
func ScriptWords(text string) []string {
	var words []string
	var cur []rune
	flush := func() {
		for len(cur) > 0 && cur[len(cur)-1] == '\'' {
			cur = cur[:len(cur)-1]
		}
		if len(cur) > 0 {
			words = append(words, string(cur))
		}
		cur = cur[:0]
	}
	for _, r := range text {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			cur = append(cur, unicode.ToLower(r))
		case (r == '\'' || r == '’') && len(cur) > 0:
			cur = append(cur, '\'')
		default:
			flush()
		}
	}
	flush()
	return words
}

// lexicon is the grammar's vocabulary: every distinct script word gets a
// neutral symbol (w0, w1, ...) so no spelling can break the grammar or the
// dictionary file, with all of its pronunciations.
type lexicon struct {
	sequence []string            // the script as symbols, words without any pronunciation left out
	spelling map[string]string   // symbol → word
	prons    map[string][]string // symbol → pronunciations (space-separated phones)
	// competitors holds the pronunciations of the script words'
	// competitors (see competitors.go) that the dictionary has, their
	// class mates and their neighbours alike.
	competitors map[string][]string
	// neighbours are, for each content word of the script, the dictionary
	// words one sound away (see neighbours.go).
	neighbours map[string][]string
}

// lexicon spells the script's words, their competitors, and the
// neighbours of its names (see neighbours.go).
func (p *PocketSphinx) lexicon(ctx context.Context, words []string, names map[string]bool) (*lexicon, error) {
	need := map[string]bool{}
	for _, w := range words {
		need[w] = true
		for _, c := range competitors(w) {
			need[c] = true
		}
	}
	found, err := p.dictionaryEntries(need)
	if err != nil {
		return nil, err
	}
	for _, w := range words {
		if len(found[w]) > 0 {
			continue
		}
		if base, ok := strings.CutSuffix(w, "'s"); ok && len(found[base]) > 0 {
			for _, pr := range found[base] {
				found[w] = append(found[w], pr+" Z")
			}
			continue
		}
		if pr := p.espeakPronunciation(ctx, w); pr != "" {
			found[w] = []string{pr}
		}
	}
	content := map[string][]string{}
	for _, w := range words {
		if names[w] && isContentWord(w) && len(found[w]) > 0 {
			content[w] = strings.Fields(found[w][0])
		}
	}
	neighbours, err := p.dictionaryNeighbours(content)
	if err != nil {
		return nil, err
	}
	lex := &lexicon{spelling: map[string]string{}, prons: map[string][]string{}, competitors: map[string][]string{}, neighbours: map[string][]string{}}
	symbols := map[string]string{}
	for _, w := range words {
		if len(found[w]) == 0 {
			continue
		}
		sym, ok := symbols[w]
		if !ok {
			sym = "w" + strconv.Itoa(len(symbols))
			symbols[w] = sym
			lex.spelling[sym] = w
			lex.prons[sym] = found[w]
		}
		lex.sequence = append(lex.sequence, sym)
		for _, c := range competitors(w) {
			if len(found[c]) > 0 {
				lex.competitors[c] = found[c]
			}
		}
		for _, n := range neighbours[w] {
			lex.neighbours[w] = append(lex.neighbours[w], n.word)
			if !slices.Contains(lex.competitors[n.word], n.pron) {
				lex.competitors[n.word] = append(lex.competitors[n.word], n.pron)
			}
		}
	}
	return lex, nil
}

// dictionaryEntries scans the CMU dictionary for the needed words. A scan
// per call (about 4 MB) costs a few milliseconds and keeps nothing resident.
func (p *PocketSphinx) dictionaryEntries(need map[string]bool) (map[string][]string, error) {
	f, err := os.Open(filepath.Join(p.modelDir, "cmudict-en-us.dict"))
	if err != nil {
		return nil, &speech.ProviderError{Provider: speech.ProviderPocketSphinx, Kind: speech.ErrProviderUnavailable, Message: "no pronunciation dictionary: " + err.Error()}
	}
	defer f.Close()
	found := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		word, phones, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		if i := strings.IndexByte(word, '('); i > 0 {
			word = word[:i] // alternative pronunciation: "word(2)"
		}
		if need[word] || need[strings.ReplaceAll(word, "’", "'")] {
			found[word] = append(found[word], strings.TrimSpace(phones))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &speech.ProviderError{Provider: speech.ProviderPocketSphinx, Kind: speech.ErrProviderUnavailable, Message: "reading the dictionary: " + err.Error()}
	}
	return found, nil
}

func (l *lexicon) write(dir string) error {
	var dict bytes.Buffer
	for sym, prons := range l.prons {
		for i, pr := range prons {
			if i == 0 {
				fmt.Fprintf(&dict, "%s %s\n", sym, pr)
			} else {
				fmt.Fprintf(&dict, "%s(%d) %s\n", sym, i+1, pr)
			}
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "script.dict"), dict.Bytes(), 0o600); err != nil {
		return err
	}
	strict := "#JSGF V1.0;\ngrammar script;\npublic <script> = " + strings.Join(l.sequence, " ") + " ;\n"
	optional := make([]string, len(l.sequence))
	for i, s := range l.sequence {
		optional[i] = "[" + s + "]"
	}
	inOrder := "#JSGF V1.0;\ngrammar script;\npublic <script> = " + strings.Join(optional, " ") + " ;\n"
	if err := os.WriteFile(filepath.Join(dir, "strict.jsgf"), []byte(strict), 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "inorder.jsgf"), []byte(inOrder), 0o600)
}

// words maps decoder output symbols back to the script's spelling.
func (l *lexicon) words(symbols []string) []string {
	out := make([]string, 0, len(symbols))
	for _, s := range symbols {
		if i := strings.IndexByte(s, '('); i > 0 {
			s = s[:i]
		}
		if w, ok := l.spelling[s]; ok {
			out = append(out, w)
		}
	}
	return out
}

// sphinxRun is one Transcribe call's scratch directory and audio. The
// decoder's output is read back through root, so a read can never leave the
// directory whatever name it is given.
type sphinxRun struct {
	p    *PocketSphinx
	dir  string
	root *os.Root
	// audio is utt.wav's samples (16 kHz mono).
	audio speech.Waveform
	// input is what a search of the whole utterance reads: the audio
	// (audioInput) or, once scoreSenones has run, the shared scores.
	input []string
}

// audioInput makes a decode read the run's WAV files.
var audioInput = []string{"-cepext", ".wav", "-adcin", "yes", "-adchdr", "44"}

// newRun makes a scratch directory holding the audio as 16 kHz mono WAV.
func (p *PocketSphinx) newRun(w speech.Waveform) (*sphinxRun, error) {
	dir, err := os.MkdirTemp(p.tempDir, "pocketsphinx-")
	if err != nil {
		return nil, &speech.ProviderError{Provider: speech.ProviderPocketSphinx, Kind: speech.ErrProviderUnavailable, Message: err.Error()}
	}
	audio := speech.Resample(w.Mono(), pocketSphinxRate)
	if err := os.WriteFile(filepath.Join(dir, "utt.wav"), speech.EncodeWAV(audio), 0o600); err != nil {
		os.RemoveAll(dir)
		return nil, &speech.ProviderError{Provider: speech.ProviderPocketSphinx, Kind: speech.ErrProviderUnavailable, Message: err.Error()}
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, &speech.ProviderError{Provider: speech.ProviderPocketSphinx, Kind: speech.ErrProviderUnavailable, Message: err.Error()}
	}
	return &sphinxRun{p: p, dir: dir, root: root, audio: audio, input: audioInput}, nil
}

// close removes the run's scratch directory.
func (r *sphinxRun) close() {
	r.root.Close()
	os.RemoveAll(r.dir)
}

func (r *sphinxRun) model(name string) string { return filepath.Join(r.p.modelDir, name) }

// decode runs pocketsphinx_batch over the utterances of ctl (utt is the
// whole file; "utt START END ID" a frame range of it) read as input says
// (audioInput or scoresInput), with the given extra arguments. Its control
// file and log are named after name, so decodes of one run may go at once.
func (r *sphinxRun) decode(ctx context.Context, name, ctl string, input []string, args ...string) error {
	ctlPath := filepath.Join(r.dir, name+".ctl")
	if err := os.WriteFile(ctlPath, []byte(ctl), 0o600); err != nil {
		return &speech.ProviderError{Provider: speech.ProviderPocketSphinx, Kind: speech.ErrProviderUnavailable, Message: err.Error()}
	}
	logName := name + ".log"
	logPath := filepath.Join(r.dir, logName)
	base := []string{
		"-hmm", r.model("en-us"),
		"-ctl", ctlPath, "-cepdir", r.dir, "-samprate", strconv.Itoa(pocketSphinxRate),
		"-logfn", logPath,
	}
	base = append(base, input...)
	cmd := exec.CommandContext(ctx, r.p.binary, append(base, args...)...) // #nosec G204 -- the operator's pocketsphinx_batch run with an argument list, no shell: constants and paths in this run's temporary directory and the model directory; the script's words reach it only inside those files
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := speech.RunLowPriority(cmd); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		log, _ := r.root.ReadFile(logName)
		return &speech.ProviderError{Provider: speech.ProviderPocketSphinx, Kind: speech.ErrProviderUnavailable,
			Message: fmt.Sprintf("pocketsphinx_batch failed (%v): %s", err, speech.Shorten(lastErrorLine(string(log)+stderr.String()), 300))}
	}
	return nil
}

func lastErrorLine(log string) string {
	lines := strings.Split(strings.TrimSpace(log), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.Contains(lines[i], "ERROR") {
			return strings.TrimSpace(lines[i])
		}
	}
	if len(lines) > 0 {
		return strings.TrimSpace(lines[len(lines)-1])
	}
	return ""
}

// segment is one word or filler of a hypothesis with its frame range and
// acoustic score.
type segment struct {
	word       string
	start, end int // frames, end exclusive
	score      int
}

// align runs the forced alignment and returns its segments, or nil when the
// audio does not fit the script.
func (r *sphinxRun) align(ctx context.Context, lex *lexicon) ([]segment, error) {
	const out = "strict.seg"
	err := r.decode(ctx, "strict", "utt\n", r.input,
		"-dict", filepath.Join(r.dir, "script.dict"), "-jsgf", filepath.Join(r.dir, "strict.jsgf"),
		"-hypseg", filepath.Join(r.dir, out),
		// Every senone is scored in every frame so each frame's scores are
		// relative to the best senone of all, which makes a word's score
		// per frame an absolute measure of fit.
		"-compallsen", "yes",
		"-beam", alignmentBeam, "-pbeam", alignmentBeam, "-wbeam", alignmentWordBeam,
		"-lpbeam", alignmentWordBeam, "-lponlybeam", alignmentWordBeam,
	)
	if err != nil {
		return nil, err
	}
	data, err := r.root.ReadFile(out)
	if err != nil {
		return nil, &speech.ProviderError{Provider: speech.ProviderPocketSphinx, Kind: speech.ErrProviderUnavailable, Message: "no alignment output: " + err.Error()}
	}
	return parseHypseg(string(data)), nil
}

// parseHypseg reads a -hypseg line: "utt S s T total A ascr L lscr" and then
// "start ascr lscr word" per segment and the last end frame. A failed
// alignment writes no segments.
func parseHypseg(line string) []segment {
	f := strings.Fields(line)
	if len(f) < 14 {
		return nil
	}
	f = f[9:]
	var segs []segment
	for i := 0; i+3 < len(f); i += 4 {
		start, err1 := strconv.Atoi(f[i])
		score, err2 := strconv.Atoi(f[i+1])
		if err1 != nil || err2 != nil {
			return nil
		}
		end := start
		if i+4 < len(f) {
			if e, err := strconv.Atoi(f[i+4]); err == nil {
				end = e
			}
		}
		segs = append(segs, segment{word: f[i+3], start: start, end: end, score: score})
	}
	return segs
}

func isFiller(word string) bool {
	return strings.HasPrefix(word, "<") || strings.HasPrefix(word, "[") || strings.HasPrefix(word, "+")
}

// checkAlignment turns an alignment into a transcript: words that fit, and
// whatever the general model hears where the script explains nothing.
func (r *sphinxRun) checkAlignment(ctx context.Context, lex *lexicon, segs []segment) (string, error) {
	type piece struct {
		word   string
		gap    bool // a stretch of unexplained speech, to decode
		ranged [2]int
	}
	var pieces []piece
	var gaps [][2]int
	for _, s := range segs {
		frames := s.end - s.start
		if frames <= 0 {
			continue
		}
		perFrame := float64(s.score) / float64(frames)
		switch {
		case isFiller(s.word):
			if frames >= unexplainedFrames && perFrame < silenceScoreCeiling {
				pieces = append(pieces, piece{gap: true, ranged: [2]int{s.start, s.end}})
				gaps = append(gaps, [2]int{s.start, s.end})
			}
		case perFrame >= wordScoreFloor:
			pieces = append(pieces, piece{word: s.word})
		}
	}
	var heard map[[2]int]string
	if len(gaps) > 0 {
		hyps, err := r.decodeFree(ctx, gaps)
		if err != nil {
			return "", err
		}
		heard = map[[2]int]string{}
		for i, g := range gaps {
			heard[g] = hyps[i]
		}
	}
	var out []string
	for _, pc := range pieces {
		if pc.gap {
			if h := heard[pc.ranged]; h != "" {
				out = append(out, h)
			}
			continue
		}
		out = append(out, lex.words([]string{pc.word})...)
	}
	return strings.Join(out, " "), nil
}

// decodeInOrder decodes with the script's words in order, each optional.
func (r *sphinxRun) decodeInOrder(ctx context.Context, lex *lexicon) (string, error) {
	const out = "inorder.hyp"
	if err := r.decode(ctx, "inorder", "utt\n", r.input,
		"-dict", filepath.Join(r.dir, "script.dict"), "-jsgf", filepath.Join(r.dir, "inorder.jsgf"),
		"-hyp", filepath.Join(r.dir, out)); err != nil {
		return "", err
	}
	hyps, err := r.readHyps(out, 1)
	if err != nil {
		return "", err
	}
	return strings.Join(lex.words(strings.Fields(hyps[0])), " "), nil
}

// decodeFree decodes frame ranges ({start, end}; end -1 for the whole file)
// with the general English language model.
func (r *sphinxRun) decodeFree(ctx context.Context, ranges [][2]int) ([]string, error) {
	var ctl strings.Builder
	for i, rg := range ranges {
		if rg[1] < 0 {
			fmt.Fprintf(&ctl, "utt\n")
		} else {
			fmt.Fprintf(&ctl, "utt %d %d part%d\n", rg[0], rg[1], i)
		}
	}
	const out = "free.hyp"
	// Frame ranges are of the audio: the shared scores are one utterance.
	if err := r.decode(ctx, "free", ctl.String(), audioInput,
		"-dict", r.model("cmudict-en-us.dict"), "-lm", r.model("en-us.lm.bin"),
		"-hyp", filepath.Join(r.dir, out)); err != nil {
		return nil, err
	}
	hyps, err := r.readHyps(out, len(ranges))
	if err != nil {
		return nil, err
	}
	for i, h := range hyps {
		words := strings.Fields(h)
		kept := words[:0]
		for _, w := range words {
			if !isFiller(w) {
				if j := strings.IndexByte(w, '('); j > 0 {
					w = w[:j]
				}
				kept = append(kept, w)
			}
		}
		hyps[i] = strings.Join(kept, " ")
	}
	return hyps, nil
}

// readHyps reads n lines of the run's -hyp file name ("words (uttid
// score)"), returning the words of each.
func (r *sphinxRun) readHyps(name string, n int) ([]string, error) {
	data, err := r.root.ReadFile(name)
	if err != nil {
		return nil, &speech.ProviderError{Provider: speech.ProviderPocketSphinx, Kind: speech.ErrProviderUnavailable, Message: "no decoder output: " + err.Error()}
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	hyps := make([]string, n)
	for i := 0; i < n && i < len(lines); i++ {
		line := lines[i]
		if j := strings.LastIndex(line, " ("); j >= 0 {
			line = line[:j]
		} else if strings.HasPrefix(line, "(") {
			line = ""
		}
		hyps[i] = strings.TrimSpace(line)
	}
	return hyps, nil
}

// espeakPronunciation spells a word the dictionary lacks in the model's
// phones, from espeak-ng's IPA rendering; "" when that is not possible.
func (p *PocketSphinx) espeakPronunciation(ctx context.Context, word string) string {
	cmd := exec.CommandContext(ctx, p.espeak, "-v", "en-us", "-q", "--ipa", "--sep=_", "--stdin") // #nosec G204 -- the operator's espeak-ng with constant arguments, no shell; the word goes in through stdin
	cmd.Stdin = strings.NewReader(word)
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return ipaToARPAbet(string(out))
}

// ipaPhones maps espeak-ng's US English IPA symbols (stress and length marks
// removed) to the CMU phone set of the acoustic model.
var ipaPhones = map[string]string{
	"ɑ": "AA", "ɒ": "AA", "a": "AA", "æ": "AE", "ʌ": "AH", "ə": "AH", "ɐ": "AH", "ᵻ": "IH",
	"ɚ": "ER", "ɜ": "ER", "ɔ": "AO", "aʊ": "AW", "aɪ": "AY", "ɛ": "EH", "e": "EH", "eɪ": "EY",
	"ɪ": "IH", "i": "IY", "oʊ": "OW", "o": "OW", "ɔɪ": "OY", "ʊ": "UH", "u": "UW",
	"ɪɹ": "IH R", "ɛɹ": "EH R", "ʊɹ": "UH R", "ɔɹ": "AO R", "ɑɹ": "AA R", "oːɹ": "AO R", "aɪɚ": "AY ER",
	"aʊɚ": "AW ER", "iə": "IY AH", "əl": "AH L", "n̩": "AH N", "l̩": "AH L", "m̩": "AH M",
	"b": "B", "tʃ": "CH", "d": "D", "ð": "DH", "f": "F", "ɡ": "G", "g": "G", "h": "HH",
	"dʒ": "JH", "k": "K", "l": "L", "ɫ": "L", "m": "M", "n": "N", "ŋ": "NG", "p": "P", "ɹ": "R", "r": "R",
	"s": "S", "ʃ": "SH", "t": "T", "ɾ": "T", "ʔ": "T", "θ": "TH", "v": "V", "w": "W", "ʍ": "W",
	"j": "Y", "z": "Z", "ʒ": "ZH", "x": "K", "ç": "HH",
}

func ipaToARPAbet(ipa string) string {
	strip := strings.NewReplacer("ˈ", "", "ˌ", "", "ː", "", "\u0303", "", "-", "")
	var phones []string
	for _, tok := range strings.FieldsFunc(ipa, func(r rune) bool { return r == '_' || unicode.IsSpace(r) }) {
		tok = strip.Replace(tok)
		if tok == "" {
			continue
		}
		if ph, ok := ipaPhones[tok]; ok {
			phones = append(phones, ph)
			continue
		}
		// An unknown cluster: map it symbol by symbol, skipping what has
		// no counterpart.
		for _, r := range tok {
			if ph, ok := ipaPhones[string(r)]; ok {
				phones = append(phones, ph)
			}
		}
	}
	return strings.Join(phones, " ")
}
