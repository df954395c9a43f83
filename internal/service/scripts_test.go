package service_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/writer"
)

func ptr[T any](v T) *T { return &v }

func TestGenerateScriptCachesIdenticalRequests(t *testing.T) {
	svc, _ := newService(t, writer.Config{Provider: "local"})
	p := owner(t, svc)
	ctx := context.Background()
	in := omnivibe.ScriptRequest{Topic: "AI 비디오 자동화", Platform: "YouTube", TargetDuration: ptr(90)}
	first, err := svc.GenerateScript(ctx, p, in)
	if err != nil {
		t.Fatal(err)
	}
	if first.Cached || first.Provider != "local" || first.Language != "ko" || first.Tone != "professional" || first.Platform != "youtube" || first.TargetDuration != 90 {
		t.Fatalf("first: %+v", first)
	}
	if len(first.Blocks) < 3 || first.Blocks[0].Type != "hook" || first.Blocks[len(first.Blocks)-1].Type != "cta" {
		t.Fatalf("blocks: %+v", first.Blocks)
	}
	var sum float64
	for _, b := range first.Blocks {
		if b.Duration < 3 {
			t.Fatalf("block under 3 s: %+v", b)
		}
		sum += b.Duration
	}
	if sum < 81 || sum > 99 {
		t.Fatalf("blocks sum to %.1f s, want 90 ±10 %%", sum)
	}
	// Same request with other spacing: the stored script, no quota.
	again, err := svc.GenerateScript(ctx, p, omnivibe.ScriptRequest{Topic: "  AI   비디오 자동화 ", Platform: "youtube", TargetDuration: ptr(90)})
	if err != nil || !again.Cached || again.ID != first.ID || again.Hook != first.Hook {
		t.Fatalf("again: cached %v id %d (want %d), %v", again.Cached, again.ID, first.ID, err)
	}
	regen, err := svc.GenerateScript(ctx, p, omnivibe.ScriptRequest{Topic: "AI 비디오 자동화", Platform: "youtube", TargetDuration: ptr(90), Regenerate: true})
	if err != nil || regen.Cached || regen.ID == first.ID {
		t.Fatalf("regenerate: %+v, %v", regen, err)
	}
	other, _ := svc.GenerateScript(ctx, p, omnivibe.ScriptRequest{Topic: "AI 비디오 자동화", Platform: "tiktok", TargetDuration: ptr(90)})
	if other.Cached {
		t.Fatal("another platform is another request")
	}
	// Another account does not see the first account's cache.
	q := owner(t, svc)
	theirs, err := svc.GenerateScript(ctx, q, in)
	if err != nil || theirs.Cached {
		t.Fatalf("other account: cached %v, %v", theirs.Cached, err)
	}
	u, _ := svc.Usage(ctx, p)
	if u.Used.Scripts != 3 {
		t.Fatalf("usage %d, want 3 (first, regenerate, tiktok)", u.Used.Scripts)
	}
}

func TestGenerateScriptForContent(t *testing.T) {
	svc, _ := newService(t, writer.Config{Provider: "local"})
	p := owner(t, svc)
	ctx := context.Background()
	client, _ := svc.CreateClient(ctx, p, omnivibe.ClientInput{Name: omnivibe.Some("C")})
	camp, err := svc.CreateCampaign(ctx, p, omnivibe.CampaignInput{ClientID: omnivibe.Some(client.ID), Name: omnivibe.Some("Spring"),
		ConceptTone: omnivibe.Some("humorous"), TargetDuration: omnivibe.Some(45)})
	if err != nil {
		t.Fatal(err)
	}
	content, err := svc.CreateContent(ctx, p, camp.ID, omnivibe.ContentInput{Topic: omnivibe.Some("home cafe latte art"), Platform: omnivibe.Some("instagram"), Language: omnivibe.Some("en")})
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.GenerateScript(ctx, p, omnivibe.ScriptRequest{ContentID: &content.ID})
	if err != nil {
		t.Fatal(err)
	}
	if res.ContentID == nil || *res.ContentID != content.ID || res.Language != "en" || res.Platform != "instagram" || res.Tone != "humorous" || res.TargetDuration != 45 || res.Topic != "home cafe latte art" {
		t.Fatalf("defaults from content and campaign: %+v", res.Script)
	}
	stored, err := svc.ContentScript(ctx, p, content.ID)
	if err != nil || stored.ID != res.ID || len(stored.Blocks) != len(res.Blocks) || stored.Blocks[0].Text != res.Blocks[0].Text {
		t.Fatalf("GET script: %+v, %v", stored, err)
	}
	after, _ := svc.Content(ctx, p, content.ID)
	if after.Status != omnivibe.ContentScriptGenerated {
		t.Fatalf("content status %q", after.Status)
	}
	// Another account's content is not usable.
	q := owner(t, svc)
	_, err = svc.GenerateScript(ctx, q, omnivibe.ScriptRequest{ContentID: &content.ID})
	wantCode(t, err, omnivibe.CodeValidation)
	_, err = svc.GenerateScript(ctx, q, omnivibe.ScriptRequest{Topic: "x", CampaignID: &camp.ID})
	wantCode(t, err, omnivibe.CodeValidation)
}

func TestGenerateScriptBadInput(t *testing.T) {
	svc, _ := newService(t, writer.Config{Provider: "local"})
	p := owner(t, svc)
	for name, in := range map[string]omnivibe.ScriptRequest{
		"no topic":          {},
		"blank topic":       {Topic: "   "},
		"unknown platform":  {Topic: "t", Platform: "myspace"},
		"unknown language":  {Topic: "t", Language: "fr"},
		"unknown tone":      {Topic: "t", Tone: "angry"},
		"duration too low":  {Topic: "t", TargetDuration: ptr(9)},
		"duration too high": {Topic: "t", TargetDuration: ptr(601)},
		"zero content":      {ContentID: ptr(int64(0))},
	} {
		_, err := svc.GenerateScript(context.Background(), p, in)
		if omnivibe.ErrorCode(err) != omnivibe.CodeValidation {
			t.Errorf("%s: got %v", name, err)
		}
	}
	viewer := p
	viewer.Role = omnivibe.RoleViewer
	_, err := svc.GenerateScript(context.Background(), viewer, omnivibe.ScriptRequest{Topic: "t"})
	wantCode(t, err, omnivibe.CodeForbidden)
}

// TestScriptQuotaUnderConcurrency: 50 different generates at once on an account
// with 15 left give exactly 15 scripts; the rest are quota_exceeded.
func TestScriptQuotaUnderConcurrency(t *testing.T) {
	svc, _ := newService(t, writer.Config{Provider: "local"})
	p := owner(t, svc)
	ctx := context.Background()
	var ok, refused atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, err := svc.GenerateScript(ctx, p, omnivibe.ScriptRequest{Topic: fmt.Sprintf("topic %d", i)})
			switch omnivibe.ErrorCode(err) {
			case "":
				ok.Add(1)
			case omnivibe.CodeQuotaExceeded:
				refused.Add(1)
			default:
				t.Errorf("unexpected: %v", err)
			}
		}(i)
	}
	wg.Wait()
	u, _ := svc.Usage(ctx, p)
	if ok.Load() != 15 || refused.Load() != 35 || u.Used.Scripts != 15 {
		t.Fatalf("ok %d refused %d used %d; want 15, 35, 15", ok.Load(), refused.Load(), u.Used.Scripts)
	}
	// A cached answer still works with the quota used up.
	if _, err := svc.GenerateScript(ctx, p, omnivibe.ScriptRequest{Topic: "topic 0"}); err != nil && omnivibe.ErrorCode(err) != omnivibe.CodeQuotaExceeded {
		t.Fatal(err)
	}
	_, err := svc.GenerateScript(ctx, p, omnivibe.ScriptRequest{Topic: "new topic"})
	var e *omnivibe.Error
	if omnivibe.ErrorCode(err) != omnivibe.CodeQuotaExceeded || !asError(err, &e) || e.Quota.Used != 15 || e.Quota.Limit != 15 || e.Quota.Plan != "free" {
		t.Fatalf("quota error: %+v", err)
	}
}

func asError(err error, target **omnivibe.Error) bool {
	e, ok := err.(*omnivibe.Error)
	*target = e
	return ok
}

// hostedAnswer is a chat-completions answer holding a script.
func hostedAnswer(w http.ResponseWriter) {
	b, _ := json.Marshal(map[string]any{"id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4o-mini",
		"choices": []map[string]any{{"index": 0, "finish_reason": "stop", "message": map[string]any{"role": "assistant",
			"content": "HOOK:\nStill buying latte every day?\n\nBODY:\n1. A moka pot makes strong espresso at home.\n2. Heat the milk to sixty degrees and froth it twenty times.\n\nCTA:\nSubscribe for more home cafe tips!"}}}})
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

// TestConcurrentIdenticalRequestsCallTheProviderOnce uses an OpenAI-compatible
// test server that counts calls and answers slowly.
func TestConcurrentIdenticalRequestsCallTheProviderOnce(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" {
			http.NotFound(w, r)
			return
		}
		calls.Add(1)
		time.Sleep(200 * time.Millisecond)
		hostedAnswer(w)
	}))
	defer srv.Close()
	svc, _ := newService(t, writer.Config{Provider: "openai", BaseURL: srv.URL + "/v1"})
	p := owner(t, svc)
	ctx := context.Background()
	var wg sync.WaitGroup
	ids := make([]int64, 10)
	for i := range ids {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			res, err := svc.GenerateScript(ctx, p, omnivibe.ScriptRequest{Topic: "home cafe", Language: "en"})
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = res.ID
		}(i)
	}
	wg.Wait()
	if calls.Load() != 1 {
		t.Fatalf("provider called %d times, want 1", calls.Load())
	}
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("different scripts: %v", ids)
		}
	}
	if u, _ := svc.Usage(ctx, p); u.Used.Scripts != 1 {
		t.Fatalf("usage %d, want 1", u.Used.Scripts)
	}
}

// TestFailedGenerationCostsNothing: a provider that fails gives 503 (or 504
// when it is too slow), stores nothing and uses no quota.
func TestFailedGenerationCostsNothing(t *testing.T) {
	var slow atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if slow.Load() {
			time.Sleep(500 * time.Millisecond)
			hostedAnswer(w)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte(`{"error":{"message":"The server had an error","type":"server_error","param":null,"code":null}}`))
	}))
	defer srv.Close()
	svc, store := newService(t, writer.Config{Provider: "openai", BaseURL: srv.URL + "/v1", MaxRetries: 1,
		RetryBaseDelay: time.Millisecond, Timeout: 100 * time.Millisecond})
	p := owner(t, svc)
	ctx := context.Background()
	_, err := svc.GenerateScript(ctx, p, omnivibe.ScriptRequest{Topic: "t", Language: "en"})
	wantCode(t, err, omnivibe.CodeUnavailable)
	slow.Store(true)
	_, err = svc.GenerateScript(ctx, p, omnivibe.ScriptRequest{Topic: "t2", Language: "en"})
	wantCode(t, err, omnivibe.CodeTimeout)
	u, _ := svc.Usage(ctx, p)
	if u.Used.Scripts != 0 {
		t.Fatalf("failed generations used %d units", u.Used.Scripts)
	}
	if _, err := store.ScriptByCacheKey(ctx, p.AccountID, "anything"); omnivibe.ErrorCode(err) != omnivibe.CodeNotFound {
		t.Fatal(err)
	}
}

func TestDuration(t *testing.T) {
	svc, _ := newService(t, writer.Config{Provider: "local"})
	est, err := svc.Duration(omnivibe.DurationRequest{Text: ""})
	if err != nil || est.Seconds != 0 {
		t.Fatalf("empty: %+v, %v", est, err)
	}
	est, err = svc.Duration(omnivibe.DurationRequest{Text: "one two three. four five", Language: "en"})
	if err != nil || est.Words != 5 || est.Pauses != 1 || est.Seconds != 2.5 {
		t.Fatalf("en: %+v, %v (want 5 words at 150/min = 2 s, plus 0.5 s)", est, err)
	}
	_, err = svc.Duration(omnivibe.DurationRequest{Text: "x", Language: "fr"})
	wantCode(t, err, omnivibe.CodeValidation)
}
