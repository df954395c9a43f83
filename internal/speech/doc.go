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
// "pocketsphinx" (local, English only), "openai" and "none". DetectLocalEngines
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
// The local recognizer runs Debian's pocketsphinx_batch with the US English
// model (packages pocketsphinx, pocketsphinx-en-us) on the audio resampled
// to 16 kHz mono. A recognizer whose grammar holds only the script's words
// finds them in any audio, so PocketSphinx.VerifyWords (what Verify and the
// pipeline use) tests each word of a forced alignment with its likelihood
// ratio to a free phone loop, the utterance verification described on it;
// scripts/bench/verify.sh measures it. Transcribe, the older check below,
// force-aligns the audio to the script and keeps the words that fit. Measured
// on espeak-ng speech of 12 English scripts (TestLocalDiscrimination),
// Similarity of the script and the transcript was:
//
//	audio                      n    min  median   max
//	the script                12  0.959  1.000  1.000
//	two words different       12  0.460  0.962  1.000
//	an extra sentence         12  0.817  0.863  0.883
//	last sentence missing     12  0.376  0.648  0.900
//	cut off at 60 %           12  0.536  0.686  0.775
//	another script           132  0.146  0.335  0.542
//	silence                   12  0.000  0.000  0.000
//
// One minute of English takes about 0.06 s to synthesize with espeak-ng and
// 2.4 s to check on this machine's cores (BenchmarkLocalEnglish60s).
//
// espeak-ng speaks all four languages, but its Japanese voice reads kana
// only: kanji, including the kanji numerals Normalize writes, come out as
// "Chinese letter". Japanese scripts need a hosted voice.
package speech
