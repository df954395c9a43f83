package writer

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func newTestServer(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func errorsIs(err, target error) bool { return errors.Is(err, target) }

func TestNewValidatesConfig(t *testing.T) {
	tests := []struct {
		cfg   Config
		field string // "" means valid
	}{
		{Config{}, ""},
		{Config{Provider: "LOCAL"}, ""},
		{Config{Provider: "local", APIKey: "sk-ignored"}, ""},
		{Config{Provider: "gemini"}, "Provider"},
		{Config{Provider: "anthropic"}, "APIKey"},
		{Config{Provider: "openai"}, "APIKey"},
		{Config{Provider: "openai", BaseURL: "http://127.0.0.1:8000/v1"}, ""},
		{Config{Provider: "anthropic", APIKey: "k", BaseURL: "ftp://example.com"}, "BaseURL"},
		{Config{Provider: "anthropic", APIKey: "k", BaseURL: "not a url"}, "BaseURL"},
		{Config{Provider: "anthropic", APIKey: "k", Timeout: -time.Second}, "Timeout"},
		{Config{Provider: "anthropic", APIKey: "k", BreakerFailures: -1}, "BreakerFailures"},
		{Config{Provider: "anthropic", APIKey: "k", RetryBaseDelay: time.Minute, MaxRetryDelay: time.Second}, "MaxRetryDelay"},
		{Config{Provider: "anthropic", APIKey: "k", MaxTokens: 10}, "MaxTokens"},
	}
	for _, tt := range tests {
		_, err := New(tt.cfg, nil, nil)
		switch {
		case tt.field == "" && err != nil:
			t.Errorf("New(%+v) = %v, want no error", tt.cfg, err)
		case tt.field != "" && (err == nil || !strings.Contains(err.Error(), tt.field+":")):
			t.Errorf("New(%+v) = %v, want an error naming %s", tt.cfg, err, tt.field)
		}
		if err != nil && tt.cfg.APIKey != "" && strings.Contains(err.Error(), tt.cfg.APIKey+" ") {
			t.Errorf("config error leaks the key: %v", err)
		}
	}
}

func TestKeyAloneDoesNotSwitchProvider(t *testing.T) {
	w, err := New(Config{APIKey: "sk-present"}, nil, nil)
	if err != nil || w.Name() != ProviderLocal {
		t.Fatalf("New with only a key = %v, %v; want the local writer", w, err)
	}
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		header http.Header
		want   time.Duration
		ok     bool
	}{
		{http.Header{}, 0, false},
		{http.Header{"Retry-After": {"3"}}, 3 * time.Second, true},
		{http.Header{"Retry-After": {"1.5"}}, 1500 * time.Millisecond, true},
		{http.Header{"Retry-After": {now.Add(10 * time.Second).Format(http.TimeFormat)}}, 10 * time.Second, true},
		{http.Header{"Retry-After": {"soon"}}, 0, false},
		{http.Header{"Retry-After": {"-4"}}, 0, false},
		{http.Header{"Retry-After-Ms": {"250"}, "Retry-After": {"1"}}, 250 * time.Millisecond, true},
	} {
		got, ok := retryAfter(tt.header, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%v) = %v, %v; want %v, %v", tt.header, got, ok, tt.want, tt.ok)
		}
	}
}
