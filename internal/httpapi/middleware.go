package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/omnivibepro/omnivibe"
)

// Header values are shared, pre-built slices: setting them this way skips the
// canonicalization and allocation of Header.Set on every request.
var (
	hdrNosniff     = []string{"nosniff"}
	hdrFrameDeny   = []string{"DENY"}
	hdrReferrer    = []string{"no-referrer"}
	hdrAPICSP      = []string{"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"}
	hdrDocsCSP     = []string{"default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"}
	hdrHSTS        = []string{"max-age=63072000; includeSubDomains"}
	hdrVaryOrigin  = []string{"Origin"}
	hdrCORSMethods = []string{"GET, POST, PUT, PATCH, DELETE, OPTIONS"}
	hdrCORSHeaders = []string{"Authorization, Content-Type, X-API-Key, X-Request-ID, Idempotency-Key"}
	hdrCORSExpose  = []string{"X-Request-ID, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Content-Disposition"}
	hdrCORSMaxAge  = []string{"600"}
)

type ctxKey int

const requestIDKey ctxKey = 0

// requestID returns the request's ID, set by ServeHTTP.
func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// ServeHTTP runs every request through the same steps: request ID, security
// headers, CORS, body limit, panic recovery, then the route.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := s.startRequest(w)
	w = rec
	id := r.Header.Get("X-Request-ID")
	if !validRequestID(id) {
		id = newRequestID()
	}
	h := w.Header()
	h["X-Request-Id"] = []string{id}
	h["X-Content-Type-Options"] = hdrNosniff
	h["X-Frame-Options"] = hdrFrameDeny
	h["Referrer-Policy"] = hdrReferrer
	if strings.HasPrefix(r.URL.Path, "/docs") {
		h["Content-Security-Policy"] = hdrDocsCSP
	} else if r.URL.Path == "/" || strings.HasPrefix(r.URL.Path, "/studio/") {
		h["Content-Security-Policy"] = hdrStudioCSP
	} else {
		h["Content-Security-Policy"] = hdrAPICSP
	}
	if r.TLS != nil || (s.cfg.TrustProxy && r.Header.Get("X-Forwarded-Proto") == "https") {
		h["Strict-Transport-Security"] = hdrHSTS
	}
	r = r.WithContext(s.requestContext(r, id, rec))
	defer s.finishRequest(rec, r)

	if origin := r.Header.Get("Origin"); origin != "" && len(s.cors) > 0 {
		if s.cors["*"] || s.cors[origin] {
			h["Access-Control-Allow-Origin"] = []string{origin}
			h["Access-Control-Expose-Headers"] = hdrCORSExpose
		}
		h["Vary"] = hdrVaryOrigin
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			if s.cors["*"] || s.cors[origin] {
				h["Access-Control-Allow-Methods"] = hdrCORSMethods
				h["Access-Control-Allow-Headers"] = hdrCORSHeaders
				h["Access-Control-Max-Age"] = hdrCORSMaxAge
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}

	if limit := s.bodyLimit(r); r.ContentLength > limit {
		s.writeError(w, r, omnivibe.Errorf(omnivibe.CodePayloadTooLarge, "request body is larger than %d bytes", limit))
		return
	} else if r.Body != nil && r.Body != http.NoBody {
		r.Body = http.MaxBytesReader(w, r.Body, limit)
	}

	// "/campaigns" and "/campaigns/" are the same resource: route both without
	// a redirect. Paths that are not clean name nothing.
	if p := r.URL.Path; len(p) > 1 && p[len(p)-1] == '/' {
		r.URL.Path = p[:len(p)-1]
		r.URL.RawPath = ""
	}
	if !cleanPath(r.URL.Path) {
		s.writeError(w, r, omnivibe.Errorf(omnivibe.CodeNotFound, "no such route"))
		return
	}

	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.writeError(w, r, fmt.Errorf("panic: %v\n%s", v, debug.Stack()))
		}
	}()

	handler, pattern := s.mux.Handler(r)
	if pattern == "" {
		// Not a route: let the mux decide 404 or 405 (with Allow), and answer
		// with the contract's body instead of its plain text.
		handler.ServeHTTP(&routeMissWriter{ResponseWriter: w, s: s, r: r}, r)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// routeMissWriter turns the mux's plain-text 404 and 405 into error bodies.
type routeMissWriter struct {
	http.ResponseWriter
	s       *Server
	r       *http.Request
	written bool
}

func (m *routeMissWriter) WriteHeader(status int) {
	if m.written {
		return
	}
	m.written = true
	m.ResponseWriter.Header().Del("Content-Type")
	m.ResponseWriter.Header().Del("X-Content-Type-Options")
	m.ResponseWriter.Header()["X-Content-Type-Options"] = hdrNosniff
	if status == http.StatusMethodNotAllowed {
		m.s.writeError(m.ResponseWriter, m.r, omnivibe.Errorf(omnivibe.CodeMethodNotAllowed, "method %s is not allowed here", m.r.Method))
		return
	}
	m.s.writeError(m.ResponseWriter, m.r, omnivibe.Errorf(omnivibe.CodeNotFound, "no such route"))
}

func (m *routeMissWriter) Write(b []byte) (int, error) {
	if !m.written {
		m.WriteHeader(http.StatusNotFound)
	}
	return len(b), nil
}

// cleanPath reports whether p has no empty, "." or ".." segments.
func cleanPath(p string) bool {
	return !strings.Contains(p, "//") && !strings.Contains(p, "/./") && !strings.Contains(p, "/../") &&
		!strings.HasSuffix(p, "/.") && !strings.HasSuffix(p, "/..")
}

// validRequestID accepts a client's request ID only if it is short and made of
// characters that cannot forge a log line or a header.
func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// newRequestID returns a ULID: 48 bits of milliseconds and 80 random bits in
// Crockford base32, so IDs sort by time in logs.
func newRequestID() string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(time.Now().UnixMilli())<<16)
	_, _ = rand.Read(b[6:])
	var out [26]byte
	// 128 bits as 26 base32 digits, the first holding the top 3 bits.
	hi, lo := binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
	for i := 25; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}

// retryAfterSeconds formats a duration for Retry-After, rounded up.
func retryAfterSeconds(d time.Duration) string {
	return strconv.Itoa(int((d + time.Second - 1) / time.Second))
}
