package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/omnivibepro/omnivibe"
)

// AudioAccepted is the answer of GenerateAudio.
type AudioAccepted struct {
	TaskID    string    `json:"task_id"`
	Status    string    `json:"status"`
	StatusURL string    `json:"status_url"`
	CreatedAt time.Time `json:"created_at"`
	// Replayed is true when the server returned the task of an earlier
	// request with the same idempotency key (200) instead of a new one (202).
	Replayed bool `json:"-"`
}

// GenerateAudio queues a voice-over. A non-empty idempotencyKey makes a
// retried call return the first task instead of queueing another.
func (c *Client) GenerateAudio(ctx context.Context, in omnivibe.AudioRequest, idempotencyKey string) (AudioAccepted, error) {
	var h http.Header
	if idempotencyKey != "" {
		h = http.Header{"Idempotency-Key": {idempotencyKey}}
	}
	var out AudioAccepted
	status, err := c.doWith(ctx, http.MethodPost, apiPrefix+"/audio/generate", h, in, &out)
	out.Replayed = status == http.StatusOK
	return out, err
}

// AudioStatus returns a task's progress and result.
func (c *Client) AudioStatus(ctx context.Context, taskID string) (omnivibe.AudioTask, error) {
	var out omnivibe.AudioTask
	err := c.do(ctx, http.MethodGet, apiPrefix+"/audio/status/"+url.PathEscape(taskID), nil, &out)
	return out, err
}

// WaitAudio polls a task every interval until it has finished or ctx ends.
func (c *Client) WaitAudio(ctx context.Context, taskID string, interval time.Duration) (omnivibe.AudioTask, error) {
	for {
		t, err := c.AudioStatus(ctx, taskID)
		if err != nil || omnivibe.AudioFinished(t.Status) {
			return t, err
		}
		select {
		case <-ctx.Done():
			return t, ctx.Err()
		case <-time.After(interval):
		}
	}
}

// ListAudio returns a page of the account's tasks; zero filter fields are not sent.
func (c *Client) ListAudio(ctx context.Context, f omnivibe.AudioFilter) (omnivibe.AudioPage, error) {
	q := url.Values{}
	if f.Status != "" {
		q.Set("status", f.Status)
	}
	if f.Page != 0 {
		q.Set("page", strconv.Itoa(f.Page))
	}
	if f.PageSize != 0 {
		q.Set("page_size", strconv.Itoa(f.PageSize))
	}
	path := apiPrefix + "/audio"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var out omnivibe.AudioPage
	err := c.do(ctx, http.MethodGet, path, nil, &out)
	return out, err
}

// CancelAudio cancels a queued or running task.
func (c *Client) CancelAudio(ctx context.Context, taskID string) error {
	return c.do(ctx, http.MethodDelete, apiPrefix+"/audio/"+url.PathEscape(taskID), nil, nil)
}

// AudioFile is a downloaded voice-over, or part of one.
type AudioFile struct {
	Data        []byte
	ContentType string
	// Status is 200 for the whole file, 206 for a range.
	Status int
	// ContentRange is the Content-Range header of a 206.
	ContentRange string
}

// DownloadAudio fetches a finished task's audio; rangeHeader, when not
// empty, is sent as Range (e.g. "bytes=0-1023").
func (c *Client) DownloadAudio(ctx context.Context, taskID, rangeHeader string) (AudioFile, error) {
	h := http.Header{"Accept": {"audio/wav, audio/mpeg"}}
	if rangeHeader != "" {
		h.Set("Range", rangeHeader)
	}
	resp, err := c.send(ctx, http.MethodGet, apiPrefix+"/audio/download/"+url.PathEscape(taskID), h, nil)
	if err != nil {
		return AudioFile{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusPartialContent {
		return AudioFile{}, decodeError(resp)
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return AudioFile{}, fmt.Errorf("omnivibe client: read audio: %w", err)
	}
	return AudioFile{Data: data, ContentType: resp.Header.Get("Content-Type"), Status: resp.StatusCode,
		ContentRange: resp.Header.Get("Content-Range")}, nil
}
