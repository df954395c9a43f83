package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/service"
)

func testWebhooks(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	other := newFixture(t, s)
	expires := now.Add(24 * time.Hour)
	w := omnivibe.Webhook{AccountID: f.account.ID, URL: "https://hooks.example.com/in", Description: "crm",
		Events: []string{omnivibe.EventAudioSucceeded, omnivibe.EventScriptGenerated}, Enabled: true,
		SecretSealed: []byte{0, 1, 2, 255}, PreviousSecretSealed: []byte{9, 8}, PreviousSecretExpiresAt: &expires,
		CreatedAt: now, UpdatedAt: now}
	inTx(t, s, func(tx service.Tx) error { return tx.CreateWebhook(ctx, &w) })
	if w.ID == 0 {
		t.Fatal("no ID")
	}
	got, err := s.WebhookByID(ctx, f.account.ID, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, w) {
		t.Fatalf("read back\n%+v\nwant\n%+v", got, w)
	}
	_, err = s.WebhookByID(ctx, other.account.ID, w.ID)
	wantCode(t, err, omnivibe.CodeNotFound)
	if list, err := s.ListWebhooks(ctx, other.account.ID); err != nil || len(list) != 0 {
		t.Fatalf("other account lists %v, %v", list, err)
	}

	reason := "the endpoint answered 410 Gone"
	w.Enabled, w.DisabledReason, w.DisabledAt, w.FailingSince = false, &reason, &expires, &now
	w.PreviousSecretSealed, w.PreviousSecretExpiresAt, w.Events = nil, nil, []string{omnivibe.EventAudioFailed}
	inTx(t, s, func(tx service.Tx) error { return tx.UpdateWebhook(ctx, w) })
	list, err := s.ListWebhooks(ctx, f.account.ID)
	if err != nil || len(list) != 1 || !reflect.DeepEqual(list[0], w) {
		t.Fatalf("list %+v, %v; want [%+v]", list, err, w)
	}
	err = s.InTx(ctx, func(tx service.Tx) error {
		o := w
		o.AccountID = other.account.ID
		return tx.UpdateWebhook(ctx, o)
	})
	wantCode(t, err, omnivibe.CodeNotFound)

	code, ms := 503, int64(42)
	errText := "the endpoint answered 503"
	var ds []omnivibe.WebhookDelivery
	for i := range 3 {
		d := omnivibe.WebhookDelivery{WebhookID: w.ID, AccountID: f.account.ID, MessageID: "msg_" + itoa(i), EventType: omnivibe.EventAudioSucceeded,
			Payload: json.RawMessage(`{"type":"audio.succeeded","data":{"text":"안녕 \"quoted\""}}`), Status: omnivibe.DeliveryPending,
			CreatedAt: now, UpdatedAt: now}
		inTx(t, s, func(tx service.Tx) error { return tx.CreateWebhookDelivery(ctx, &d) })
		ds = append(ds, d)
	}
	d := ds[1]
	d.Status, d.Attempts, d.ResponseCode, d.ResponseBody, d.DurationMS, d.Error = omnivibe.DeliveryRetrying, 2, &code, "busy", &ms, &errText
	d.LastAttemptAt, d.NextAttemptAt, d.JobID, d.UpdatedAt = &now, &expires, 77, now.Add(time.Second)
	inTx(t, s, func(tx service.Tx) error { return tx.UpdateWebhookDelivery(ctx, d) })
	back, err := s.WebhookDeliveryForWork(ctx, d.ID)
	if err != nil || !reflect.DeepEqual(back, d) {
		t.Fatalf("delivery read back\n%+v, %v\nwant\n%+v", back, err, d)
	}
	if got, err := s.WebhookDelivery(ctx, f.account.ID, w.ID, d.ID); err != nil || got.ID != d.ID {
		t.Fatalf("delivery of the account: %v", err)
	}
	_, err = s.WebhookDelivery(ctx, other.account.ID, w.ID, d.ID)
	wantCode(t, err, omnivibe.CodeNotFound)
	page, total, err := s.ListWebhookDeliveries(ctx, f.account.ID, w.ID, 1, 2)
	if err != nil || total != 3 || len(page) != 2 || page[0].ID != ds[2].ID || page[1].ID != ds[1].ID {
		t.Fatalf("page 1: %d rows of %d, %v; want the newest two of 3", len(page), total, err)
	}
	if _, total, _ := s.ListWebhookDeliveries(ctx, other.account.ID, w.ID, 1, 10); total != 0 {
		t.Fatalf("another account sees %d deliveries", total)
	}

	inTx(t, s, func(tx service.Tx) error { return tx.DeleteWebhook(ctx, f.account.ID, w.ID) })
	_, err = s.WebhookDeliveryForWork(ctx, d.ID)
	wantCode(t, err, omnivibe.CodeNotFound)
	err = s.InTx(ctx, func(tx service.Tx) error { return tx.DeleteWebhook(ctx, f.account.ID, w.ID) })
	wantCode(t, err, omnivibe.CodeNotFound)
}
func itoa(n int) string { return fmt.Sprint(n) }
