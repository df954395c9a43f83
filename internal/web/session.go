package web

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"time"

	"github.com/omnivibepro/omnivibe"
)

// The studio keeps its credentials in cookies the page's JavaScript cannot
// read, so a script injected into the page cannot carry a token away, and
// nothing is left in localStorage for another tab or extension to find.
// Each cookie is scoped to the paths that need it: the access token goes only
// to the API, the refresh token only to the session endpoints.
const (
	// AccessCookie holds the access JWT; sent only to /api/.
	AccessCookie = "ovp_access"
	// RefreshCookie holds the refresh token; sent only to /studio/session.
	RefreshCookie = "ovp_refresh"
	// CSRFCookie holds the double-submit token the page echoes in CSRFHeader.
	// It is readable by the page on purpose: a page of another origin cannot
	// read it, so it cannot send the header.
	CSRFCookie = "ovp_csrf"
	// CSRFHeader carries the CSRF token on every unsafe request.
	CSRFHeader = "X-CSRF-Token"

	accessPath  = "/api/"
	refreshPath = "/studio/session"
	// refreshLife matches the refresh token's own life (7 days).
	refreshLife = 7 * 24 * time.Hour
)

// Sessions sets and reads the studio's cookies.
type Sessions struct {
	// Secure reports whether the request reached the server over TLS (directly
	// or through a trusted proxy); cookies are then marked Secure, and a
	// page's Origin must be https. A plain http://127.0.0.1 studio must work
	// too, so it is not always set.
	Secure func(*http.Request) bool
	// Key signs the CSRF tokens, binding each to the session it was issued
	// with (see csrfToken). Replicas that share sessions share it: it is
	// derived from the server secret.
	Key []byte
}

// KeyFromSecret derives Sessions.Key from the server secret (HKDF-SHA256),
// so that every replica signs alike and the key is not the JWT's.
func KeyFromSecret(secret []byte) ([]byte, error) {
	return hkdf.Key(sha256.New, secret, nil, "omnivibe studio CSRF v1", 32)
}

// Start stores a new token pair in the cookies and answers what the page may
// know: the user, the account and how long the access token lives.
func (s Sessions) Start(w http.ResponseWriter, r *http.Request, pair omnivibe.TokenPair) StudioSession {
	secure := s.Secure != nil && s.Secure(r)
	csrf := s.csrfToken(pair.AccessToken, pair.RefreshToken)
	// Secure follows the request (TLS, or a trusted proxy's word): a console
	// served over plain HTTP on this machine could not keep a Secure cookie.
	// #nosec G124 -- HttpOnly and SameSite=Strict are set; Secure as above
	http.SetCookie(w, &http.Cookie{Name: AccessCookie, Value: pair.AccessToken, Path: accessPath,
		MaxAge: pair.ExpiresIn, HttpOnly: true, Secure: secure, SameSite: http.SameSiteStrictMode})
	// #nosec G124 -- as above
	http.SetCookie(w, &http.Cookie{Name: RefreshCookie, Value: pair.RefreshToken, Path: refreshPath,
		MaxAge: int(refreshLife / time.Second), HttpOnly: true, Secure: secure, SameSite: http.SameSiteStrictMode})
	// The CSRF cookie is read by the page to echo it in X-CSRF-Token, so it
	// cannot be HttpOnly; it grants nothing on its own.
	// #nosec G124 -- SameSite=Strict; Secure as above
	http.SetCookie(w, &http.Cookie{Name: CSRFCookie, Value: csrf, Path: "/",
		MaxAge: int(refreshLife / time.Second), Secure: secure, SameSite: http.SameSiteStrictMode})
	w.Header().Set("Cache-Control", "no-store")
	return StudioSession{User: pair.User, Account: pair.Account, ExpiresIn: pair.ExpiresIn}
}

// End clears every cookie of the session.
func (s Sessions) End(w http.ResponseWriter, r *http.Request) {
	secure := s.Secure != nil && s.Secure(r)
	for _, c := range []struct{ name, path string }{{AccessCookie, accessPath}, {RefreshCookie, refreshPath}, {CSRFCookie, "/"}} {
		// #nosec G124 -- clearing the cookies set above, with their attributes
		http.SetCookie(w, &http.Cookie{Name: c.name, Value: "", Path: c.path, MaxAge: -1,
			HttpOnly: c.name != CSRFCookie, Secure: secure, SameSite: http.SameSiteStrictMode})
	}
	w.Header().Set("Cache-Control", "no-store")
}

// StudioSession is what the session endpoints answer: never the tokens.
type StudioSession struct {
	User      omnivibe.User    `json:"user"`
	Account   omnivibe.Account `json:"account"`
	ExpiresIn int              `json:"expires_in"`
}

// The two halves of a CSRF token: one bound to the session's access token,
// checked on the API (the only cookie of the session sent there), one to its
// refresh token, checked on /studio/session (likewise).
const (
	csrfAccess  = "access"
	csrfRefresh = "refresh"
	csrfHalf    = 16 // bytes of HMAC-SHA256 kept per half
)

// csrfToken is the CSRF token of the session whose tokens are access and
// refresh: HMAC-SHA256 of each under Key. Both tokens are renewed together,
// with a new CSRF token, so it never outlives them; and no one without Key
// can make the token of a session, or reuse one session's with another (a
// cookie and a header of "aaaa" are refused, as is a token of the
// attacker's own session planted in a victim's browser).
func (s Sessions) csrfToken(access, refresh string) string {
	return base64.RawURLEncoding.EncodeToString(append(s.csrfMAC(csrfAccess, access), s.csrfMAC(csrfRefresh, refresh)...))
}

func (s Sessions) csrfMAC(half, token string) []byte {
	m := hmac.New(sha256.New, s.Key)
	m.Write([]byte("omnivibe studio CSRF\x00" + half + "\x00" + token))
	return m.Sum(nil)[:csrfHalf]
}

// RefreshToken returns the refresh token of the request's cookie, after the
// same CSRF check as any unsafe request made with a cookie.
func (s Sessions) RefreshToken(r *http.Request) (string, error) {
	token := RefreshCookieValue(r)
	if token == "" {
		return "", omnivibe.Errorf(omnivibe.CodeUnauthorized, "no studio session: sign in again")
	}
	if err := s.checkCSRF(r, csrfRefresh, token); err != nil {
		return "", err
	}
	return token, nil
}

// RefreshCookieValue is the refresh token of the request's cookie, or "",
// without any check: for sign-out, which only ever ends it.
func RefreshCookieValue(r *http.Request) string {
	c, err := r.Cookie(RefreshCookie)
	if err != nil {
		return ""
	}
	return c.Value
}

// AccessToken returns the access token of the request's cookie, or "" when
// there is none. An unsafe request that carries one must also pass the CSRF
// check: the browser attaches the cookie by itself, so the cookie alone
// proves nothing about who made the request.
func (s Sessions) AccessToken(r *http.Request) (string, error) {
	c, err := r.Cookie(AccessCookie)
	if err != nil || c.Value == "" {
		return "", nil
	}
	if !safeMethod(r.Method) {
		if err := s.checkCSRF(r, csrfAccess, c.Value); err != nil {
			return "", err
		}
	}
	return c.Value, nil
}

// checkCSRF requires the request's Origin, when sent, to be this server; the
// CSRF header to equal the CSRF cookie (double submit); and the token to be
// the one issued with the session's token of this path (half). SameSite=Strict
// already keeps other sites' requests from carrying the cookies; these checks
// hold even in a browser that ignores SameSite, and against a CSRF cookie
// set by someone else (a sibling subdomain can set cookies for this host).
func (s Sessions) checkCSRF(r *http.Request, half, token string) error {
	if err := s.CheckOrigin(r); err != nil {
		return err
	}
	c, err := r.Cookie(CSRFCookie)
	sent := r.Header.Get(CSRFHeader)
	ok := err == nil && sent != "" && subtle.ConstantTimeCompare([]byte(c.Value), []byte(sent)) == 1
	if ok {
		raw, err := base64.RawURLEncoding.DecodeString(sent)
		ok = err == nil && len(raw) == 2*csrfHalf
		if ok {
			got := raw[:csrfHalf]
			if half == csrfRefresh {
				got = raw[csrfHalf:]
			}
			ok = hmac.Equal(got, s.csrfMAC(half, token))
		}
	}
	if !ok {
		return omnivibe.Errorf(omnivibe.CodeForbidden, "the %s header is missing or does not match the session", CSRFHeader)
	}
	return nil
}

// CheckOrigin refuses a request whose Origin header names another origin
// than the one it was sent to: another host, or another scheme (a page of
// https://host calling the server over plain HTTP is not this server's
// page). The scheme is https when Secure says the request came over TLS,
// which believes a proxy's X-Forwarded-Proto only when the server trusts its
// proxy. Browsers send Origin on every unsafe request, so a form or fetch of
// another site is refused even before any cookie is looked at.
func (s Sessions) CheckOrigin(r *http.Request) error {
	if origin := r.Header.Get("Origin"); origin != "" {
		scheme := "http"
		if s.Secure != nil && s.Secure(r) {
			scheme = "https"
		}
		u, err := url.Parse(origin)
		if err != nil || u.Host == "" || u.Host != r.Host || u.Scheme != scheme {
			return omnivibe.Errorf(omnivibe.CodeForbidden, "the request comes from another origin")
		}
	}
	return nil
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}
