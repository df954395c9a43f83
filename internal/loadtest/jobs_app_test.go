package loadtest

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe/internal/app"
	"github.com/omnivibepro/omnivibe/internal/config"
)

// TestTrackJobsOnTheRealAppWithTheSyntheticVoice runs the scenario against the
// assembled product (SQLite, in-process workers, the synthetic voice, no
// recognizer): every voice-over the server accepted is followed to its end,
// once, and succeeds.
func TestTrackJobsOnTheRealAppWithTheSyntheticVoice(t *testing.T) {
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.PasswordCost = 4
	cfg.TTS, cfg.STT, cfg.Workers = "synthetic", "none", 2
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil { // the in-process workers
		a.Close()
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.API)
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})

	// 20 users make 6 power users, who ask for voice-overs from their first
	// task on; 4 s leave room for sign-up on a busy machine.
	opts := testOptions(4*time.Second, 20, srv.URL)
	opts.TrackJobs = true
	opts.TrackInterval = 50 * time.Millisecond
	opts.TrackTimeout = time.Minute
	res := mustRun(t, opts)
	gen := endpointByLabel(res, "POST /api/v1/audio/generate")
	if gen == nil || gen.Requests == 0 {
		t.Fatalf("no voice-over was requested:%s", describeFailures(res))
	}
	accepted := gen.Requests - gen.Failures
	j := res.Jobs
	if j.Accepted != accepted || accepted == 0 {
		t.Fatalf("tracker saw %d accepted, the statistics %d answered 202:%s", j.Accepted, accepted, describeFailures(res))
	}
	if j.Outcomes["succeeded"] != accepted || j.Delivered.Count != accepted || j.Finished() != accepted {
		t.Errorf("outcomes %v, %d delivered; want all %d succeeded", j.Outcomes, j.Delivered.Count, accepted)
	}
	if j.Total.Count != accepted || j.Queued.Count != accepted || j.Total.P50 <= 0 {
		t.Errorf("server-side times: total %+v queued %+v", j.Total, j.Queued)
	}
}
