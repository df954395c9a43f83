// Package web is the studio: the console an agency's producer uses in the
// browser, served by `omnivibe serve` at /. Its pages are plain ES modules and
// CSS embedded in the binary (no build step, no CDN, no web fonts), and they
// call the API on the same origin like any other client. The package also
// holds the studio's session cookies and their CSRF check; the routes that use
// them are registered in internal/httpapi/routes.go.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
)

//go:embed static
var static embed.FS

// asset is one embedded file, compressed once at start.
type asset struct {
	raw, gz     []byte
	etag, ctype string
}

// Assets serves the embedded files.
type Assets struct {
	files map[string]*asset
}

// NewAssets reads and compresses every embedded file. The files are small
// (tens of kilobytes), so compressing them once at start costs a few
// milliseconds and saves it on every request.
func NewAssets() (*Assets, error) {
	a := &Assets{files: map[string]*asset{}}
	err := fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := static.ReadFile(p)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(raw)
		if err := zw.Close(); err != nil {
			return err
		}
		sum := sha256.Sum256(raw)
		ctype := mime.TypeByExtension(path.Ext(p))
		switch path.Ext(p) { // the machine's mime table may lack or differ on these
		case ".js":
			ctype = "text/javascript; charset=utf-8"
		case ".css":
			ctype = "text/css; charset=utf-8"
		case ".html":
			ctype = "text/html; charset=utf-8"
		case ".svg":
			ctype = "image/svg+xml"
		}
		a.files[strings.TrimPrefix(p, "static/")] = &asset{raw: raw, gz: buf.Bytes(), ctype: ctype,
			etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`}
		return nil
	})
	return a, err
}

// Names lists the embedded files (for tests and the size budget).
func (a *Assets) Names() []string {
	out := make([]string, 0, len(a.files))
	for n := range a.files {
		out = append(out, n)
	}
	return out
}

// Serve answers with the named file and reports whether it exists. Every
// answer revalidates (no-cache with an ETag): the files change with the
// binary, and a 304 costs one small round trip on the same origin.
func (a *Assets) Serve(w http.ResponseWriter, r *http.Request, name string) bool {
	f, ok := a.files[name]
	if !ok {
		return false
	}
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", f.etag)
	h.Set("Vary", "Accept-Encoding")
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, f.etag) {
		w.WriteHeader(http.StatusNotModified)
		return true
	}
	body := f.raw
	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		h.Set("Content-Encoding", "gzip")
		body = f.gz
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
	return true
}

// GzipSize returns the compressed size of the named file (0 if none).
func (a *Assets) GzipSize(name string) int {
	if f, ok := a.files[name]; ok {
		return len(f.gz)
	}
	return 0
}

// acceptsGzip reads Accept-Encoding: gzip (or *) with a quality above zero.
func acceptsGzip(ae string) bool {
	for _, part := range strings.Split(ae, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.TrimSpace(coding)
		if !strings.EqualFold(coding, "gzip") && coding != "*" {
			continue
		}
		q := strings.TrimSpace(params)
		if v, ok := strings.CutPrefix(q, "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil && f == 0 {
				return false
			}
		}
		return true
	}
	return false
}
