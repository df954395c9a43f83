package httpapi

import (
	"net/http"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/service"
)

func (s *Server) createContent(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	campaignID, err := pathID(r, "id", "campaign")
	if err != nil {
		return err
	}
	var in omnivibe.ContentInput
	if err := decodeJSON(r, &in, false); err != nil {
		return err
	}
	c, err := s.svc.CreateContent(r.Context(), p, campaignID, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) listContents(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	campaignID, err := pathID(r, "id", "campaign")
	if err != nil {
		return err
	}
	q := newQuery(r)
	f := omnivibe.ContentFilter{Status: q.str("status")}
	f.Page, f.PageSize = q.page()
	f.Check(&q.v)
	if err := q.err(); err != nil {
		return err
	}
	out, err := s.svc.ListContents(r.Context(), p, campaignID, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getContent(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	id, err := pathID(r, "id", "content")
	if err != nil {
		return err
	}
	c, err := s.svc.Content(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) updateContent(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	id, err := pathID(r, "id", "content")
	if err != nil {
		return err
	}
	var in omnivibe.ContentInput
	if err := decodeJSON(r, &in, true); err != nil {
		return err
	}
	c, err := s.svc.UpdateContent(r.Context(), p, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) deleteContent(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	id, err := pathID(r, "id", "content")
	if err != nil {
		return err
	}
	if err := s.svc.DeleteContent(r.Context(), p, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) getContentScript(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	id, err := pathID(r, "id", "content")
	if err != nil {
		return err
	}
	script, err := s.svc.ContentScript(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, script)
	return nil
}
