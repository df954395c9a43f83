package speech

import (
	"math"
	"testing"
)

func sine(rate int, freq, seconds, amplitude float64) Waveform {
	n := int(float64(rate) * seconds)
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(amplitude * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)))
	}
	return Waveform{SampleRate: rate, Channels: 1, Samples: s}
}

// toneLevel measures the amplitude of one frequency in the middle of a mono
// waveform (a single-bin DFT over whole periods, away from the edges).
func toneLevel(w Waveform, freq float64) float64 {
	start, end := len(w.Samples)/4, 3*len(w.Samples)/4
	var re, im float64
	for i := start; i < end; i++ {
		ph := 2 * math.Pi * freq * float64(i) / float64(w.SampleRate)
		re += float64(w.Samples[i]) * math.Cos(ph)
		im += float64(w.Samples[i]) * math.Sin(ph)
	}
	return 2 * math.Hypot(re, im) / float64(end-start)
}

func TestResampleKeepsTonesInBand(t *testing.T) {
	tests := []struct {
		from, to int
		freq     float64
	}{
		{22050, 16000, 440},
		{22050, 16000, 1000},
		{22050, 16000, 6500},
		{44100, 16000, 3000},
		{24000, 16000, 2000},
		{16000, 22050, 1000},
		{8000, 16000, 3000},
		{48000, 44100, 10000},
	}
	for _, tt := range tests {
		out := Resample(sine(tt.from, tt.freq, 1, 0.5), tt.to)
		if out.SampleRate != tt.to {
			t.Fatalf("%d→%d: rate %d", tt.from, tt.to, out.SampleRate)
		}
		if got := toneLevel(out, tt.freq); math.Abs(got-0.5) > 0.01 {
			t.Errorf("%d→%d Hz, %.0f Hz tone: amplitude %.4f, want 0.5", tt.from, tt.to, tt.freq, got)
		}
	}
}

// TestResampleRemovesAliases checks the anti-alias filter: a tone above the
// new Nyquist frequency must not fold back to its alias (10 kHz at 16 kHz
// would appear at 6 kHz; a plain linear interpolator leaves it at about
// -10 dB).
func TestResampleRemovesAliases(t *testing.T) {
	tests := []struct {
		from, to    int
		freq, alias float64
	}{
		{22050, 16000, 10000, 6000},
		{22050, 16000, 9000, 7000},
		{44100, 16000, 12000, 4000},
		{48000, 16000, 15000, 1000},
	}
	for _, tt := range tests {
		out := Resample(sine(tt.from, tt.freq, 1, 0.5), tt.to)
		level := toneLevel(out, tt.alias)
		if db := 20 * math.Log10(level/0.5+1e-12); db > -60 {
			t.Errorf("%d→%d Hz: %.0f Hz tone aliases to %.0f Hz at %.1f dB, want below -60 dB", tt.from, tt.to, tt.freq, tt.alias, db)
		}
	}
}

func TestResampleLengthAndChannels(t *testing.T) {
	in := Waveform{SampleRate: 22050, Channels: 2, Samples: make([]float32, 2*22050)}
	for i := 0; i < 22050; i++ {
		in.Samples[2*i] = 0.25 // left: DC
		in.Samples[2*i+1] = -0.25
	}
	out := Resample(in, 16000)
	if out.Channels != 2 || out.Frames() != 16000 {
		t.Fatalf("got %d channels, %d frames; want 2, 16000", out.Channels, out.Frames())
	}
	// Away from the edges a constant stays the same constant in each channel.
	for i := 100; i < 15900; i++ {
		if math.Abs(float64(out.Samples[2*i]-0.25)) > 1e-4 || math.Abs(float64(out.Samples[2*i+1]+0.25)) > 1e-4 {
			t.Fatalf("frame %d: got %v, %v; want 0.25, -0.25", i, out.Samples[2*i], out.Samples[2*i+1])
		}
	}
	if got := Resample(Waveform{SampleRate: 22050, Channels: 1, Samples: []float32{1}}, 16000).Frames(); got != 1 {
		t.Errorf("one sample resampled to %d frames, want 1", got)
	}
	same := sine(16000, 440, 0.1, 0.5)
	if got := Resample(same, 16000); &got.Samples[0] != &same.Samples[0] {
		t.Error("resampling to the same rate copied the samples")
	}
	if got := Resample(Waveform{SampleRate: 22050, Channels: 1}, 16000); got.SampleRate != 16000 || len(got.Samples) != 0 {
		t.Errorf("empty waveform resampled to %+v", got)
	}
}

// TestResampleUncommonRatio exercises the path without a precomputed
// filter table (more phases than maxResamplePhases).
func TestResampleUncommonRatio(t *testing.T) {
	out := Resample(sine(22050, 1000, 0.5, 0.5), 16001)
	if out.SampleRate != 16001 {
		t.Fatalf("rate %d", out.SampleRate)
	}
	if got := toneLevel(out, 1000); math.Abs(got-0.5) > 0.01 {
		t.Errorf("amplitude %.4f, want 0.5", got)
	}
}

// BenchmarkResample60s resamples one minute of espeak-ng output (22,050 Hz)
// to the recognizer's 16 kHz.
func BenchmarkResample60s(b *testing.B) {
	in := sine(22050, 440, 60, 0.5)
	b.SetBytes(int64(len(in.Samples) * 2))
	b.ResetTimer()
	for b.Loop() {
		Resample(in, 16000)
	}
}
