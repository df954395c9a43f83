package writer

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe/internal/providers"
)

const testAPIKey = "sk-test-0123456789abcdefSECRET"

// providerKit is what a fake hosted API needs to speak one protocol: where requests go,
// what a correct request looks like, and the API's own success and error bodies.
type providerKit struct {
	provider string
	// baseURL turns the test server's URL into the provider's base URL.
	baseURL func(serverURL string) string
	path    string
	// checkRequest fails the test when a request is not what the real API expects.
	checkRequest func(t *testing.T, r *http.Request, body []byte)
	success      func(text string) string
	// errorBody is the API's error body for a status.
	errorBody func(status int) string
}

var providerKits = []providerKit{anthropicKit, openAIKit}

// modelAnswer is a realistic answer: a script in the requested format with a preamble.
const modelAnswer = `Here's your script:

HOOK:
아직도 카페에서 매일 라떼 사 드세요?

BODY:
1. 모카포트 하나면 집에서도 진한 에스프레소를 만들 수 있어요.
2. 우유는 60도까지만 데우고, 프렌치프레스로 스무 번 펌핑하세요.
3. 처음엔 하트 하나만 목표로, 매일 아침 한 잔씩 연습해 보세요.

CTA:
도움이 되셨다면 구독과 좋아요 부탁드립니다!`

// fakeAPI is a test server whose answers are scripted per request.
type fakeAPI struct {
	t        *testing.T
	kit      providerKit
	requests atomic.Int32
	// respond answers request number n (1-based).
	respond func(w http.ResponseWriter, r *http.Request, n int)
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := int(f.requests.Add(1))
	body, err := io.ReadAll(r.Body)
	if err != nil {
		f.t.Errorf("reading request: %v", err)
	}
	if r.Method != http.MethodPost || r.URL.Path != f.kit.path {
		f.t.Errorf("%s %s, want POST %s", r.Method, r.URL.Path, f.kit.path)
		http.NotFound(w, r)
		return
	}
	f.kit.checkRequest(f.t, r, body)
	f.respond(w, r, n)
}

func (f *fakeAPI) succeed(w http.ResponseWriter, text string) {
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, f.kit.success(text))
}

func (f *fakeAPI) fail(w http.ResponseWriter, status int, header ...string) {
	for i := 0; i+1 < len(header); i += 2 {
		w.Header().Set(header[i], header[i+1])
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, f.kit.errorBody(status))
}

// hostedFixture is a Writer talking to a fake API, with the waits between attempts
// recorded instead of slept.
type hostedFixture struct {
	api    *fakeAPI
	writer *Writer
	hosted *hostedDrafter
	sleeps []time.Duration
}

func newHostedFixture(t *testing.T, kit providerKit, cfg Config, respond func(f *fakeAPI, w http.ResponseWriter, r *http.Request, n int)) *hostedFixture {
	t.Helper()
	fx := &hostedFixture{api: &fakeAPI{t: t, kit: kit}}
	fx.api.respond = func(w http.ResponseWriter, r *http.Request, n int) { respond(fx.api, w, r, n) }
	srv := httptest.NewServer(fx.api)
	t.Cleanup(srv.Close)

	cfg.Provider = kit.provider
	cfg.BaseURL = kit.baseURL(srv.URL)
	cfg.APIKey = testAPIKey
	w, err := New(cfg, nil, srv.Client())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	fx.writer = w
	fx.hosted = w.drafter.(*hostedDrafter)
	fx.hosted.sleep = func(ctx context.Context, d time.Duration) error {
		fx.sleeps = append(fx.sleeps, d)
		return ctx.Err()
	}
	fx.hosted.jitter = func() float64 { return 0 }
	return fx
}

var hostedRequest = Request{Topic: "홈카페 라떼아트", Platform: "youtube", Tone: "friendly", Language: "ko", TargetDuration: 45}

func TestHostedSuccess(t *testing.T) {
	for _, kit := range providerKits {
		t.Run(kit.provider, func(t *testing.T) {
			fx := newHostedFixture(t, kit, Config{Model: "test-model"}, func(f *fakeAPI, w http.ResponseWriter, r *http.Request, n int) {
				f.succeed(w, modelAnswer)
			})
			s, err := fx.writer.Write(context.Background(), hostedRequest)
			if err != nil {
				t.Fatalf("Write: %v", err)
			}
			if s.Provider != kit.provider || s.Model != "test-model" {
				t.Errorf("provider %q model %q, want %q test-model", s.Provider, s.Model, kit.provider)
			}
			if s.Hook != "아직도 카페에서 매일 라떼 사 드세요?" || s.CTA != "도움이 되셨다면 구독과 좋아요 부탁드립니다!" {
				t.Errorf("hook %q, cta %q: not the model's", s.Hook, s.CTA)
			}
			if got := len(s.Blocks) - 2; got != 3 {
				t.Errorf("%d body blocks, want the model's 3", got)
			}
			checkTiming(t, s, hostedRequest.TargetDuration)
			if fx.api.requests.Load() != 1 || len(fx.sleeps) != 0 {
				t.Errorf("%d requests and %d waits for one good answer", fx.api.requests.Load(), len(fx.sleeps))
			}
		})
	}
}

func TestHostedRetriesHonourRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for _, kit := range providerKits {
		for _, tt := range []struct {
			name, header, value string
			want                time.Duration
		}{
			{"seconds", "Retry-After", "2", 2 * time.Second},
			{"HTTP date", "Retry-After", now.Add(4 * time.Second).Format(http.TimeFormat), 4 * time.Second},
			{"date in the past", "Retry-After", now.Add(-time.Minute).Format(http.TimeFormat), 0},
			{"milliseconds", "Retry-After-Ms", "750", 750 * time.Millisecond},
		} {
			t.Run(kit.provider+"/"+tt.name, func(t *testing.T) {
				fx := newHostedFixture(t, kit, Config{}, func(f *fakeAPI, w http.ResponseWriter, r *http.Request, n int) {
					if n == 1 {
						f.fail(w, http.StatusTooManyRequests, tt.header, tt.value)
						return
					}
					f.succeed(w, modelAnswer)
				})
				fx.hosted.now = func() time.Time { return now }
				if _, err := fx.writer.Write(context.Background(), hostedRequest); err != nil {
					t.Fatalf("Write after one 429: %v", err)
				}
				if len(fx.sleeps) != 1 || fx.sleeps[0] != tt.want {
					t.Errorf("waited %v, want [%v] from %s: %s", fx.sleeps, tt.want, tt.header, tt.value)
				}
			})
		}
	}
}

func TestHostedGivesUpWhenRetryAfterIsTooLong(t *testing.T) {
	for _, kit := range providerKits {
		t.Run(kit.provider, func(t *testing.T) {
			fx := newHostedFixture(t, kit, Config{MaxRetryDelay: 5 * time.Second}, func(f *fakeAPI, w http.ResponseWriter, r *http.Request, n int) {
				f.fail(w, http.StatusTooManyRequests, "Retry-After", "60")
			})
			_, err := fx.writer.Write(context.Background(), hostedRequest)
			if !errors.Is(err, ErrUnavailable) {
				t.Fatalf("err = %v, want ErrUnavailable", err)
			}
			if fx.api.requests.Load() != 1 || len(fx.sleeps) != 0 {
				t.Errorf("%d requests, waits %v: a minute's Retry-After should end the call at once", fx.api.requests.Load(), fx.sleeps)
			}
		})
	}
}

func TestHostedServerErrors(t *testing.T) {
	for _, kit := range providerKits {
		t.Run(kit.provider+"/500 then success", func(t *testing.T) {
			fx := newHostedFixture(t, kit, Config{}, func(f *fakeAPI, w http.ResponseWriter, r *http.Request, n int) {
				if n == 1 {
					f.fail(w, http.StatusInternalServerError)
					return
				}
				f.succeed(w, modelAnswer)
			})
			if _, err := fx.writer.Write(context.Background(), hostedRequest); err != nil {
				t.Fatalf("Write after one 500: %v", err)
			}
			if fx.api.requests.Load() != 2 {
				t.Errorf("%d requests, want 2", fx.api.requests.Load())
			}
		})
		t.Run(kit.provider+"/500 until retries run out", func(t *testing.T) {
			fx := newHostedFixture(t, kit, Config{MaxRetries: 3, RetryBaseDelay: 100 * time.Millisecond}, func(f *fakeAPI, w http.ResponseWriter, r *http.Request, n int) {
				f.fail(w, http.StatusInternalServerError)
			})
			_, err := fx.writer.Write(context.Background(), hostedRequest)
			if !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrTimeout) {
				t.Fatalf("err = %v, want ErrUnavailable", err)
			}
			if fx.api.requests.Load() != 4 {
				t.Errorf("%d requests, want 1 + 3 retries", fx.api.requests.Load())
			}
			// Exponential backoff: with no jitter each wait is half of 100 ms, 200 ms, 400 ms.
			want := []time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond}
			if len(fx.sleeps) != len(want) || fx.sleeps[0] != want[0] || fx.sleeps[1] != want[1] || fx.sleeps[2] != want[2] {
				t.Errorf("waits %v, want %v", fx.sleeps, want)
			}
		})
		t.Run(kit.provider+"/400 is not retried", func(t *testing.T) {
			fx := newHostedFixture(t, kit, Config{}, func(f *fakeAPI, w http.ResponseWriter, r *http.Request, n int) {
				f.fail(w, http.StatusBadRequest)
			})
			_, err := fx.writer.Write(context.Background(), hostedRequest)
			if !errors.Is(err, ErrUnavailable) || fx.api.requests.Load() != 1 {
				t.Errorf("err = %v after %d requests, want ErrUnavailable after 1", err, fx.api.requests.Load())
			}
		})
		t.Run(kit.provider+"/refused key is not leaked", func(t *testing.T) {
			fx := newHostedFixture(t, kit, Config{}, func(f *fakeAPI, w http.ResponseWriter, r *http.Request, n int) {
				f.fail(w, http.StatusUnauthorized)
			})
			_, err := fx.writer.Write(context.Background(), hostedRequest)
			if !errors.Is(err, ErrUnavailable) || fx.api.requests.Load() != 1 {
				t.Errorf("err = %v after %d requests, want ErrUnavailable after 1", err, fx.api.requests.Load())
			}
			if err != nil && (strings.Contains(err.Error(), testAPIKey) || strings.Contains(err.Error(), "SECRET")) {
				t.Errorf("error leaks the API key: %v", err)
			}
		})
	}
}

func TestHostedMalformedAndUnusableAnswers(t *testing.T) {
	for _, kit := range providerKits {
		for _, tt := range []struct {
			name    string
			body    string
			wantErr error
		}{
			{"HTML from a proxy", "<html><body>Bad gateway</body></html>", ErrUnavailable},
			{"truncated JSON", kit.success(modelAnswer)[:40], ErrUnavailable},
			{"another API's JSON", `{"result": "ok"}`, ErrUnavailable},
			{"a refusal instead of a script", kit.success("I'm sorry, but I can't help with that request."), ErrUnusableAnswer},
			{"half a script", kit.success("HOOK:\nDid you know\n\nBODY:\n1. First"), ErrUnusableAnswer},
		} {
			t.Run(kit.provider+"/"+tt.name, func(t *testing.T) {
				fx := newHostedFixture(t, kit, Config{}, func(f *fakeAPI, w http.ResponseWriter, r *http.Request, n int) {
					w.Header().Set("Content-Type", "application/json")
					io.WriteString(w, tt.body)
				})
				s, err := fx.writer.Write(context.Background(), hostedRequest)
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Write = %+v, %v; want %v", s, err, tt.wantErr)
				}
				if len(s.Blocks) != 0 {
					t.Errorf("a failed Write returned blocks: %+v", s.Blocks)
				}
			})
		}
	}
}

func TestHostedTimeouts(t *testing.T) {
	for _, kit := range providerKits {
		slow := func(f *fakeAPI, w http.ResponseWriter, r *http.Request, n int) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
				f.succeed(w, modelAnswer)
			}
		}
		t.Run(kit.provider+"/each attempt times out", func(t *testing.T) {
			fx := newHostedFixture(t, kit, Config{Timeout: 50 * time.Millisecond, MaxRetries: 1}, slow)
			_, err := fx.writer.Write(context.Background(), hostedRequest)
			if !errors.Is(err, ErrTimeout) {
				t.Fatalf("err = %v, want ErrTimeout", err)
			}
			if fx.api.requests.Load() != 2 {
				t.Errorf("%d requests, want a timed-out attempt and its retry", fx.api.requests.Load())
			}
		})
		t.Run(kit.provider+"/the caller's deadline", func(t *testing.T) {
			fx := newHostedFixture(t, kit, Config{Timeout: time.Minute}, slow)
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			if _, err := fx.writer.Write(ctx, hostedRequest); !errors.Is(err, ErrTimeout) {
				t.Fatalf("err = %v, want ErrTimeout", err)
			}
		})
		t.Run(kit.provider+"/the caller cancels", func(t *testing.T) {
			fx := newHostedFixture(t, kit, Config{Timeout: time.Minute}, slow)
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(30*time.Millisecond, cancel)
			_, err := fx.writer.Write(ctx, hostedRequest)
			if !errors.Is(err, context.Canceled) || errors.Is(err, ErrUnavailable) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
		})
	}
}

func TestHostedCircuitBreaker(t *testing.T) {
	for _, kit := range providerKits {
		t.Run(kit.provider, func(t *testing.T) {
			var healthy atomic.Bool
			fx := newHostedFixture(t, kit, Config{MaxRetries: -1}, func(f *fakeAPI, w http.ResponseWriter, r *http.Request, n int) {
				if healthy.Load() {
					f.succeed(w, modelAnswer)
					return
				}
				f.fail(w, http.StatusServiceUnavailable)
			})
			clock := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
			fx.hosted.breaker = providers.NewBreaker(2, time.Minute, func() time.Time { return clock })
			write := func() error {
				_, err := fx.writer.Write(context.Background(), hostedRequest)
				return err
			}

			for range 2 {
				if err := write(); !errors.Is(err, ErrUnavailable) {
					t.Fatalf("err = %v from a failing provider, want ErrUnavailable", err)
				}
			}
			if got := fx.hosted.breaker.State(); got != providers.BreakerOpen {
				t.Fatalf("breaker %v after 2 failures, want open", got)
			}
			if err := write(); !errors.Is(err, ErrUnavailable) || fx.api.requests.Load() != 2 {
				t.Fatalf("open breaker: err = %v after %d requests, want a fast ErrUnavailable without a request", err, fx.api.requests.Load())
			}

			// After the cooldown one trial call goes through; it fails, so the breaker reopens.
			clock = clock.Add(61 * time.Second)
			if err := write(); !errors.Is(err, ErrUnavailable) || fx.api.requests.Load() != 3 {
				t.Fatalf("trial call: err = %v after %d requests, want a real failed request", err, fx.api.requests.Load())
			}
			if got := fx.hosted.breaker.State(); got != providers.BreakerOpen {
				t.Fatalf("breaker %v after a failed trial, want open again", got)
			}
			if err := write(); fx.api.requests.Load() != 3 {
				t.Fatalf("reopened breaker let a call through (err %v)", err)
			}

			// The provider recovers: the next trial succeeds and the breaker closes.
			healthy.Store(true)
			clock = clock.Add(61 * time.Second)
			if err := write(); err != nil {
				t.Fatalf("trial call to a healthy provider: %v", err)
			}
			if got := fx.hosted.breaker.State(); got != providers.BreakerClosed {
				t.Fatalf("breaker %v after a good trial, want closed", got)
			}
			if err := write(); err != nil || fx.api.requests.Load() != 5 {
				t.Fatalf("closed breaker: err = %v after %d requests, want success after 5", err, fx.api.requests.Load())
			}
		})
	}
}

func TestBreakerHalfOpenAllowsOneTrial(t *testing.T) {
	now := time.Unix(0, 0)
	b := providers.NewBreaker(1, time.Second, func() time.Time { return now })
	if !b.Allow() {
		t.Fatal("closed breaker refused a call")
	}
	b.Record(providers.Failure)
	if b.Allow() {
		t.Fatal("open breaker allowed a call")
	}
	now = now.Add(2 * time.Second)
	if !b.Allow() {
		t.Fatal("breaker refused the trial call after its cooldown")
	}
	if b.Allow() {
		t.Fatal("half-open breaker allowed a second call while the trial runs")
	}
	b.Record(providers.Neutral) // the caller gave up: the trial decided nothing
	if !b.Allow() {
		t.Fatal("half-open breaker refused a new trial after a neutral one")
	}
	b.Record(providers.Success)
	if b.State() != providers.BreakerClosed || !b.Allow() || !b.Allow() {
		t.Fatal("breaker did not close after a successful trial")
	}
}

func decodeJSON(t *testing.T, body []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("request body is not JSON: %v: %s", err, body)
	}
}

func TestHostedLogsNeverCarryTheKey(t *testing.T) {
	for _, kit := range providerKits {
		t.Run(kit.provider, func(t *testing.T) {
			var logs strings.Builder
			fx := newHostedFixture(t, kit, Config{MaxRetries: 2}, func(f *fakeAPI, w http.ResponseWriter, r *http.Request, n int) {
				if n < 3 {
					f.fail(w, http.StatusTooManyRequests, "Retry-After", "1")
					return
				}
				f.fail(w, http.StatusUnauthorized)
			})
			fx.hosted.logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			_, err := fx.writer.Write(context.Background(), hostedRequest)
			if !errors.Is(err, ErrUnavailable) {
				t.Fatalf("err = %v, want ErrUnavailable", err)
			}
			if !strings.Contains(logs.String(), "retrying") {
				t.Errorf("retries were not logged: %s", logs.String())
			}
			if strings.Contains(logs.String()+err.Error(), "SECRET") {
				t.Errorf("the key leaked: %v\n%s", err, logs.String())
			}
		})
	}
}
