package httpapi

import (
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/service"
)

// taskIDs are the task IDs the service makes; anything else names no task.
var taskIDs = regexp.MustCompile(`^aud_[A-Za-z0-9_-]{22}$`)

func pathTaskID(r *http.Request) (string, error) {
	id := r.PathValue("task_id")
	if !taskIDs.MatchString(id) {
		return "", omnivibe.NotFound("audio task")
	}
	return id, nil
}

// audioAccepted is the answer of POST /audio/generate.
type audioAccepted struct {
	TaskID    string    `json:"task_id"`
	Status    string    `json:"status"`
	StatusURL string    `json:"status_url"`
	Synthetic bool      `json:"synthetic"`
	CreatedAt time.Time `json:"created_at"`
}

func (s *Server) generateAudio(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	var in omnivibe.AudioRequest
	if err := decodeJSON(r, &in, false); err != nil {
		return err
	}
	task, created, err := s.svc.GenerateAudio(r.Context(), p, in, r.Header.Get("Idempotency-Key"))
	if err != nil {
		return err
	}
	status := http.StatusAccepted
	if !created {
		status = http.StatusOK // a retry with the same Idempotency-Key
	}
	url := "/api/v1/audio/status/" + task.TaskID
	w.Header().Set("Location", url)
	writeJSON(w, status, audioAccepted{TaskID: task.TaskID, Status: task.Status, StatusURL: url, Synthetic: task.Synthetic, CreatedAt: task.CreatedAt})
	return nil
}

func (s *Server) audioStatus(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	id, err := pathTaskID(r)
	if err != nil {
		return err
	}
	t, err := s.svc.AudioTask(r.Context(), p, id)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (s *Server) listAudio(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	q := newQuery(r)
	f := omnivibe.AudioFilter{Status: q.str("status")}
	f.Page, f.PageSize = q.page()
	f.Check(&q.v)
	if err := q.err(); err != nil {
		return err
	}
	out, err := s.svc.ListAudio(r.Context(), p, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) cancelAudio(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	id, err := pathTaskID(r)
	if err != nil {
		return err
	}
	if err := s.svc.CancelAudio(r.Context(), p, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// downloadAudio serves the audio with range requests (players seek, and
// clients resume); the file name is the task ID, never anything from the request.
func (s *Server) downloadAudio(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	id, err := pathTaskID(r)
	if err != nil {
		return err
	}
	d, err := s.svc.AudioFile(r.Context(), p, id)
	if err != nil {
		return err
	}
	defer d.File.Close()
	w.Header().Set("Content-Type", d.ContentType)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", d.Name))
	w.Header().Set("Cache-Control", "private, max-age=86400")
	http.ServeContent(&rangeErrorWriter{ResponseWriter: w, s: s, r: r}, r, d.Name, d.ModTime, d.File)
	return nil
}

// rangeErrorWriter answers ServeContent's plain-text 416 with the contract's
// error body.
type rangeErrorWriter struct {
	http.ResponseWriter
	s       *Server
	r       *http.Request
	refused bool
}

func (w *rangeErrorWriter) WriteHeader(status int) {
	if status != http.StatusRequestedRangeNotSatisfiable {
		w.ResponseWriter.WriteHeader(status)
		return
	}
	w.refused = true
	h := w.ResponseWriter.Header()
	h.Del("Content-Type")
	h.Del("Content-Disposition")
	h["X-Content-Type-Options"] = hdrNosniff
	w.s.writeError(w.ResponseWriter, w.r, omnivibe.Errorf(omnivibe.CodeRangeNotSatisfiable, "the range is outside the audio"))
}

func (w *rangeErrorWriter) Write(b []byte) (int, error) {
	if w.refused {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}
