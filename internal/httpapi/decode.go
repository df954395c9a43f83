package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/omnivibepro/omnivibe"
)

// decodeJSON reads a JSON object body into dst. Unknown fields are ignored (old
// clients send extra ones); everything else that is not a well-typed JSON
// object is refused with the contract's code. An empty body is {} when
// emptyOK (a PATCH that changes nothing), and an error otherwise.
func decodeJSON(r *http.Request, dst any, emptyOK bool) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !(strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))) {
			return omnivibe.Errorf(omnivibe.CodeUnsupportedMediaType, "Content-Type must be application/json")
		}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return omnivibe.Errorf(omnivibe.CodePayloadTooLarge, "request body is larger than %d bytes", tooLarge.Limit)
		}
		return omnivibe.Errorf(omnivibe.CodeInvalidJSON, "request body could not be read")
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		if emptyOK {
			return nil
		}
		return omnivibe.Errorf(omnivibe.CodeInvalidJSON, "request body is empty; send a JSON object")
	}
	if err := json.Unmarshal(body, dst); err != nil {
		return jsonError(err)
	}
	return nil
}

// jsonError explains a decoding failure without echoing the body back.
func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return &omnivibe.Error{Code: omnivibe.CodeInvalidJSON, Message: fmt.Sprintf("body is not valid JSON (at byte %d)", syntax.Offset)}
	case errors.As(err, &typ) && typ.Field == "":
		return &omnivibe.Error{Code: omnivibe.CodeInvalidJSON, Message: "body must be a JSON object"}
	case errors.As(err, &typ):
		msg := fmt.Sprintf("must be %s, not %s", jsonTypeName(typ.Type.String()), typ.Value)
		return &omnivibe.Error{Code: omnivibe.CodeInvalidJSON, Message: typ.Field + ": " + msg,
			Fields: []omnivibe.FieldError{{Field: typ.Field, Message: msg}}}
	}
	return &omnivibe.Error{Code: omnivibe.CodeInvalidJSON, Message: "body is not valid JSON"}
}

// jsonTypeName names a Go type the way a JSON client thinks of it.
func jsonTypeName(goType string) string {
	switch {
	case strings.Contains(goType, "int"):
		return "an integer"
	case strings.Contains(goType, "float"):
		return "a number"
	case strings.Contains(goType, "bool"):
		return "a boolean"
	case strings.Contains(goType, "[]"):
		return "an array"
	case strings.Contains(goType, "string"), strings.Contains(goType, "Role"):
		return "a string"
	}
	return "an object"
}

// query reads query parameters, collecting every malformed one.
type query struct {
	values url.Values
	v      omnivibe.Violations
}

func newQuery(r *http.Request) *query { return &query{values: r.URL.Query()} }

func (q *query) str(name string) string { return strings.TrimSpace(q.values.Get(name)) }

// int reads a whole number; absent or empty gives def.
func (q *query) int(name string, def int) int {
	s := q.str(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		q.v.Add(name, "must be a whole number")
		return def
	}
	return n
}

// id reads a positive identifier; absent gives 0.
func (q *query) id(name string) int64 {
	s := q.str(name)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		q.v.Add(name, "must be a positive whole number")
		return 0
	}
	return n
}

// page reads page and page_size with the contract's defaults.
func (q *query) page() (int, int) {
	return q.int("page", 1), q.int("page_size", omnivibe.DefaultPageSize)
}

func (q *query) err() error { return q.v.Err() }

// pathID reads the {name} path value. A malformed ID names no resource, so it
// is not found, like an ID of another account.
func pathID(r *http.Request, name, resource string) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, omnivibe.NotFound(resource)
	}
	return n, nil
}
