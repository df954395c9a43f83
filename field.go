package omnivibe

import (
	"bytes"
	"encoding/json"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Optional is a request field that can be absent, null, or set. PATCH requests
// change only the fields that were sent, so "absent" and "null" must be told apart.
type Optional[T any] struct {
	Set   bool // the field was present in the JSON
	Null  bool // the field was present and null
	Value T
}

// Some returns a field that is present with value v (for callers that build
// inputs in Go rather than from JSON).
func Some[T any](v T) Optional[T] { return Optional[T]{Set: true, Value: v} }

// UnmarshalJSON records that the field was present.
func (o *Optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(b, []byte("null")) {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.Value)
}

// MarshalJSON writes the value, or null when it is unset or null.
func (o Optional[T]) MarshalJSON() ([]byte, error) {
	if !o.Set || o.Null {
		return []byte("null"), nil
	}
	return json.Marshal(o.Value)
}

// IsZero lets `omitzero` leave out fields that were never set.
func (o Optional[T]) IsZero() bool { return !o.Set }

// The field rules below are the only place their wording lives, so every resource
// reports a broken field the same way.

// textRule checks a single-line text of min..max characters (runes). Control
// characters are refused: they have no place in a name and break logs and
// CSVs. So are the invisible format characters that make a name read as
// something else (see isDeceptiveFormat).
func textRule(v *Violations, field, s string, min, max int) {
	n := utf8.RuneCountInString(s)
	switch {
	case n < min || n > max:
		if min > 0 {
			v.Addf(field, "must be %d-%d characters", min, max)
		} else {
			v.Addf(field, "must be at most %d characters", max)
		}
	case strings.IndexFunc(s, isControl) >= 0:
		v.Add(field, "must not contain control characters")
	default:
		if i := strings.IndexFunc(s, isDeceptiveFormat); i >= 0 {
			r, _ := utf8.DecodeRuneInString(s[i:])
			v.Addf(field, "must not contain invisible or text-direction characters (found U+%04X)", r)
		}
	}
}

// isDeceptiveFormat reports the invisible characters that make a one-line
// text (a name, a title) display as something other than what it is: the
// bidirectional controls (U+202E turns "exe.pdf" around), zero-width spaces
// and joiners that split or pad a word unseen, the Hangul fillers that make
// a blank-looking name, and the tag characters that hide text from the
// reader but not from a language model. U+200C and U+200D stay allowed:
// Persian and Indic words and emoji sequences need them.
func isDeceptiveFormat(r rune) bool {
	switch {
	case r == 0x061C, // Arabic letter mark
		r == 0x200E || r == 0x200F,   // left-to-right, right-to-left marks
		r >= 0x202A && r <= 0x202E,   // embeddings and overrides
		r >= 0x2066 && r <= 0x2069,   // isolates
		r == 0x200B,                  // zero-width space
		r >= 0x2060 && r <= 0x2064,   // word joiner, invisible operators
		r >= 0x206A && r <= 0x206F,   // deprecated format characters
		r == 0xFEFF,                  // zero-width no-break space (BOM)
		r == 0x00AD,                  // soft hyphen
		r == 0x034F,                  // combining grapheme joiner
		r == 0x180E,                  // Mongolian vowel separator
		r == 0x115F || r == 0x1160,   // Hangul choseong and jungseong fillers
		r == 0x3164 || r == 0xFFA0,   // Hangul filler, halfwidth Hangul filler
		r >= 0xFFF9 && r <= 0xFFFB,   // interlinear annotation
		r >= 0xE0000 && r <= 0xE007F: // tags
		return true
	}
	return false
}

// longTextRule is textRule for multi-line text: newlines and tabs are allowed.
func longTextRule(v *Violations, field, s string, max int) {
	if utf8.RuneCountInString(s) > max {
		v.Addf(field, "must be at most %d characters", max)
		return
	}
	if strings.IndexFunc(s, func(r rune) bool { return isControl(r) && r != '\n' && r != '\r' && r != '\t' }) >= 0 {
		v.Add(field, "must not contain control characters")
	}
}

func isControl(r rune) bool { return unicode.IsControl(r) }

// enumRule checks that s is one of allowed and returns it.
func enumRule(v *Violations, field, s string, allowed []string) string {
	for _, a := range allowed {
		if s == a {
			return s
		}
	}
	v.Addf(field, "must be one of %s", strings.Join(allowed, ", "))
	return s
}

// urlRule checks an absolute http or https URL with a host.
func urlRule(v *Violations, field, s string) {
	if len(s) > 2048 {
		v.Add(field, "must be at most 2048 characters")
		return
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.IndexFunc(s, isControl) >= 0 {
		v.Add(field, "must be an http or https URL")
	}
}

// emailRule checks a plain address (no display name) of at most 254 characters.
func emailRule(v *Violations, field, s string) {
	if len(s) > 254 {
		v.Add(field, "must be at most 254 characters")
		return
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		v.Add(field, "must be a valid email address")
	}
}

// NormalizeEmail is how emails are compared and stored: trimmed and lower-cased,
// so that uniqueness is case-insensitive.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

var hexColor = regexp.MustCompile(`^#[0-9A-Fa-f]{6}$`)

// DateLayout is the layout of calendar dates in the API.
const DateLayout = "2006-01-02"

// dateRule checks a YYYY-MM-DD date and returns it parsed.
func dateRule(v *Violations, field, s string) (time.Time, bool) {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		v.Add(field, "must be a date YYYY-MM-DD")
		return time.Time{}, false
	}
	return t, true
}

// intRangeRule checks min <= n <= max.
func intRangeRule(v *Violations, field string, n, min, max int) {
	if n < min || n > max {
		v.Addf(field, "must be between %d and %d", min, max)
	}
}

// floatRangeRule checks min <= f <= max.
func floatRangeRule(v *Violations, field string, f, min, max float64) {
	if !(f >= min && f <= max) { // also rejects NaN
		v.Addf(field, "must be between %g and %g", min, max)
	}
}

// notNull records a violation for a non-nullable field sent as null and reports
// whether the field carries a value to apply.
func notNull[T any](v *Violations, field string, o Optional[T]) bool {
	if !o.Set {
		return false
	}
	if o.Null {
		v.Add(field, "must not be null")
		return false
	}
	return true
}
