package httpapi

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/ratelimit"
	"github.com/omnivibepro/omnivibe/internal/service"
)

// RateLimits are the limits the API applies; a nil Limiter is no limit.
type RateLimits struct {
	// IP limits each client address on the unauthenticated API routes that do
	// costly work (register, login, refresh). Routes called with credentials
	// are limited per credential instead, so that many users behind one
	// address (an office, a load test) do not share one bucket.
	IP ratelimit.Limiter
	// Credential limits each API key, and each user signed in with tokens.
	Credential ratelimit.Limiter
	// The failed-login limits, as OWASP's Authentication Cheat Sheet has
	// them: LoginEmailAddress counts the failures of one email from one
	// client address, the tight limit that stops guessing from one place
	// without locking the owner out of every other; LoginEmail counts an
	// email's failures from every address together, a slower ceiling for
	// guessing spread over many addresses; LoginIP counts one address's
	// failures over every email (password spraying). A login that succeeds
	// counts on none.
	LoginEmailAddress ratelimit.Limiter
	LoginEmail        ratelimit.Limiter
	LoginIP           ratelimit.Limiter
}

// Names of the limits, in 429 messages and the rate_limited_total metric.
const (
	limitIP                = "ip"
	limitCredential        = "credential"
	limitLoginEmail        = "login_email"
	limitLoginEmailAddress = "login_email_address"
	limitLoginIP           = "login_ip"
)

// allow takes one token of key's bucket in l, sets the X-RateLimit headers,
// and returns the contract's rate_limited error when the bucket is empty.
func (s *Server) allow(w http.ResponseWriter, r *http.Request, l ratelimit.Limiter, name, key string) error {
	d, err := l.Allow(r.Context(), key)
	if err != nil {
		// A limiter that cannot answer (a shared store down) must not take
		// the API down with it: let the request through, and say so.
		s.log.WarnContext(r.Context(), "rate limiter unavailable; request allowed", "limit", name, "err", err)
		return nil
	}
	setRateLimitHeaders(w.Header(), d)
	if d.Allowed {
		return nil
	}
	s.cfg.Metrics.RateLimited(name)
	return &omnivibe.Error{Code: omnivibe.CodeRateLimited, RetryAfter: d.RetryAfter,
		Message: "too many requests (" + strings.ReplaceAll(name, "_", " ") + " limit); retry after " + retryAfterSeconds(d.RetryAfter) + " s"}
}

func setRateLimitHeaders(h http.Header, d ratelimit.Decision) {
	h["X-Ratelimit-Limit"] = []string{strconv.Itoa(d.Limit)}
	h["X-Ratelimit-Remaining"] = []string{strconv.Itoa(d.Remaining)}
	h["X-Ratelimit-Reset"] = []string{retryAfterSeconds(d.ResetAfter)}
}

// limitAddress applies the per-address limit of unauthenticated routes.
func (s *Server) limitAddress(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.RateLimits.IP == nil {
		return nil
	}
	return s.allow(w, r, s.cfg.RateLimits.IP, limitIP, s.clientAddress(r))
}

// limitCredential applies the per-credential limit: per API key when the
// caller used one, else per user.
func (s *Server) limitCredential(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	if s.cfg.RateLimits.Credential == nil {
		return nil
	}
	key := "u" + strconv.FormatInt(p.UserID, 10)
	if p.APIKeyID != 0 {
		key = "k" + strconv.FormatInt(p.APIKeyID, 10)
	}
	return s.allow(w, r, s.cfg.RateLimits.Credential, limitCredential, key)
}

// guardLogin runs a login attempt under the failed-login limits. Each attempt
// takes a token of each bucket (the address's, the email's from this
// address, the email's) before the password is checked, so that parallel
// guesses cannot slip past a limit; an attempt that succeeds gives them back.
// While any of them is empty, logins answer 429 without checking the
// password at all.
func (s *Server) guardLogin(w http.ResponseWriter, r *http.Request, email string, attempt func() error) error {
	type taken struct {
		l   ratelimit.Limiter
		key string
	}
	var took []taken
	refund := func() {
		for _, t := range took {
			if err := t.l.Refund(context.WithoutCancel(r.Context()), t.key); err != nil {
				s.log.WarnContext(r.Context(), "rate limiter refund failed", "err", err)
			}
		}
	}
	address := s.clientAddress(r)
	email = omnivibe.NormalizeEmail(email)
	if len(email) > 254 {
		email = email[:254] // longer is never an account: it fails like any other
	}
	for _, b := range []struct {
		l         ratelimit.Limiter
		name, key string
	}{
		{s.cfg.RateLimits.LoginIP, limitLoginIP, address},
		// A client address (an IP, or an IPv6 /64) holds no space, so the
		// pair's key is unambiguous.
		{s.cfg.RateLimits.LoginEmailAddress, limitLoginEmailAddress, address + " " + email},
		{s.cfg.RateLimits.LoginEmail, limitLoginEmail, email},
	} {
		if b.l == nil {
			continue
		}
		if err := s.allow(w, r, b.l, b.name, b.key); err != nil {
			refund() // a refused attempt takes nothing
			return err
		}
		took = append(took, taken{b.l, b.key})
	}
	err := attempt()
	// A login refused as busy, or abandoned by its client, never had its
	// password checked: it is not a failed attempt.
	if err == nil || omnivibe.ErrorCode(err) == omnivibe.CodeBusy || r.Context().Err() != nil {
		refund()
	}
	return err
}

// clientAddress is the key of the caller's address: the connection's peer,
// or with TrustProxy the address the proxy appended to X-Forwarded-For (the
// last one: earlier entries are whatever the client claimed). IPv6 callers
// are keyed by their /64, which one subscriber usually holds whole.
func (s *Server) clientAddress(r *http.Request) string {
	host := r.RemoteAddr
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if s.cfg.TrustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			last := xff[len(xff)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if last = strings.TrimSpace(last); last != "" {
				host = last
			}
		}
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	if ip.Is4In6() {
		return ip.Unmap().String()
	}
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return host
}
