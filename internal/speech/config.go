package speech

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// Provider names, as configured (OMNIVIBE_TTS, OMNIVIBE_STT) and reported.
const (
	ProviderEspeak       = "espeak"
	ProviderElevenLabs   = "elevenlabs"
	ProviderOpenAI       = "openai"
	ProviderSynthetic    = "synthetic"
	ProviderPocketSphinx = "pocketsphinx"
	ProviderNone         = "none"
)

// Config chooses and configures the speech providers.
type Config struct {
	// TTS is the synthesizer: "espeak", "elevenlabs", "openai" or
	// "synthetic". There is no default here; the caller decides (see
	// LocalEngines).
	TTS string
	// STT is the recognizer: "pocketsphinx", "openai" or "none".
	STT string

	Espeak       EspeakConfig
	PocketSphinx PocketSphinxConfig
	ElevenLabs   ElevenLabsConfig
	OpenAI       OpenAIConfig
	// SyntheticDuration gives the synthetic provider the length in seconds
	// to make the audio for a text (normally the writer's reading-speed
	// model); required when TTS is "synthetic".
	SyntheticDuration func(text, language string) float64

	// HTTPClient is used by the hosted providers; default a client with a
	// two-minute timeout. Requests also honour their context.
	HTTPClient *http.Client
}

func (c Config) httpClient() *http.Client {
	if c.HTTPClient != nil {
		return c.HTTPClient
	}
	return &http.Client{Timeout: 2 * time.Minute}
}

// NewSynthesizer builds the configured synthesizer. Hosted providers need an
// API key.
func NewSynthesizer(cfg Config) (Synthesizer, error) {
	switch cfg.TTS {
	case ProviderEspeak:
		return NewEspeak(cfg.Espeak), nil
	case ProviderElevenLabs:
		if cfg.ElevenLabs.APIKey == "" {
			return nil, fmt.Errorf("speech: tts %q needs an API key (ELEVENLABS_API_KEY)", cfg.TTS)
		}
		return NewElevenLabs(cfg.ElevenLabs, cfg.httpClient()), nil
	case ProviderOpenAI:
		if cfg.OpenAI.APIKey == "" {
			return nil, fmt.Errorf("speech: tts %q needs an API key (OPENAI_API_KEY)", cfg.TTS)
		}
		return NewOpenAISpeech(cfg.OpenAI, cfg.httpClient()), nil
	case ProviderSynthetic:
		if cfg.SyntheticDuration == nil {
			return nil, fmt.Errorf("speech: tts %q needs a duration function", cfg.TTS)
		}
		return NewSynthetic(cfg.SyntheticDuration), nil
	}
	return nil, fmt.Errorf("speech: unknown tts provider %q (want espeak, elevenlabs, openai or synthetic)", cfg.TTS)
}

// NewRecognizer builds the configured hosted recognizer, or NoRecognizer
// for "none", which supports no language. The local recognizer,
// "pocketsphinx", is the voice-over verifier of internal/verify
// (verify.NewPocketSphinx), which builds on this package.
func NewRecognizer(cfg Config) (Recognizer, error) {
	switch cfg.STT {
	case ProviderOpenAI:
		if cfg.OpenAI.APIKey == "" {
			return nil, fmt.Errorf("speech: stt %q needs an API key (OPENAI_API_KEY)", cfg.STT)
		}
		return NewOpenAITranscriber(cfg.OpenAI, cfg.httpClient()), nil
	case ProviderNone:
		return NoRecognizer{}, nil
	}
	return nil, fmt.Errorf("speech: unknown stt provider %q (want openai or none here; pocketsphinx is built by internal/verify)", cfg.STT)
}

// PocketSphinxConfig configures the local English recognizer.
type PocketSphinxConfig struct {
	// Binary is the batch decoder; default "pocketsphinx_batch" from PATH
	// (Debian package pocketsphinx).
	Binary string
	// ModelDir holds the acoustic model directory en-us/, the pronunciation
	// dictionary cmudict-en-us.dict and the general language model
	// en-us.lm.bin; default DefaultPocketSphinxModelDir (Debian package
	// pocketsphinx-en-us).
	ModelDir string
	// EspeakBinary spells out words missing from the dictionary (brand
	// names, coined words) as phonemes; default "espeak-ng". When it cannot
	// run, such words are left out of the grammar.
	EspeakBinary string
	// TempDir is where each call makes its scratch directory; default the
	// system's temporary directory.
	TempDir string
}

// DefaultPocketSphinxModelDir is where Debian's pocketsphinx-en-us puts the
// US English model.
const DefaultPocketSphinxModelDir = "/usr/share/pocketsphinx/model/en-us"

// LocalEngines says which local engines are installed, so configuration can
// default to them: the espeak-ng program, and the pocketsphinx_batch program
// with its US English model.
type LocalEngines struct {
	// Espeak is the path of espeak-ng, or "" when it is not installed.
	Espeak string
	// PocketSphinx is the path of pocketsphinx_batch, or "" when it or the
	// model (acoustic model, dictionary, language model) is missing.
	PocketSphinx string
}

// DetectLocalEngines looks for the local engines named in cfg (or their
// defaults) on PATH and on disk.
func DetectLocalEngines(cfg Config) LocalEngines {
	var found LocalEngines
	espeak := cfg.Espeak.Binary
	if espeak == "" {
		espeak = "espeak-ng"
	}
	if path, err := exec.LookPath(espeak); err == nil {
		found.Espeak = path
	}
	ps := cfg.PocketSphinx.WithDefaults()
	if path, err := exec.LookPath(ps.Binary); err == nil && ps.ModelInstalled() {
		found.PocketSphinx = path
	}
	return found
}

// DefaultTTS is the synthesizer to use when none is configured: "espeak" when
// espeak-ng is installed, else "" (the caller must choose one).
func (l LocalEngines) DefaultTTS() string {
	if l.Espeak != "" {
		return ProviderEspeak
	}
	return ""
}

// DefaultSTT is the recognizer to use when none is configured:
// "pocketsphinx" when it is installed, else "none".
func (l LocalEngines) DefaultSTT() string {
	if l.PocketSphinx != "" {
		return ProviderPocketSphinx
	}
	return ProviderNone
}

// WithDefaults fills in the defaults the fields' comments name.
func (c PocketSphinxConfig) WithDefaults() PocketSphinxConfig {
	if c.Binary == "" {
		c.Binary = "pocketsphinx_batch"
	}
	if c.ModelDir == "" {
		c.ModelDir = DefaultPocketSphinxModelDir
	}
	if c.EspeakBinary == "" {
		c.EspeakBinary = "espeak-ng"
	}
	return c
}

// ModelInstalled reports whether the model directory holds the acoustic
// model, the dictionary and the general language model.
func (c PocketSphinxConfig) ModelInstalled() bool {
	for _, name := range []string{"en-us/mdef", "cmudict-en-us.dict", "en-us.lm.bin"} {
		if _, err := os.Stat(filepath.Join(c.ModelDir, name)); err != nil {
			return false
		}
	}
	return true
}
