package speech

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// EspeakConfig configures the local espeak-ng synthesizer.
type EspeakConfig struct {
	// Binary is the espeak-ng program; default "espeak-ng" from PATH.
	Binary string
	// WordsPerMinute is espeak-ng's -s speed per language. The defaults,
	// en 150, ko 85, ja 80, zh 230, were measured so the spoken length
	// matches the script writer's reading-speed model (en 150 words/min,
	// ko 200, ja 180, zh 220 characters/min); 80 is espeak-ng's slowest,
	// still a little fast for Japanese.
	WordsPerMinute map[string]int
	// Voices maps a language to an espeak-ng voice; the defaults are ko
	// "ko", en "en-us", ja "ja" and zh "cmn" (espeak-ng's Mandarin).
	Voices map[string]string
}

// Espeak synthesizes speech with the espeak-ng program. The text goes to the
// program on standard input and the arguments as a list, never through a
// shell, so no text can become a command.
type Espeak struct {
	binary string
	speeds map[string]int
	voices map[string]string
}

// NewEspeak returns an espeak-ng synthesizer; it does not check that the
// program exists (see LocalEngines).
func NewEspeak(cfg EspeakConfig) *Espeak {
	e := &Espeak{
		binary: cfg.Binary,
		voices: map[string]string{"ko": "ko", "en": "en-us", "ja": "ja", "zh": "cmn"},
		speeds: map[string]int{"en": 150, "ko": 85, "ja": 80, "zh": 230},
	}
	if e.binary == "" {
		e.binary = "espeak-ng"
	}
	for lang, v := range cfg.Voices {
		e.voices[PrimaryLanguage(lang)] = v
	}
	for lang, s := range cfg.WordsPerMinute {
		e.speeds[PrimaryLanguage(lang)] = s
	}
	return e
}

// Name is "espeak".
func (e *Espeak) Name() string { return ProviderEspeak }

// Synthesize speaks text with the language's espeak-ng voice. voice may be
// "" or "default" (the language's voice), a variant such as "+f3" (added to
// the language's voice) or a full espeak-ng voice name such as "en-gb+m2".
// The audio is a 16-bit mono WAV file at espeak-ng's 22,050 Hz.
func (e *Espeak) Synthesize(ctx context.Context, text, language, voice string) (Audio, error) {
	lang := PrimaryLanguage(language)
	base, ok := e.voices[lang]
	if !ok {
		return Audio{}, Unsupported(ProviderEspeak, language)
	}
	switch {
	case voice == "" || voice == "default":
		voice = base
	case strings.HasPrefix(voice, "+"):
		voice = base + voice
	}
	if !validEspeakVoice(voice) {
		return Audio{}, &ProviderError{Provider: ProviderEspeak, Kind: ErrProviderRejected, Message: "invalid voice name " + strconv.Quote(voice)}
	}
	if strings.TrimSpace(text) == "" {
		return Audio{}, &ProviderError{Provider: ProviderEspeak, Kind: ErrProviderRejected, Message: "empty text"}
	}
	speed := e.speeds[lang]
	if speed <= 0 {
		speed = 150
	}
	args := []string{"-v", voice, "-s", strconv.Itoa(speed), "-b", "1", "--stdin", "--stdout"}
	cmd := exec.CommandContext(ctx, e.binary, args...) // #nosec G204 -- the operator's espeak-ng run with an argument list, no shell: the voice passed validEspeakVoice (letters, digits, -+_, never a leading -) and the text goes in through stdin
	cmd.Stdin = strings.NewReader(text)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := RunLowPriority(cmd); err != nil {
		if ctx.Err() != nil {
			return Audio{}, ctx.Err()
		}
		msg := strings.TrimSpace(stderr.String())
		if strings.Contains(msg, "voice does not exist") {
			return Audio{}, &ProviderError{Provider: ProviderEspeak, Kind: ErrProviderRejected, Message: "unknown voice " + strconv.Quote(voice)}
		}
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return Audio{}, &ProviderError{Provider: ProviderEspeak, Kind: ErrProviderUnavailable, Message: fmt.Sprintf("espeak-ng failed (%v): %s", err, Shorten(msg, 300))}
		}
		return Audio{}, &ProviderError{Provider: ProviderEspeak, Kind: ErrProviderUnavailable, Message: "cannot run espeak-ng: " + err.Error()}
	}
	w, err := DecodeWAV(stdout.Bytes())
	if err != nil {
		return Audio{}, &ProviderError{Provider: ProviderEspeak, Kind: ErrProviderUnavailable, Message: "espeak-ng wrote no usable audio: " + err.Error()}
	}
	// Re-encoding writes the real sizes into the header that espeak-ng,
	// writing to a pipe, had to leave as placeholders.
	return NewWAVAudio(w.Mono()), nil
}

// validEspeakVoice accepts espeak-ng voice names ("en-us", "cmn",
// "en-gb-x-rp+f3"), so a voice can never be read as an option.
func validEspeakVoice(v string) bool {
	if v == "" || len(v) > 64 || v[0] == '-' {
		return false
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '+' || r == '_') {
			return false
		}
	}
	return true
}

// Shorten cuts s to at most n bytes on a rune boundary, marking the cut.
func Shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// ForAttempt returns the synthesizer for the n-th attempt at the same text.
// espeak-ng says a text the same way every time, so retrying it unchanged
// cannot do better; each later attempt speaks 10 % slower (down to
// espeak-ng's slowest, 80), which recognizers follow more reliably.
func (e *Espeak) ForAttempt(n int) Synthesizer {
	if n <= 1 {
		return e
	}
	slower := *e
	slower.speeds = make(map[string]int, len(e.speeds))
	for lang, s := range e.speeds {
		slower.speeds[lang] = max(80, int(float64(s)*(1-0.1*float64(n-1))))
	}
	return &slower
}
