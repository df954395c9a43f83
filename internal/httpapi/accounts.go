package httpapi

import (
	"net/http"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/service"
)

func (s *Server) getAccount(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	a, err := s.svc.Account(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) updateAccount(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	var in struct {
		Name omnivibe.Optional[string] `json:"name"`
	}
	if err := decodeJSON(r, &in, true); err != nil {
		return err
	}
	a, err := s.svc.RenameAccount(r.Context(), p, in.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) listMembers(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	users, err := s.svc.ListMembers(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": users})
	return nil
}

func (s *Server) addMember(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	var in omnivibe.NewMember
	if err := decodeJSON(r, &in, false); err != nil {
		return err
	}
	u, err := s.svc.AddMember(r.Context(), p, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (s *Server) updateMember(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	id, err := pathID(r, "id", "user")
	if err != nil {
		return err
	}
	var in struct {
		Role omnivibe.Optional[omnivibe.Role] `json:"role"`
	}
	if err := decodeJSON(r, &in, false); err != nil {
		return err
	}
	u, err := s.svc.ChangeMemberRole(r.Context(), p, id, in.Role)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	id, err := pathID(r, "id", "user")
	if err != nil {
		return err
	}
	if err := s.svc.RemoveMember(r.Context(), p, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
