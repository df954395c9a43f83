package httpapi

import (
	"context"
	"embed"
	"encoding/json"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/service"
)

//go:embed docs
var docsFS embed.FS

// SetDraining marks the server as shutting down: /readyz answers 503.
func (s *Server) SetDraining() { s.draining.Store(true) }

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	writeJSONBytes(w, http.StatusOK, healthBody)
	return nil
}

// healthBody is the answer of /healthz, encoded once: the process is alive,
// and which build it runs, so a load-test history can tell runs of
// different builds apart.
var healthBody, _ = json.Marshal(map[string]string{"status": "ok", "version": buildVersion(debug.ReadBuildInfo())})

// buildVersion names the build: the module version when it has one (go
// install ...@v1.2.3), else the commit it was built from, marked "-dirty"
// when the work tree had changes, else "devel".
func buildVersion(info *debug.BuildInfo, ok bool) string {
	if !ok {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch {
		case s.Key == "vcs.revision" && len(s.Value) >= 12:
			rev = s.Value[:12]
		case s.Key == "vcs.modified" && s.Value == "true":
			dirty = "-dirty"
		}
	}
	if rev == "" {
		return "devel"
	}
	return rev + dirty
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	if s.draining.Load() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "error": "shutting down"})
		return nil
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.svc.Ready(ctx); err != nil {
		// The cause stays in the log: this endpoint needs no credentials.
		s.log.Warn("not ready", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "error": service.Component(err) + " is not reachable"})
		return nil
	}
	writeJSONBytes(w, http.StatusOK, []byte(`{"status":"ready"}`))
	return nil
}

// openAPIJSON is built once, on first use.
func (s *Server) openAPIJSON() ([]byte, error) {
	s.openAPIOnce.Do(func() { s.openAPIDoc, s.openAPIErr = openAPIDocument(s.routes) })
	return s.openAPIDoc, s.openAPIErr
}

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) error {
	doc, err := s.openAPIJSON()
	if err != nil {
		return err
	}
	writeJSONBytes(w, http.StatusOK, doc)
	return nil
}

// docs serves the document rendered for people: a static page and script,
// embedded so it works offline, that read /openapi.json.
func (s *Server) docs(w http.ResponseWriter, r *http.Request) error {
	return serveDocsFile(w, "docs/index.html", "text/html; charset=utf-8")
}

func (s *Server) docsAsset(w http.ResponseWriter, r *http.Request) error {
	switch r.PathValue("asset") {
	case "app.js":
		return serveDocsFile(w, "docs/app.js", "text/javascript; charset=utf-8")
	case "style.css":
		return serveDocsFile(w, "docs/style.css", "text/css; charset=utf-8")
	}
	return omnivibe.NotFound("asset")
}

func serveDocsFile(w http.ResponseWriter, name, contentType string) error {
	b, err := docsFS.ReadFile(name)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(b)
	return nil
}
