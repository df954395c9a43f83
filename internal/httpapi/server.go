// Package httpapi is the HTTP face of the service: routes.go lists every
// route; each handler decodes, calls the service, and encodes, returning an
// error instead of writing one.
package httpapi

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/service"
	"github.com/omnivibepro/omnivibe/internal/telemetry"
	"github.com/omnivibepro/omnivibe/internal/web"
)

// Config holds the HTTP settings; zero values take the defaults noted.
type Config struct {
	// MaxBodyBytes is the largest request body; default 1 MiB.
	MaxBodyBytes int64
	// CORSOrigins are the browser origins allowed to call the API ("*": any).
	CORSOrigins []string
	// TrustProxy makes X-Forwarded-Proto count, so HSTS is sent behind a TLS
	// terminating proxy. Leave it off when clients reach the server directly.
	// It also makes the last X-Forwarded-For address the client's address
	// for the rate limits.
	TrustProxy bool

	// Metrics records every request; nil records nothing.
	Metrics *telemetry.Metrics
	// ServeMetrics serves Metrics at GET /metrics on the API's address;
	// otherwise /metrics is not found here (served elsewhere, or not at all).
	ServeMetrics bool
	// MetricsToken, when set, is the bearer token /metrics requires.
	MetricsToken string
	// Tracing makes a span per request; nil makes none.
	Tracing *telemetry.Tracing
	// AccessLog logs one line per request at info level.
	AccessLog bool
	// RateLimits are the request limits; the zero value limits nothing.
	RateLimits RateLimits
}

// Server serves the API.
type Server struct {
	svc  *service.Service
	cfg  Config
	log  *slog.Logger
	mux  *http.ServeMux
	cors map[string]bool
	// routes lists every registered pattern, for the OpenAPI document;
	// authedRoutes holds those that need credentials, which the document's
	// security of each operation is tested against.
	routes       []string
	authedRoutes map[string]bool
	// draining is set when shutdown starts, so /readyz sends load balancers
	// elsewhere while in-flight requests finish.
	draining atomic.Bool

	openAPIOnce sync.Once
	openAPIDoc  []byte
	openAPIErr  error

	// unmatched stands for every request that matches no route.
	unmatched      *route
	metricsHandler http.Handler

	// studio serves the console's embedded files; sessions keeps its cookies.
	studio   *web.Assets
	sessions web.Sessions
}

// New returns the API's handler.
func New(svc *service.Service, cfg Config, log *slog.Logger) *Server {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	s := &Server{svc: svc, cfg: cfg, log: log, mux: http.NewServeMux(), cors: map[string]bool{}, authedRoutes: map[string]bool{}}
	s.unmatched = &route{path: "unmatched", metrics: cfg.Metrics.Route("", "unmatched")}
	if cfg.Metrics != nil {
		s.metricsHandler = cfg.Metrics.Handler()
	}
	for _, o := range cfg.CORSOrigins {
		s.cors[strings.TrimRight(o, "/")] = true
	}
	studio, err := web.NewAssets()
	if err != nil {
		panic("studio assets: " + err.Error()) // embedded at build time: only a broken build gets here
	}
	s.studio, s.sessions = studio, web.Sessions{Secure: s.secureRequest}
	s.registerRoutes()
	return s
}

// Routes returns the patterns of every route, as registered.
func (s *Server) Routes() []string { return append([]string(nil), s.routes...) }

// handlerFunc is a handler that returns its error for writeError to answer.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// authedFunc is a handler that needs a signed-in caller.
type authedFunc func(w http.ResponseWriter, r *http.Request, p service.Principal) error

// public registers a route anyone may call.
func (s *Server) public(pattern string, h handlerFunc) {
	s.routes = append(s.routes, pattern)
	rt := s.newRoute(pattern)
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		recordRoute(w, rt)
		var err error
		if rt.limitIP {
			err = s.limitAddress(w, r)
		}
		if err == nil {
			err = h(w, r)
		}
		if err != nil {
			s.writeError(w, r, err)
		}
	})
}

// authed registers a route that needs credentials. Which role may do what is a
// business rule, so the service decides it, not the route.
func (s *Server) authed(pattern string, h authedFunc) {
	s.routes = append(s.routes, pattern)
	s.authedRoutes[pattern] = true
	rt := s.newRoute(pattern)
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		recordRoute(w, rt)
		p, err := s.authenticate(r)
		if err == nil {
			recordAccount(w, p.AccountID)
			err = s.limitCredential(w, r, p)
		}
		if err == nil {
			err = h(w, r, p)
		}
		if err != nil {
			s.writeError(w, r, err)
		}
	})
}

// authenticate reads `Authorization: Bearer <token or key>` or `X-API-Key`.
func (s *Server) authenticate(r *http.Request) (service.Principal, error) {
	credential := r.Header.Get("X-API-Key")
	if auth := r.Header.Get("Authorization"); auth != "" {
		scheme, value, ok := strings.Cut(auth, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(value) == "" {
			return service.Principal{}, omnivibe.Errorf(omnivibe.CodeUnauthorized, "Authorization must be \"Bearer <token>\"")
		}
		credential = strings.TrimSpace(value)
	}
	if credential == "" {
		// The studio's session cookie, checked against CSRF on unsafe
		// methods; its token is resolved like any bearer token below.
		token, err := web.AccessToken(r)
		if err != nil {
			return service.Principal{}, err
		}
		credential = token
	}
	if credential == "" {
		return service.Principal{}, omnivibe.Errorf(omnivibe.CodeUnauthorized, "credentials are missing: send Authorization: Bearer <token> or X-API-Key")
	}
	return s.svc.Authenticate(r.Context(), credential)
}

// writeJSON encodes v as the answer. Encoding cannot fail for the types the
// API answers with; if it ever does, the failure is logged and a 500 sent.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		slog.Error("encode response", "err", err)
		status, body = http.StatusInternalServerError, []byte(`{"error_code":"internal","message":"internal error","action":"contact_support"}`)
	}
	writeJSONBytes(w, status, body)
}

var jsonContentType = []string{"application/json; charset=utf-8"}

// writeJSONBytes answers with an already encoded JSON body. Declaring its
// length lets net/http send it as it is, in one write after the headers,
// instead of copying it into chunks (a 20-row page is larger than the 2 KiB
// net/http buffers before it starts chunking).
func writeJSONBytes(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write(body) // #nosec G705 -- JSON sent as application/json with nosniff, never rendered as HTML
}
