package speech

import (
	"context"
	"errors"
	"strconv"
	"strings"
)

// Synthesizer turns text into speech.
type Synthesizer interface {
	// Synthesize speaks text in language ("ko", "en", "ja" or "zh") with the
	// given voice; an empty voice or "default" picks the provider's default
	// voice for the language.
	Synthesize(ctx context.Context, text, language, voice string) (Audio, error)
	// Name is the provider name used in configuration and in error reports.
	Name() string
}

// Recognizer turns speech back into text, to check a voice-over.
type Recognizer interface {
	// Transcribe returns what is said in audio. expectedText is the text
	// the audio should contain; recognizers that need a vocabulary (the
	// local one) build it from that text, hosted ones ignore it.
	Transcribe(ctx context.Context, audio Audio, language, expectedText string) (string, error)
	// Supports reports whether the recognizer can check speech in language.
	// For a language it does not support, Transcribe fails with
	// ErrUnsupportedLanguage; the caller should then treat the voice-over as
	// unverified rather than failed.
	Supports(language string) bool
	// Name is the provider name used in configuration and in error reports.
	Name() string
}

// Errors that callers map to task outcomes. Every error a provider returns
// wraps exactly one of them (test with errors.Is) and adds detail: the
// provider, the HTTP status or the program's message. API keys never appear
// in an error.
var (
	// ErrProviderUnavailable is a failure worth retrying later: HTTP 429 or
	// 5xx, a network error or timeout, a local program that crashed.
	ErrProviderUnavailable = errors.New("speech provider unavailable")
	// ErrProviderRejected is a failure that the same request will meet
	// again: HTTP 4xx other than 429 (bad key, unknown voice, text too long)
	// or input the provider cannot use.
	ErrProviderRejected = errors.New("speech provider rejected the request")
	// ErrUnsupportedLanguage means the provider has no voice or model for
	// the language.
	ErrUnsupportedLanguage = errors.New("language not supported by the speech provider")
)

// ProviderError is the detail behind a provider failure. It wraps one of the
// sentinel errors above.
type ProviderError struct {
	// Provider is the provider's Name().
	Provider string
	// Status is the HTTP status code, or 0 for a local program or a network
	// failure.
	Status int
	// RetryAfterSeconds is how long the provider asked the caller to wait (from a
	// Retry-After header), or 0 when it did not say.
	RetryAfterSeconds float64
	// Message is the provider's own explanation, shortened.
	Message string
	// Timeout is set when the provider did not answer in time.
	Timeout bool
	// Kind is ErrProviderUnavailable, ErrProviderRejected or
	// ErrUnsupportedLanguage.
	Kind error
}

func (e *ProviderError) Error() string {
	var b strings.Builder
	b.WriteString(e.Provider)
	b.WriteString(": ")
	b.WriteString(e.Kind.Error())
	if e.Status != 0 {
		b.WriteString(" (HTTP ")
		b.WriteString(strconv.Itoa(e.Status))
		b.WriteString(")")
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

func (e *ProviderError) Unwrap() error { return e.Kind }

// Retryable reports whether err is worth trying again later.
func Retryable(err error) bool {
	return errors.Is(err, ErrProviderUnavailable)
}

// Unsupported is the error of a provider asked for a language it has no
// model for: a chain moves on to its next member.
func Unsupported(provider, language string) error {
	return &ProviderError{Provider: provider, Kind: ErrUnsupportedLanguage, Message: "no model for language " + strconv.Quote(language)}
}

// NoRecognizer is the recognizer of the "none" provider: it supports no
// language, so every voice-over it is asked about stays unverified.
type NoRecognizer struct{}

// Transcribe always fails with ErrUnsupportedLanguage.
func (NoRecognizer) Transcribe(_ context.Context, _ Audio, language, _ string) (string, error) {
	return "", Unsupported(ProviderNone, language)
}

// Supports is false for every language.
func (NoRecognizer) Supports(string) bool { return false }

// Name is "none".
func (NoRecognizer) Name() string { return ProviderNone }

// UnverifiedReason explains, in a sentence fit for a task's warning, why r
// cannot check speech in language, or returns "" when it can.
func UnverifiedReason(r Recognizer, language string) string {
	switch {
	case r == nil || r.Name() == ProviderNone:
		return "no speech recognizer is configured, so the audio was not checked"
	case !r.Supports(language):
		return "the " + r.Name() + " speech recognizer has no model for language " + strconv.Quote(language) + ", so the audio was not checked"
	}
	return ""
}

// PrimaryLanguage reduces a language tag such as "en-US" or "ko_KR" to its
// lower-case primary subtag ("en", "ko").
func PrimaryLanguage(language string) string {
	language = strings.ToLower(strings.TrimSpace(language))
	if i := strings.IndexAny(language, "-_"); i >= 0 {
		language = language[:i]
	}
	return language
}
