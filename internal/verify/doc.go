// Package verify judges a voice-over against its script offline: the local
// recognizer "pocketsphinx", which checks audio word by word rather than
// only transcribing it.
//
// The local recognizer runs Debian's pocketsphinx_batch with the US English
// model (packages pocketsphinx, pocketsphinx-en-us) on the audio resampled
// to 16 kHz mono. PocketSphinx.VerifyWords (what speech.Verify and the
// pipeline use) is the miscue detection described on it: a search of the
// script with competitors, skips and a phone loop for extra speech
// (search.go, competitors.go), and each word's likelihood ratio to a free
// phone loop (miscues.go). scripts/bench/verify.sh measures it on ad copy
// errors of five kinds spoken by espeak-ng and flite voices
// (docs/benchmarks.md). Transcribe, the older check, force-aligns the audio
// to the script and keeps the words that fit.
package verify
