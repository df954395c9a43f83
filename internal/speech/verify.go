package speech

import (
	"context"
	"strings"
)

// The status of one word in a Verification.
const (
	// WordOK: the word was said where the script has it.
	WordOK = "ok"
	// WordMissing: the script has the word, the audio does not.
	WordMissing = "missing"
	// WordExtra: the audio says a word the script does not have.
	WordExtra = "extra"
	// WordSubstituted: something else was said in the word's place (Heard,
	// when the recognizer could tell what).
	WordSubstituted = "substituted"
)

// CheckedWord is one word of a verified script, or one extra word of the
// audio, in the order of the audio. Start and End are seconds from the
// audio's start, nil when the word was not heard at all.
type CheckedWord struct {
	Word   string   `json:"word"`
	Status string   `json:"status"`
	Heard  string   `json:"heard,omitempty"`
	Start  *float64 `json:"start"`
	End    *float64 `json:"end"`
}

// Verification is how well audio says a script, word by word.
type Verification struct {
	// Similarity is Similarity(normalized script, Transcript), 0-1: the
	// score the voice-over thresholds apply to.
	Similarity float64
	// Transcript is what the audio was found to say: the script's words
	// that passed, and what was heard instead of or besides them.
	Transcript string
	// Words lists every script word with its status, and extra words.
	Words []CheckedWord
	// Confidence is the local verifier's utterance score: the median over
	// the script's words of the per-frame log-likelihood ratio of the
	// alignment to the free phone loop (0 from other recognizers).
	Confidence float64
}

// WordVerifier is a recognizer that checks audio against a script word by
// word itself (the local recognizer's utterance verification), rather than
// only transcribing it. Recognizers that lack it are verified by comparing
// their transcript with the script (see Verify). A recognizer that wraps
// another (for metrics, or a chain of providers) should implement it by
// calling Verify on the one it wraps, so that the inner recognizer's own
// check is not hidden.
type WordVerifier interface {
	VerifyWords(ctx context.Context, audio Audio, language, expectedText string) (Verification, error)
}

// TimedWord is a recognized word with its time in the audio, in seconds.
type TimedWord struct {
	Word       string
	Start, End float64
}

// WordTranscriber is a recognizer that can say when each word it heard was
// spoken (OpenAI's verbose_json with word timestamps).
type WordTranscriber interface {
	TranscribeWords(ctx context.Context, audio Audio, language, expectedText string) (string, []TimedWord, error)
}

// Verify checks that audio says expectedText (already normalized for
// speech, as the pipeline speaks it). A WordVerifier checks it itself; any
// other recognizer's transcript is compared with the script word by word
// (an edit-distance alignment), with word times where the recognizer gives
// them.
func Verify(ctx context.Context, r Recognizer, audio Audio, language, expectedText string) (Verification, error) {
	if v, ok := r.(WordVerifier); ok {
		return v.VerifyWords(ctx, audio, language, expectedText)
	}
	var transcript string
	var timed []TimedWord
	var err error
	if wt, ok := r.(WordTranscriber); ok {
		transcript, timed, err = wt.TranscribeWords(ctx, audio, language, expectedText)
	} else {
		transcript, err = r.Transcribe(ctx, audio, language, expectedText)
	}
	if err != nil {
		return Verification{}, err
	}
	if timed == nil {
		for _, w := range strings.Fields(transcript) {
			timed = append(timed, TimedWord{Word: w, Start: -1, End: -1})
		}
	}
	// Each heard word is normalized on its own ("15%" becomes "fifteen
	// percent"), its words sharing its time, so the comparison sees the
	// spoken forms the script has.
	var heard []TimedWord
	for _, tw := range timed {
		for _, w := range strings.Fields(ComparableText(Normalize(tw.Word, language).Text)) {
			heard = append(heard, TimedWord{Word: w, Start: tw.Start, End: tw.End})
		}
	}
	expected := strings.Fields(ComparableText(expectedText))
	v := Verification{Transcript: transcript, Words: diffWords(expected, heard)}
	v.Similarity = Similarity(expectedText, Normalize(transcript, language).Text)
	return v, nil
}

// diffWords aligns the heard words with the script's by edit distance
// (Levenshtein over words: each substitution, deletion or insertion costs
// one) and reports each script word as ok, substituted or missing, and each
// heard word the script lacks as extra.
func diffWords(expected []string, heard []TimedWord) []CheckedWord {
	n, m := len(expected), len(heard)
	// d[i][j] is the distance between expected[i:] and heard[j:], so the
	// walk from (0, 0) reads the alignment front to back.
	d := make([][]int32, n+1)
	for i := range d {
		d[i] = make([]int32, m+1)
	}
	for i := n; i >= 0; i-- {
		for j := m; j >= 0; j-- {
			switch {
			case i == n:
				d[i][j] = int32(m - j) // #nosec G115 -- word counts of one upload
			case j == m:
				d[i][j] = int32(n - i) // #nosec G115 -- word counts of one upload
			default:
				sub := d[i+1][j+1]
				if expected[i] != heard[j].Word {
					sub++
				}
				d[i][j] = min(sub, d[i+1][j]+1, d[i][j+1]+1)
			}
		}
	}
	at := func(tw TimedWord) (*float64, *float64) {
		if tw.Start < 0 {
			return nil, nil
		}
		s, e := tw.Start, tw.End
		return &s, &e
	}
	var out []CheckedWord
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && expected[i] == heard[j].Word && d[i][j] == d[i+1][j+1]:
			s, e := at(heard[j])
			out = append(out, CheckedWord{Word: expected[i], Status: WordOK, Start: s, End: e})
			i, j = i+1, j+1
		case i < n && j < m && d[i][j] == d[i+1][j+1]+1:
			s, e := at(heard[j])
			out = append(out, CheckedWord{Word: expected[i], Status: WordSubstituted, Heard: heard[j].Word, Start: s, End: e})
			i, j = i+1, j+1
		case i < n && d[i][j] == d[i+1][j]+1:
			out = append(out, CheckedWord{Word: expected[i], Status: WordMissing})
			i++
		default:
			s, e := at(heard[j])
			out = append(out, CheckedWord{Word: heard[j].Word, Status: WordExtra, Start: s, End: e})
			j++
		}
	}
	return out
}
