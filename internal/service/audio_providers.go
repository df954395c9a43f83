package service

import (
	"context"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/speech"
)

// routedSynthesizer is a chain of synthesizers (speech.SynthesizerChain)
// that says which of them served a call and why the others did not.
type routedSynthesizer interface {
	SynthesizeRouted(ctx context.Context, text, language, voice string) (speech.Audio, speech.Route, error)
}

// routedRecognizer is a chain of recognizers (speech.RecognizerChain).
type routedRecognizer interface {
	VerifyRouted(ctx context.Context, audio speech.Audio, language, expectedText string) (speech.Verification, speech.Route, error)
}

// synthesizeRouted calls synth; a single provider is its own route.
func synthesizeRouted(ctx context.Context, synth speech.Synthesizer, text, language, voice string) (speech.Audio, speech.Route, error) {
	if r, ok := synth.(routedSynthesizer); ok {
		return r.SynthesizeRouted(ctx, text, language, voice)
	}
	a, err := synth.Synthesize(ctx, text, language, voice)
	return a, speech.Route{Provider: synth.Name()}, err
}

// verifyRouted checks audio word by word (speech.Verify) with rec; a single
// provider is its own route.
func verifyRouted(ctx context.Context, rec speech.Recognizer, audio speech.Audio, language, expected string) (speech.Verification, speech.Route, error) {
	if r, ok := rec.(routedRecognizer); ok {
		return r.VerifyRouted(ctx, audio, language, expected)
	}
	v, err := speech.Verify(ctx, rec, audio, language, expected)
	return v, speech.Route{Provider: rec.Name()}, err
}

// noteRoute records on the task the providers a stage skipped and, when one
// served it, that provider's name in served (the task's synthesizer or
// recognizer): the task says which provider made its audio and transcript.
func noteRoute(t *omnivibe.AudioTask, stage string, attempt int, r speech.Route, served *string) {
	for _, sk := range r.Skipped {
		t.ProvidersSkipped = append(t.ProvidersSkipped, omnivibe.ProviderSkip{Stage: stage, Attempt: attempt,
			Provider: sk.Provider, Code: sk.Code, Status: sk.Status, Message: sk.Message})
	}
	if r.Provider != "" {
		*served = r.Provider
	}
}

// failedProvider names the provider a failed stage is blamed on: the one
// whose rejection ended it, or the whole chain when every one failed.
func failedProvider(r speech.Route, configured string) string {
	if r.Provider != "" {
		return r.Provider
	}
	return configured
}
