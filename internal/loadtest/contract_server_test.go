package loadtest

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// contractServer is a fake OmniVibe Pro API that implements just enough of the
// contract (shared/spec/api.md) for the load scenario: register, refresh, plan
// change, clients, campaigns, writer, plans and audio. It validates every body
// the way the contract says, so a scenario request that strays from the contract
// shows up as a failure, and it counts what it saw per endpoint.
type contractServer struct {
	*httptest.Server
	tokenLife time.Duration

	mu        sync.Mutex
	emails    map[string]bool
	tokens    map[string]*fakeSession // access token → session
	refreshes map[string]*fakeAccount // refresh token → account (single use)
	nextID    int64

	seen     [numEndpoints]atomic.Int64
	total    atomic.Int64
	rejected atomic.Int64 // answers ≥ 400, for diagnostics
	lastErr  atomic.Value // the last rejection's message

	logRejections io.Writer // when set, each rejection is written here

	// finishAfter, when above zero, makes a voice-over end at the status poll
	// that comes that long after it was accepted; until then (and always,
	// when zero) it is running. failEvery > 0 makes every failEvery-th task
	// end failed instead of succeeded.
	finishAfter time.Duration
	failEvery   int64
	accepted    atomic.Int64
	failed      atomic.Int64 // tasks that were given the failed end
	finished    atomic.Int64 // tasks whose end was reported at least once
}

// fakeTask is one voice-over of the fake API.
type fakeTask struct {
	n        int64
	created  time.Time
	fail     bool
	reported bool
}

type fakeSession struct {
	account *fakeAccount
	expires time.Time
}

type fakeAccount struct {
	id        int64
	plan      string
	clients   map[int64]bool
	campaigns map[string]bool
	tasks     map[string]*fakeTask
}

func newContractServer(t testing.TB) *contractServer {
	s := newContractAPI()
	s.Server = httptest.NewServer(s.handler())
	t.Cleanup(s.Close)
	return s
}

// newContractAPI builds the fake API without a server, so that TestMain can also
// serve it from a separate process (for running Locust against it).
func newContractAPI() *contractServer {
	return &contractServer{
		tokenLife: 30 * time.Minute,
		emails:    map[string]bool{},
		tokens:    map[string]*fakeSession{},
		refreshes: map[string]*fakeAccount{},
	}
}

func (s *contractServer) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/auth/register", s.count(epRegister, s.register))
	mux.HandleFunc("POST /api/v1/auth/refresh", s.count(epRefreshToken, s.refresh))
	mux.HandleFunc("PUT /api/v1/billing/plan", s.count(epSetPlan, s.authed(s.setPlan)))
	mux.HandleFunc("GET /api/v1/billing/plans", s.count(epListPlans, s.listPlans))
	mux.HandleFunc("POST /api/v1/clients", s.count(epCreateClient, s.authed(s.createClient)))
	mux.HandleFunc("GET /api/v1/campaigns", s.count(epListCampaigns, s.authed(s.listCampaigns)))
	mux.HandleFunc("POST /api/v1/campaigns", s.count(epCreateCampaign, s.authed(s.createCampaign)))
	mux.HandleFunc("POST /api/v1/writer/generate", s.count(epGenerateScript, s.authed(s.generateScript)))
	mux.HandleFunc("POST /api/v1/audio/generate", s.count(epGenerateAudio, s.authed(s.generateAudio)))
	mux.HandleFunc("GET /api/v1/audio/status/{task_id}", s.count(epAudioStatus, s.authed(s.audioStatus)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if serveOperational(w, r) {
			return // the generator's own probes, not the scenario's requests
		}
		s.total.Add(1)
		mux.ServeHTTP(w, r)
	})
}

type apiError struct {
	status int
	code   string
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func invalid(format string, args ...any) *apiError {
	return &apiError{http.StatusUnprocessableEntity, "validation_error", fmt.Sprintf(format, args...)}
}

type handler func(w http.ResponseWriter, r *http.Request, acc *fakeAccount) (int, any, *apiError)

func (s *contractServer) count(ep endpointID, h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.seen[ep].Add(1)
		status, body, err := h(w, r, nil)
		if err != nil {
			s.rejected.Add(1)
			s.lastErr.Store(r.Method + " " + r.URL.Path + ": " + err.msg)
			if s.logRejections != nil {
				fmt.Fprintf(s.logRejections, "rejected %s %s: %d %s\n", r.Method, r.URL.Path, err.status, err.msg)
			}
			status = err.status
			body = map[string]any{"error_code": err.code, "message": err.msg, "action": "check_input", "request_id": "test"}
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(body)
	}
}

func (s *contractServer) authed(h handler) handler {
	return func(w http.ResponseWriter, r *http.Request, _ *fakeAccount) (int, any, *apiError) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.Lock()
		sess := s.tokens[token]
		s.mu.Unlock()
		if !ok || sess == nil || time.Now().After(sess.expires) {
			return 0, nil, &apiError{http.StatusUnauthorized, "unauthorized", "missing or expired credentials"}
		}
		return h(w, r, sess.account)
	}
}

// decode reads a JSON body as the contract requires (JSON content type, an object).
func decode(r *http.Request, dst any) *apiError {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" {
		return &apiError{http.StatusUnsupportedMediaType, "unsupported_media_type", "body must be JSON"}
	}
	if err := json.NewDecoder(r.Body).Decode(dst); err != nil {
		return &apiError{http.StatusBadRequest, "invalid_json", err.Error()}
	}
	return nil
}

func oneOf(v string, allowed ...string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

func (s *contractServer) issueTokens(acc *fakeAccount) map[string]any {
	s.nextID++
	access := fmt.Sprintf("at-%d", s.nextID)
	refresh := fmt.Sprintf("rt-%d", s.nextID)
	s.tokens[access] = &fakeSession{account: acc, expires: time.Now().Add(s.tokenLife)}
	s.refreshes[refresh] = acc
	return map[string]any{
		"access_token": access, "refresh_token": refresh, "token_type": "bearer",
		"expires_in": int(s.tokenLife / time.Second),
	}
}

func (s *contractServer) register(_ http.ResponseWriter, r *http.Request, _ *fakeAccount) (int, any, *apiError) {
	var in struct{ Email, Password, Name, AccountName string }
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	local, domain, ok := strings.Cut(in.Email, "@")
	if !ok || local == "" || !strings.Contains(domain, ".") {
		return 0, nil, invalid("email: not an email address")
	}
	pw := in.Password
	if len(pw) < 8 || len(pw) > 128 || !strings.ContainsAny(pw, "abcdefghijklmnopqrstuvwxyz") ||
		!strings.ContainsAny(pw, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") || !strings.ContainsAny(pw, "0123456789") {
		return 0, nil, invalid("password: too weak")
	}
	if in.Name == "" {
		return 0, nil, invalid("name: required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(in.Email)
	if s.emails[key] {
		return 0, nil, &apiError{http.StatusConflict, "conflict", "email taken"}
	}
	s.emails[key] = true
	s.nextID++
	acc := &fakeAccount{id: s.nextID, plan: "free", clients: map[int64]bool{}, campaigns: map[string]bool{}, tasks: map[string]*fakeTask{}}
	body := s.issueTokens(acc)
	body["user"] = map[string]any{"id": acc.id, "email": in.Email, "name": in.Name, "role": "owner"}
	body["account"] = map[string]any{"id": acc.id, "name": in.AccountName, "plan": "free"}
	return http.StatusCreated, body, nil
}

func (s *contractServer) refresh(_ http.ResponseWriter, r *http.Request, _ *fakeAccount) (int, any, *apiError) {
	var in struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	acc := s.refreshes[in.RefreshToken]
	if acc == nil {
		return 0, nil, &apiError{http.StatusUnauthorized, "unauthorized", "refresh token unknown or used"}
	}
	delete(s.refreshes, in.RefreshToken)
	return http.StatusOK, s.issueTokens(acc), nil
}

func (s *contractServer) setPlan(_ http.ResponseWriter, r *http.Request, acc *fakeAccount) (int, any, *apiError) {
	var in struct{ Plan string }
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if !oneOf(in.Plan, "free", "creator", "pro", "enterprise") {
		return 0, nil, invalid("plan: unknown")
	}
	s.mu.Lock()
	acc.plan = in.Plan
	s.mu.Unlock()
	return http.StatusOK, map[string]any{"plan": in.Plan}, nil
}

func (s *contractServer) listPlans(_ http.ResponseWriter, r *http.Request, _ *fakeAccount) (int, any, *apiError) {
	if r.Header.Get("Authorization") != "" {
		return 0, nil, invalid("the scenario reads the plans without credentials")
	}
	return http.StatusOK, map[string]any{"plans": []map[string]any{
		{"id": "free", "name": "Free", "price_usd": 0}, {"id": "pro", "name": "Pro", "price_usd": 49},
	}}, nil
}

func (s *contractServer) createClient(_ http.ResponseWriter, r *http.Request, acc *fakeAccount) (int, any, *apiError) {
	var in struct{ Name string }
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if n := len([]rune(in.Name)); n < 1 || n > 200 {
		return 0, nil, invalid("name: must be 1-200 characters")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	acc.clients[s.nextID] = true
	return http.StatusCreated, map[string]any{"id": s.nextID, "name": in.Name}, nil
}

func (s *contractServer) listCampaigns(_ http.ResponseWriter, _ *http.Request, acc *fakeAccount) (int, any, *apiError) {
	s.mu.Lock()
	n := len(acc.campaigns)
	s.mu.Unlock()
	return http.StatusOK, map[string]any{"campaigns": []any{}, "total": n, "page": 1, "page_size": 20}, nil
}

func (s *contractServer) createCampaign(_ http.ResponseWriter, r *http.Request, acc *fakeAccount) (int, any, *apiError) {
	var in struct {
		Name           string `json:"name"`
		ClientID       int64  `json:"client_id"`
		ConceptGender  string `json:"concept_gender"`
		ConceptTone    string `json:"concept_tone"`
		ConceptStyle   string `json:"concept_style"`
		TargetDuration int    `json:"target_duration"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	switch {
	case len(in.Name) < 1 || len(in.Name) > 200:
		return 0, nil, invalid("name: must be 1-200 characters")
	case !oneOf(in.ConceptGender, "female", "male", "neutral"):
		return 0, nil, invalid("concept_gender: unknown %q", in.ConceptGender)
	case !oneOf(in.ConceptTone, "professional", "friendly", "casual", "humorous", "serious", "energetic"):
		return 0, nil, invalid("concept_tone: unknown %q", in.ConceptTone)
	case !oneOf(in.ConceptStyle, "soft", "intense", "calm", "energetic", "cinematic", "minimal", "dynamic"):
		return 0, nil, invalid("concept_style: unknown %q", in.ConceptStyle)
	case in.TargetDuration < 30 || in.TargetDuration > 180: // the scenario's range, inside the contract's 10-600
		return 0, nil, invalid("target_duration: %d outside the scenario's 30-180", in.TargetDuration)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !acc.clients[in.ClientID] {
		return 0, nil, invalid("client_id: not a client of this account")
	}
	if acc.campaigns[in.Name] {
		return 0, nil, &apiError{http.StatusConflict, "conflict", "duplicate campaign name"}
	}
	acc.campaigns[in.Name] = true
	s.nextID++
	return http.StatusCreated, map[string]any{"id": s.nextID, "name": in.Name, "client_id": in.ClientID, "status": "active"}, nil
}

func (s *contractServer) generateScript(_ http.ResponseWriter, r *http.Request, _ *fakeAccount) (int, any, *apiError) {
	var in struct {
		CampaignName   string `json:"campaign_name"`
		Topic          string `json:"topic"`
		Platform       string `json:"platform"`
		TargetDuration int    `json:"target_duration"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	var n int
	switch {
	case in.Topic != "AI 비디오 자동화":
		return 0, nil, invalid("topic: the scenario's topic is fixed, got %q", in.Topic)
	case !oneOf(in.Platform, "youtube", "instagram", "tiktok"):
		return 0, nil, invalid("platform: unknown %q", in.Platform)
	case in.TargetDuration < 60 || in.TargetDuration > 180:
		return 0, nil, invalid("target_duration: %d outside the scenario's 60-180", in.TargetDuration)
	}
	if _, err := fmt.Sscanf(in.CampaignName, "Campaign %d", &n); err != nil || n < 1 || n > 100 {
		return 0, nil, invalid("campaign_name: want \"Campaign 1-100\", got %q", in.CampaignName)
	}
	d := float64(in.TargetDuration)
	return http.StatusOK, map[string]any{
		"script_id": 1, "provider": "local", "cached": false, "language": "ko",
		"hook": "h", "body": "b", "cta": "c", "target_duration": in.TargetDuration, "estimated_duration": d,
		"blocks": []map[string]any{
			{"order": 0, "type": "hook", "text": "h", "duration": 3, "start": 0, "end": 3},
			{"order": 1, "type": "body", "text": "b", "duration": d - 6, "start": 3, "end": d - 3},
			{"order": 2, "type": "cta", "text": "c", "duration": 3, "start": d - 3, "end": d},
		},
	}, nil
}

func (s *contractServer) generateAudio(_ http.ResponseWriter, r *http.Request, acc *fakeAccount) (int, any, *apiError) {
	var in struct {
		Text     string `json:"text"`
		VoiceID  string `json:"voice_id"`
		Language string `json:"language"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	switch {
	case in.Text != "안녕하세요, 테스트 오디오입니다.":
		return 0, nil, invalid("text: the scenario's text is fixed, got %q", in.Text)
	case in.VoiceID != "default" || in.Language != "ko":
		return 0, nil, invalid("voice_id/language: want default/ko")
	}
	now := time.Now()
	s.mu.Lock()
	s.nextID++
	id := fmt.Sprintf("task_%d", s.nextID)
	n := s.accepted.Add(1)
	ft := &fakeTask{n: n, created: now, fail: s.failEvery > 0 && n%s.failEvery == 0}
	acc.tasks[id] = ft
	if ft.fail && s.finishAfter > 0 {
		s.failed.Add(1)
	}
	s.mu.Unlock()
	return http.StatusAccepted, map[string]any{
		"task_id": id, "status": "queued", "status_url": "/api/v1/audio/status/" + id, "created_at": now.UTC(),
	}, nil
}

func (s *contractServer) audioStatus(_ http.ResponseWriter, r *http.Request, acc *fakeAccount) (int, any, *apiError) {
	id := r.PathValue("task_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	ft := acc.tasks[id]
	if ft == nil {
		return 0, nil, &apiError{http.StatusNotFound, "not_found", "no such task in this account"}
	}
	// The task started a fifth of the way to its end, so queued and
	// processing times are both there to measure.
	started := ft.created.Add(s.finishAfter / 5)
	if s.finishAfter <= 0 || time.Since(ft.created) < s.finishAfter {
		return http.StatusOK, map[string]any{"task_id": id, "status": "running", "progress": 0.5, "stage": "transcribing",
			"created_at": ft.created.UTC(), "started_at": started.UTC(), "finished_at": nil}, nil
	}
	if !ft.reported {
		ft.reported = true
		s.finished.Add(1)
	}
	status, errBody := "succeeded", any(nil)
	if ft.fail {
		status = "failed"
		errBody = map[string]any{"stage": "synthesize", "code": "provider_unavailable", "retryable": true, "message": "test failure"}
	}
	return http.StatusOK, map[string]any{"task_id": id, "status": status, "progress": 1, "stage": "store", "error": errBody,
		"created_at": ft.created.UTC(), "started_at": started.UTC(), "finished_at": ft.created.Add(s.finishAfter).UTC()}, nil
}

// seenTotal is how many requests the server received.
func (s *contractServer) seenTotal() int64 { return s.total.Load() }
