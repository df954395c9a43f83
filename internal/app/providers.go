package app

import (
	"context"
	"fmt"
	"github.com/omnivibepro/omnivibe/internal/verify"
	"log/slog"
	"net/http"

	"github.com/omnivibepro/omnivibe/internal/config"
	"github.com/omnivibepro/omnivibe/internal/providers"
	"github.com/omnivibepro/omnivibe/internal/service"
	"github.com/omnivibepro/omnivibe/internal/speech"
	"github.com/omnivibepro/omnivibe/internal/telemetry"
	"github.com/omnivibepro/omnivibe/internal/writer"
)

// newWriter builds the configured script writer: one provider, or a
// fallback chain (OMNIVIBE_WRITER=anthropic,openai,local) tried in order.
// --writer-model and --writer-base-url belong to the first hosted member;
// the others use their providers' defaults. Every member is registered in
// the health record with its breaker.
func (a *App) newWriter(cfg config.Config, log *slog.Logger) (service.Writer, error) {
	names := config.ProviderNames(cfg.Writer)
	members := make([]*writer.Writer, 0, len(names))
	tuned := false
	for i, name := range names {
		wc := writer.Config{Provider: name, APIKey: cfg.WriterAPIKeyOf(name), Timeout: cfg.WriterTimeout, Observer: a.writerObserver()}
		if name != writer.ProviderLocal && !tuned {
			wc.Model, wc.BaseURL, tuned = cfg.WriterModel, cfg.WriterBaseURL, true
		}
		w, err := writer.New(wc, log, &http.Client{})
		if err != nil {
			return nil, err
		}
		var state func() string
		if w.BreakerState() != "" {
			state = w.BreakerState
		}
		a.Health.Register(providers.KindWriter, w.Name(), i+1, state)
		members = append(members, w)
	}
	if len(members) == 1 {
		return members[0], nil
	}
	return writer.NewChain(members...), nil
}

// newSpeech builds the configured synthesizer and recognizer, defaulting to
// the local engines when they are installed; each setting is one provider
// or a fallback chain (OMNIVIBE_TTS=elevenlabs,openai,espeak). Every
// provider's calls are measured (metrics, spans, the health record). Without
// a synthesizer the server still runs, and answers voice-over requests with
// 503.
func (a *App) newSpeech(cfg config.Config, log *slog.Logger) (service.Speech, error) {
	sc := speech.Config{
		TTS: cfg.TTS, STT: cfg.STT,
		ElevenLabs: speech.ElevenLabsConfig{APIKey: cfg.ElevenLabsAPIKey, BaseURL: cfg.SpeechBaseURL, ModelID: cfg.ElevenLabsModel},
		OpenAI: speech.OpenAIConfig{APIKey: cfg.OpenAIAPIKey, BaseURL: cfg.SpeechBaseURL, SpeechModel: cfg.OpenAITTSModel,
			TranscriptionModel: cfg.OpenAISTTModel},
		SyntheticDuration: func(text, language string) float64 { return writer.Estimate(text, language).Seconds },
	}
	local := speech.DetectLocalEngines(sc)
	if sc.TTS == "" {
		sc.TTS = local.DefaultTTS()
	}
	if sc.STT == "" {
		sc.STT = local.DefaultSTT()
	}
	observe := telemetry.ProviderObserver(a.Metrics, a.Tracing)
	var sp service.Speech
	if sc.TTS == "" {
		log.Warn("voice-overs are off: espeak-ng is not installed and no synthesizer is configured (OMNIVIBE_TTS)")
	} else {
		var synths []speech.Synthesizer
		for _, name := range config.ProviderNames(sc.TTS) {
			one := sc
			one.TTS = name
			synth, err := speech.NewSynthesizer(one)
			if err != nil {
				return sp, err
			}
			synths = append(synths, observedSynthesizer{Synthesizer: synth, observe: observe, health: a.Health})
		}
		sp.Synthesizer = synths[0]
		if len(synths) > 1 {
			chain := speech.NewSynthesizerChain(synths...)
			sp.Synthesizer = chain
			a.registerChain(providers.KindTTS, chain.Members())
		} else {
			a.Health.Register(providers.KindTTS, synths[0].Name(), 1, nil)
		}
		if sc.TTS == speech.ProviderSynthetic {
			log.Warn("voice-overs use the synthetic voice: a generated signal, not speech, for load tests only")
		}
	}
	var recs []speech.Recognizer
	for _, name := range config.ProviderNames(sc.STT) {
		one := sc
		one.STT = name
		rec, err := newRecognizer(one)
		if err != nil {
			return sp, err
		}
		if name == speech.ProviderNone {
			recs = append(recs, rec) // nothing is called, nothing to measure
			continue
		}
		recs = append(recs, observedRecognizer{Recognizer: rec, observe: observe, health: a.Health})
	}
	switch {
	case len(recs) > 1:
		chain := speech.NewRecognizerChain(recs...)
		sp.Recognizer = chain
		a.registerChain(providers.KindSTT, chain.Members())
	case len(recs) == 1:
		sp.Recognizer = recs[0]
		if recs[0].Name() != speech.ProviderNone {
			a.Health.Register(providers.KindSTT, recs[0].Name(), 1, nil)
		}
	default:
		return sp, fmt.Errorf("speech: no recognizer configured")
	}
	return sp, nil
}

// registerChain adds a chain's members to the health record with their breakers.
func (a *App) registerChain(kind string, members []speech.MemberState) {
	for i, m := range members {
		a.Health.Register(kind, m.Name, i+1, m.Breaker)
	}
}

// recordCall adds a finished provider call to the health record. A call the
// caller abandoned says nothing about the provider.
func recordCall(h *providers.Health, c telemetry.ProviderCall, err error) {
	if err != nil && c.Outcome == "cancelled" {
		return
	}
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	h.Record(c.Kind, c.Provider, c.Duration, c.Outcome, msg)
}

// recordWriterCall adds a writer call into the health record's terms.
func (a *App) recordWriterCall(_ context.Context, c writer.Call) {
	if c.Outcome == "cancelled" {
		return
	}
	a.Health.Record(providers.KindWriter, c.Provider, c.Duration, c.Outcome, c.Error)
}

// newRecognizer builds the recognizer one names: the local verifier for
// "pocketsphinx" (it lives in internal/verify, which builds on speech),
// the others through speech.NewRecognizer.
func newRecognizer(one speech.Config) (speech.Recognizer, error) {
	if one.STT == speech.ProviderPocketSphinx {
		return verify.NewPocketSphinx(one.PocketSphinx), nil
	}
	return speech.NewRecognizer(one)
}
