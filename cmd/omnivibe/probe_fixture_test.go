package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// estate is one account with a resource of every kind, each named with mark
// so that an answer showing any of it to someone else can be found.
type estate struct {
	mark     string
	owner    user
	viewer   user // a member of the account, role viewer
	client   int64
	bare     int64 // a client without campaigns (deletable)
	campaign int64
	content  int64
	script   int64
	task     string
	key      int64  // an API key of the owner
	apiKey   string // its secret
	hook     int64  // 0 when the server has no receiver for it
	delivery int64
}

// furnish gives owner's account one resource of every kind. hookURL, when
// set, is the receiver of its webhook, whose test delivery is waited for.
func (p *probe) furnish(owner user, mark, hookURL string) estate {
	p.t.Helper()
	e := estate{mark: mark, owner: owner}
	tok := owner.token
	e.viewer = p.addMember(owner, mark+"-viewer", "viewer")
	e.client = p.create(tok, "/api/v1/clients", map[string]any{"name": mark + " client", "industry": mark})
	e.bare = p.create(tok, "/api/v1/clients", map[string]any{"name": mark + " bare client"})
	e.campaign = p.create(tok, "/api/v1/campaigns", map[string]any{"client_id": e.client, "name": mark + " campaign", "description": mark})
	e.content = p.create(tok, fmt.Sprintf("/api/v1/campaigns/%d/contents", e.campaign),
		map[string]any{"title": mark + " content", "topic": mark + " topic", "platform": "youtube", "language": "en"})
	e.script = p.must(200, call{method: "PUT", path: fmt.Sprintf("/api/v1/contents/%d/script", e.content), token: tok,
		body: scriptBody(mark)}).id("script_id")
	e.task = p.audioTask(tok, map[string]any{"content_id": e.content, "language": "en"})
	e.key, e.apiKey = p.apiKey(owner, mark+" key")
	if hookURL != "" {
		e.hook = p.create(tok, "/api/v1/webhooks", map[string]any{"url": hookURL, "description": mark, "events": []string{"audio.failed"}})
		e.delivery = int64(p.testDelivery(tok, e.hook)["id"].(float64))
	}
	return e
}

// scriptBody is a valid body of PUT /contents/{id}/script.
func scriptBody(mark string) map[string]any {
	return map[string]any{"blocks": []map[string]any{
		{"type": "hook", "text": "Hook of " + mark + "."},
		{"type": "body", "text": "The body of " + mark + " says a few words."},
		{"type": "cta", "text": "Subscribe to " + mark + "."},
	}}
}

// receiver is a customer's webhook endpoint (the far side of the network):
// it answers every delivery with 204.
func receiver(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	t.Cleanup(srv.Close)
	return srv
}

// validBody is a body that pattern accepts from the owner of e, with n
// making its names and emails unique; nil for routes without a JSON body.
func validBody(pattern string, e estate, n int) map[string]any {
	u := fmt.Sprintf("%s-%d", e.mark, n)
	switch pattern {
	case "POST /api/v1/auth/register", "POST /studio/session/register":
		return map[string]any{"email": u + "@probe.example", "password": probePassword, "name": "Probe " + u, "account_name": "Agency " + u}
	case "POST /api/v1/auth/login", "POST /studio/session":
		return map[string]any{"email": e.owner.email, "password": probePassword}
	case "POST /api/v1/auth/refresh":
		return map[string]any{"refresh_token": e.owner.refresh}
	case "POST /api/v1/auth/api-keys":
		return map[string]any{"name": "key " + u, "expires_in_days": 30}
	case "PATCH /api/v1/account":
		return map[string]any{"name": "Agency " + u}
	case "POST /api/v1/account/users":
		return map[string]any{"email": u + "-member@probe.example", "name": "Member " + u, "password": probePassword, "role": "member"}
	case "PATCH /api/v1/account/users/{id}":
		return map[string]any{"role": "viewer"}
	case "POST /api/v1/clients", "PATCH /api/v1/clients/{id}":
		return map[string]any{"name": "Client " + u, "industry": "ads", "brand_color": "#112233", "logo_url": "https://cdn.probe.example/l.png",
			"contact_email": "c@probe.example", "website_url": "https://probe.example/"}
	case "POST /api/v1/campaigns", "PATCH /api/v1/campaigns/{id}":
		return map[string]any{"client_id": e.client, "name": "Campaign " + u, "description": "d", "platform": "youtube", "concept_gender": "female",
			"concept_tone": "casual", "concept_style": "calm", "voice_id": "v", "voice_name": "Vera", "intro_video_url": "https://probe.example/i.mp4",
			"outro_video_url": "https://probe.example/o.mp4", "bgm_url": "https://probe.example/b.mp3", "publish_schedule": "daily",
			"status": "active", "start_date": "2026-12-01", "end_date": "2026-12-31"}
	case "POST /api/v1/campaigns/{id}/contents", "PATCH /api/v1/contents/{id}":
		return map[string]any{"title": "Title " + u, "topic": "Topic " + u, "platform": "tiktok", "language": "en", "target_audience": "all",
			"keywords": []string{"k1", "k2"}, "publish_date": "2026-12-02", "status": "draft"}
	case "PUT /api/v1/contents/{id}/script":
		return scriptBody(u)
	case "POST /api/v1/writer/generate":
		return map[string]any{"topic": "Topic " + u, "platform": "youtube", "tone": "casual", "language": "en", "target_duration": 30,
			"target_audience": "all", "campaign_name": "Campaign " + u}
	case "POST /api/v1/writer/duration":
		return map[string]any{"text": "A few words " + u + ".", "language": "en"}
	case "POST /api/v1/audio/generate":
		return map[string]any{"text": "A few words " + u + ".", "voice_id": "default", "language": "en"}
	case "PUT /api/v1/billing/plan":
		return map[string]any{"plan": "pro"}
	case "POST /api/v1/webhooks", "PATCH /api/v1/webhooks/{id}":
		return map[string]any{"url": "https://hooks.probe.example/" + u, "description": "hook " + u, "events": []string{"audio.failed"}}
	case "POST /api/v1/webhooks/{id}/rotate-secret":
		return map[string]any{"overlap_seconds": 60}
	}
	return nil
}

// fill puts e's IDs into a route's path: {id} is the resource the path
// names, {task_id} and {delivery_id} e's task and delivery.
func fill(pattern string, e estate) string {
	_, path, _ := strings.Cut(pattern, " ")
	id := ""
	switch {
	case strings.HasPrefix(path, "/api/v1/auth/api-keys/"):
		id = fmt.Sprint(e.key)
	case strings.HasPrefix(path, "/api/v1/account/users/"):
		id = fmt.Sprint(e.viewer.id)
	case strings.HasPrefix(path, "/api/v1/clients/"):
		id = fmt.Sprint(e.client)
	case strings.HasPrefix(path, "/api/v1/campaigns/"):
		id = fmt.Sprint(e.campaign)
	case strings.HasPrefix(path, "/api/v1/contents/"):
		id = fmt.Sprint(e.content)
	case strings.HasPrefix(path, "/api/v1/webhooks/"):
		id = fmt.Sprint(e.hook)
	}
	r := strings.NewReplacer("{id}", id, "{task_id}", e.task, "{delivery_id}", fmt.Sprint(e.delivery))
	return r.Replace(path)
}

// wav is a second of a 440 Hz tone, 16 kHz 16-bit mono PCM.
func wav() []byte {
	const rate = 16000
	samples := make([]int16, rate)
	for i := range samples {
		samples[i] = int16(8000 * math.Sin(2*math.Pi*440*float64(i)/rate))
	}
	var b bytes.Buffer
	size := uint32(len(samples) * 2)
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, 36+size)
	b.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(1), uint32(rate), uint32(rate * 2), uint16(2), uint16(16)} {
		binary.Write(&b, binary.LittleEndian, v)
	}
	b.WriteString("data")
	binary.Write(&b, binary.LittleEndian, size)
	binary.Write(&b, binary.LittleEndian, samples)
	return b.Bytes()
}

// verifyCall is a POST /audio/verify of a second of tone with these text fields.
func verifyCall(token string, fields map[string]string) call {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("file", "tone.wav")
	fw.Write(wav())
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	mw.Close()
	return call{method: "POST", path: "/api/v1/audio/verify", token: token, body: b.Bytes(), header: map[string]string{"Content-Type": mw.FormDataContentType()}}
}
