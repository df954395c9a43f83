package writer

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// The chain tests put an Anthropic and an OpenAI protocol server (hosted_test.go's
// fakes of the far side) behind one Chain.

func TestChainFallsThroughWhenTheFirstIsDown(t *testing.T) {
	down := newHostedFixture(t, anthropicKit, Config{MaxRetries: 1}, func(f *fakeAPI, w http.ResponseWriter, r *http.Request, n int) {
		f.fail(w, http.StatusServiceUnavailable)
	})
	up := newHostedFixture(t, openAIKit, Config{}, func(f *fakeAPI, w http.ResponseWriter, r *http.Request, n int) {
		f.succeed(w, modelAnswer)
	})
	c := NewChain(down.writer, up.writer)
	if c.Name() != "anthropic,openai" {
		t.Fatalf("name %q", c.Name())
	}
	s, err := c.Write(context.Background(), hostedRequest)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	if s.Provider != ProviderOpenAI {
		t.Fatalf("written by %q, want openai", s.Provider)
	}
	if len(s.Skipped) != 1 || s.Skipped[0].Provider != ProviderAnthropic || s.Skipped[0].Code != "unavailable" || !strings.Contains(s.Skipped[0].Message, "503") {
		t.Fatalf("skipped %+v, want anthropic unavailable with its 503", s.Skipped)
	}
	if down.api.requests.Load() != 2 || up.api.requests.Load() != 1 {
		t.Fatalf("%d anthropic requests (want 2: one retry), %d openai (want 1)", down.api.requests.Load(), up.api.requests.Load())
	}
}

func TestChainStopsAtARefusal(t *testing.T) {
	refusing := newHostedFixture(t, anthropicKit, Config{}, func(f *fakeAPI, w http.ResponseWriter, r *http.Request, n int) {
		f.fail(w, http.StatusUnauthorized)
	})
	up := newHostedFixture(t, openAIKit, Config{}, func(f *fakeAPI, w http.ResponseWriter, r *http.Request, n int) {
		f.succeed(w, modelAnswer)
	})
	_, err := NewChain(refusing.writer, up.writer).Write(context.Background(), hostedRequest)
	if !errors.Is(err, ErrRefused) || !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "401") {
		t.Fatalf("err = %v, want anthropic's 401 refusal", err)
	}
	if up.api.requests.Load() != 0 {
		t.Fatalf("openai was asked %d times after a refusal, want 0", up.api.requests.Load())
	}
}

func TestChainAllDownGivesEveryReason(t *testing.T) {
	limited := newHostedFixture(t, anthropicKit, Config{MaxRetries: -1}, func(f *fakeAPI, w http.ResponseWriter, r *http.Request, n int) {
		f.fail(w, http.StatusTooManyRequests)
	})
	down := newHostedFixture(t, openAIKit, Config{MaxRetries: -1}, func(f *fakeAPI, w http.ResponseWriter, r *http.Request, n int) {
		f.fail(w, http.StatusBadGateway)
	})
	_, err := NewChain(limited.writer, down.writer).Write(context.Background(), hostedRequest)
	var ce *ChainError
	if !errors.As(err, &ce) || !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v, want a ChainError wrapping ErrUnavailable", err)
	}
	if len(ce.Skipped) != 2 || !strings.Contains(err.Error(), "anthropic answered 429") || !strings.Contains(err.Error(), "openai answered 502") {
		t.Fatalf("err %q (skipped %+v), want both providers' reasons", err, ce.Skipped)
	}
}

func TestChainSkipsAnOpenBreaker(t *testing.T) {
	down := newHostedFixture(t, anthropicKit, Config{MaxRetries: -1, BreakerFailures: 1}, func(f *fakeAPI, w http.ResponseWriter, r *http.Request, n int) {
		f.fail(w, http.StatusInternalServerError)
	})
	up := newHostedFixture(t, openAIKit, Config{}, func(f *fakeAPI, w http.ResponseWriter, r *http.Request, n int) {
		f.succeed(w, modelAnswer)
	})
	c := NewChain(down.writer, up.writer)
	for range 2 {
		if _, err := c.Write(context.Background(), hostedRequest); err != nil {
			t.Fatal(err)
		}
	}
	if down.writer.BreakerState() != "open" {
		t.Fatalf("anthropic breaker %q after a failure with threshold 1, want open", down.writer.BreakerState())
	}
	s, err := c.Write(context.Background(), hostedRequest)
	if err != nil || s.Skipped[0].Code != "breaker_open" {
		t.Fatalf("third write: %v, skipped %+v, want anthropic skipped as breaker_open", err, s.Skipped)
	}
	if down.api.requests.Load() != 1 {
		t.Fatalf("anthropic asked %d times, want 1: its open breaker fails fast", down.api.requests.Load())
	}
}
