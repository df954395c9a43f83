package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/client"
	"github.com/omnivibepro/omnivibe/internal/config"
)

// TestFairSchedulingEmbedded: on SQLite, a voice-over of an account with
// nothing queued runs before another account's backlog of 99.
func TestFairSchedulingEmbedded(t *testing.T) {
	fake := newFakeOpenAISpeech(t, "unused")
	s := start(t, func(c *config.Config) { fairConfig(c, fake) })
	checkFairOrder(t, s.base, fake)
}

// TestFairSchedulingScaledOut is the same on PostgreSQL.
func TestFairSchedulingScaledOut(t *testing.T) {
	cfg := scaledOut(t)
	fake := newFakeOpenAISpeech(t, "unused")
	fairConfig(&cfg, fake)
	base, a := replica(t, cfg)
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	checkFairOrder(t, base, fake)
}

// fairConfig runs one worker on the fake OpenAI voice without a recognizer,
// so each voice-over is one speech request, run one after another.
func fairConfig(c *config.Config, fake *fakeOpenAISpeech) {
	hosted(fake)(c)
	c.STT, c.Workers = "none", 1
	fake.block = make(chan struct{})
}

// checkFairOrder queues A's first voice-over and holds it in the worker (the
// fake voice does not answer yet), queues 99 more of A's and then one of B's,
// lets the voice answer, and checks that B's started right after A's first:
// before every one of A's backlog. The order is read from each task's
// started_at; with one worker the jobs run strictly one after another.
func checkFairOrder(t *testing.T, base string, fake *fakeOpenAISpeech) {
	ctx := context.Background()
	a, b := ownerAt(t, base), ownerAt(t, base)
	first, err := a.GenerateAudio(ctx, omnivibe.AudioRequest{Text: "Account A, voice-over 0.", Language: "en"}, "")
	if err != nil {
		t.Fatal(err)
	}
	for fake.speechCalls.Load() == 0 { // the worker holds A's first job
		time.Sleep(10 * time.Millisecond)
	}
	backlog := make([]string, 0, 99)
	for i := 1; i < 100; i++ {
		acc, err := a.GenerateAudio(ctx, omnivibe.AudioRequest{Text: fmt.Sprintf("Account A, voice-over %d.", i), Language: "en"}, "")
		if err != nil {
			t.Fatalf("A's voice-over %d: %v", i, err)
		}
		backlog = append(backlog, acc.TaskID)
	}
	bAcc, err := b.GenerateAudio(ctx, omnivibe.AudioRequest{Text: "Account B, its only voice-over.", Language: "en"}, "")
	if err != nil {
		t.Fatal(err)
	}
	close(fake.block)

	bTask := waitAt(t, b, bAcc.TaskID)
	firstTask := waitAt(t, a, first.TaskID)
	if bTask.Status != omnivibe.AudioSucceeded || bTask.StartedAt == nil {
		t.Fatalf("B's voice-over: %+v", bTask)
	}
	if !firstTask.StartedAt.Before(*bTask.StartedAt) {
		t.Fatalf("B's voice-over started at %v, before A's first (%v), which was running already", bTask.StartedAt, firstTask.StartedAt)
	}
	var before []int
	for i, id := range backlog {
		task := waitAt(t, a, id)
		if task.StartedAt == nil || !task.StartedAt.After(*bTask.StartedAt) {
			before = append(before, i+1)
		}
	}
	if len(before) > 0 {
		t.Fatalf("%d of A's backlog started before B's voice-over (numbers %v), want none", len(before), before[:min(len(before), 10)])
	}
}

// ownerAt registers an account on the Pro plan (no monthly voice-over cap,
// so the 100-queued cap is what limits) at base.
func ownerAt(t testing.TB, base string) *client.Client {
	t.Helper()
	c := client.New(base)
	_, err := c.Register(context.Background(), omnivibe.Registration{Email: fmt.Sprintf("fair%d@example.com", emails.Add(1)), Password: "Passw0rd!", Name: "Owner"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ChangePlan(context.Background(), omnivibe.PlanPro); err != nil {
		t.Fatal(err)
	}
	return c
}

func waitAt(t testing.TB, c *client.Client, taskID string) omnivibe.AudioTask {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	task, err := c.WaitAudio(ctx, taskID, 50*time.Millisecond)
	if err != nil {
		t.Fatalf("wait for %s: %v (last: %+v)", taskID, err, task)
	}
	return task
}
