// Package speech is the voice-over engine of OmniVibe Pro: it prepares a
// script for speaking, speaks it, listens to the result and scores how well
// the result says the script.
//
// One attempt of the audio pipeline, as the job worker runs it:
//
//	n := speech.Normalize(script, language)              // words to speak, plus what was replaced
//	audio, err := tts.Synthesize(ctx, n.Text, language, voice)
//	if reason := speech.UnverifiedReason(stt, language); reason != "" {
//		// keep the audio, verified: false, warning: reason
//	}
//	v, err := speech.Verify(ctx, stt, audio, language, n.Text)
//	// v.Similarity is the score, v.Words each word's status and time
//
// Verify asks a WordVerifier (the local recognizer) to check the audio
// itself; any other recognizer's transcript is normalized and compared with
// the script word by word, so a recognizer that writes "15%" or "2024"
// (Whisper does) agrees with the spoken form "fifteen percent", and
// Similarity(n.Text, speech.Normalize(transcript, language).Text) is its
// score.
//
// # Providers
//
// NewSynthesizer and NewRecognizer build providers by name from a Config:
// synthesizers "espeak" (espeak-ng, local), "elevenlabs", "openai" and
// "synthetic" (a generated signal for load tests, never a default); recognizers
// "openai" and "none" ("pocketsphinx", the local one, is built by
// internal/verify). DetectLocalEngines
// reports whether espeak-ng and pocketsphinx are installed, so configuration
// can default to them. Every provider is safe for concurrent use.
//
// A SynthesizerChain or RecognizerChain (OMNIVIBE_TTS=elevenlabs,openai,espeak)
// is a provider made of several, tried in order, each behind a circuit breaker
// (internal/providers): an unavailable provider, an open breaker or an
// unsupported language moves on to the next, a rejection ends the call.
// SynthesizeRouted and TranscribeRouted also say which member served and why
// the ones before it were skipped.
//
// Every provider error wraps ErrProviderUnavailable (worth retrying: HTTP 429
// and 5xx, network failures, a local program that failed),
// ErrProviderRejected (the same request will fail again: other 4xx, bad
// input) or ErrUnsupportedLanguage, and is a *ProviderError with the
// provider, HTTP status, Retry-After and the provider's message. API keys are
// sent in headers only and never appear in errors.
//
// # Checking speech locally
//
// The local recognizer, "pocketsphinx", is the voice-over verifier of
// internal/verify: how a voice-over is judged against its script lives
// there, apart from the engines here.
//
// espeak-ng speaks all four languages, but its Japanese voice reads kana
// only: kanji, including the kanji numerals Normalize writes, come out as
// "Chinese letter". Japanese scripts need a hosted voice.
package speech
