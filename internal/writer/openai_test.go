package writer

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// openAIKit speaks the chat-completions API as documented: POST {base}/chat/completions
// with a bearer token, answers with choices[].message.content, and errors shaped
// {"error": {"message", "type", "param", "code"}}.
var openAIKit = providerKit{
	provider: ProviderOpenAI,
	baseURL:  func(u string) string { return u + "/v1" },
	path:     "/v1/chat/completions",
	checkRequest: func(t *testing.T, r *http.Request, body []byte) {
		if got := r.Header.Get("Authorization"); got != "Bearer "+testAPIKey {
			t.Errorf("Authorization = %q, want the bearer key", got)
		}
		if got := r.Header.Get("Content-Type"); got != "application/json" {
			t.Errorf("Content-Type = %q", got)
		}
		var req struct {
			Model     string `json:"model"`
			MaxTokens int    `json:"max_tokens"`
			Messages  []struct {
				Role    string `json:"role"`
				Content string `json:"content"`
			} `json:"messages"`
		}
		decodeJSON(t, body, &req)
		if req.Model == "" || req.MaxTokens < 256 {
			t.Errorf("request model %q max_tokens %d", req.Model, req.MaxTokens)
		}
		if len(req.Messages) != 2 || req.Messages[0].Role != "system" || req.Messages[1].Role != "user" ||
			!strings.Contains(req.Messages[1].Content, "홈카페 라떼아트") || !strings.Contains(req.Messages[1].Content, "Korean") {
			t.Errorf("messages %+v, want a system prompt and a user prompt about the topic in Korean", req.Messages)
		}
	},
	success: func(text string) string {
		b, _ := json.Marshal(map[string]any{
			"id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT", "object": "chat.completion", "created": 1741569952,
			"model": "gpt-4o-mini-2024-07-18",
			"choices": []map[string]any{{
				"index":         0,
				"message":       map[string]any{"role": "assistant", "content": text, "refusal": nil},
				"logprobs":      nil,
				"finish_reason": "stop",
			}},
			"usage": map[string]int{"prompt_tokens": 380, "completion_tokens": 240, "total_tokens": 620},
		})
		return string(b)
	},
	errorBody: func(status int) string {
		msg, typ, code := "The server had an error while processing your request. Sorry about that!", "server_error", any(nil)
		switch status {
		case http.StatusBadRequest:
			msg, typ, code = "'messages' is a required property", "invalid_request_error", nil
		case http.StatusUnauthorized:
			msg, typ, code = "Incorrect API key provided: "+testAPIKey+". You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error", "invalid_api_key"
		case http.StatusTooManyRequests:
			msg, typ, code = "Rate limit reached for gpt-4o-mini in organization org-abc on requests per min (RPM): Limit 3, Used 3, Requested 1.", "requests", "rate_limit_exceeded"
		}
		b, _ := json.Marshal(map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": code}})
		return string(b)
	},
}

func TestOpenAIDefaults(t *testing.T) {
	w, err := New(Config{Provider: "openai", APIKey: testAPIKey}, nil, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h := w.drafter.(*hostedDrafter)
	if w.Name() != "openai" || h.cfg.Model != DefaultOpenAIModel || h.cfg.BaseURL != DefaultOpenAIBaseURL {
		t.Errorf("defaults: name %q model %q base %q", w.Name(), h.cfg.Model, h.cfg.BaseURL)
	}
}

// TestOpenAICompatibleServerWithoutKey is a self-hosted server (vLLM, llama.cpp and the
// like) that needs no key: no Authorization header is sent.
func TestOpenAICompatibleServerWithoutKey(t *testing.T) {
	srv := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" || r.Header.Get("Authorization") != "" {
			t.Errorf("%s with Authorization %q", r.URL.Path, r.Header.Get("Authorization"))
		}
		io.WriteString(w, openAIKit.success(modelAnswer))
	})
	w, err := New(Config{Provider: "openai", BaseURL: srv + "/v1/", Model: "qwen2.5-7b-instruct"}, nil, nil)
	if err != nil {
		t.Fatalf("New without a key for a self-hosted server: %v", err)
	}
	s, err := w.Write(t.Context(), hostedRequest)
	if err != nil || s.Model != "qwen2.5-7b-instruct" {
		t.Fatalf("Write = model %q, %v", s.Model, err)
	}
}

func TestOpenAIRefusal(t *testing.T) {
	srv := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"I'm sorry, I can't assist with that."},"finish_reason":"stop"}]}`)
	})
	w, err := New(Config{Provider: "openai", BaseURL: srv, APIKey: testAPIKey}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(t.Context(), hostedRequest); !errorsIs(err, ErrUnusableAnswer) {
		t.Fatalf("err = %v, want ErrUnusableAnswer", err)
	}
}
