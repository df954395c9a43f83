package speech

import (
	"context"
	"hash/fnv"
	"math"
	"strings"
)

// syntheticRate is the sample rate of synthetic audio, the recognizers'
// native rate.
const syntheticRate = 16000

// Synthetic makes a signal shaped like speech (voiced tone bursts of
// syllable length with pauses between words) instead of speech, for load
// tests that must not call a real voice. Its audio is marked Synthetic so
// every answer built on it can say so. It is never a default.
type Synthetic struct {
	duration func(text, language string) float64
}

// NewSynthetic returns the synthetic provider; duration gives the length in
// seconds for a text (the writer's reading-speed model).
func NewSynthetic(duration func(text, language string) float64) *Synthetic {
	return &Synthetic{duration: duration}
}

// Name is "synthetic".
func (s *Synthetic) Name() string { return ProviderSynthetic }

// Synthesize returns a 16 kHz mono WAV as long as the duration function says
// the text takes to read. The same text always gives the same signal.
func (s *Synthetic) Synthesize(ctx context.Context, text, language, _ string) (Audio, error) {
	if err := ctx.Err(); err != nil {
		return Audio{}, err
	}
	seconds := s.duration(text, language)
	if math.IsNaN(seconds) || seconds <= 0 {
		seconds = 0.5
	}
	seconds = math.Min(seconds, 3600)
	samples := make([]float32, int(seconds*syntheticRate))
	words := strings.Fields(text)
	if len(words) == 0 {
		words = []string{text}
	}
	h := fnv.New32a()
	h.Write([]byte(text))
	seed := h.Sum32()
	// Share the time among the words by their length, as speech does, and
	// voice each word as a run of syllable-long bursts with a falling pitch.
	total := 0
	for _, w := range words {
		total += len([]rune(w)) + 2 // +2: the pause after a word
	}
	perUnit := float64(len(samples)) / float64(total)
	pos := 0
	for _, w := range words {
		n := len([]rune(w))
		wordLen := int(float64(n) * perUnit)
		pause := int(2 * perUnit)
		syllables := max(1, (n+2)/3)
		sylLen := wordLen / syllables
		for k := range syllables {
			seed = seed*1664525 + 1013904223
			pitch := 110 + float64(seed>>24%90) // 110-200 Hz, a speaking voice
			start := pos + k*sylLen
			for i := 0; i < sylLen && start+i < len(samples); i++ {
				t := float64(i) / syntheticRate
				env := math.Sin(math.Pi * float64(i) / float64(sylLen)) // rise and fall
				f := pitch * (1 - 0.15*float64(i)/float64(sylLen))
				v := math.Sin(2*math.Pi*f*t) + 0.5*math.Sin(4*math.Pi*f*t) + 0.25*math.Sin(6*math.Pi*f*t)
				samples[start+i] = float32(0.3 * env * v / 1.75)
			}
		}
		pos += wordLen + pause
	}
	a := NewWAVAudio(Waveform{SampleRate: syntheticRate, Channels: 1, Samples: samples})
	a.Synthetic = true
	return a, nil
}
