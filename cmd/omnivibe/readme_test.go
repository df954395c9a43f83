package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/client"
)

// readmeAddr is the address the README's commands talk to (make run's); the
// test points them at its own server instead.
const readmeAddr = "http://127.0.0.1:8080"

// readmeWalkthrough returns the shell blocks of the README's section "A walk
// through the API with curl", in order, as one script.
func readmeWalkthrough(t *testing.T) string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## A walk through the API with curl\n")
	if !ok {
		t.Fatal(`README.md has no section "A walk through the API with curl"`)
	}
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	blocks := regexp.MustCompile("(?s)\n```sh\n(.*?)\n```\n").FindAllStringSubmatch(section, -1)
	if len(blocks) < 2 {
		t.Fatalf("the walk-through has %d sh blocks", len(blocks))
	}
	var script strings.Builder
	for _, b := range blocks {
		script.WriteString(b[1] + "\n")
	}
	if !strings.Contains(script.String(), "API="+readmeAddr+"/api/v1\n") {
		t.Fatalf("the walk-through does not set API=%s/api/v1", readmeAddr)
	}
	return script.String()
}

// TestREADMEWalkthrough runs the README's curl walk-through, as written, with
// bash against `omnivibe serve` on a free port, on a server where another
// account already made clients, campaigns and a voice-over, so that no ID
// the walk-through meets is 1: every ID must come from an answer. The
// voice-over is the default's, espeak-ng checked by pocketsphinx, so the
// walk-through must wait for it to finish before it downloads the audio.
func TestREADMEWalkthrough(t *testing.T) {
	for _, bin := range []string{"espeak-ng", "pocketsphinx_batch", "bash", "curl", "python3"} {
		if _, err := exec.LookPath(bin); err != nil {
			if os.Getenv("OMNIVIBE_REQUIRE_SPEECH") == "1" {
				t.Fatalf("%s is not installed (scripts/test-deps.sh installs it)", bin)
			}
			t.Skipf("%s is not installed; run scripts/test-deps.sh", bin)
		}
	}
	script := readmeWalkthrough(t)
	srv := startServer(t, t.TempDir())
	ctx := t.Context()

	other := client.New(srv.base)
	if _, err := other.Register(ctx, omnivibe.Registration{Email: "other@agency.example", Password: e2ePassword, Name: "Other"}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		cl, err := other.CreateClient(ctx, omnivibe.ClientInput{Name: omnivibe.Some(fmt.Sprintf("Other client %d", i))})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := other.CreateCampaign(ctx, omnivibe.CampaignInput{ClientID: omnivibe.Some(cl.ID), Name: omnivibe.Some(fmt.Sprintf("Other campaign %d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := other.GenerateAudio(ctx, omnivibe.AudioRequest{Text: "Another account's voice-over.", Language: "en"}, ""); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	// A bound so a walk-through that never ends fails instead of hanging; the
	// voice-over takes seconds.
	runCtx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(runCtx, "bash", "-euo", "pipefail", "-c", strings.ReplaceAll(script, readmeAddr, srv.base))
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("the walk-through failed (%v); its output:\n%s", err, out.String())
	}
	// Every answer it printed is a success: an error is always {"error_code", ...}.
	if strings.Contains(out.String(), `"error_code"`) {
		t.Fatalf("an answer of the walk-through is an error:\n%s", out.String())
	}
	wav, err := os.ReadFile(filepath.Join(dir, "voice-over.wav"))
	if err != nil {
		t.Fatalf("no voice-over.wav: %v; output:\n%s", err, out.String())
	}
	if len(wav) < 1000 || string(wav[:4]) != "RIFF" || string(wav[8:12]) != "WAVE" {
		t.Fatalf("voice-over.wav is %d bytes starting %q, not WAV audio; output:\n%s", len(wav), wav[:min(len(wav), 80)], out.String())
	}
	if !strings.HasSuffix(out.String(), "audio/wav\n") {
		t.Fatalf("the download's content type is not shown as audio/wav at the end:\n%s", out.String())
	}
}
