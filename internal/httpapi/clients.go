package httpapi

import (
	"net/http"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/service"
)

func (s *Server) createClient(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	var in omnivibe.ClientInput
	if err := decodeJSON(r, &in, false); err != nil {
		return err
	}
	c, err := s.svc.CreateClient(r.Context(), p, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) listClients(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	q := newQuery(r)
	page, size := q.page()
	omnivibe.CheckPage(&q.v, page, size)
	if err := q.err(); err != nil {
		return err
	}
	out, err := s.svc.ListClients(r.Context(), p, page, size)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getClient(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	id, err := pathID(r, "id", "client")
	if err != nil {
		return err
	}
	c, err := s.svc.Client(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) updateClient(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	id, err := pathID(r, "id", "client")
	if err != nil {
		return err
	}
	var in omnivibe.ClientInput
	if err := decodeJSON(r, &in, true); err != nil {
		return err
	}
	c, err := s.svc.UpdateClient(r.Context(), p, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) deleteClient(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	id, err := pathID(r, "id", "client")
	if err != nil {
		return err
	}
	if err := s.svc.DeleteClient(r.Context(), p, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
