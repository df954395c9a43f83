package speech

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"unicode/utf8"
)

// OpenAIConfig configures OpenAI's audio endpoints (or a compatible server).
type OpenAIConfig struct {
	// APIKey is sent as a bearer token; required.
	APIKey string
	// BaseURL defaults to "https://api.openai.com".
	BaseURL string
	// SpeechModel defaults to "gpt-4o-mini-tts" ("tts-1" and "tts-1-hd" also
	// work).
	SpeechModel string
	// Voice is the voice used when a request asks for "default"; default
	// "alloy".
	Voice string
	// TranscriptionModel defaults to "whisper-1" ("gpt-4o-transcribe" and
	// "gpt-4o-mini-transcribe" also work).
	TranscriptionModel string
}

func (c OpenAIConfig) withDefaults() OpenAIConfig {
	if c.BaseURL == "" {
		c.BaseURL = "https://api.openai.com"
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.SpeechModel == "" {
		c.SpeechModel = "gpt-4o-mini-tts"
	}
	if c.Voice == "" {
		c.Voice = "alloy"
	}
	if c.TranscriptionModel == "" {
		c.TranscriptionModel = "whisper-1"
	}
	return c
}

// openAISpeechLimit is the longest input /v1/audio/speech accepts (4,096
// characters); longer texts are spoken in parts joined end to end.
const openAISpeechLimit = 4096

// OpenAISpeech synthesizes speech with OpenAI's POST /v1/audio/speech.
type OpenAISpeech struct {
	cfg    OpenAIConfig
	client *http.Client
}

// NewOpenAISpeech returns the OpenAI synthesizer.
func NewOpenAISpeech(cfg OpenAIConfig, client *http.Client) *OpenAISpeech {
	return &OpenAISpeech{cfg: cfg.withDefaults(), client: client}
}

// Name is "openai".
func (o *OpenAISpeech) Name() string { return ProviderOpenAI }

// Synthesize speaks text with an OpenAI voice ("" or "default" for the
// configured one). OpenAI's voices detect the language from the text.
func (o *OpenAISpeech) Synthesize(ctx context.Context, text, language, voice string) (Audio, error) {
	switch PrimaryLanguage(language) {
	case "ko", "en", "ja", "zh":
	default:
		return Audio{}, Unsupported(ProviderOpenAI, language)
	}
	if voice == "" || voice == "default" {
		voice = o.cfg.Voice
	}
	var joined Waveform
	for _, part := range splitForLimit(text, openAISpeechLimit) {
		w, err := o.speak(ctx, part, voice)
		if err != nil {
			return Audio{}, err
		}
		if joined.SampleRate == 0 {
			joined = Waveform{SampleRate: w.SampleRate, Channels: 1}
		}
		joined.Samples = append(joined.Samples, Resample(w.Mono(), joined.SampleRate).Samples...)
	}
	return NewWAVAudio(joined), nil
}

func (o *OpenAISpeech) speak(ctx context.Context, text, voice string) (Waveform, error) {
	payload, err := json.Marshal(map[string]string{
		"model": o.cfg.SpeechModel, "input": text, "voice": voice, "response_format": "wav",
	})
	if err != nil {
		return Waveform{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.cfg.BaseURL+"/v1/audio/speech", bytes.NewReader(payload))
	if err != nil {
		return Waveform{}, &ProviderError{Provider: ProviderOpenAI, Kind: ErrProviderRejected, Message: "bad request: " + err.Error()}
	}
	req.Header.Set("Authorization", "Bearer "+o.cfg.APIKey)
	req.Header.Set("Content-Type", "application/json")
	data, _, err := send(ctx, o.client, ProviderOpenAI, req)
	if err != nil {
		return Waveform{}, err
	}
	w, err := DecodeWAV(data)
	if err != nil {
		return Waveform{}, &ProviderError{Provider: ProviderOpenAI, Kind: ErrProviderUnavailable, Message: "answer is not WAV audio: " + err.Error()}
	}
	return w, nil
}

// splitForLimit cuts text into parts of at most limit characters, at the
// last sentence end (or else the last space) before the limit, so no part
// stops in the middle of a word.
func splitForLimit(text string, limit int) []string {
	var parts []string
	for utf8.RuneCountInString(text) > limit {
		runes := []rune(text)
		cut := -1
		for i := limit - 1; i > limit/2; i-- {
			if strings.ContainsRune(".!?。！？\n", runes[i]) {
				cut = i + 1
				break
			}
		}
		if cut < 0 {
			for i := limit - 1; i > 0; i-- {
				if runes[i] == ' ' {
					cut = i + 1
					break
				}
			}
		}
		if cut <= 0 {
			cut = limit
		}
		if part := strings.TrimSpace(string(runes[:cut])); part != "" {
			parts = append(parts, part)
		}
		text = string(runes[cut:])
	}
	if part := strings.TrimSpace(text); part != "" {
		parts = append(parts, part)
	}
	return parts
}

// OpenAITranscriber recognizes speech with OpenAI's POST
// /v1/audio/transcriptions.
type OpenAITranscriber struct {
	cfg    OpenAIConfig
	client *http.Client
}

// NewOpenAITranscriber returns the OpenAI recognizer.
func NewOpenAITranscriber(cfg OpenAIConfig, client *http.Client) *OpenAITranscriber {
	return &OpenAITranscriber{cfg: cfg.withDefaults(), client: client}
}

// Name is "openai".
func (o *OpenAITranscriber) Name() string { return ProviderOpenAI }

// Supports is true for the API's languages, all of which Whisper and the
// GPT-4o transcription models know.
func (o *OpenAITranscriber) Supports(language string) bool {
	switch PrimaryLanguage(language) {
	case "ko", "en", "ja", "zh":
		return true
	}
	return false
}

// Transcribe uploads the audio and returns the recognized text. The expected
// text is deliberately not sent as a prompt: it would steer the recognizer
// toward the answer it is meant to check. WAV above 16 kHz is resampled to
// 16 kHz mono first (what the models listen at), which also keeps a
// five-minute voice-over well under the 25 MB upload limit.
func (o *OpenAITranscriber) Transcribe(ctx context.Context, audio Audio, language, _ string) (string, error) {
	text, _, err := o.transcribe(ctx, audio, language, false)
	return text, err
}

// TranscribeWords is Transcribe with the time of every word, from the
// verbose_json answer with word timestamps (timestamp_granularities[]=word).
// Only the whisper models answer verbose_json (the gpt-4o transcribers
// refuse it with a 400), so with another model the words have no times.
func (o *OpenAITranscriber) TranscribeWords(ctx context.Context, audio Audio, language, _ string) (string, []TimedWord, error) {
	return o.transcribe(ctx, audio, language, strings.HasPrefix(o.cfg.TranscriptionModel, "whisper"))
}

func (o *OpenAITranscriber) transcribe(ctx context.Context, audio Audio, language string, timed bool) (string, []TimedWord, error) {
	if !o.Supports(language) {
		return "", nil, Unsupported(ProviderOpenAI, language)
	}
	data, filename, contentType := audio.Data, "audio.mp3", "audio/mpeg"
	if audio.Format == FormatWAV {
		filename, contentType = "audio.wav", "audio/wav"
		if w, err := DecodeWAV(audio.Data); err == nil && (w.SampleRate > 16000 || w.Channels > 1) {
			data = EncodeWAV(Resample(w.Mono(), 16000))
		}
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fields := [][2]string{
		{"model", o.cfg.TranscriptionModel},
		{"language", PrimaryLanguage(language)},
		{"response_format", "json"},
	}
	if timed {
		fields[2][1] = "verbose_json"
		fields = append(fields, [2]string{"timestamp_granularities[]", "word"})
	}
	for _, f := range fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			return "", nil, err
		}
	}
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+filename+`"`)
	h.Set("Content-Type", contentType)
	part, err := mw.CreatePart(h)
	if err != nil {
		return "", nil, err
	}
	if _, err := part.Write(data); err != nil {
		return "", nil, err
	}
	if err := mw.Close(); err != nil {
		return "", nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.cfg.BaseURL+"/v1/audio/transcriptions", &body)
	if err != nil {
		return "", nil, &ProviderError{Provider: ProviderOpenAI, Kind: ErrProviderRejected, Message: "bad request: " + err.Error()}
	}
	req.Header.Set("Authorization", "Bearer "+o.cfg.APIKey)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	answer, _, err := send(ctx, o.client, ProviderOpenAI, req)
	if err != nil {
		return "", nil, err
	}
	var doc struct {
		Text  *string `json:"text"`
		Words []struct {
			Word  string  `json:"word"`
			Start float64 `json:"start"`
			End   float64 `json:"end"`
		} `json:"words"`
	}
	if err := json.Unmarshal(answer, &doc); err != nil || doc.Text == nil {
		return "", nil, &ProviderError{Provider: ProviderOpenAI, Kind: ErrProviderUnavailable, Message: "answer has no text: " + Shorten(string(answer), 200)}
	}
	var words []TimedWord
	if timed {
		// An answer without words leaves them nil: Verify then compares
		// the text without times.
		for _, w := range doc.Words {
			words = append(words, TimedWord{Word: strings.TrimSpace(w.Word), Start: w.Start, End: w.End})
		}
	}
	return strings.TrimSpace(*doc.Text), words, nil
}
