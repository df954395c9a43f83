package client_test

import (
	"context"
	"os"
	"testing"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/client"
	"github.com/omnivibepro/omnivibe/internal/speech"
)

// TestVerifyAudio uploads espeak-ng speech through the client to the real
// server, which checks it with pocketsphinx (the default recognizer where
// it is installed).
func TestVerifyAudio(t *testing.T) {
	found := speech.DetectLocalEngines(speech.Config{})
	if found.Espeak == "" || found.PocketSphinx == "" {
		if os.Getenv("OMNIVIBE_REQUIRE_SPEECH") == "1" {
			t.Fatal("espeak-ng and pocketsphinx are required")
		}
		t.Skip("espeak-ng and pocketsphinx are not installed")
	}
	ctx := context.Background()
	c, _ := register(t, newAPI(t, nil))
	const script = "Fresh coffee beans arrive at your door every Monday."
	audio, err := speech.NewEspeak(speech.EspeakConfig{}).Synthesize(ctx, script, "en", "default")
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.VerifyAudio(ctx, client.VerifyRequest{Audio: audio.Data, Filename: "take1.wav", Text: script, Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if !v.Verified || v.Verdict == nil || *v.Verdict != omnivibe.VerdictMatch || len(v.Words) != 9 || v.Recognizer != "pocketsphinx" {
		t.Errorf("verification %+v, want a verified match of 9 words", v)
	}
	_, err = c.VerifyAudio(ctx, client.VerifyRequest{Audio: audio.Data})
	if e := apiError(t, err, 422, omnivibe.CodeValidation); len(e.Fields) == 0 || e.Fields[0].Field != "text" {
		t.Errorf("missing text: %+v", e)
	}
}
