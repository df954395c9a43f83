package writer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// anthropicVersion is the Messages API version the requests are written for.
const anthropicVersion = "2023-06-01"

// anthropicProtocol speaks the Anthropic Messages API: POST {base}/v1/messages with the
// x-api-key and anthropic-version headers.
type anthropicProtocol struct{}

func (anthropicProtocol) name() string { return ProviderAnthropic }

type anthropicMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type anthropicRequest struct {
	Model       string             `json:"model"`
	MaxTokens   int                `json:"max_tokens"`
	System      string             `json:"system"`
	Messages    []anthropicMessage `json:"messages"`
	Temperature float64            `json:"temperature"`
}

type anthropicResponse struct {
	Type    string `json:"type"`
	Content []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"content"`
	StopReason string `json:"stop_reason"`
}

type anthropicError struct {
	Type  string `json:"type"`
	Error struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
}

func (anthropicProtocol) newRequest(ctx context.Context, cfg Config, system, user string) (*http.Request, error) {
	body, err := json.Marshal(anthropicRequest{
		Model:       cfg.Model,
		MaxTokens:   cfg.MaxTokens,
		System:      system,
		Messages:    []anthropicMessage{{Role: "user", Content: user}},
		Temperature: 0.8,
	})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.BaseURL+"/v1/messages", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Api-Key", cfg.APIKey)
	req.Header.Set("Anthropic-Version", anthropicVersion)
	return req, nil
}

func (anthropicProtocol) answerText(body []byte) (string, error) {
	var resp anthropicResponse
	if err := json.Unmarshal(body, &resp); err != nil || resp.Type != "message" {
		return "", fmt.Errorf("%w: answer is not a Messages API message", ErrUnavailable)
	}
	var text strings.Builder
	for _, c := range resp.Content {
		if c.Type == "text" {
			text.WriteString(c.Text)
		}
	}
	if strings.TrimSpace(text.String()) == "" {
		return "", fmt.Errorf("%w: message has no text (stop_reason %q)", ErrUnusableAnswer, resp.StopReason)
	}
	return text.String(), nil
}

func (anthropicProtocol) errorDetail(body []byte) string {
	var e anthropicError
	if json.Unmarshal(body, &e) != nil || e.Error.Type == "" && e.Error.Message == "" {
		return ""
	}
	return strings.TrimSpace(e.Error.Type + ": " + e.Error.Message)
}
