package main

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/client"
	_ "modernc.org/sqlite" // reads the server's database file
)

// TestKilledMidRetryLosesNoDelivery kills the server with SIGKILL twice
// while an event's delivery is in its retry loop: once between attempts
// (the first answered 500, the second is scheduled) and once in the middle
// of an attempt (the receiver has the request and has not answered). After
// each restart on the same data the delivery carries on, with the same
// webhook-id, until the receiver takes it.
func TestKilledMidRetryLosesNoDelivery(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the first retry (about 30 s)")
	}
	type request struct{ id string }
	var mu sync.Mutex
	n := 0
	got := make(chan request, 10)
	// The receiver is the far side of the network, a customer's endpoint:
	// 500 first, then a request it never answers, then 200.
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		k := n
		mu.Unlock()
		// Reading the whole body lets the server notice the sender's death
		// (its background read sees the connection close).
		io.Copy(io.Discard, r.Body)
		got <- request{r.Header.Get("webhook-id")}
		switch k {
		case 1:
			w.WriteHeader(http.StatusInternalServerError)
		case 2:
			<-r.Context().Done() // held until the server that sent it dies
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	// Registered before the servers start, so it runs after they are killed:
	// Close waits for the request held open.
	t.Cleanup(receiver.Close)
	nextRequest := func(within time.Duration) request {
		t.Helper()
		select {
		case r := <-got:
			return r
		case <-time.After(within):
			t.Fatalf("no delivery attempt within %s", within)
			return request{}
		}
	}

	dataDir := t.TempDir()
	env := []string{"OMNIVIBE_DATA_DIR=" + dataDir, "OMNIVIBE_PASSWORD_COST=4", "OMNIVIBE_LOG_LEVEL=warn",
		"OMNIVIBE_TTS=synthetic", "OMNIVIBE_STT=none", "OMNIVIBE_WORKERS=1", "OMNIVIBE_WEBHOOKS_ALLOW_INSECURE=true"}
	first := startChild(t, env)
	ctx := context.Background()
	c := client.New("http://" + first.base)
	if _, err := c.Register(ctx, omnivibe.Registration{Email: "crash@example.com", Password: "Passw0rd!", Name: "Crash"}); err != nil {
		t.Fatal(err)
	}
	hook, err := c.CreateWebhook(ctx, omnivibe.WebhookInput{URL: omnivibe.Some(receiver.URL + "/in"),
		Events: omnivibe.Some([]string{omnivibe.EventScriptGenerated})})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GenerateScript(ctx, omnivibe.ScriptRequest{Topic: "crash-proof webhooks", Language: "en"}); err != nil {
		t.Fatal(err)
	}
	r1 := nextRequest(30 * time.Second)
	waitStatus(t, c, hook.ID, omnivibe.DeliveryRetrying)
	waitJobRetryable(t, dataDir)
	kill(t, first)

	// Between attempts: the restarted server sends the scheduled retry when
	// it is due (24-36 s after the first attempt).
	second := startChild(t, env)
	c = signIn(t, second)
	r2 := nextRequest(2 * time.Minute)
	kill(t, second) // in the middle of the attempt

	// Mid-attempt: the job was left running; the restarted server, alone on
	// the data, takes it as an orphan and runs it at once.
	third := startChild(t, env)
	c = signIn(t, third)
	r3 := nextRequest(time.Minute)
	d := waitStatus(t, c, hook.ID, omnivibe.DeliverySucceeded)
	if r1.id == "" || r2.id != r1.id || r3.id != r1.id || d.MessageID != r1.id {
		t.Fatalf("webhook-ids %q, %q, %q and recorded %q; want one message", r1.id, r2.id, r3.id, d.MessageID)
	}
	if d.Attempts != 2 || d.ResponseCode == nil || *d.ResponseCode != http.StatusNoContent {
		t.Fatalf("delivery %+v; want succeeded with 204 after 2 recorded attempts (the one cut off by the kill left no record)", d)
	}
	t.Logf("delivery %s reached the receiver after two SIGKILLs (%d requests)", d.MessageID, 3)
}

// waitJobRetryable waits until River has put the delivery's job back as
// retryable (the worker recorded the failed attempt and returned), reading
// the server's SQLite file beside it: then the kill falls between attempts,
// with no job running.
func waitJobRetryable(t *testing.T, dataDir string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, "omnivibe.db")+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var state string
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if err := db.QueryRow(`SELECT state FROM river_job WHERE kind = 'webhook_delivery'`).Scan(&state); err == nil && state == "retryable" {
			return
		}
	}
	t.Fatalf("the delivery's job is %q, not retryable", state)
}

func kill(t *testing.T, ch *child) {
	t.Helper()
	if err := ch.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = ch.cmd.Wait()
}

func signIn(t *testing.T, ch *child) *client.Client {
	t.Helper()
	c := client.New("http://" + ch.base)
	if _, err := c.Login(context.Background(), "crash@example.com", "Passw0rd!"); err != nil {
		t.Fatal(err)
	}
	return c
}

// waitStatus polls the webhook's newest delivery until it has status.
func waitStatus(t *testing.T, c *client.Client, hookID int64, status string) omnivibe.WebhookDelivery {
	t.Helper()
	var last omnivibe.DeliveryPage
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		page, err := c.WebhookDeliveries(context.Background(), hookID, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		last = page
		if len(page.Deliveries) == 1 && page.Deliveries[0].Status == status {
			return page.Deliveries[0]
		}
	}
	t.Fatalf("the delivery did not become %s: %+v", status, last.Deliveries)
	return omnivibe.WebhookDelivery{}
}
