package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// controlChars are characters no text field takes: NUL, other C0 controls
// and DEL. (Tab and newline are allowed in multi-line text.)
var controlChars = map[string]string{"NUL": "\x00", "SOH": "\x01", "BS": "\x08", "ESC": "\x1b", "DEL": "\x7f"}

// anyText are the fields that take any characters, and why; they are sent
// all the same (a 5xx still fails), but may be accepted.
var anyText = map[string]string{
	"password":                          "a secret that is never shown: its characters are its owner's business (NIST SP 800-63B)",
	"POST /api/v1/writer/duration text": "a calculation: nothing is stored or spoken, and only letters and pauses count",
}

// bidiChars are the bidirectional formatting characters that can make a
// name read as something else.
var bidiChars = map[string]string{"RLO U+202E": "\u202e", "LRO U+202D": "\u202d", "RLI U+2067": "\u2067", "PDF U+202C": "\u202c"}

// credentialChecks are routes whose body is a credential to check: a bad one
// may answer 401 as any wrong credential does, instead of 422.
var credentialChecks = []string{"POST /api/v1/auth/login", "POST /api/v1/auth/refresh", "POST /studio/session"}

// isName reports whether a field is a name shown to people (where bidi
// controls would disguise it).
func isName(field string) bool { return field == "name" || strings.HasSuffix(field, "_name") }

// setField puts value into the field at path ("name", "keywords[]",
// "blocks[].text") of body, in its first item for a list.
func setField(body map[string]any, path, value string) {
	name, rest, _ := strings.Cut(path, "[]")
	switch {
	case rest == "" && strings.HasSuffix(path, "[]"):
		body[name] = []string{value}
	case rest == "":
		body[name] = value
	default:
		items, _ := body[name].([]map[string]any)
		if len(items) == 0 {
			items = []map[string]any{{}}
		}
		items[0] = maps.Clone(items[0])
		items[0][strings.TrimPrefix(rest, ".")] = value
		body[name] = items
	}
}

// base is the field's valid value in body, or "x".
func base(body map[string]any, path string) string {
	name, rest, _ := strings.Cut(path, "[]")
	switch v := body[name].(type) {
	case string:
		return v
	case []string:
		if len(v) > 0 {
			return v[0]
		}
	case []map[string]any:
		if len(v) > 0 {
			if s, ok := v[0][strings.TrimPrefix(rest, ".")].(string); ok {
				return s
			}
		}
	}
	return "x"
}

// namesField reports whether an error's field names the field at path
// ("blocks[0].text" or "blocks" name "blocks[].text").
func namesField(fields []string, path string) bool {
	top, _, _ := strings.Cut(path, "[]")
	for _, f := range fields {
		if f == top || strings.HasPrefix(f, top+"[") || strings.HasPrefix(f, top+".") {
			return true
		}
	}
	return false
}

// TestProbeControlCharacters puts control characters into every text field
// of every JSON body, as the served OpenAPI document lists them (and into
// the text fields of the voice-over check's form), one field at a time in an
// otherwise valid body: each answer is 4xx naming the field (a credential
// check may answer 401), and nothing is stored. Names also refuse the
// bidirectional controls that make them read as something else.
func TestProbeControlCharacters(t *testing.T) {
	p := startProbe(t, nil)
	owner := p.register("ctl")
	home := p.furnish(owner, "ctl", "")
	// A webhook to change (its deliveries are never sent: no test event).
	home.hook = p.create(owner.token, "/api/v1/webhooks", map[string]any{"url": "https://hooks.probe.example/ctl", "events": []string{"audio.failed"}})
	before := p.snapshot(home)
	doc := p.openAPI()

	n, bodies := 0, 0
	for _, pattern := range routes(t) {
		op, ok := doc.operation(pattern)
		if !ok || op.RequestBody == nil {
			continue
		}
		method, _, _ := strings.Cut(pattern, " ")
		if media, ok := op.RequestBody.Content["multipart/form-data"]; ok {
			fields := doc.textFields(media.Schema, "")
			if len(fields) == 0 {
				t.Errorf("%s: the document lists no text field in its form", pattern)
			}
			for _, field := range fields {
				for what, ch := range controlChars {
					n++
					form := map[string]string{"text": "A few words.", "language": "en"}
					form[field] = form[field] + ch + "x"
					r := p.do(verifyCall(owner.token, form))
					if r.status != 422 || !namesField(r.fields(), field) {
						t.Errorf("%s form field %s with %s: got %s, want 422 naming %s", pattern, field, what, r, field)
					}
				}
			}
			continue
		}
		media, ok := op.RequestBody.Content["application/json"]
		if !ok {
			continue
		}
		fields := doc.textFields(media.Schema, "")
		if len(fields) == 0 {
			continue // no text: rotate-secret's overlap
		}
		if validBody(pattern, home, 0) == nil {
			t.Errorf("%s takes a JSON body with text fields but validBody has none for it", pattern)
			continue
		}
		bodies++
		for _, field := range fields {
			chars := maps.Clone(controlChars)
			if isName(field) {
				for k, v := range bidiChars {
					chars[k] = v
				}
			}
			for _, what := range slices.Sorted(maps.Keys(chars)) {
				n++
				body := validBody(pattern, home, n)
				v := base(body, field)
				bad := v[:len(v)/2] + chars[what] + v[len(v)/2:]
				setField(body, field, bad)
				r := p.do(call{method: method, path: fill(pattern, home), token: owner.token, body: body})
				switch {
				case anyText[field] != "" || anyText[pattern+" "+field] != "":
					if pattern == "POST /api/v1/account/users" && r.status == 201 {
						// a member with that password: remove it, so the
						// account compares equal at the end
						p.must(204, call{method: "DELETE", path: fmt.Sprintf("/api/v1/account/users/%d", r.id()), token: owner.token})
					}
				case slices.Contains(credentialChecks, pattern) && (r.status == 401 || r.status == 429):
					// a wrong credential, or one too many for this email
				case r.status >= 400 && r.status < 500 && namesField(r.fields(), field):
				default:
					t.Errorf("%s: %s with %s (%q): got %s, want 4xx naming %s", pattern, field, what, bad, r, field)
				}
			}
		}
	}
	if bodies < 20 || n < 400 {
		t.Fatalf("only %d bodies and %d requests: the document's request bodies were not found", bodies, n)
	}
	t.Logf("%d bodies, %d requests", bodies, n)
	sameSnapshot(t, "after the refused bodies", before, p.snapshot(home))
}
