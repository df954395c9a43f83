package httpapi

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/telemetry"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// route is what is known of a route when it is registered, so that serving
// a request looks nothing up: its metrics children are resolved here once.
type route struct {
	pattern string // "GET /api/v1/campaigns/{id}"
	path    string // "/api/v1/campaigns/{id}"
	metrics *telemetry.RouteMetrics
	// limitIP marks the unauthenticated routes that do costly work (password
	// hashing, token writes): they are limited per client address.
	limitIP bool
}

// newRoute describes a pattern being registered.
func (s *Server) newRoute(pattern string) *route {
	method, path, _ := strings.Cut(pattern, " ")
	return &route{pattern: pattern, path: path, metrics: s.cfg.Metrics.Route(method, path),
		limitIP: method != http.MethodGet && (strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/studio/session"))}
}

// recorder watches one answer on its way out: its status and size for the
// metrics and the access line, the route and account found on the way in.
// Recorders are pooled: a request costs no allocation for them.
type recorder struct {
	http.ResponseWriter
	start     time.Time
	status    int
	bytes     int64
	route     *route
	accountID int64
	errCode   omnivibe.Code
	span      trace.Span
}

var recorders = sync.Pool{New: func() any { return new(recorder) }}

func (w *recorder) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush passes flushes through, for answers that stream.
func (w *recorder) Flush() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	http.NewResponseController(w.ResponseWriter).Flush() //nolint:errcheck // a writer that cannot flush has nothing to flush
}

// recordRoute tells the request's recorder which route serves it.
func recordRoute(w http.ResponseWriter, rt *route) {
	if rec, ok := w.(*recorder); ok {
		rec.route = rt
		if rec.span != nil {
			rec.span.SetName(rt.pattern)
		}
	}
}

// recordAccount tells the request's recorder whose request it is.
func recordAccount(w http.ResponseWriter, accountID int64) {
	if rec, ok := w.(*recorder); ok {
		rec.accountID = accountID
	}
}

// recordError tells the request's recorder the error code it answered with.
func recordError(w http.ResponseWriter, code omnivibe.Code) {
	if rec, ok := w.(*recorder); ok {
		rec.errCode = code
	}
}

// startRequest begins watching a request and counts it in flight.
func (s *Server) startRequest(w http.ResponseWriter) *recorder {
	rec := recorders.Get().(*recorder)
	*rec = recorder{ResponseWriter: w, start: time.Now()}
	s.cfg.Metrics.RequestStarted()
	return rec
}

// requestContext is the request's context: its ID and, with tracing on, its
// span, named by the method until the route is known.
func (s *Server) requestContext(r *http.Request, id string, rec *recorder) context.Context {
	ctx := context.WithValue(r.Context(), requestIDKey, id)
	if s.cfg.Tracing.Enabled() {
		ctx = s.cfg.Tracing.Propagator().Extract(ctx, propagation.HeaderCarrier(r.Header))
		ctx, rec.span = s.cfg.Tracing.Tracer().Start(ctx, r.Method, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(attribute.String("http.request.method", r.Method), attribute.String("url.path", r.URL.Path),
				attribute.String("omnivibe.request_id", id)))
	}
	return ctx
}

// finishRequest records the answer in the metrics, the span and the access
// line, then returns the recorder to the pool.
func (s *Server) finishRequest(rec *recorder, r *http.Request) {
	took := time.Since(rec.start)
	status := rec.status
	if status == 0 {
		status = http.StatusOK // nothing written: net/http answers 200
	}
	rt := rec.route
	if rt == nil {
		rt = s.unmatched
	}
	s.cfg.Metrics.RequestDone()
	rt.metrics.Observe(status, took)
	if rec.errCode != "" {
		rt.metrics.Error(string(rec.errCode))
	}
	if rec.span != nil {
		rec.span.SetAttributes(attribute.String("http.route", rt.path), attribute.Int("http.response.status_code", status))
		if rec.accountID != 0 {
			rec.span.SetAttributes(attribute.Int64("omnivibe.account_id", rec.accountID))
		}
		if rec.errCode != "" {
			rec.span.SetAttributes(attribute.String("omnivibe.error_code", string(rec.errCode)))
		}
		if status >= 500 {
			rec.span.SetStatus(codes.Error, string(rec.errCode))
		}
		rec.span.End()
	}
	if s.cfg.AccessLog && s.log.Enabled(r.Context(), slog.LevelInfo) {
		// Never the query string or headers: they can hold what must not be
		// logged. The route pattern, not the path, keeps lines groupable.
		attrs := [...]slog.Attr{
			slog.String("request_id", requestID(r.Context())),
			slog.String("method", r.Method),
			slog.String("route", rt.path),
			slog.Int("status", status),
			slog.Float64("duration_ms", float64(took.Microseconds())/1000),
			slog.Int64("bytes", rec.bytes),
			slog.Int64("account_id", rec.accountID),
		}
		n := len(attrs)
		if rec.accountID == 0 {
			n-- // not signed in
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs[:n]...)
	}
	*rec = recorder{}
	recorders.Put(rec)
}

// serveMetrics answers GET /metrics: Prometheus text when metrics are served
// on this address, to callers with the metrics token only.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Metrics == nil || !s.cfg.ServeMetrics || s.cfg.MetricsToken == "" {
		return omnivibe.Errorf(omnivibe.CodeNotFound, "metrics are not served on this address")
	}
	if !bearerMatches(r, s.cfg.MetricsToken) {
		return omnivibe.Errorf(omnivibe.CodeUnauthorized, "/metrics needs Authorization: Bearer <metrics token>")
	}
	s.metricsHandler.ServeHTTP(w, r)
	return nil
}

// MetricsHandler serves /metrics for a listener of its own (OMNIVIBE_METRICS_ADDR),
// with the same token check.
func MetricsHandler(m *telemetry.Metrics, token string) http.Handler {
	h := m.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		if token != "" && !bearerMatches(r, token) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// bearerMatches compares the request's bearer token with want in constant time.
func bearerMatches(r *http.Request, want string) bool {
	scheme, got, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	return ok && strings.EqualFold(scheme, "Bearer") && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(want)) == 1
}
