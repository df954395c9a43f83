package speech

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// ElevenLabsConfig configures the ElevenLabs text-to-speech API.
type ElevenLabsConfig struct {
	// APIKey is sent as xi-api-key; required.
	APIKey string
	// BaseURL defaults to "https://api.elevenlabs.io".
	BaseURL string
	// ModelID defaults to "eleven_multilingual_v2", which speaks all four
	// API languages.
	ModelID string
	// VoiceID is the voice used when a request asks for "default"; default
	// "21m00Tcm4TlvDq8ikWAM" ("Rachel", a premade voice every account has).
	VoiceID string
	// OutputFormat is the output_format query parameter; default
	// "mp3_44100_128". A "pcm_<rate>" format is wrapped into a WAV file.
	OutputFormat string
	// Stability and SimilarityBoost are the voice_settings; defaults 0.5 and
	// 0.75, ElevenLabs' own defaults.
	Stability, SimilarityBoost float64
}

// ElevenLabs synthesizes speech with ElevenLabs' POST
// /v1/text-to-speech/{voice_id}.
type ElevenLabs struct {
	cfg    ElevenLabsConfig
	client *http.Client
}

// NewElevenLabs returns the ElevenLabs synthesizer.
func NewElevenLabs(cfg ElevenLabsConfig, client *http.Client) *ElevenLabs {
	if cfg.BaseURL == "" {
		cfg.BaseURL = "https://api.elevenlabs.io"
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.ModelID == "" {
		cfg.ModelID = "eleven_multilingual_v2"
	}
	if cfg.VoiceID == "" {
		cfg.VoiceID = "21m00Tcm4TlvDq8ikWAM"
	}
	if cfg.OutputFormat == "" {
		cfg.OutputFormat = "mp3_44100_128"
	}
	if cfg.Stability == 0 {
		cfg.Stability = 0.5
	}
	if cfg.SimilarityBoost == 0 {
		cfg.SimilarityBoost = 0.75
	}
	return &ElevenLabs{cfg: cfg, client: client}
}

// Name is "elevenlabs".
func (e *ElevenLabs) Name() string { return ProviderElevenLabs }

type elevenLabsRequest struct {
	Text          string `json:"text"`
	ModelID       string `json:"model_id"`
	LanguageCode  string `json:"language_code,omitempty"`
	VoiceSettings struct {
		Stability       float64 `json:"stability"`
		SimilarityBoost float64 `json:"similarity_boost"`
	} `json:"voice_settings"`
}

// Synthesize speaks text with the given ElevenLabs voice ID ("" or
// "default" for the configured voice).
func (e *ElevenLabs) Synthesize(ctx context.Context, text, language, voice string) (Audio, error) {
	lang := PrimaryLanguage(language)
	switch lang {
	case "ko", "en", "ja", "zh":
	default:
		return Audio{}, Unsupported(ProviderElevenLabs, language)
	}
	if voice == "" || voice == "default" {
		voice = e.cfg.VoiceID
	}
	body := elevenLabsRequest{Text: text, ModelID: e.cfg.ModelID}
	// Only the v2.5 models accept a language code; the others reject a
	// request that has one.
	if strings.Contains(e.cfg.ModelID, "v2_5") {
		body.LanguageCode = lang
	}
	body.VoiceSettings.Stability = e.cfg.Stability
	body.VoiceSettings.SimilarityBoost = e.cfg.SimilarityBoost
	payload, err := json.Marshal(body)
	if err != nil {
		return Audio{}, err
	}
	endpoint := e.cfg.BaseURL + "/v1/text-to-speech/" + url.PathEscape(voice) + "?output_format=" + url.QueryEscape(e.cfg.OutputFormat)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(payload))
	if err != nil {
		return Audio{}, &ProviderError{Provider: ProviderElevenLabs, Kind: ErrProviderRejected, Message: "bad request: " + err.Error()}
	}
	req.Header.Set("xi-api-key", e.cfg.APIKey)
	req.Header.Set("Content-Type", "application/json")
	if strings.HasPrefix(e.cfg.OutputFormat, "pcm_") {
		req.Header.Set("Accept", "audio/pcm")
	} else {
		req.Header.Set("Accept", "audio/mpeg")
	}
	data, header, err := send(ctx, e.client, ProviderElevenLabs, req)
	if err != nil {
		return Audio{}, err
	}
	if ct := header.Get("Content-Type"); strings.HasPrefix(ct, "application/json") || strings.HasPrefix(ct, "text/") {
		return Audio{}, &ProviderError{Provider: ProviderElevenLabs, Kind: ErrProviderUnavailable, Message: "answered " + ct + " instead of audio: " + providerMessage(data)}
	}
	return elevenLabsAudio(data, e.cfg.OutputFormat)
}

// elevenLabsAudio turns the answer into an Audio: MP3 as it is (decoded once
// to learn its length and to make sure it is audio), raw PCM wrapped as WAV.
func elevenLabsAudio(data []byte, format string) (Audio, error) {
	if rate, ok := strings.CutPrefix(format, "pcm_"); ok {
		hz, err := strconv.Atoi(rate)
		if err != nil || hz <= 0 {
			return Audio{}, &ProviderError{Provider: ProviderElevenLabs, Kind: ErrProviderRejected, Message: "unknown output format " + strconv.Quote(format)}
		}
		samples := make([]float32, len(data)/2)
		for i := range samples {
			samples[i] = pcm16Sample(data[2*i:])
		}
		return NewWAVAudio(Waveform{SampleRate: hz, Channels: 1, Samples: samples}), nil
	}
	w, err := DecodeMP3(data)
	if err != nil {
		return Audio{}, &ProviderError{Provider: ProviderElevenLabs, Kind: ErrProviderUnavailable, Message: fmt.Sprintf("answer is not MP3 audio (%d bytes): %v", len(data), err)}
	}
	return Audio{Data: data, Format: FormatMP3, SampleRate: w.SampleRate, Duration: w.Duration()}, nil
}
