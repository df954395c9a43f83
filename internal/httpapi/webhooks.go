package httpapi

import (
	"net/http"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/service"
)

func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	var in omnivibe.WebhookInput
	if err := decodeJSON(r, &in, false); err != nil {
		return err
	}
	hook, err := s.svc.CreateWebhook(r.Context(), p, in)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store") // it carries the secret
	writeJSON(w, http.StatusCreated, hook)
	return nil
}

func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	out, err := s.svc.ListWebhooks(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getWebhook(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	id, err := pathID(r, "id", "webhook")
	if err != nil {
		return err
	}
	hook, err := s.svc.Webhook(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, hook)
	return nil
}

func (s *Server) updateWebhook(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	id, err := pathID(r, "id", "webhook")
	if err != nil {
		return err
	}
	var in omnivibe.WebhookInput
	if err := decodeJSON(r, &in, true); err != nil {
		return err
	}
	hook, err := s.svc.UpdateWebhook(r.Context(), p, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, hook)
	return nil
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	id, err := pathID(r, "id", "webhook")
	if err != nil {
		return err
	}
	if err := s.svc.DeleteWebhook(r.Context(), p, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) rotateWebhookSecret(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	id, err := pathID(r, "id", "webhook")
	if err != nil {
		return err
	}
	var in omnivibe.WebhookRotation
	if err := decodeJSON(r, &in, true); err != nil {
		return err
	}
	hook, err := s.svc.RotateWebhookSecret(r.Context(), p, id, in)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, hook)
	return nil
}

func (s *Server) listWebhookDeliveries(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	id, err := pathID(r, "id", "webhook")
	if err != nil {
		return err
	}
	q := newQuery(r)
	page, size := q.page()
	omnivibe.CheckPage(&q.v, page, size)
	if err := q.err(); err != nil {
		return err
	}
	out, err := s.svc.WebhookDeliveries(r.Context(), p, id, page, size)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) retryWebhookDelivery(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	id, err := pathID(r, "id", "webhook")
	if err != nil {
		return err
	}
	deliveryID, err := pathID(r, "delivery_id", "delivery")
	if err != nil {
		return err
	}
	d, err := s.svc.RetryWebhookDelivery(r.Context(), p, id, deliveryID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, d)
	return nil
}

func (s *Server) testWebhook(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	id, err := pathID(r, "id", "webhook")
	if err != nil {
		return err
	}
	d, err := s.svc.TestWebhook(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, d)
	return nil
}
