package client_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/app"
	"github.com/omnivibepro/omnivibe/internal/config"
)

// TestWebhooks drives the webhook routes through the client against the
// whole product (app.New, real River workers) and a local receiver.
func TestWebhooks(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := config.Default()
	cfg.DataDir, cfg.PasswordCost, cfg.Workers = t.TempDir(), 4, 1
	cfg.WebhooksAllowInsecure = true // the receiver runs on this machine
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = a.Stop(stop)
	})
	api := httptest.NewServer(a.API)
	t.Cleanup(api.Close)

	type got struct {
		h    http.Header
		body []byte
	}
	received := make(chan got, 4)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		received <- got{r.Header.Clone(), b}
	}))
	t.Cleanup(receiver.Close)

	owner, _ := register(t, api.URL)
	hook, err := owner.CreateWebhook(ctx, omnivibe.WebhookInput{URL: omnivibe.Some(receiver.URL + "/hooks"),
		Events: omnivibe.Some([]string{omnivibe.EventAudioSucceeded})})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := owner.TestWebhook(ctx, hook.ID); err != nil {
		t.Fatal(err)
	}
	var g got
	select {
	case g = <-received:
	case <-time.After(30 * time.Second):
		t.Fatal("no delivery arrived")
	}
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(hook.Secret, "whsec_"))
	mac := hmac.New(sha256.New, key)
	io.WriteString(mac, g.h.Get("webhook-id")+"."+g.h.Get("webhook-timestamp")+"."+string(g.body))
	if want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)); g.h.Get("webhook-signature") != want {
		t.Fatalf("signature %q, want %q", g.h.Get("webhook-signature"), want)
	}

	var page omnivibe.DeliveryPage
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if page, err = owner.WebhookDeliveries(ctx, hook.ID, 0, 0); err != nil {
			t.Fatal(err)
		}
		if len(page.Deliveries) == 1 && page.Deliveries[0].Status == omnivibe.DeliverySucceeded {
			break
		}
	}
	if len(page.Deliveries) != 1 || page.Deliveries[0].Status != omnivibe.DeliverySucceeded || page.Deliveries[0].EventType != omnivibe.EventWebhookTest {
		t.Fatalf("deliveries %+v", page.Deliveries)
	}
	if _, err := owner.RetryWebhookDelivery(ctx, hook.ID, page.Deliveries[0].ID); err != nil {
		t.Fatal(err)
	}
	rotated, err := owner.RotateWebhookSecret(ctx, hook.ID, omnivibe.WebhookRotation{OverlapSeconds: omnivibe.Some(60)})
	if err != nil || rotated.Secret == hook.Secret || rotated.PreviousSecretExpiresAt == nil {
		t.Fatalf("rotate: %+v, %v", rotated, err)
	}
	off, err := owner.UpdateWebhook(ctx, hook.ID, omnivibe.WebhookInput{Enabled: omnivibe.Some(false)})
	if err != nil || off.Enabled {
		t.Fatalf("disable: %+v, %v", off, err)
	}
	list, err := owner.ListWebhooks(ctx)
	if err != nil || len(list) != 1 || list[0].Secret != "" {
		t.Fatalf("list %+v, %v", list, err)
	}
	if err := owner.DeleteWebhook(ctx, hook.ID); err != nil {
		t.Fatal(err)
	}
	_, err = owner.Webhook(ctx, hook.ID)
	apiError(t, err, 404, omnivibe.CodeNotFound)
	_, err = owner.CreateWebhook(ctx, omnivibe.WebhookInput{URL: omnivibe.Some("ftp://x"), Events: omnivibe.Some([]string{"audio.failed"})})
	apiError(t, err, 422, omnivibe.CodeValidation)
}
