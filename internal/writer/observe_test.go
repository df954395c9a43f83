package writer

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// callLog collects what an Observer is told.
type callLog struct {
	mu    sync.Mutex
	calls []Call
}

func (l *callLog) observe(_ context.Context, c Call) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, c)
}

func TestObserverSeesEveryHostedAttempt(t *testing.T) {
	for _, kit := range providerKits {
		t.Run(kit.provider, func(t *testing.T) {
			var log callLog
			fx := newHostedFixture(t, kit, Config{Model: "test-model", Observer: log.observe}, func(f *fakeAPI, w http.ResponseWriter, r *http.Request, n int) {
				switch n {
				case 1:
					f.fail(w, http.StatusTooManyRequests, "Retry-After", "0")
				case 2:
					f.fail(w, http.StatusServiceUnavailable)
				default:
					f.succeed(w, modelAnswer)
				}
			})
			if _, err := fx.writer.Write(context.Background(), hostedRequest); err != nil {
				t.Fatalf("Write: %v", err)
			}
			var got []string
			for _, c := range log.calls {
				got = append(got, fmt.Sprintf("%d:%d:%s", c.Attempt, c.Status, c.Outcome))
				if c.Provider != kit.provider || c.Model != "test-model" || c.Start.IsZero() || c.Duration <= 0 {
					t.Errorf("call %+v: want provider, model, start and duration", c)
				}
			}
			if want := "1:429:rate_limited 2:503:server_error 3:0:ok"; strings.Join(got, " ") != want {
				t.Fatalf("observed %v, want %s", got, want)
			}
		})
	}
}

func TestObserverSeesRefusedKeyAndLocalDrafts(t *testing.T) {
	var log callLog
	fx := newHostedFixture(t, openAIKit, Config{Observer: log.observe}, func(f *fakeAPI, w http.ResponseWriter, r *http.Request, n int) {
		f.fail(w, http.StatusUnauthorized)
	})
	if _, err := fx.writer.Write(context.Background(), hostedRequest); err == nil {
		t.Fatal("a refused key wrote a script")
	}
	if len(log.calls) != 1 || log.calls[0].Outcome != "refused" || log.calls[0].Status != 401 {
		t.Fatalf("observed %+v, want one refused call", log.calls)
	}

	var local callLog
	w, err := New(Config{Provider: ProviderLocal, Observer: local.observe}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(context.Background(), hostedRequest); err != nil {
		t.Fatal(err)
	}
	if len(local.calls) != 1 || local.calls[0].Provider != ProviderLocal || local.calls[0].Outcome != "ok" {
		t.Fatalf("local writer observed %+v, want one ok call", local.calls)
	}
}
