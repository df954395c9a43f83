package speech

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxAudioResponse bounds what a hosted provider may send back; five
// minutes of 48 kHz stereo WAV is about 55 MB.
const maxAudioResponse = 64 << 20

// send performs a hosted provider request (made with ctx) and turns every
// failure into a ProviderError: network errors and 429/5xx are
// ErrProviderUnavailable, other 4xx are ErrProviderRejected. The request's headers (and so the API key)
// never reach an error message.
func send(ctx context.Context, client *http.Client, provider string, req *http.Request) ([]byte, http.Header, error) {
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		// A *url.Error names the URL, which carries no secret; the key is
		// in a header.
		var ne net.Error
		timeout := errors.As(err, &ne) && ne.Timeout()
		return nil, nil, &ProviderError{Provider: provider, Kind: ErrProviderUnavailable, Message: err.Error(), Timeout: timeout}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAudioResponse+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, nil, &ProviderError{Provider: provider, Status: resp.StatusCode, Kind: ErrProviderUnavailable, Message: "reading the answer: " + err.Error()}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if len(body) > maxAudioResponse {
			return nil, nil, &ProviderError{Provider: provider, Status: resp.StatusCode, Kind: ErrProviderRejected, Message: "answer larger than 64 MiB"}
		}
		return body, resp.Header, nil
	}
	pe := &ProviderError{Provider: provider, Status: resp.StatusCode, Message: providerMessage(body)}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests && isQuotaExhausted(body):
		// OpenAI answers 429 insufficient_quota when the account has no
		// credit left: waiting will not help.
		pe.Kind = ErrProviderRejected
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 || resp.StatusCode == http.StatusRequestTimeout:
		pe.Kind = ErrProviderUnavailable
		pe.RetryAfterSeconds = retryAfter(resp.Header, time.Now())
	default:
		pe.Kind = ErrProviderRejected
	}
	return nil, nil, pe
}

// providerMessage pulls the human explanation out of the error bodies of
// ElevenLabs ({"detail": {"status", "message"}} or FastAPI's validation list
// {"detail": [{"msg"}]}) and OpenAI ({"error": {"message", "code"}}),
// falling back to the start of the body.
func providerMessage(body []byte) string {
	var doc struct {
		Detail json.RawMessage `json:"detail"`
		Error  *struct {
			Message string `json:"message"`
			Code    any    `json:"code"`
			Type    string `json:"type"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &doc) == nil {
		if doc.Error != nil && doc.Error.Message != "" {
			msg := doc.Error.Message
			if code, ok := doc.Error.Code.(string); ok && code != "" {
				msg = code + ": " + msg
			}
			return Shorten(msg, 300)
		}
		if len(doc.Detail) > 0 {
			var obj struct {
				Status  string `json:"status"`
				Message string `json:"message"`
			}
			if json.Unmarshal(doc.Detail, &obj) == nil && (obj.Message != "" || obj.Status != "") {
				return Shorten(strings.TrimPrefix(obj.Status+": "+obj.Message, ": "), 300)
			}
			var list []struct {
				Loc []any  `json:"loc"`
				Msg string `json:"msg"`
			}
			if json.Unmarshal(doc.Detail, &list) == nil && len(list) > 0 {
				msgs := make([]string, 0, len(list))
				for _, item := range list {
					msgs = append(msgs, item.Msg)
				}
				return Shorten(strings.Join(msgs, "; "), 300)
			}
			var text string
			if json.Unmarshal(doc.Detail, &text) == nil {
				return Shorten(text, 300)
			}
		}
	}
	return Shorten(strings.TrimSpace(string(body)), 200)
}

func isQuotaExhausted(body []byte) bool {
	var doc struct {
		Error *struct {
			Code any    `json:"code"`
			Type string `json:"type"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &doc) != nil || doc.Error == nil {
		return false
	}
	code, _ := doc.Error.Code.(string)
	return code == "insufficient_quota" || doc.Error.Type == "insufficient_quota"
}

// retryAfter reads how long to wait from Retry-After (seconds or an HTTP
// date) or OpenAI's retry-after-ms; 0 when the answer does not say.
func retryAfter(h http.Header, now time.Time) float64 {
	if ms := h.Get("Retry-After-Ms"); ms != "" {
		if v, err := strconv.ParseFloat(ms, 64); err == nil && v >= 0 {
			return v / 1000
		}
	}
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 {
		return secs
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(0, t.Sub(now).Seconds())
	}
	return 0
}
