package app_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/config"
)

// BenchmarkFairScheduling measures the scenario: account A queues
// 100 voice-overs, then account B queues one; how long B's waits to start,
// against the ceiling of one job's duration plus 1 s. The voice is a local
// stand-in for a hosted one that answers after jobDelay, so a job lasts
// about that long; two workers, as on this machine's default. Run it with
//
//	go test -run '^$' -bench FairScheduling -benchtime 1x ./internal/app
//
// (with OMNIVIBE_TEST_POSTGRES_URL set, scaled out too). It reports B's
// wait, the median job, the ceiling and their ratio, and how long A's whole
// backlog took, which is what B would have waited without the priorities.
func BenchmarkFairScheduling(b *testing.B) {
	const jobDelay = 200 * time.Millisecond
	voice := slowOpenAIVoice(b, jobDelay)
	configure := func(c *config.Config) {
		c.TTS, c.STT, c.OpenAIAPIKey, c.SpeechBaseURL, c.Workers = "openai", "none", "sk-test", voice.URL, 2
	}
	b.Run("embedded", func(b *testing.B) {
		for range b.N {
			cfg := config.Default()
			cfg.DataDir, cfg.PasswordCost = b.TempDir(), 4
			configure(&cfg)
			base, a := replica(b, cfg)
			if err := a.Start(context.Background()); err != nil {
				b.Fatal(err)
			}
			measureFairness(b, base)
		}
	})
	b.Run("scaled-out", func(b *testing.B) {
		for range b.N {
			cfg := scaledOut(b)
			configure(&cfg)
			base, a := replica(b, cfg)
			if err := a.Start(context.Background()); err != nil {
				b.Fatal(err)
			}
			measureFairness(b, base)
		}
	})
}

func slowOpenAIVoice(tb testing.TB, delay time.Duration) *httptest.Server {
	wav := silenceWAV(16000, 0.5)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if r.URL.Path != "/v1/audio/speech" || r.Header.Get("Authorization") != "Bearer sk-test" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "audio/wav")
		w.Write(wav)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

func measureFairness(b *testing.B, base string) {
	ctx := context.Background()
	a, bc := ownerAt(b, base), ownerAt(b, base)
	var backlog []string
	for i := range 100 {
		acc, err := a.GenerateAudio(ctx, omnivibe.AudioRequest{Text: fmt.Sprintf("Account A, voice-over %d.", i), Language: "en"}, "")
		if err != nil {
			b.Fatal(err)
		}
		backlog = append(backlog, acc.TaskID)
	}
	acc, err := bc.GenerateAudio(ctx, omnivibe.AudioRequest{Text: "Account B, its only voice-over.", Language: "en"}, "")
	if err != nil {
		b.Fatal(err)
	}
	bTask := waitAt(b, bc, acc.TaskID)
	var jobs []time.Duration
	var firstA, lastA time.Time
	for _, id := range backlog {
		t := waitAt(b, a, id)
		jobs = append(jobs, t.FinishedAt.Sub(*t.StartedAt))
		if firstA.IsZero() || t.CreatedAt.Before(firstA) {
			firstA = t.CreatedAt
		}
		if t.FinishedAt.After(lastA) {
			lastA = *t.FinishedAt
		}
	}
	slices.Sort(jobs)
	job := jobs[len(jobs)/2]
	wait := bTask.StartedAt.Sub(bTask.CreatedAt)
	ceiling := job + time.Second
	b.ReportMetric(wait.Seconds(), "b_wait_s")
	b.ReportMetric(job.Seconds(), "job_s")
	b.ReportMetric(ceiling.Seconds(), "ceiling_s")
	b.ReportMetric(wait.Seconds()/ceiling.Seconds(), "wait/ceiling")
	b.ReportMetric(lastA.Sub(firstA).Seconds(), "a_backlog_s")
}
