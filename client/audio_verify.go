package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strconv"

	"github.com/omnivibepro/omnivibe"
)

// AudioVerification is the answer of VerifyAudio: how well the audio says
// the script, word by word.
type AudioVerification struct {
	Similarity     *float64             `json:"similarity"` // nil when unverified
	Verdict        *string              `json:"verdict"`    // match, partial, mismatch; nil when unverified
	Threshold      float64              `json:"threshold"`
	Verified       bool                 `json:"verified"`
	Warning        *string              `json:"warning"`
	Recognizer     string               `json:"recognizer"`
	Transcript     string               `json:"transcript"`
	NormalizedText string               `json:"normalized_text"`
	Duration       float64              `json:"duration"`
	Words          []omnivibe.AudioWord `json:"words"`
}

// VerifyRequest is what VerifyAudio sends: the audio file (WAV or MP3) and
// the script it should say.
type VerifyRequest struct {
	Audio    []byte
	Filename string // default "audio.wav"
	Text     string
	Language string // default en
	// AccuracyThreshold is the similarity of a match; nil for the server's
	// default.
	AccuracyThreshold *float64
}

// VerifyAudio uploads a voice-over to POST /audio/verify (multipart/form-data)
// and returns the server's check of it against the script.
func (c *Client) VerifyAudio(ctx context.Context, in VerifyRequest) (AudioVerification, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fields := [][2]string{{"text", in.Text}}
	if in.Language != "" {
		fields = append(fields, [2]string{"language", in.Language})
	}
	if in.AccuracyThreshold != nil {
		fields = append(fields, [2]string{"accuracy_threshold", strconv.FormatFloat(*in.AccuracyThreshold, 'g', -1, 64)})
	}
	for _, f := range fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			return AudioVerification{}, err
		}
	}
	name := in.Filename
	if name == "" {
		name = "audio.wav"
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, name))
	h.Set("Content-Type", "application/octet-stream")
	part, err := mw.CreatePart(h)
	if err != nil {
		return AudioVerification{}, err
	}
	if _, err := part.Write(in.Audio); err != nil {
		return AudioVerification{}, err
	}
	if err := mw.Close(); err != nil {
		return AudioVerification{}, err
	}
	const path = apiPrefix + "/audio/verify"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL+path, &body)
	if err != nil {
		return AudioVerification{}, fmt.Errorf("omnivibe client: %w", err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if c.apiKey != "" {
		req.Header.Set("X-API-Key", c.apiKey)
	}
	if token, _ := c.Tokens(); token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return AudioVerification{}, fmt.Errorf("omnivibe client: POST %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return AudioVerification{}, decodeError(resp)
	}
	var out AudioVerification
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return out, fmt.Errorf("omnivibe client: decode POST %s answer (request %s): %w", path, resp.Header.Get("X-Request-ID"), err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return out, nil
}
