package speech

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/hajimehoshi/go-mp3"
)

// ErrInvalidMP3 reports data that does not decode as an MP3 stream.
var ErrInvalidMP3 = errors.New("speech: invalid MP3 data")

// DecodeMP3 decodes an MP3 stream (as the hosted voices return it) to PCM,
// so that a local recognizer can listen to it and its length can be known.
// The decoder always yields two channels.
func DecodeMP3(data []byte) (Waveform, error) {
	dec, err := mp3.NewDecoder(bytes.NewReader(data))
	if err != nil {
		return Waveform{}, fmt.Errorf("%w: %v", ErrInvalidMP3, err)
	}
	pcm, err := io.ReadAll(dec)
	if err != nil && len(pcm) == 0 {
		return Waveform{}, fmt.Errorf("%w: %v", ErrInvalidMP3, err)
	}
	const channels = 2
	samples := make([]float32, len(pcm)/2)
	for i := range samples {
		samples[i] = pcm16Sample(pcm[2*i:])
	}
	samples = samples[:len(samples)-len(samples)%channels]
	return Waveform{SampleRate: dec.SampleRate(), Channels: channels, Samples: samples}, nil
}
