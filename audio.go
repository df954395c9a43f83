package omnivibe

import (
	"regexp"
	"strings"
	"time"
)

// The statuses of an audio task.
const (
	AudioQueued    = "queued"
	AudioRunning   = "running"
	AudioSucceeded = "succeeded"
	AudioPartial   = "partial"
	AudioFailed    = "failed"
	AudioCancelled = "cancelled"
)

// AudioStatuses lists every audio task status.
var AudioStatuses = []string{AudioQueued, AudioRunning, AudioSucceeded, AudioPartial, AudioFailed, AudioCancelled}

// The stages a running task goes through, as shown in its status.
const (
	StageQueued       = "queued"
	StageNormalizing  = "normalizing"
	StageSynthesizing = "synthesizing"
	StageTranscribing = "transcribing"
	StageScoring      = "scoring"
	StageStoring      = "storing"
	StageDone         = "done"
)

// AudioFinished reports whether a task with status s will change no more.
func AudioFinished(s string) bool {
	return s == AudioSucceeded || s == AudioPartial || s == AudioFailed || s == AudioCancelled
}

// AudioTask is one voice-over job: text to speech, checked by speech
// recognition, retried until it is accurate enough.
type AudioTask struct {
	ID                int64            `json:"-"`
	TaskID            string           `json:"task_id"`
	AccountID         int64            `json:"-"`
	CampaignID        *int64           `json:"campaign_id"`
	ContentID         *int64           `json:"content_id"`
	IdempotencyKey    string           `json:"-"`
	RequestHash       string           `json:"-"`
	Text              string           `json:"text"`
	Language          string           `json:"language"`
	VoiceID           string           `json:"voice_id"`
	AccuracyThreshold float64          `json:"accuracy_threshold"`
	MaxAttempts       int              `json:"max_attempts"`
	Status            string           `json:"status"`
	Stage             string           `json:"stage"`
	Progress          float64          `json:"progress"`
	Attempts          int              `json:"attempts"`
	Similarity        *float64         `json:"similarity"`
	Verified          bool             `json:"verified"`
	Warning           *string          `json:"warning"`
	NormalizedText    string           `json:"normalized_text"`
	Normalization     []Replacement    `json:"normalization"`
	Transcript        string           `json:"transcript"`
	Iterations        []AudioIteration `json:"iterations"`
	Words             []AudioWord      `json:"words"` // the best attempt's check, word by word
	Synthesizer       string           `json:"synthesizer"`
	Recognizer        string           `json:"recognizer"`
	// ProvidersSkipped lists, for a chain of providers, each one that did not
	// serve a stage of an attempt, and why (empty with a single provider).
	ProvidersSkipped []ProviderSkip `json:"providers_skipped"`
	// Synthetic marks audio that is a generated signal, not speech (load tests).
	Synthetic   bool        `json:"synthetic"`
	AudioURL    *string     `json:"audio_url"`
	AudioPath   string      `json:"-"`
	AudioFormat string      `json:"-"`
	Duration    *float64    `json:"duration"`
	Error       *AudioError `json:"error"`
	JobID       int64       `json:"-"`
	QuotaPeriod string      `json:"-"`
	CreatedAt   time.Time   `json:"created_at"`
	StartedAt   *time.Time  `json:"started_at"`
	FinishedAt  *time.Time  `json:"finished_at"`
}

// Replacement records that Original was spoken as Spoken.
type Replacement struct {
	Original string `json:"original"`
	Spoken   string `json:"spoken"`
}

// AudioIteration is one attempt of a task.
type AudioIteration struct {
	Attempt    int      `json:"attempt"`
	Similarity *float64 `json:"similarity"`
	// Flagged is how many words the attempt's check flagged (substituted,
	// missing or extra): an attempt with any is tried again.
	Flagged    int     `json:"flagged"`
	Transcript string  `json:"transcript"`
	Duration   float64 `json:"duration"`
}

// ProviderSkip records that a provider of a chain did not serve a stage
// (synthesize or transcribe) of an attempt, and why: the next one was tried.
type ProviderSkip struct {
	Stage    string `json:"stage"`
	Attempt  int    `json:"attempt"`
	Provider string `json:"provider"`
	// Code is breaker_open, rate_limited, server_error, timeout, unreachable,
	// unavailable, unsupported_language or rejected.
	Code    string `json:"code"`
	Status  int    `json:"status,omitempty"`
	Message string `json:"message"`
}

// AudioError is a structured reason of a failure that automation can act on.
type AudioError struct {
	Stage     string `json:"stage"` // normalize, synthesize, transcribe, score, store
	Code      string `json:"code"`  // provider_unavailable, provider_rejected, unsupported_language, internal
	Provider  string `json:"provider,omitempty"`
	Retryable bool   `json:"retryable"`
	Message   string `json:"message"`
}

// AudioRequest is the body of POST /audio/generate.
type AudioRequest struct {
	Text              string   `json:"text,omitempty"`
	ContentID         *int64   `json:"content_id,omitempty"`
	VoiceID           string   `json:"voice_id,omitempty"`
	Language          string   `json:"language,omitempty"`
	AccuracyThreshold *float64 `json:"accuracy_threshold,omitempty"`
	MaxAttempts       *int     `json:"max_attempts,omitempty"`
}

// Limits and defaults of audio requests.
const (
	MaxAudioText             = 5000
	DefaultAccuracyThreshold = 0.95
	DefaultMaxAttempts       = 5
	// MaxQueuedAudioPerAccount keeps one account's burst from starving the others.
	MaxQueuedAudioPerAccount = 100
)

// voicePattern is what a voice ID may look like. It reaches a provider's URL
// path and a command line, so nothing else gets through.
var voicePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.+-]{0,99}$`)

// Validate checks the request and fills its defaults.
func (r *AudioRequest) Validate() error {
	var v Violations
	if r.ContentID == nil {
		if strings.TrimSpace(r.Text) == "" {
			v.Add("text", "is required unless content_id is given")
		}
	} else if *r.ContentID <= 0 {
		v.Add("content_id", "must be a content of this account")
	}
	longTextRule(&v, "text", r.Text, MaxAudioText)
	r.VoiceID = strings.TrimSpace(r.VoiceID)
	if r.VoiceID == "" {
		r.VoiceID = "default"
	}
	if !voicePattern.MatchString(r.VoiceID) {
		v.Add("voice_id", "must be 1-100 letters, digits, '.', '_', '+' or '-'")
	}
	r.Language = strings.ToLower(strings.TrimSpace(r.Language))
	if r.Language == "" {
		r.Language = "ko"
	}
	enumRule(&v, "language", r.Language, Languages)
	if r.AccuracyThreshold == nil {
		t := DefaultAccuracyThreshold
		r.AccuracyThreshold = &t
	}
	floatRangeRule(&v, "accuracy_threshold", *r.AccuracyThreshold, 0, 1)
	if r.MaxAttempts == nil {
		n := DefaultMaxAttempts
		r.MaxAttempts = &n
	}
	intRangeRule(&v, "max_attempts", *r.MaxAttempts, 1, 10)
	return v.Err()
}

// AudioFilter selects a page of GET /audio.
type AudioFilter struct {
	Status   string
	Page     int
	PageSize int
}

// Check adds the filter's broken values to v.
func (f AudioFilter) Check(v *Violations) {
	if f.Status != "" {
		enumRule(v, "status", f.Status, AudioStatuses)
	}
	CheckPage(v, f.Page, f.PageSize)
}

// AudioPage is one page of GET /audio, newest first.
type AudioPage struct {
	Tasks    []AudioTask `json:"tasks"`
	Total    int         `json:"total"`
	Page     int         `json:"page"`
	PageSize int         `json:"page_size"`
}
