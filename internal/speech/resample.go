package speech

import "math"

// Resampler parameters. Sixteen zero crossings of the sinc on each side and a
// Kaiser window with beta 8.6 give a stop band about 90 dB down; the pass band
// ends at 92 % of the lower Nyquist frequency so the transition band fits
// below it and nothing above the new Nyquist frequency folds back (aliases).
const (
	resampleZeroCrossings = 16
	resampleKaiserBeta    = 8.6
	resampleRolloff       = 0.92
	// maxResamplePhases bounds the precomputed filter table; rate pairs with
	// more distinct phases compute the kernel for each output sample instead.
	maxResamplePhases = 2048
)

// Resample converts the waveform to rate Hz with a band-limited
// (Kaiser-windowed sinc) interpolator. When the rate goes down, the same
// filter is the anti-alias low-pass. Samples before the start and after the
// end count as silence. A waveform already at rate is returned as is.
func Resample(w Waveform, rate int) Waveform {
	if rate <= 0 || w.SampleRate <= 0 || rate == w.SampleRate || len(w.Samples) == 0 {
		if rate > 0 && len(w.Samples) == 0 {
			return Waveform{SampleRate: rate, Channels: w.Channels}
		}
		return w
	}
	channels := max(w.Channels, 1)
	r := newResampler(w.SampleRate, rate)
	inFrames := len(w.Samples) / channels
	outFrames := int((int64(inFrames)*int64(rate) + int64(w.SampleRate) - 1) / int64(w.SampleRate))
	out := make([]float32, outFrames*channels)
	for c := range channels {
		r.run(w.Samples, c, channels, inFrames, out, outFrames)
	}
	return Waveform{SampleRate: rate, Channels: channels, Samples: out}
}

type resampler struct {
	up, down int     // output frame n sits at input position n*down/up
	cutoff   float64 // filter cutoff as a fraction of the input Nyquist frequency
	half     int     // taps on each side of the centre
	table    [][]float32
}

func newResampler(from, to int) *resampler {
	g := gcd(from, to)
	r := &resampler{up: to / g, down: from / g}
	r.cutoff = resampleRolloff * math.Min(1, float64(to)/float64(from))
	r.half = int(math.Ceil(resampleZeroCrossings / r.cutoff))
	if r.up <= maxResamplePhases {
		r.table = make([][]float32, r.up)
		for p := range r.up {
			r.table[p] = r.kernel(float64(p) / float64(r.up))
		}
	}
	return r
}

// kernel returns the 2*half filter taps for an output sample that lies frac
// (0 <= frac < 1) input samples after input sample i; tap j weights input
// sample i-half+1+j. The taps are scaled to sum to one so that every phase
// has exactly unit gain at 0 Hz.
func (r *resampler) kernel(frac float64) []float32 {
	taps := make([]float32, 2*r.half)
	weights := make([]float64, 2*r.half)
	var sum float64
	for j := range weights {
		t := frac - float64(j-r.half+1) // distance from the output position, in input samples
		v := r.cutoff * sinc(r.cutoff*t) * kaiser(t/float64(r.half), resampleKaiserBeta)
		weights[j] = v
		sum += v
	}
	for j, v := range weights {
		taps[j] = float32(v / sum)
	}
	return taps
}

func (r *resampler) run(in []float32, channel, channels, inFrames int, out []float32, outFrames int) {
	for n := range outFrames {
		pos := int64(n) * int64(r.down)
		i := int(pos / int64(r.up))
		phase := int(pos % int64(r.up))
		var taps []float32
		if r.table != nil {
			taps = r.table[phase]
		} else {
			taps = r.kernel(float64(phase) / float64(r.up))
		}
		first := i - r.half + 1
		lo, hi := 0, len(taps)
		if first < 0 {
			lo = -first
		}
		if first+hi > inFrames {
			hi = inFrames - first
		}
		var acc float32
		for j := lo; j < hi; j++ {
			acc += taps[j] * in[(first+j)*channels+channel]
		}
		out[n*channels+channel] = acc
	}
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	px := math.Pi * x
	return math.Sin(px) / px
}

// kaiser is the Kaiser window at x in [-1, 1] (zero outside).
func kaiser(x, beta float64) float64 {
	if x < -1 || x > 1 {
		return 0
	}
	return besselI0(beta*math.Sqrt(1-x*x)) / besselI0(beta)
}

// besselI0 is the modified Bessel function of the first kind, order zero,
// summed from its power series (converges quickly for the betas used here).
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	q := x * x / 4
	for k := 1; k < 50; k++ {
		term *= q / float64(k*k)
		sum += term
		if term < sum*1e-12 {
			break
		}
	}
	return sum
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
