package writer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// openAIProtocol speaks the OpenAI chat-completions API: POST {base}/chat/completions
// with a bearer token. Self-hosted servers that copy the API (vLLM, llama.cpp, Ollama,
// LM Studio and others) speak it too, and may need no token.
type openAIProtocol struct{}

func (openAIProtocol) name() string { return ProviderOpenAI }

type openAIMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type openAIRequest struct {
	Model       string          `json:"model"`
	Messages    []openAIMessage `json:"messages"`
	MaxTokens   int             `json:"max_tokens"`
	Temperature float64         `json:"temperature"`
}

type openAIResponse struct {
	Choices []struct {
		Message struct {
			Content *string `json:"content"`
			Refusal *string `json:"refusal"`
		} `json:"message"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
}

type openAIError struct {
	Error struct {
		Message string `json:"message"`
		Type    string `json:"type"`
		Code    any    `json:"code"` // a string at OpenAI, a number at some compatible servers
	} `json:"error"`
}

func (openAIProtocol) newRequest(ctx context.Context, cfg Config, system, user string) (*http.Request, error) {
	body, err := json.Marshal(openAIRequest{
		Model: cfg.Model,
		Messages: []openAIMessage{
			{Role: "system", Content: system},
			{Role: "user", Content: user},
		},
		MaxTokens:   cfg.MaxTokens,
		Temperature: 0.8,
	})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.BaseURL+"/chat/completions", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if cfg.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+cfg.APIKey)
	}
	return req, nil
}

func (openAIProtocol) answerText(body []byte) (string, error) {
	var resp openAIResponse
	if err := json.Unmarshal(body, &resp); err != nil || resp.Choices == nil {
		return "", fmt.Errorf("%w: answer is not a chat completion", ErrUnavailable)
	}
	if len(resp.Choices) == 0 {
		return "", fmt.Errorf("%w: chat completion has no choices", ErrUnusableAnswer)
	}
	msg := resp.Choices[0].Message
	if msg.Refusal != nil && *msg.Refusal != "" {
		return "", fmt.Errorf("%w: the model refused", ErrUnusableAnswer)
	}
	if msg.Content == nil || strings.TrimSpace(*msg.Content) == "" {
		return "", fmt.Errorf("%w: chat completion has no text (finish_reason %q)", ErrUnusableAnswer, resp.Choices[0].FinishReason)
	}
	return *msg.Content, nil
}

func (openAIProtocol) errorDetail(body []byte) string {
	var e openAIError
	if json.Unmarshal(body, &e) != nil || e.Error.Message == "" && e.Error.Type == "" {
		return ""
	}
	detail := e.Error.Message
	if e.Error.Type != "" {
		detail = e.Error.Type + ": " + detail
	}
	return detail
}
