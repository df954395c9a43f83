// Package verify judges a voice-over against its script offline: the local
// recognizer "pocketsphinx", which checks audio word by word rather than
// only transcribing it.
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
package verify
