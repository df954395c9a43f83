package httpapi

import (
	"net/http"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/service"
)

func (s *Server) listCampaigns(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	q := newQuery(r)
	f := omnivibe.CampaignFilter{ClientID: q.id("client_id"), Status: q.str("status"), Query: q.str("q")}
	f.Page, f.PageSize = q.page()
	f.Check(&q.v)
	if err := q.err(); err != nil {
		return err
	}
	body, err := s.svc.CampaignPageJSON(r.Context(), p, f)
	if err != nil {
		return err
	}
	writeJSONBytes(w, http.StatusOK, body)
	return nil
}

func (s *Server) createCampaign(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	var in omnivibe.CampaignInput
	if err := decodeJSON(r, &in, false); err != nil {
		return err
	}
	c, err := s.svc.CreateCampaign(r.Context(), p, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) getCampaign(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	id, err := pathID(r, "id", "campaign")
	if err != nil {
		return err
	}
	c, err := s.svc.Campaign(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) updateCampaign(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	id, err := pathID(r, "id", "campaign")
	if err != nil {
		return err
	}
	var in omnivibe.CampaignInput
	if err := decodeJSON(r, &in, true); err != nil {
		return err
	}
	c, err := s.svc.UpdateCampaign(r.Context(), p, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) deleteCampaign(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	id, err := pathID(r, "id", "campaign")
	if err != nil {
		return err
	}
	if err := s.svc.DeleteCampaign(r.Context(), p, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
