package writer

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// anthropicKit speaks the Messages API as documented: POST /v1/messages with x-api-key
// and anthropic-version, answers of type "message" with text content blocks, and
// errors of type "error".
var anthropicKit = providerKit{
	provider: ProviderAnthropic,
	baseURL:  func(u string) string { return u },
	path:     "/v1/messages",
	checkRequest: func(t *testing.T, r *http.Request, body []byte) {
		if got := r.Header.Get("x-api-key"); got != testAPIKey {
			t.Errorf("x-api-key = %q, want the configured key", got)
		}
		if got := r.Header.Get("anthropic-version"); got != "2023-06-01" {
			t.Errorf("anthropic-version = %q, want 2023-06-01", got)
		}
		if got := r.Header.Get("Content-Type"); got != "application/json" {
			t.Errorf("Content-Type = %q", got)
		}
		if r.Header.Get("Authorization") != "" {
			t.Errorf("Authorization header sent to Anthropic")
		}
		var req struct {
			Model     string `json:"model"`
			MaxTokens int    `json:"max_tokens"`
			System    string `json:"system"`
			Messages  []struct {
				Role    string `json:"role"`
				Content string `json:"content"`
			} `json:"messages"`
		}
		decodeJSON(t, body, &req)
		if req.Model == "" || req.MaxTokens < 256 || !strings.Contains(req.System, "HOOK:") {
			t.Errorf("request model %q max_tokens %d system %q", req.Model, req.MaxTokens, req.System)
		}
		if len(req.Messages) != 1 || req.Messages[0].Role != "user" || !strings.Contains(req.Messages[0].Content, "홈카페 라떼아트") {
			t.Errorf("messages %+v, want one user message about the topic", req.Messages)
		}
	},
	success: func(text string) string {
		b, _ := json.Marshal(map[string]any{
			"id": "msg_01XFDUDYJgAACzvnptvVoYEL", "type": "message", "role": "assistant",
			"model":         "claude-haiku-4-5",
			"content":       []map[string]string{{"type": "text", "text": text}},
			"stop_reason":   "end_turn",
			"stop_sequence": nil,
			"usage":         map[string]int{"input_tokens": 412, "output_tokens": 233},
		})
		return string(b)
	},
	errorBody: func(status int) string {
		typ, msg := "api_error", "Internal server error"
		switch status {
		case http.StatusBadRequest:
			typ, msg = "invalid_request_error", "max_tokens: Field required"
		case http.StatusUnauthorized:
			typ, msg = "authentication_error", "invalid x-api-key "+testAPIKey
		case http.StatusTooManyRequests:
			typ, msg = "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"
		case http.StatusServiceUnavailable, 529:
			typ, msg = "overloaded_error", "Overloaded"
		}
		b, _ := json.Marshal(map[string]any{"type": "error", "error": map[string]string{"type": typ, "message": msg}})
		return string(b)
	},
}

func TestAnthropicDefaults(t *testing.T) {
	w, err := New(Config{Provider: "anthropic", APIKey: testAPIKey}, nil, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h := w.drafter.(*hostedDrafter)
	if w.Name() != "anthropic" || h.cfg.Model != DefaultAnthropicModel || h.cfg.BaseURL != DefaultAnthropicBaseURL || h.cfg.Timeout != DefaultTimeout {
		t.Errorf("defaults: name %q model %q base %q timeout %v", w.Name(), h.cfg.Model, h.cfg.BaseURL, h.cfg.Timeout)
	}
}

func TestAnthropicOverloadedIsRetried(t *testing.T) {
	fx := newHostedFixture(t, anthropicKit, Config{}, func(f *fakeAPI, w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			f.fail(w, 529)
			return
		}
		f.succeed(w, modelAnswer)
	})
	if _, err := fx.writer.Write(t.Context(), hostedRequest); err != nil || fx.api.requests.Load() != 2 {
		t.Fatalf("err = %v after %d requests, want success after a retried 529", err, fx.api.requests.Load())
	}
}
