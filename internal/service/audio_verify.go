package service

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/speech"
)

// AudioVerification is the answer of POST /audio/verify.
type AudioVerification struct {
	Similarity     *float64             `json:"similarity"`
	Verdict        *string              `json:"verdict"`
	Threshold      float64              `json:"threshold"`
	Verified       bool                 `json:"verified"`
	Warning        *string              `json:"warning,omitempty"`
	Recognizer     string               `json:"recognizer"`
	Transcript     string               `json:"transcript"`
	NormalizedText string               `json:"normalized_text"`
	Duration       float64              `json:"duration"`
	Words          []omnivibe.AudioWord `json:"words"`
}

// The verification pool's queue (see verifyInPool). A 60 s voice-over
// takes about 2 s to verify on the 2-core machine this was measured on
// (docs/benchmarks.md), so 4 waiting per slot is a wait of about 8 s,
// beyond which a client is better told to come back, after about the time
// two of them take.
const (
	verifyQueuePerWorker = 4
	verifyRetryAfter     = 5 * time.Second
)

// VerifyAudio checks that an uploaded voice-over says a script: the upload
// must be WAV or MP3 of at most 10 minutes; the script is normalized for
// speech as the voice-over tasks do, and the recognizer verifies the audio
// word by word. A verification counts as one audio unit of the monthly
// quota, given back when the server fails; where no recognizer covers the
// language, the answer is unverified and costs nothing. The upload is only
// ever held in memory: nothing of it is written to the audio store.
func (s *Service) VerifyAudio(ctx context.Context, p Principal, in omnivibe.VerifyRequest, file []byte) (AudioVerification, error) {
	if err := p.canWrite(); err != nil {
		return AudioVerification{}, err
	}
	verr := in.Validate()
	audio, aerr := uploadedAudio(file)
	if verr != nil || aerr != nil {
		return AudioVerification{}, joinViolations(verr, aerr)
	}
	normalized := speech.Normalize(in.Text, in.Language)
	if normalized.Text == "" {
		return AudioVerification{}, fieldError("text", "has no words to speak once headings and labels are removed")
	}
	out := AudioVerification{Threshold: *in.AccuracyThreshold, NormalizedText: normalized.Text, Duration: audio.Duration,
		Recognizer: "none", Words: []omnivibe.AudioWord{}}
	if reason := speech.UnverifiedReason(s.speech.Recognizer, in.Language); reason != "" {
		out.Warning = &reason
		return out, nil
	}
	out.Recognizer = s.speech.Recognizer.Name()
	// A place in the verification pool first: when it is full, the answer
	// is busy at once, and costs neither a quota unit nor a transaction.
	leave, err := s.verifications.Enter()
	if err != nil {
		return AudioVerification{}, err
	}
	defer leave()
	if err := s.store.InTx(ctx, func(tx Tx) error {
		return s.consumeQuota(ctx, tx, p.AccountID, omnivibe.QuotaAudio)
	}); err != nil {
		return AudioVerification{}, err
	}
	v, err := retryProvider(ctx, func() (speech.Verification, error) {
		v, _, err := s.verifyInPool(ctx, audio, in.Language, normalized.Text)
		return v, err
	})
	if err != nil {
		s.refundAudio(p.AccountID)
		return AudioVerification{}, verifyError(s.speech.Recognizer.Name(), err)
	}
	s.audioObs.Scored(in.Language, v.Similarity)
	verdict := Verdict(v.Similarity, *in.AccuracyThreshold, v.Words)
	out.Similarity, out.Verdict, out.Verified = &v.Similarity, &verdict, true
	out.Transcript, out.Words = v.Transcript, audioWords(v.Words)
	return out, nil
}

// verifyInPool runs one verification (speech.Verify, through the chain's
// route when the recognizer is a chain) in a slot of the verification pool,
// waiting for one if need be. The slot is held for one try only: a retry's
// backoff waits outside it.
//
// The local verifier runs pocketsphinx processes that keep cores busy for
// seconds, so the pool bounds how many run at once in this process: uploads
// (POST /audio/verify) and the pipeline's attempts share its slots, since
// they run on the same cores; with a bound each, the job workers (one per
// CPU by default) and the uploads together would take every core. Uploads
// take a place in its queue first (Enter), and are refused busy when it is
// full; a job's attempt just waits its turn, as its number is already
// bounded by the job workers and refusing it would only run the job again.
// A hosted recognizer holds its slot while it waits for the provider: the
// slot bounds verifications, whatever engine runs them (a chain may fall
// back to the local one).
func (s *Service) verifyInPool(ctx context.Context, audio speech.Audio, language, expected string) (v speech.Verification, route speech.Route, err error) {
	if perr := s.verifications.DoWhenFree(ctx, func() {
		v, route, err = verifyRouted(ctx, s.speech.Recognizer, audio, language, expected)
	}); perr != nil {
		return speech.Verification{}, speech.Route{}, perr
	}
	return v, route, err
}

// Verdict names how a verification came out, by the voice-over tasks'
// thresholds: match when the similarity reaches the threshold and no word
// of the script is missing, substituted or added; partial when it is above
// partialAbove (or at the threshold with a slip, so a slip is never a
// match); mismatch otherwise.
func Verdict(similarity, threshold float64, words []speech.CheckedWord) string {
	slips := flaggedWords(words)
	switch {
	case similarity >= threshold && slips == 0:
		return omnivibe.VerdictMatch
	case similarity > partialAbove || similarity >= threshold:
		return omnivibe.VerdictPartial
	}
	return omnivibe.VerdictMismatch
}

// flaggedWords counts the words a verification flagged: script words
// substituted or missing, and extra speech.
func flaggedWords(words []speech.CheckedWord) int {
	n := 0
	for _, w := range words {
		if w.Status != speech.WordOK {
			n++
		}
	}
	return n
}

// flaggedShown bounds how many flagged words a message names.
const flaggedShown = 10

// flaggedSummary says, for a task's warning or error, how many words were
// flagged and which: "2 words flagged: "fifteen" heard as "fifty",
// "dollars" missing". The words themselves, with their times, are the
// task's words.
func flaggedSummary(words []omnivibe.AudioWord, flagged int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d word", flagged)
	if flagged != 1 {
		b.WriteString("s")
	}
	b.WriteString(" flagged: ")
	shown := 0
	for _, w := range words {
		if w.Status == speech.WordOK {
			continue
		}
		if shown == flaggedShown {
			fmt.Fprintf(&b, ", and %d more", flagged-shown)
			break
		}
		if shown > 0 {
			b.WriteString(", ")
		}
		shown++
		switch {
		case w.Status == speech.WordSubstituted && w.Heard != "":
			fmt.Fprintf(&b, "%q heard as %q", w.Word, w.Heard)
		case w.Status == speech.WordSubstituted:
			fmt.Fprintf(&b, "%q said differently", w.Word)
		case w.Status == speech.WordExtra:
			fmt.Fprintf(&b, "extra %q", w.Word)
		default:
			fmt.Fprintf(&b, "%q %s", w.Word, w.Status)
		}
	}
	return b.String()
}

func audioWords(words []speech.CheckedWord) []omnivibe.AudioWord {
	out := make([]omnivibe.AudioWord, len(words))
	for i, w := range words {
		out[i] = omnivibe.AudioWord{Word: w.Word, Status: w.Status, Heard: w.Heard, Start: w.Start, End: w.End}
	}
	return out
}

// refundAudio gives back a verification's quota unit. It runs on its own
// context: a request that ended must still get its unit back.
func (s *Service) refundAudio(accountID int64) {
	ctx := context.Background()
	err := s.store.InTx(ctx, func(tx Tx) error {
		_, _, err := tx.AddUsage(ctx, accountID, omnivibe.Period(s.clock()), omnivibe.QuotaAudio, -1, nil)
		return err
	})
	if err != nil {
		s.log.Error("audio quota unit not given back", "account_id", accountID, "err", err)
	}
}

// verifyError maps a recognizer failure to the contract: audio the
// recognizer cannot use is the client's (422), anything else is the
// server's or the provider's (503, the unit given back).
func verifyError(provider string, err error) error {
	switch {
	case errors.Is(err, speech.ErrProviderRejected):
		e := &omnivibe.Error{Code: omnivibe.CodeValidation, Message: "the recognizer could not use the audio", Err: err,
			Fields: []omnivibe.FieldError{{Field: "file", Message: "the " + provider + " recognizer could not use this audio"}}}
		return e
	case errors.Is(err, speech.ErrProviderUnavailable):
		return &omnivibe.Error{Code: omnivibe.CodeUnavailable, Message: "the " + provider + " speech recognizer is unavailable; try again later", Err: err}
	}
	return err
}

// uploadedAudio recognizes and decodes an upload: WAV (integer PCM or
// float) or MP3, by its content, never by its name or declared type. Data
// that is no audio at all is 415; audio that does not decode, or is empty or
// too long, is 422.
func uploadedAudio(data []byte) (speech.Audio, error) {
	bad := func(code omnivibe.Code, msg string) (speech.Audio, error) {
		return speech.Audio{}, &omnivibe.Error{Code: code, Message: "file: " + msg,
			Fields: []omnivibe.FieldError{{Field: "file", Message: msg}}}
	}
	if len(data) == 0 {
		return bad(omnivibe.CodeValidation, "is empty")
	}
	if len(data) > omnivibe.MaxVerifyUpload {
		return bad(omnivibe.CodePayloadTooLarge, fmt.Sprintf("must be at most %d bytes", omnivibe.MaxVerifyUpload))
	}
	var a speech.Audio
	var w speech.Waveform
	var err error
	switch {
	case bytes.HasPrefix(data, []byte("RIFF")) && len(data) >= 12 && string(data[8:12]) == "WAVE":
		a.Format = speech.FormatWAV
		w, err = speech.DecodeWAV(data)
	case looksLikeMP3(data):
		a.Format = speech.FormatMP3
		w, err = speech.DecodeMP3(data)
	default:
		return bad(omnivibe.CodeUnsupportedMediaType, "must be a WAV or MP3 file")
	}
	if err != nil {
		return bad(omnivibe.CodeValidation, "does not decode as "+a.Format+" audio: "+err.Error())
	}
	switch {
	case w.SampleRate < 8000 || w.SampleRate > 192000:
		return bad(omnivibe.CodeValidation, fmt.Sprintf("has a sample rate of %d Hz; 8,000-192,000 Hz is needed", w.SampleRate))
	case w.Channels < 1 || w.Channels > 8:
		return bad(omnivibe.CodeValidation, fmt.Sprintf("has %d channels; 1-8 are supported", w.Channels))
	case w.Frames() == 0:
		return bad(omnivibe.CodeValidation, "holds no audio samples")
	case w.Duration() > omnivibe.MaxVerifySeconds:
		return bad(omnivibe.CodeValidation, fmt.Sprintf("is %.0f s long; at most %d s (10 minutes) is verified", w.Duration(), omnivibe.MaxVerifySeconds))
	}
	a.Data, a.SampleRate, a.Duration = data, w.SampleRate, w.Duration()
	return a, nil
}

// looksLikeMP3 is true for data that starts with an ID3v2 tag or an MPEG
// audio frame header (11 sync bits, a valid version, layer III, bitrate and
// sample rate), so text with an .mp3 name is not taken for audio.
func looksLikeMP3(data []byte) bool {
	if len(data) >= 10 && string(data[:3]) == "ID3" {
		return true
	}
	if len(data) < 4 || data[0] != 0xFF || data[1]&0xE0 != 0xE0 {
		return false
	}
	version, layer := (data[1]>>3)&3, (data[1]>>1)&3
	bitrate, rate := data[2]>>4, (data[2]>>2)&3
	return version != 1 && layer == 1 && bitrate != 0 && bitrate != 15 && rate != 3
}

// joinViolations merges the field errors of the form and of the file into
// one answer, so a client learns about all of them at once. A file error
// that is not a validation error (415, 413) wins: it says the request is
// of the wrong kind altogether.
func joinViolations(errs ...error) error {
	var v omnivibe.Violations
	for _, err := range errs {
		var e *omnivibe.Error
		if err == nil || !errors.As(err, &e) {
			continue
		}
		if e.Code != omnivibe.CodeValidation {
			return e
		}
		for _, f := range e.Fields {
			v.Add(f.Field, f.Message)
		}
	}
	return v.Err()
}
