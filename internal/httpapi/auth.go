package httpapi

import (
	"net/http"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/service"
)

func (s *Server) register(w http.ResponseWriter, r *http.Request) error {
	var in omnivibe.Registration
	if err := decodeJSON(r, &in, false); err != nil {
		return err
	}
	pair, err := s.svc.Register(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, pair)
	return nil
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	pair, err := s.signIn(w, r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pair)
	return nil
}

// signIn decodes {email, password} and signs in under the failed-login
// limit: the API's login and the studio's share it.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) (omnivibe.TokenPair, error) {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := decodeJSON(r, &in, false); err != nil {
		return omnivibe.TokenPair{}, err
	}
	var pair omnivibe.TokenPair
	err := s.guardLogin(w, r, in.Email, func() (err error) {
		pair, err = s.svc.Login(r.Context(), in.Email, in.Password)
		return err
	})
	return pair, err
}

func (s *Server) refresh(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := decodeJSON(r, &in, false); err != nil {
		return err
	}
	pair, err := s.svc.Refresh(r.Context(), in.RefreshToken)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pair)
	return nil
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	me, err := s.svc.Me(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, me)
	return nil
}

func (s *Server) createAPIKey(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	var in omnivibe.NewAPIKey
	if err := decodeJSON(r, &in, false); err != nil {
		return err
	}
	key, err := s.svc.CreateAPIKey(r.Context(), p, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, key)
	return nil
}

func (s *Server) listAPIKeys(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	keys, err := s.svc.ListAPIKeys(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"api_keys": keys})
	return nil
}

func (s *Server) revokeAPIKey(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	id, err := pathID(r, "id", "api key")
	if err != nil {
		return err
	}
	if err := s.svc.RevokeAPIKey(r.Context(), p, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
