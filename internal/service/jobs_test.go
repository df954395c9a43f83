package service_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/filestore"
	"github.com/omnivibepro/omnivibe/internal/jobs"
	"github.com/omnivibepro/omnivibe/internal/service"
	"github.com/omnivibepro/omnivibe/internal/speech"
	"github.com/omnivibepro/omnivibe/internal/sqlite"
	"github.com/omnivibepro/omnivibe/internal/writer"
)

// jobArgs reads the arguments River stored for a job.
func jobArgs(t *testing.T, store service.Store, jobID int64) map[string]any {
	t.Helper()
	var raw string
	if err := store.(*sqlite.Store).Writer().QueryRow(`SELECT json(args) FROM river_job WHERE id = ?`, jobID).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	var args map[string]any
	if err := json.Unmarshal([]byte(raw), &args); err != nil {
		t.Fatal(err)
	}
	return args
}

// Every job carries the account it was enqueued for, and a voice-over job
// acts only on a task of that account (a task id is random and never given
// twice; the account is checked all the same, as for webhook deliveries).
func TestJobsCarryTheirAccountAndActOnlyOnIt(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{t: time.Now()}
	svc, store := hookService(t, clock, 0)
	files, err := filestore.Open(filepath.Join(t.TempDir(), "audio"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { files.Close() })
	synth, err := speech.NewSynthesizer(speech.Config{TTS: speech.ProviderSynthetic,
		SyntheticDuration: func(text, lang string) float64 { return writer.Estimate(text, lang).Seconds }})
	if err != nil {
		t.Fatal(err)
	}
	// An insert-only queue on the same database: the test runs the job itself.
	queue, err := jobs.NewSQLite(ctx, store.(*sqlite.Store).Writer(), jobs.Config{Workers: 0}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	svc.UseAudio(queue, files, service.Speech{Synthesizer: synth, Recognizer: speech.NoRecognizer{}}, nil)
	a, b := owner(t, svc), owner(t, svc)

	task, _, err := svc.GenerateAudio(ctx, a, omnivibe.AudioRequest{Text: "Hello there, this is a test.", Language: "en"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if args := jobArgs(t, store, task.JobID); args["task_id"] != task.TaskID || args["account_id"] != float64(a.AccountID) {
		t.Fatalf("audio job arguments %v; want the task and account %d", args, a.AccountID)
	}
	if err := svc.RunAudioTask(ctx, service.AudioJob{AccountID: b.AccountID, TaskID: task.TaskID}); err != nil {
		t.Fatalf("a job of another account: %v, want done", err)
	}
	if got, _ := store.AudioTask(ctx, a.AccountID, task.TaskID); got.Status != omnivibe.AudioQueued || got.StartedAt != nil {
		t.Fatalf("another account's job ran the task: %s", got.Status)
	}
	if err := svc.RunAudioTask(ctx, service.AudioJob{AccountID: a.AccountID, TaskID: task.TaskID}); err != nil {
		t.Fatal(err)
	}
	if got, _ := store.AudioTask(ctx, a.AccountID, task.TaskID); got.Status != omnivibe.AudioSucceeded {
		t.Fatalf("the task's own job: %s, want succeeded", got.Status)
	}

	hook, err := svc.CreateWebhook(ctx, a, omnivibe.WebhookInput{URL: omnivibe.Some("http://127.0.0.1:9/"), Events: omnivibe.Some([]string{omnivibe.EventAudioFailed})})
	if err != nil {
		t.Fatal(err)
	}
	d, err := svc.TestWebhook(ctx, a, hook.ID)
	if err != nil {
		t.Fatal(err)
	}
	if args := jobArgs(t, store, d.JobID); args["delivery_id"] != float64(d.ID) || args["account_id"] != float64(a.AccountID) || args["webhook_id"] != float64(hook.ID) {
		t.Fatalf("delivery job arguments %v; want delivery %d, account %d, webhook %d", args, d.ID, a.AccountID, hook.ID)
	}
	// A delivery is bound to its job by the job's id (service.WebhookJob),
	// which River on SQLite never hands out twice either (its migration 8).
	var table string
	if err := store.(*sqlite.Store).Writer().QueryRow(`SELECT sql FROM sqlite_master WHERE name = 'river_job'`).Scan(&table); err != nil ||
		!strings.Contains(table, "PRIMARY KEY AUTOINCREMENT") {
		t.Fatalf("river_job: %v, %s; want AUTOINCREMENT ids", err, table)
	}
}
