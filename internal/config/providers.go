package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ProviderNames splits a provider setting ("elevenlabs, openai,espeak") into
// its names, lower-cased, in order (a chain of one for a single name). An
// empty name stays in, for validation to name it.
func ProviderNames(v string) []string {
	var names []string
	for _, n := range strings.Split(v, ",") {
		names = append(names, strings.ToLower(strings.TrimSpace(n)))
	}
	return names
}

// checkChain names the first problem of a provider setting: an unknown or
// empty name, or one named twice. A single name is a chain of one.
func checkChain(flag, env, value string, known []string) error {
	names := ProviderNames(value)
	for i, n := range names {
		switch {
		case n == "":
			return fmt.Errorf("%s (%s) has an empty provider name in %q", flag, env, value)
		case !slices.Contains(known, n):
			return fmt.Errorf("%s (%s) must be %s, or a comma-separated chain of them; %q is none of them", flag, env, orList(known), n)
		case slices.Contains(names[:i], n):
			return fmt.Errorf("%s (%s) names %s twice", flag, env, n)
		}
	}
	return nil
}

func orList(names []string) string {
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// providersError names the first bad setting of the writer, synthesizer and
// recognizer chains, or a hosted member whose API key is missing.
func (c Config) providersError() error {
	if err := checkChain("writer", "OMNIVIBE_WRITER", c.Writer, []string{"local", "anthropic", "openai"}); err != nil {
		return err
	}
	if slices.Contains(ProviderNames(c.Writer), "anthropic") && c.AnthropicAPIKey == "" {
		return errors.New("writer (OMNIVIBE_WRITER) is anthropic but ANTHROPIC_API_KEY is not set")
	}
	if c.TTS != "" {
		if err := checkChain("tts", "OMNIVIBE_TTS", c.TTS, []string{"espeak", "elevenlabs", "openai", "synthetic"}); err != nil {
			return err
		}
		if slices.Contains(ProviderNames(c.TTS), "elevenlabs") && c.ElevenLabsAPIKey == "" {
			return errors.New("tts (OMNIVIBE_TTS) is elevenlabs but ELEVENLABS_API_KEY is not set")
		}
	}
	if c.STT != "" {
		if err := checkChain("stt", "OMNIVIBE_STT", c.STT, []string{"pocketsphinx", "openai", "none"}); err != nil {
			return err
		}
		if n := ProviderNames(c.STT); len(n) > 1 && slices.Contains(n, "none") {
			return errors.New("stt (OMNIVIBE_STT) cannot chain none: leave it out to check with the others")
		}
	}
	openaiUsed := (c.TTS != "" && slices.Contains(ProviderNames(c.TTS), "openai")) || (c.STT != "" && slices.Contains(ProviderNames(c.STT), "openai"))
	if openaiUsed && c.OpenAIAPIKey == "" {
		return errors.New("tts or stt (OMNIVIBE_TTS, OMNIVIBE_STT) is openai but OPENAI_API_KEY is not set")
	}
	return nil
}
