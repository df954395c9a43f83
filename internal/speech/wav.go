package speech

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Waveform is decoded linear PCM: samples scaled to [-1, 1], interleaved by
// channel (left, right, left, right, ... for stereo).
type Waveform struct {
	SampleRate int
	Channels   int
	Samples    []float32
}

// Frames is the number of samples per channel.
func (w Waveform) Frames() int {
	if w.Channels <= 0 {
		return 0
	}
	return len(w.Samples) / w.Channels
}

// Duration is the playing time in seconds.
func (w Waveform) Duration() float64 {
	if w.SampleRate <= 0 {
		return 0
	}
	return float64(w.Frames()) / float64(w.SampleRate)
}

// Mono mixes all channels down to one by averaging them.
func (w Waveform) Mono() Waveform {
	if w.Channels <= 1 {
		return Waveform{SampleRate: w.SampleRate, Channels: 1, Samples: w.Samples}
	}
	frames := w.Frames()
	out := make([]float32, frames)
	inv := 1 / float32(w.Channels)
	for i := range frames {
		var sum float32
		for c := range w.Channels {
			sum += w.Samples[i*w.Channels+c]
		}
		out[i] = sum * inv
	}
	return Waveform{SampleRate: w.SampleRate, Channels: 1, Samples: out}
}

// ErrInvalidWAV reports a file that is not a WAV file this package can read.
var ErrInvalidWAV = errors.New("speech: invalid WAV data")

// WAV format tags (the fmt chunk's first field).
const (
	wavFormatPCM        = 1
	wavFormatFloat      = 3
	wavFormatExtensible = 0xFFFE
)

// DecodeWAV reads a RIFF/WAVE file with integer PCM (8, 16, 24 or 32 bits)
// or IEEE float (32 or 64 bits) samples, including WAVE_FORMAT_EXTENSIBLE.
//
// Chunk sizes larger than the data are clamped rather than rejected, because
// programs that stream WAV to a pipe (espeak-ng --stdout among them) cannot
// seek back to fill the sizes in and write placeholders such as 0x7ffff000.
func DecodeWAV(data []byte) (Waveform, error) {
	if len(data) < 12 || string(data[0:4]) != "RIFF" || string(data[8:12]) != "WAVE" {
		return Waveform{}, fmt.Errorf("%w: missing RIFF/WAVE header", ErrInvalidWAV)
	}
	var (
		format, channels, bits int
		rate                   int
		haveFmt                bool
	)
	pos := 12
	for pos+8 <= len(data) {
		id := string(data[pos : pos+4])
		size := int(binary.LittleEndian.Uint32(data[pos+4 : pos+8]))
		body := pos + 8
		end := body + size
		if size < 0 || end > len(data) || end < body {
			end = len(data)
		}
		switch id {
		case "fmt ":
			if end-body < 16 {
				return Waveform{}, fmt.Errorf("%w: fmt chunk too short", ErrInvalidWAV)
			}
			f := data[body:end]
			format = int(binary.LittleEndian.Uint16(f[0:2]))
			channels = int(binary.LittleEndian.Uint16(f[2:4]))
			rate = int(binary.LittleEndian.Uint32(f[4:8]))
			bits = int(binary.LittleEndian.Uint16(f[14:16]))
			if format == wavFormatExtensible {
				if len(f) < 26 {
					return Waveform{}, fmt.Errorf("%w: extensible fmt chunk too short", ErrInvalidWAV)
				}
				// The sub-format GUID starts with the plain format tag.
				format = int(binary.LittleEndian.Uint16(f[24:26]))
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return Waveform{}, fmt.Errorf("%w: data chunk before fmt chunk", ErrInvalidWAV)
			}
			samples, err := decodeSamples(data[body:end], format, bits)
			if err != nil {
				return Waveform{}, err
			}
			if channels <= 0 || rate <= 0 {
				return Waveform{}, fmt.Errorf("%w: %d channels at %d Hz", ErrInvalidWAV, channels, rate)
			}
			// Drop a trailing partial frame so every channel has the same length.
			samples = samples[:len(samples)-len(samples)%channels]
			return Waveform{SampleRate: rate, Channels: channels, Samples: samples}, nil
		}
		// Chunks are padded to an even length.
		pos = end + (end-body)%2
	}
	return Waveform{}, fmt.Errorf("%w: no data chunk", ErrInvalidWAV)
}

func decodeSamples(raw []byte, format, bits int) ([]float32, error) {
	switch {
	case format == wavFormatPCM && bits == 8:
		out := make([]float32, len(raw))
		for i, b := range raw {
			out[i] = (float32(b) - 128) / 128
		}
		return out, nil
	case format == wavFormatPCM && bits == 16:
		out := make([]float32, len(raw)/2)
		for i := range out {
			out[i] = pcm16Sample(raw[2*i:])
		}
		return out, nil
	case format == wavFormatPCM && bits == 24:
		out := make([]float32, len(raw)/3)
		for i := range out {
			b := raw[3*i:]
			v := int32(uint32(b[0])<<8|uint32(b[1])<<16|uint32(b[2])<<24) >> 8 // #nosec G115 -- the sample's bits placed at the top, read as signed, then sign-extended by the arithmetic shift: how signed 24-bit PCM is decoded
			out[i] = float32(v) / (1 << 23)
		}
		return out, nil
	case format == wavFormatPCM && bits == 32:
		out := make([]float32, len(raw)/4)
		for i := range out {
			out[i] = float32(float64(int32(binary.LittleEndian.Uint32(raw[4*i:]))) / (1 << 31)) // #nosec G115 -- reading the two's-complement bits as signed is how signed PCM is decoded
		}
		return out, nil
	case format == wavFormatFloat && bits == 32:
		out := make([]float32, len(raw)/4)
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		return out, nil
	case format == wavFormatFloat && bits == 64:
		out := make([]float32, len(raw)/8)
		for i := range out {
			out[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:])))
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: unsupported encoding (format %d, %d bits)", ErrInvalidWAV, format, bits)
}

// pcm16Sample decodes one little-endian signed 16-bit PCM sample (the first
// two bytes of b) to [-1, 1), on the same 32768 scale as floatToInt16.
func pcm16Sample(b []byte) float32 {
	return float32(int16(binary.LittleEndian.Uint16(b))) / 32768 // #nosec G115 -- reading the two's-complement bits as signed is how signed PCM is decoded
}

// wavHeaderSize is the size of the canonical header EncodeWAV writes.
const wavHeaderSize = 44

// maxWAVSamples is the most 16-bit samples a WAV file can describe: the RIFF
// chunk size (the data plus 36 bytes of header) is a 32-bit field.
const maxWAVSamples = (math.MaxUint32 - (wavHeaderSize - 8)) / 2

// maxWAVChannels keeps the block alignment (2 bytes per channel) inside its
// 16-bit field.
const maxWAVChannels = math.MaxUint16 / 2

// EncodeWAV writes the waveform as a 16-bit PCM WAV file. Samples outside
// [-1, 1] are clipped.
//
// The header's fields are 32 and 16 bits wide, so what they cannot hold is
// clamped instead of wrapping around to a small wrong number: audio longer
// than 4 GiB of samples (over 12 hours of 48 kHz stereo) is cut to whole
// frames within it, and a sample rate or channel count out of the fields'
// range is written as the nearest value they hold (a Waveform that far off
// comes from a bug, never from a decoder of this package).
func EncodeWAV(w Waveform) []byte {
	channels := min(max(w.Channels, 1), maxWAVChannels)
	samples := w.Samples
	if len(samples) > maxWAVSamples {
		samples = samples[:maxWAVSamples-maxWAVSamples%channels]
	}
	rate := uint64(min(max(w.SampleRate, 0), math.MaxUint32))
	dataSize := len(samples) * 2
	out := make([]byte, wavHeaderSize+dataSize)
	copy(out[0:4], "RIFF")
	binary.LittleEndian.PutUint32(out[4:8], wavField32(uint64(wavHeaderSize-8+dataSize)))
	copy(out[8:12], "WAVE")
	copy(out[12:16], "fmt ")
	binary.LittleEndian.PutUint32(out[16:20], 16)
	binary.LittleEndian.PutUint16(out[20:22], wavFormatPCM)
	binary.LittleEndian.PutUint16(out[22:24], uint16(channels))
	binary.LittleEndian.PutUint32(out[24:28], wavField32(rate))
	binary.LittleEndian.PutUint32(out[28:32], wavField32(rate*uint64(channels)*2))
	binary.LittleEndian.PutUint16(out[32:34], uint16(channels*2))
	binary.LittleEndian.PutUint16(out[34:36], 16)
	copy(out[36:40], "data")
	binary.LittleEndian.PutUint32(out[40:44], wavField32(uint64(dataSize)))
	for i, s := range samples {
		binary.LittleEndian.PutUint16(out[wavHeaderSize+2*i:], uint16(floatToInt16(s))) // #nosec G115 -- storing the signed sample's two's-complement bits is what 16-bit PCM is
	}
	return out
}

// wavField32 is n in a 32-bit header field, clamped to the largest value it
// holds; EncodeWAV's own limits keep n inside, this only makes that certain.
func wavField32(n uint64) uint32 { return uint32(min(n, math.MaxUint32)) }

// floatToInt16 uses the same 32768 scale as the decoder, so 16-bit samples
// survive a decode/encode round trip unchanged.
func floatToInt16(s float32) int16 {
	v := math.Round(float64(s) * 32768)
	switch {
	case math.IsNaN(v):
		return 0
	case v > math.MaxInt16:
		return math.MaxInt16
	case v < math.MinInt16:
		return math.MinInt16
	}
	return int16(v)
}
