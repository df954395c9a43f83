package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/service"
)

// plansJSON is encoded once: the price list changes only with a release.
var plansJSON = func() []byte {
	b, err := json.Marshal(map[string]any{"plans": omnivibe.Plans()})
	if err != nil {
		panic(err)
	}
	return b
}()

func (s *Server) listPlans(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "public, max-age=3600")
	writeJSONBytes(w, http.StatusOK, plansJSON)
	return nil
}

func (s *Server) getUsage(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	u, err := s.svc.Usage(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) changePlan(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	var in omnivibe.PlanChange
	if err := decodeJSON(r, &in, false); err != nil {
		return err
	}
	u, err := s.svc.ChangePlan(r.Context(), p, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}
