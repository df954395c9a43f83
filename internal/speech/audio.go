package speech

import "fmt"

// Audio formats an Audio can carry.
const (
	FormatWAV = "wav"
	FormatMP3 = "mp3"
)

// Audio is one synthesized voice-over, ready to store or to transcribe.
type Audio struct {
	// Data is the encoded file: a RIFF/WAVE file or an MP3 stream.
	Data []byte
	// Format is FormatWAV or FormatMP3.
	Format string
	// SampleRate is the sample rate of the encoded audio in Hz.
	SampleRate int
	// Duration is the playing time in seconds.
	Duration float64
	// Synthetic is true when the audio is a generated test signal rather than
	// speech, so every answer built from it can say so.
	Synthetic bool
}

// ContentType is the MIME type to serve the audio with.
func (a Audio) ContentType() string {
	if a.Format == FormatMP3 {
		return "audio/mpeg"
	}
	return "audio/wav"
}

// Waveform decodes the audio to linear PCM, whichever format it is in.
func (a Audio) Waveform() (Waveform, error) {
	switch a.Format {
	case FormatWAV:
		return DecodeWAV(a.Data)
	case FormatMP3:
		return DecodeMP3(a.Data)
	default:
		return Waveform{}, fmt.Errorf("speech: unknown audio format %q", a.Format)
	}
}

// NewWAVAudio encodes a waveform as a 16-bit WAV file.
func NewWAVAudio(w Waveform) Audio {
	return Audio{
		Data:       EncodeWAV(w),
		Format:     FormatWAV,
		SampleRate: w.SampleRate,
		Duration:   w.Duration(),
	}
}
