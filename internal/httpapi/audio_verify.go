package httpapi

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/service"
)

// verifyPath is the one route whose body may exceed the server's JSON body
// limit: it carries an audio file.
const verifyPath = "/api/v1/audio/verify"

// verifyBodyLimit is the body limit of POST /audio/verify: the largest file
// plus room for the form's other fields and the multipart framing. The
// global limit stays as configured for every other route.
const verifyBodyLimit = omnivibe.MaxVerifyUpload + 1<<20

// bodyLimit is the largest request body r may send.
func (s *Server) bodyLimit(r *http.Request) int64 {
	if r.Method == http.MethodPost && strings.TrimSuffix(r.URL.Path, "/") == verifyPath {
		return max(s.cfg.MaxBodyBytes, verifyBodyLimit)
	}
	return s.cfg.MaxBodyBytes
}

// maxFormValue bounds a text field of the form, in bytes (the script's
// character limit at four bytes a character).
const maxFormValue = 4 * omnivibe.MaxVerifyText

// verifyAudio reads the multipart form of POST /audio/verify as a stream,
// holding the file in memory only (never a temporary file), and asks the
// service to verify it.
func (s *Server) verifyAudio(w http.ResponseWriter, r *http.Request, p service.Principal) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return omnivibe.Errorf(omnivibe.CodeUnsupportedMediaType, "Content-Type must be multipart/form-data with the fields file, text and language")
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return omnivibe.Errorf(omnivibe.CodeUnsupportedMediaType, "the body is not a multipart form")
	}
	var in omnivibe.VerifyRequest
	var file []byte
	haveFile := false
	var v omnivibe.Violations
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return formError(err)
		}
		name := part.FormName()
		switch name {
		case "file":
			// One byte over the limit is enough to know the file is too big.
			data, err := io.ReadAll(io.LimitReader(part, omnivibe.MaxVerifyUpload+1))
			if err != nil {
				return formError(err)
			}
			file, haveFile = data, true
		case "text", "language", "accuracy_threshold":
			data, err := io.ReadAll(io.LimitReader(part, maxFormValue+1))
			if err != nil {
				return formError(err)
			}
			if len(data) > maxFormValue {
				v.Addf(name, "must be at most %d bytes", maxFormValue)
				continue
			}
			value := string(data)
			switch name {
			case "text":
				in.Text = value
			case "language":
				in.Language = value
			default:
				t, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
				if err != nil {
					v.Add(name, "must be a number between 0 and 1")
					continue
				}
				in.AccuracyThreshold = &t
			}
		default:
			// Unknown fields are ignored, as in JSON bodies; drain them so
			// the next part can be read.
			if _, err := io.Copy(io.Discard, part); err != nil {
				return formError(err)
			}
		}
	}
	if !haveFile {
		v.Add("file", "is required: a WAV or MP3 file of the voice-over")
	}
	if err := v.Err(); err != nil {
		if verr := in.Validate(); verr != nil {
			return mergeViolations(err, verr)
		}
		return err
	}
	out, err := s.svc.VerifyAudio(r.Context(), p, in, file)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, out)
	return nil
}

// formError maps a failure to read the form: a body over the limit is 413,
// anything else a malformed form (415: not the multipart body promised).
func formError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return &omnivibe.Error{Code: omnivibe.CodePayloadTooLarge, Message: fmt.Sprintf("request body is larger than %d bytes", tooLarge.Limit),
			Fields: []omnivibe.FieldError{{Field: "file", Message: fmt.Sprintf("must be at most %d bytes", omnivibe.MaxVerifyUpload)}}}
	}
	return &omnivibe.Error{Code: omnivibe.CodeUnsupportedMediaType, Message: "the body is not a well-formed multipart form", Err: err}
}

// mergeViolations lists the field errors of both validation errors.
func mergeViolations(errs ...error) error {
	var v omnivibe.Violations
	for _, err := range errs {
		var e *omnivibe.Error
		if errors.As(err, &e) {
			for _, f := range e.Fields {
				v.Add(f.Field, f.Message)
			}
		}
	}
	return v.Err()
}
