package app

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/omnivibepro/omnivibe/internal/config"
)

// TestSecretsNeverLogged drives every path a secret travels (sign-up, login,
// a wrong password, refresh, API key creation and use, a hosted writer that
// echoes its key back in errors, the metrics token) with logs at debug level
// and tracing on, then searches every log line and every exported span for
// each secret.
func TestSecretsNeverLogged(t *testing.T) {
	const (
		providerKey  = "sk-proj-PROVIDERKEY0123456789abcdefXYZ"
		password     = "Corr3ct-Horse-Battery"
		wrongGuess   = "Wr0ng-Guess-Staple"
		metricsToken = "metrics-token-SECRET-42"
		otlpSecret   = "otlp-header-SECRET-99"
		jwtSecret    = "jwt-secret-SECRET-0123456789abcdefghij"
	)
	// The provider refuses the key and quotes it back, as some APIs do, in
	// the body and in a header; then it fails with it in a 500.
	var calls int
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if r.Header.Get("Authorization") != "Bearer "+providerKey {
			t.Errorf("provider got Authorization %q", r.Header.Get("Authorization"))
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Echo-Key", providerKey)
		status := http.StatusUnauthorized
		if calls > 1 {
			status = http.StatusInternalServerError
		}
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"error":{"message":"Incorrect API key provided: %s. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","code":"invalid_api_key"}}`, providerKey)
	}))
	defer provider.Close()
	collector := newOTLPReceiver(t)

	a := startApp(t, func(c *config.Config) {
		c.Writer, c.WriterBaseURL, c.OpenAIAPIKey = "openai", provider.URL+"/v1", providerKey
		c.MetricsToken = metricsToken
		c.OTLPEndpoint, c.OTLPHeaders = collector.srv.URL, "X-Collector-Token="+otlpSecret
		c.JWTSecret = jwtSecret
	})

	tk := a.register(t, "secret-keeper@example.com", password)
	var login tokens
	if s := a.call(t, "POST", "/api/v1/auth/login", nil, map[string]any{"email": "secret-keeper@example.com", "password": password}, &login); s != 200 {
		t.Fatalf("login: %d", s)
	}
	if s := a.call(t, "POST", "/api/v1/auth/login", nil, map[string]any{"email": "secret-keeper@example.com", "password": wrongGuess}, nil); s != 401 {
		t.Fatalf("wrong password: %d", s)
	}
	var refreshed tokens
	if s := a.call(t, "POST", "/api/v1/auth/refresh", nil, map[string]any{"refresh_token": login.RefreshToken}, &refreshed); s != 200 {
		t.Fatalf("refresh: %d", s)
	}
	// A replayed refresh token is refused (and revokes the login).
	if s := a.call(t, "POST", "/api/v1/auth/refresh", nil, map[string]any{"refresh_token": login.RefreshToken}, nil); s != 401 {
		t.Fatalf("replayed refresh: %d", s)
	}
	var key struct{ Key string }
	if s := a.call(t, "POST", "/api/v1/auth/api-keys", bearer(tk.AccessToken), map[string]any{"name": "ci"}, &key); s != 201 || key.Key == "" {
		t.Fatalf("create key: %d", s)
	}
	if s := a.call(t, "GET", "/api/v1/campaigns", map[string]string{"X-API-Key": key.Key}, nil, nil); s != 200 {
		t.Fatalf("use key: %d", s)
	}
	if s := a.call(t, "GET", "/api/v1/campaigns?access_token="+tk.AccessToken, bearer(key.Key), nil, nil); s != 200 {
		t.Fatalf("key as bearer: %d", s)
	}
	if s := a.call(t, "GET", "/api/v1/auth/me", bearer(tk.AccessToken+"x"), nil, nil); s != 401 {
		t.Fatalf("tampered token: %d", s)
	}
	if s := a.call(t, "POST", "/api/v1/writer/generate", bearer(tk.AccessToken), map[string]any{"topic": "secret test"}, nil); s != 503 {
		t.Fatalf("generate with a refused provider key: %d, want 503", s)
	}
	if s := a.call(t, "POST", "/api/v1/writer/generate", bearer(tk.AccessToken), map[string]any{"topic": "secret test 2"}, nil); s != 503 {
		t.Fatalf("generate with a failing provider: %d, want 503", s)
	}
	if s := a.call(t, "GET", "/metrics", bearer(metricsToken), nil, nil); s != 200 {
		t.Fatalf("metrics: %d", s)
	}
	if err := a.Tracing.ForceFlush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if calls < 2 {
		t.Fatalf("the provider was called %d times; the failure paths did not run", calls)
	}

	logs := a.logs.String()
	if !strings.Contains(logs, "openai answered 401") && !strings.Contains(logs, "answered 5") {
		t.Fatalf("the provider failures were not logged at all, so the test proves nothing:\n%s", logs)
	}
	collector.mu.Lock()
	spans := collector.raw.String()
	collector.mu.Unlock()
	secrets := map[string]string{
		"password": password, "wrong password": wrongGuess, "access token": tk.AccessToken, "login access token": login.AccessToken,
		"refresh token": tk.RefreshToken, "used refresh token": login.RefreshToken, "new refresh token": refreshed.RefreshToken,
		"new access token": refreshed.AccessToken, "API key": key.Key, "API key body": key.Key[len("ovp_"):],
		"provider key": providerKey, "provider key body": providerKey[len("sk-proj-"):],
		"metrics token": metricsToken, "OTLP header": otlpSecret, "JWT secret": jwtSecret,
	}
	for name, secret := range secrets {
		if strings.Contains(logs, secret) {
			t.Errorf("the %s appears in the logs", name)
		}
		if strings.Contains(spans, secret) {
			t.Errorf("the %s appears in an exported span", name)
		}
	}
	if t.Failed() {
		t.Logf("logs:\n%s", logs)
	}
}
