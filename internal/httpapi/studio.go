package httpapi

import (
	"net/http"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/service"
	"github.com/omnivibepro/omnivibe/internal/web"
)

// The studio's routes: its page and assets, and the session endpoints that
// trade a password for HttpOnly cookies (internal/web holds the cookies and
// their CSRF check). Sign-in goes through the same service calls and login
// limits as POST /auth/login; the cookie's token is then resolved by
// s.svc.Authenticate like any bearer token (see authenticate).

// hdrStudioCSP is the studio's policy: its own scripts and styles only (no
// inline code, no CDN), same-origin API calls, audio from the API's downloads.
var hdrStudioCSP = []string{"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"}

func (s *Server) studioIndex(w http.ResponseWriter, r *http.Request) error {
	if !s.studio.Serve(w, r, "index.html") {
		return omnivibe.Errorf(omnivibe.CodeNotFound, "no such route")
	}
	return nil
}

// studioAsset serves the studio's scripts and styles; the page itself has one
// address, /, so it carries the studio's CSP and no second URL caches it.
func (s *Server) studioAsset(w http.ResponseWriter, r *http.Request) error {
	if name := r.PathValue("asset"); name == "index.html" || !s.studio.Serve(w, r, name) {
		return omnivibe.Errorf(omnivibe.CodeNotFound, "no such asset")
	}
	return nil
}

func (s *Server) studioSignIn(w http.ResponseWriter, r *http.Request) error {
	if err := s.sessions.CheckOrigin(r); err != nil {
		return err
	}
	pair, err := s.signIn(w, r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.sessions.Start(w, r, pair))
	return nil
}

func (s *Server) studioSignUp(w http.ResponseWriter, r *http.Request) error {
	if err := s.sessions.CheckOrigin(r); err != nil {
		return err
	}
	var in omnivibe.Registration
	if err := decodeJSON(r, &in, false); err != nil {
		return err
	}
	pair, err := s.svc.Register(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, s.sessions.Start(w, r, pair))
	return nil
}

func (s *Server) studioRefresh(w http.ResponseWriter, r *http.Request) error {
	token, err := s.sessions.RefreshToken(r)
	if err != nil {
		return err
	}
	pair, err := s.svc.Refresh(r.Context(), token)
	if err != nil {
		s.sessions.End(w, r) // a used or revoked refresh token will not work again
		return err
	}
	writeJSON(w, http.StatusOK, s.sessions.Start(w, r, pair))
	return nil
}

func (s *Server) studioSignOut(w http.ResponseWriter, r *http.Request) error {
	if err := s.sessions.CheckOrigin(r); err != nil {
		return err
	}
	// The refresh cookie's login ends on the server too: clearing the
	// cookies alone would leave a copy of it good for a week. It ends whether
	// or not the CSRF header came: a sign-out only takes away, and what it
	// takes away is the login of the very token the request carries (whoever
	// holds it could do more with it than end it). Requiring the header
	// would leave a browser that lost its CSRF cookie unable to sign out,
	// and clearing the cookies without it would leave the token alive on the
	// server. Another origin's request was refused above, with nothing done.
	if token := web.RefreshCookieValue(r); token != "" {
		if err := s.svc.SignOut(r.Context(), token); err != nil {
			return err
		}
	}
	s.sessions.End(w, r)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// secureRequest reports whether the request came over TLS, directly or
// through a trusted proxy: the same test as for HSTS.
func (s *Server) secureRequest(r *http.Request) bool {
	return r.TLS != nil || (s.cfg.TrustProxy && r.Header.Get("X-Forwarded-Proto") == "https")
}

// saveContentScript stores a script edited in the studio (or written by any
// client) as the content's latest script.
func (s *Server) saveContentScript(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	id, err := pathID(r, "id", "content")
	if err != nil {
		return err
	}
	var in omnivibe.ScriptEdit
	if err := decodeJSON(r, &in, false); err != nil {
		return err
	}
	sc, err := s.svc.SaveScript(r.Context(), p, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sc)
	return nil
}
