package writer

import (
	"math"
	"unicode"
	"unicode/utf8"
)

// DurationEstimate is what the reading-speed model of the contract says about a text:
// how long it takes to read aloud, and the counts the answer is built from.
type DurationEstimate struct {
	// Seconds is the reading time plus the pauses, rounded to 0.01 s.
	Seconds float64
	// Characters counts spoken characters: letters and digits. Spaces, punctuation,
	// symbols and emoji are not spoken and are not counted.
	Characters int
	// Words counts whitespace-separated tokens that contain at least one letter or digit.
	Words int
	// Pauses counts pause runs (see Estimate) of every weight.
	Pauses int
}

// Pause weights of the contract, in seconds.
const (
	sentencePause = 0.5 // . ? ! 。 and their full-width forms, …
	commaPause    = 0.3 // , 、 ; and their full-width forms
	colonPause    = 0.2 // : and ：
	newlinePause  = 0.4 // a line break (a run of them counts once)
)

// secondsPerUnit returns how long one unit of speech takes in the language, and whether
// the unit is a word (English) or a character (the CJK languages). The contract's
// speeds are ko 200 characters/min, en 150 words/min, ja 180 characters/min and zh 220
// characters/min; a language outside the contract is read at the Korean speed because
// ko is the contract's default language.
func secondsPerUnit(language string) (seconds float64, byWords bool) {
	switch language {
	case "en":
		return 60.0 / 150, true
	case "ja":
		return 60.0 / 180, false
	case "zh":
		return 60.0 / 220, false
	default:
		return 60.0 / 200, false
	}
}

// pauseWeight returns the pause a punctuation mark adds, or 0 for a mark that adds none.
// The contract lists the ASCII marks and 。、; the full-width forms used in Japanese and
// Chinese text (？！，；：．) and the half-width ideographic ones (｡､) are the same marks
// and weigh the same, and an ellipsis (…) ends a thought like a full stop.
func pauseWeight(r rune) float64 {
	switch r {
	case '.', '?', '!', '。', '？', '！', '．', '｡', '…':
		return sentencePause
	case ',', '、', ';', '，', '；', '､':
		return commaPause
	case ':', '：':
		return colonPause
	}
	return 0
}

// Estimate measures text with the contract's reading-speed model for language (ko, en,
// ja or zh; anything else is read as Korean). Empty text takes 0 s.
//
// Pauses are counted as runs so that punctuation that a reader pauses at once is paid
// once: "Really?!" and "..." are one 0.5 s pause, and a run of mixed marks ("...,")
// takes the heaviest weight. A period or comma between two digits ("3.5", "1,000") is
// part of the number, not a pause. Consecutive line breaks (a blank line between
// paragraphs) are one 0.4 s pause, and line breaks before the first or after the last
// spoken content are free; a line break after punctuation adds to it, because the
// contract adds pauses and a reader does stop longer at the end of a paragraph.
func Estimate(text, language string) DurationEstimate {
	var est DurationEstimate
	perUnit, byWords := secondsPerUnit(language)

	var (
		pauseSeconds   float64
		runWeight      float64 // heaviest mark in the current punctuation run
		pendingNewline bool    // a line break seen since the last spoken content
		sawContent     bool
		inToken        bool
		tokenHasWord   bool
		prev           rune
	)
	endPunctuationRun := func() {
		if runWeight > 0 {
			pauseSeconds += runWeight
			est.Pauses++
			runWeight = 0
		}
	}
	endToken := func() {
		if inToken && tokenHasWord {
			est.Words++
		}
		inToken, tokenHasWord = false, false
	}
	// content is called for every rune that is not white space; a line break is paid
	// only between two pieces of content, so leading and trailing newlines are free.
	content := func() {
		if pendingNewline && sawContent {
			pauseSeconds += newlinePause
			est.Pauses++
		}
		pendingNewline = false
		sawContent = true
		inToken = true
	}

	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size

		if w := pauseWeight(r); w > 0 {
			if (r == '.' || r == ',') && unicode.IsDigit(prev) && i < len(text) {
				if next, _ := utf8.DecodeRuneInString(text[i:]); unicode.IsDigit(next) {
					// A decimal point or thousands separator is read as part of the number.
					prev = r
					continue
				}
			}
			content()
			runWeight = max(runWeight, w)
			prev = r
			continue
		}
		endPunctuationRun()

		switch {
		case r == '\n':
			endToken()
			pendingNewline = true
		case unicode.IsSpace(r):
			endToken()
		default:
			content()
			if unicode.IsLetter(r) || unicode.IsNumber(r) {
				est.Characters++
				tokenHasWord = true
			}
		}
		prev = r
	}
	endPunctuationRun()
	endToken()

	units := float64(est.Characters)
	if byWords {
		units = float64(est.Words)
	}
	est.Seconds = roundTo(units*perUnit+pauseSeconds, 100)
	return est
}

// roundTo rounds x to 1/scale (scale 100 rounds to hundredths).
func roundTo(x float64, scale float64) float64 {
	return math.Round(x*scale) / scale
}
