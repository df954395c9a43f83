package httpapi

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// TestOpenAPIOperations checks what client generators and linters need of
// every operation of the served document: an operationId that is unique and
// can name a method, and a security that says what the route really does
// (the credentials it asks for when routes.go registers it as authed, an
// empty list when public).
func TestOpenAPIOperations(t *testing.T) {
	h := newHarness(t, Config{})
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string            `json:"operationId"`
			Security    *[]map[string]any `json:"security"`
			Responses   map[string]any    `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(h.do(req{method: "GET", path: "/openapi.json"}).body, &doc); err != nil {
		t.Fatal(err)
	}
	name := regexp.MustCompile(`^[a-z][A-Za-z0-9]*$`)
	seen := map[string]string{}
	for _, pattern := range h.api.Routes() {
		method, path, _ := strings.Cut(pattern, " ")
		op, ok := doc.Paths[strings.TrimSuffix(path, "{$}")][strings.ToLower(method)]
		if !ok {
			t.Errorf("%s: not in the document", pattern)
			continue
		}
		switch id := op.OperationID; {
		case !name.MatchString(id):
			t.Errorf("%s: operationId %q is not a lowerCamelCase name", pattern, id)
		case seen[id] != "":
			t.Errorf("%s: operationId %q is %s's too", pattern, id, seen[id])
		default:
			seen[id] = pattern
		}
		switch authed := h.api.authedRoutes[pattern]; {
		case op.Security == nil:
			t.Errorf("%s: declares no security (a public operation says security: [])", pattern)
		case authed && len(*op.Security) == 0:
			t.Errorf("%s: needs credentials but the document says it is public", pattern)
		case !authed && len(*op.Security) != 0:
			t.Errorf("%s: is public but the document asks for %v", pattern, *op.Security)
		}
	}
	for pattern := range operationIDs {
		if _, ok := operations[pattern]; !ok {
			t.Errorf("operationIDs names %q, which is no operation", pattern)
		}
	}
}
