package httpapi

import (
	"net/http"

	"github.com/omnivibepro/omnivibe/internal/service"
)

func (s *Server) listProviders(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	list, err := s.svc.Providers(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"providers": list})
	return nil
}
