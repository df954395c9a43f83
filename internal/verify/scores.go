package verify

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/omnivibepro/omnivibe/internal/speech"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Shared acoustic scores.
//
// Scoring every senone of the acoustic model in every frame (-compallsen)
// is nine tenths of a verification decode's work: of the 2.7 s the
// alignment of a minute of speech took here, 2.4 s went to the scores and
// 0.25 s to the search. The verification runs two or three searches over
// the same frames (alignment, phone loop, in-order fallback), and they must
// see the same scores for their difference to be a likelihood ratio. So the
// scores are computed once, in pieces of the audio split at its quietest
// points and scored at once (one process per core), written as
// pocketsphinx's own senone score file (-senlogdir), and every search reads
// that file (-senin) instead of the audio.
// sharedScoresMaxSeconds bounds the score file, about 1 MB per second of
// audio (5,126 senones × 2 bytes × 100 frames): longer audio is scored by
// each search itself, which is slower but keeps the scratch directory
// small. A variable so that a test can take the long path with short audio.
var sharedScoresMaxSeconds = 180.0

const (
	// scorePieceMinSeconds: audio is cut into pieces of at least this long;
	// a process per piece pays about 0.1 s to load the model.
	scorePieceMinSeconds = 10
	// splitSearchFrames: a piece boundary goes to the quietest frame within
	// this many frames of the even split, so the features' context windows
	// at the edges (and the cepstral mean of each piece) touch silence
	// rather than a word.
	splitSearchFrames = 100
	// frameSamples and windowSamples are the front end's frame shift and
	// analysis window at 16 kHz (-frate 100, -wlen 0.025625).
	frameSamples  = 160
	windowSamples = 410
)

var (
	// scoresInput makes a decode read the run's shared senone scores
	// (utt.sen) in place of the audio.
	scoresInput = []string{"-cepext", ".sen", "-senin", "yes"}
	// audioEveryFrame reads the audio keeping every frame: the decoder's
	// voice activity detector otherwise drops frames it takes for silence
	// (one frame of a minute of espeak-ng speech here), and every later
	// frame number, hence every word's time, moves off the audio's clock.
	audioEveryFrame = append(slices.Clone(audioInput), "-remove_silence", "no")
)

// scoreSenones computes the shared scores of the run's audio, in up to
// cores pieces at once, and makes every later search of the whole
// utterance read them. Audio longer than sharedScoresMaxSeconds is left to
// each search to score.
func (r *sphinxRun) scoreSenones(ctx context.Context, cores int) error {
	samples := r.audio.Samples
	if r.audio.Duration() > sharedScoresMaxSeconds {
		r.input = audioEveryFrame
		return nil
	}
	lm, err := r.phoneLoopLMFile()
	if err != nil {
		return err
	}
	cuts := scoreCuts(samples, cores)
	pieces := len(cuts) - 1
	errs := make([]error, pieces)
	var wg sync.WaitGroup
	for i := range pieces {
		first, last := cuts[i]*frameSamples, len(samples)
		if i < pieces-1 {
			// Enough samples for the piece's last frame to be whole.
			last = (cuts[i+1]-1)*frameSamples + windowSamples
		}
		wg.Go(func() { errs[i] = r.scorePiece(ctx, i, samples[first:last], lm) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if err := r.joinScores(cuts); err != nil {
		return &speech.ProviderError{Provider: speech.ProviderPocketSphinx, Kind: speech.ErrProviderUnavailable, Message: "shared scores: " + err.Error()}
	}
	r.input = scoresInput
	return nil
}

// scoreCuts splits the audio's frames into at most cores pieces of at least
// scorePieceMinSeconds: cuts[i] is the first frame of piece i and the last
// entry the frame count.
func scoreCuts(samples []float32, cores int) []int {
	frames := 0
	if len(samples) >= windowSamples {
		frames = (len(samples)-windowSamples)/frameSamples + 1
	}
	pieces := min(max(cores, 1), max(frames/(scorePieceMinSeconds*100), 1))
	cuts := []int{0}
	for i := 1; i < pieces; i++ {
		cuts = append(cuts, quietestFrame(samples, i*frames/pieces-splitSearchFrames, i*frames/pieces+splitSearchFrames))
	}
	return append(cuts, frames)
}

// quietestFrame is the frame in [from, to] whose analysis window holds the
// least energy.
func quietestFrame(samples []float32, from, to int) int {
	best, bestEnergy := from, math.Inf(1)
	for f := from; f <= to; f++ {
		var e float64
		for _, s := range samples[f*frameSamples : f*frameSamples+windowSamples] {
			e += float64(s) * float64(s)
		}
		if e < bestEnergy {
			best, bestEnergy = f, e
		}
	}
	return best
}

// scorePiece scores every senone of every frame of one piece of the audio
// into piece<i>/ (the search it runs to get there is the phone loop of lm
// with a narrow beam, the cheapest there is: its result is not used).
func (r *sphinxRun) scorePiece(ctx context.Context, i int, samples []float32, lm string) error {
	name := "piece" + strconv.Itoa(i)
	wav := speech.EncodeWAV(speech.Waveform{SampleRate: pocketSphinxRate, Channels: 1, Samples: samples})
	if err := r.root.WriteFile(name+".wav", wav, 0o600); err != nil {
		return &speech.ProviderError{Provider: speech.ProviderPocketSphinx, Kind: speech.ErrProviderUnavailable, Message: err.Error()}
	}
	if err := r.root.Mkdir(name, 0o700); err != nil {
		return &speech.ProviderError{Provider: speech.ProviderPocketSphinx, Kind: speech.ErrProviderUnavailable, Message: err.Error()}
	}
	return r.decode(ctx, name, name+"\n", audioEveryFrame,
		"-compallsen", "yes", "-senlogdir", filepath.Join(r.dir, name),
		"-allphone", lm, "-allphone_ci", "yes",
		"-beam", "1e-5", "-pbeam", "1e-5", "-backtrace", "no")
}

// joinScores writes utt.sen: the header of the first piece's score file,
// then each piece's frames [cuts[i], cuts[i+1]) in order. The front end
// also scores a last, partly filled frame of each piece; inside the audio
// that frame belongs to the next piece, so only the last piece keeps it.
// Each piece's file is removed once copied, so the directory holds little
// more than one copy of the scores.
func (r *sphinxRun) joinScores(cuts []int) error {
	out, err := r.root.Create("utt.sen")
	if err != nil {
		return err
	}
	defer out.Close()
	w := bufio.NewWriterSize(out, 1<<20)
	senones := 0 // the first piece's count, which every piece must share
	for i := range len(cuts) - 1 {
		frames := -1 // all of the last piece's
		if i < len(cuts)-2 {
			frames = cuts[i+1] - cuts[i]
		}
		if senones, err = r.appendPieceScores(w, i, frames, senones); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return out.Close()
}

// appendPieceScores copies frames frames (-1: all) of piece i's score file
// to w, with the file's header first when senones is 0 (the first piece),
// and removes the file. It returns the piece's senone count, which must
// equal senones when that is given.
func (r *sphinxRun) appendPieceScores(w io.Writer, i, frames, senones int) (int, error) {
	name := filepath.Join("piece"+strconv.Itoa(i), "000000000.sen")
	in, err := r.root.Open(name)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	br := bufio.NewReaderSize(in, 1<<20)
	header, n, err := readScoreHeader(br)
	switch {
	case err != nil:
		return 0, fmt.Errorf("%s: %w", name, err)
	case senones == 0:
		if _, err := w.Write(header); err != nil {
			return 0, err
		}
	case n != senones:
		return 0, fmt.Errorf("%s: %d senones, the first piece had %d", name, n, senones)
	}
	frameSize := int64(2 + 2*n)
	var copied int64
	if frames >= 0 {
		copied, err = io.CopyN(w, br, int64(frames)*frameSize)
		if err == io.EOF {
			err = fmt.Errorf("%d of its %d frames", copied/frameSize, frames)
		}
	} else {
		copied, err = io.Copy(w, br)
	}
	if err == nil && copied%frameSize != 0 {
		err = errors.New("a frame cut short")
	}
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	return n, r.root.Remove(name)
}

// readScoreHeader reads a senone score file's header (text up to "endhdr",
// then a 4-byte byte-order mark) and returns it with the senone count. Only
// files with every senone in every frame (-compallsen) can be joined: each
// frame is then a count and that many 16-bit scores.
func readScoreHeader(br *bufio.Reader) ([]byte, int, error) {
	var header bytes.Buffer
	senones := 0
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return nil, 0, fmt.Errorf("no end of header: %w", err)
		}
		header.WriteString(line)
		if v, ok := strings.CutPrefix(line, "n_sen "); ok {
			if senones, err = strconv.Atoi(strings.TrimSpace(v)); err != nil || senones <= 0 {
				return nil, 0, fmt.Errorf("bad senone count %q", strings.TrimSpace(v))
			}
		}
		if line == "endhdr\n" {
			break
		}
		if header.Len() > 4096 {
			return nil, 0, errors.New("header too long")
		}
	}
	if senones == 0 {
		return nil, 0, errors.New("no senone count")
	}
	var mark [4]byte
	if _, err := io.ReadFull(br, mark[:]); err != nil {
		return nil, 0, fmt.Errorf("no byte-order mark: %w", err)
	}
	header.Write(mark[:])
	if mark != [4]byte{0x44, 0x33, 0x22, 0x11} {
		return nil, 0, errors.New("not little-endian")
	}
	// Each frame's count must say every senone: check the first.
	if count, err := br.Peek(2); err == nil {
		if n := int(binary.LittleEndian.Uint16(count)); n != senones {
			return nil, 0, fmt.Errorf("frames hold %d of %d senones", n, senones)
		}
	}
	return header.Bytes(), senones, nil
}
