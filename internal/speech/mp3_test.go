package speech

import (
	"bytes"
	"errors"
	"math"
	"testing"
)

// silentMP3 builds an MPEG-1 Layer III stream of n frames of silence
// (128 kbit/s, 44.1 kHz, joint stereo): each frame is a header, zeroed side
// information (no Huffman data) and padding, which decoders turn into
// 1,152 samples of silence. It stands in for what a hosted voice returns.
func silentMP3(frames int) []byte {
	const frameLen = 144 * 128000 / 44100 // 417 bytes without padding
	frame := make([]byte, frameLen)
	copy(frame, []byte{0xFF, 0xFB, 0x90, 0x40})
	return bytes.Repeat(frame, frames)
}

func TestDecodeMP3(t *testing.T) {
	w, err := DecodeMP3(silentMP3(40))
	if err != nil {
		t.Fatal(err)
	}
	if w.SampleRate != 44100 || w.Channels != 2 {
		t.Fatalf("got %d Hz, %d channels", w.SampleRate, w.Channels)
	}
	if d := w.Duration(); math.Abs(d-40*1152.0/44100) > 0.03 {
		t.Errorf("duration %.3f s, want %.3f", d, 40*1152.0/44100)
	}
	for i, s := range w.Samples {
		if s != 0 {
			t.Fatalf("sample %d is %v, want silence", i, s)
		}
	}
	a := Audio{Data: silentMP3(10), Format: FormatMP3}
	if _, err := a.Waveform(); err != nil {
		t.Errorf("Audio.Waveform of MP3: %v", err)
	}
	if a.ContentType() != "audio/mpeg" || (Audio{Format: FormatWAV}).ContentType() != "audio/wav" {
		t.Error("wrong content types")
	}
}

func TestDecodeMP3Rejects(t *testing.T) {
	for name, data := range map[string][]byte{
		"empty":  nil,
		"json":   []byte(`{"detail":{"status":"invalid_api_key"}}`),
		"random": bytes.Repeat([]byte{1, 2, 3}, 100),
	} {
		if _, err := DecodeMP3(data); !errors.Is(err, ErrInvalidMP3) {
			t.Errorf("%s: got %v, want ErrInvalidMP3", name, err)
		}
	}
}
