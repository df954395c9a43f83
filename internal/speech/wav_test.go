package speech

import (
	"encoding/binary"
	"errors"
	"math"
	"testing"
)

func TestWAVRoundTrip(t *testing.T) {
	in := Waveform{SampleRate: 22050, Channels: 2, Samples: []float32{0, 0.5, -0.5, 1, -1, 32767.0 / 32768, 1.0 / 32768, -1.0 / 32768}}
	data := EncodeWAV(in)
	if len(data) != 44+2*len(in.Samples) {
		t.Fatalf("encoded %d bytes, want %d", len(data), 44+2*len(in.Samples))
	}
	out, err := DecodeWAV(data)
	if err != nil {
		t.Fatal(err)
	}
	if out.SampleRate != 22050 || out.Channels != 2 || len(out.Samples) != len(in.Samples) {
		t.Fatalf("got %d Hz, %d channels, %d samples", out.SampleRate, out.Channels, len(out.Samples))
	}
	for i, want := range in.Samples {
		if want > 32767.0/32768 {
			want = 32767.0 / 32768 // +1.0 clips to the largest 16-bit value
		}
		if out.Samples[i] != want {
			t.Errorf("sample %d: got %v, want %v", i, out.Samples[i], want)
		}
	}
	if again := EncodeWAV(out); string(again) != string(data) {
		t.Error("decode then encode changed the file")
	}
}

func TestEncodeWAVClipsAndZeroesNaN(t *testing.T) {
	out, err := DecodeWAV(EncodeWAV(Waveform{SampleRate: 8000, Channels: 1, Samples: []float32{3, -3, float32(math.NaN())}}))
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{32767.0 / 32768, -1, 0}
	for i := range want {
		if out.Samples[i] != want[i] {
			t.Errorf("sample %d: got %v, want %v", i, out.Samples[i], want[i])
		}
	}
}

// wavFile assembles a WAV file from a fmt chunk body and data, with optional
// extra chunks before the data, and lets a test lie about the sizes.
func wavFile(fmtBody []byte, data []byte, dataSize uint32, extra ...[]byte) []byte {
	out := []byte("RIFF\x00\x00\x00\x00WAVE")
	out = append(out, "fmt "...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(fmtBody)))
	out = append(out, fmtBody...)
	for _, chunk := range extra {
		out = append(out, chunk...)
	}
	out = append(out, "data"...)
	out = binary.LittleEndian.AppendUint32(out, dataSize)
	out = append(out, data...)
	binary.LittleEndian.PutUint32(out[4:8], uint32(len(out)-8))
	return out
}

func fmtChunk(format, channels, rate, bits int) []byte {
	b := binary.LittleEndian.AppendUint16(nil, uint16(format))
	b = binary.LittleEndian.AppendUint16(b, uint16(channels))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate*channels*bits/8))
	b = binary.LittleEndian.AppendUint16(b, uint16(channels*bits/8))
	return binary.LittleEndian.AppendUint16(b, uint16(bits))
}

func TestDecodeWAVEncodings(t *testing.T) {
	f32 := func(vs ...float32) []byte {
		var b []byte
		for _, v := range vs {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
		}
		return b
	}
	extensible := append(fmtChunk(wavFormatExtensible, 1, 16000, 16), 22, 0, 16, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71)
	list := append([]byte("LIST\x03\x00\x00\x00abc"), 0) // odd size, padded
	tests := []struct {
		name string
		file []byte
		rate int
		want []float32
	}{
		{"8-bit", wavFile(fmtChunk(1, 1, 8000, 8), []byte{128, 255, 0}, 3), 8000, []float32{0, 127.0 / 128, -1}},
		{"16-bit", wavFile(fmtChunk(1, 1, 16000, 16), []byte{0x00, 0x40, 0x00, 0xc0}, 4), 16000, []float32{0.5, -0.5}},
		{"24-bit", wavFile(fmtChunk(1, 1, 48000, 24), []byte{0, 0, 0x40, 0, 0, 0xc0}, 6), 48000, []float32{0.5, -0.5}},
		{"32-bit int", wavFile(fmtChunk(1, 1, 48000, 32), []byte{0, 0, 0, 0x40, 0, 0, 0, 0xc0}, 8), 48000, []float32{0.5, -0.5}},
		{"32-bit float", wavFile(fmtChunk(3, 1, 24000, 32), f32(0.25, -0.75), 8), 24000, []float32{0.25, -0.75}},
		{"extensible 16-bit", wavFile(extensible, []byte{0x00, 0x40}, 2), 16000, []float32{0.5}},
		{"streamed size placeholder", wavFile(fmtChunk(1, 1, 22050, 16), []byte{0x00, 0x40, 0x00, 0xc0}, 0x7ffff000), 22050, []float32{0.5, -0.5}},
		{"odd chunk skipped", wavFile(fmtChunk(1, 1, 16000, 16), []byte{0x00, 0x40}, 2, list), 16000, []float32{0.5}},
		{"truncated last sample", wavFile(fmtChunk(1, 1, 16000, 16), []byte{0x00, 0x40, 0x01}, 3), 16000, []float32{0.5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := DecodeWAV(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if w.SampleRate != tt.rate || w.Channels != 1 {
				t.Fatalf("got %d Hz %d channels, want %d Hz mono", w.SampleRate, w.Channels, tt.rate)
			}
			if len(w.Samples) != len(tt.want) {
				t.Fatalf("got %d samples, want %d", len(w.Samples), len(tt.want))
			}
			for i := range tt.want {
				if math.Abs(float64(w.Samples[i]-tt.want[i])) > 1e-6 {
					t.Errorf("sample %d: got %v, want %v", i, w.Samples[i], tt.want[i])
				}
			}
		})
	}
}

func TestDecodeWAVRejects(t *testing.T) {
	tests := map[string][]byte{
		"empty":            nil,
		"not riff":         []byte("RIFX\x00\x00\x00\x00WAVEfmt "),
		"no data chunk":    []byte("RIFF\x04\x00\x00\x00WAVE"),
		"data before fmt":  []byte("RIFF\x0c\x00\x00\x00WAVEdata\x00\x00\x00\x00"),
		"short fmt":        []byte("RIFF\x0c\x00\x00\x00WAVEfmt \x02\x00\x00\x00\x01\x00"),
		"a-law":            wavFile(fmtChunk(6, 1, 8000, 8), []byte{1}, 1),
		"zero channels":    wavFile(fmtChunk(1, 0, 8000, 16), []byte{1, 2}, 2),
		"zero sample rate": wavFile(fmtChunk(1, 1, 0, 16), []byte{1, 2}, 2),
	}
	for name, data := range tests {
		if _, err := DecodeWAV(data); !errors.Is(err, ErrInvalidWAV) {
			t.Errorf("%s: got %v, want ErrInvalidWAV", name, err)
		}
	}
}

func TestWaveformMonoAndDuration(t *testing.T) {
	w := Waveform{SampleRate: 4, Channels: 2, Samples: []float32{1, 0, 0.5, 0.5, -1, 1, 0.25, 0.75}}
	m := w.Mono()
	want := []float32{0.5, 0.5, 0, 0.5}
	for i := range want {
		if m.Samples[i] != want[i] {
			t.Errorf("mono sample %d: got %v, want %v", i, m.Samples[i], want[i])
		}
	}
	if w.Duration() != 1 || m.Duration() != 1 {
		t.Errorf("durations %v and %v, want 1 s", w.Duration(), m.Duration())
	}
}

func FuzzDecodeWAV(f *testing.F) {
	f.Add(EncodeWAV(Waveform{SampleRate: 16000, Channels: 1, Samples: []float32{0.1, -0.2}}))
	f.Add(wavFile(fmtChunk(3, 2, 24000, 32), []byte{1, 2, 3, 4, 5, 6, 7, 8}, 0xffffffff))
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := DecodeWAV(data)
		if err != nil {
			return
		}
		if w.Channels <= 0 || w.SampleRate <= 0 || len(w.Samples)%w.Channels != 0 {
			t.Fatalf("accepted a waveform with %d channels, %d Hz, %d samples", w.Channels, w.SampleRate, len(w.Samples))
		}
	})
}

// A header field that cannot hold a waveform's value gets the nearest value
// it can, never a wrapped-around one: a negative rate is written as 0 Hz, too
// many channels as the most whose block alignment fits 16 bits.
func TestEncodeWAVClampsHeaderFields(t *testing.T) {
	data := EncodeWAV(Waveform{SampleRate: -8000, Channels: 1, Samples: []float32{0, 0}})
	if rate := binary.LittleEndian.Uint32(data[24:28]); rate != 0 {
		t.Errorf("negative sample rate written as %d, want 0", rate)
	}
	data = EncodeWAV(Waveform{SampleRate: 8000, Channels: 40000, Samples: make([]float32, 40000)})
	channels := binary.LittleEndian.Uint16(data[22:24])
	align := binary.LittleEndian.Uint16(data[32:34])
	if channels != maxWAVChannels || align != 2*maxWAVChannels {
		t.Errorf("40000 channels written as %d channels, block align %d; want %d and %d", channels, align, maxWAVChannels, 2*maxWAVChannels)
	}
	if byteRate := binary.LittleEndian.Uint32(data[28:32]); byteRate != 8000*2*maxWAVChannels {
		t.Errorf("byte rate %d, want %d", byteRate, 8000*2*maxWAVChannels)
	}
}
