package omnivibe

import "strings"

// AudioWord is one word of a verified script, or an extra word of the audio,
// in the order of the audio: how the recognizer found it (ok, missing, extra,
// substituted, with what was heard instead) and when it was said, in seconds
// (null when it was not heard).
type AudioWord struct {
	Word   string   `json:"word"`
	Status string   `json:"status"`
	Heard  string   `json:"heard,omitempty"`
	Start  *float64 `json:"start"`
	End    *float64 `json:"end"`
}

// The verdicts of POST /audio/verify, by the thresholds of the voice-over
// tasks: match where a task would succeed, partial where it would be
// delivered as partial, mismatch where it would fail.
const (
	VerdictMatch    = "match"
	VerdictPartial  = "partial"
	VerdictMismatch = "mismatch"
)

// Limits of an uploaded voice-over to verify.
const (
	// MaxVerifyUpload is the largest audio file POST /audio/verify takes
	// (25 MB, OpenAI's transcription limit).
	MaxVerifyUpload = 25 << 20
	// MaxVerifySeconds is the longest audio it takes (10 minutes).
	MaxVerifySeconds = 600
	// MaxVerifyText is the longest script: ten minutes read at 150 words a
	// minute is about 9,000 characters.
	MaxVerifyText = 20000
)

// VerifyRequest is the form of POST /audio/verify, without the file.
type VerifyRequest struct {
	Text              string
	Language          string
	AccuracyThreshold *float64
}

// Validate checks the request and fills its defaults (language en, the
// voice-over tasks' default threshold).
func (r *VerifyRequest) Validate() error {
	var v Violations
	if strings.TrimSpace(r.Text) == "" {
		v.Add("text", "is required: the script the audio should say")
	}
	longTextRule(&v, "text", r.Text, MaxVerifyText)
	r.Language = strings.ToLower(strings.TrimSpace(r.Language))
	if r.Language == "" {
		r.Language = "en"
	}
	enumRule(&v, "language", r.Language, Languages)
	if r.AccuracyThreshold == nil {
		t := DefaultAccuracyThreshold
		r.AccuracyThreshold = &t
	}
	floatRangeRule(&v, "accuracy_threshold", *r.AccuracyThreshold, 0, 1)
	return v.Err()
}
