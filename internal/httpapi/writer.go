package httpapi

import (
	"net/http"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/service"
)

func (s *Server) generateScript(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	var in omnivibe.ScriptRequest
	if err := decodeJSON(r, &in, false); err != nil {
		return err
	}
	out, err := s.svc.GenerateScript(r.Context(), p, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) estimateDuration(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	var in omnivibe.DurationRequest
	if err := decodeJSON(r, &in, false); err != nil {
		return err
	}
	est, err := s.svc.Duration(in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"seconds": est.Seconds, "characters": est.Characters, "words": est.Words, "pauses": est.Pauses})
	return nil
}
