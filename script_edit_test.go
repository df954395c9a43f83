package omnivibe

import (
	"strings"
	"testing"
)

func TestScriptEditValidate(t *testing.T) {
	b := func(typ, text string) ScriptEditBlock { return ScriptEditBlock{Type: typ, Text: text} }
	body := func(n int) []ScriptEditBlock {
		out := []ScriptEditBlock{b("hook", "h")}
		for i := 0; i < n; i++ {
			out = append(out, b("body", "b"))
		}
		return append(out, b("cta", "c"))
	}
	for _, tc := range []struct {
		name   string
		blocks []ScriptEditBlock
		field  string // "" when valid
	}{
		{"one body", body(1), ""},
		{"five bodies", body(5), ""},
		{"no body", body(0), "blocks"},
		{"six bodies", body(6), "blocks"},
		{"cta first", []ScriptEditBlock{b("cta", "c"), b("body", "b"), b("cta", "c")}, "blocks[0].type"},
		{"hook last", []ScriptEditBlock{b("hook", "h"), b("body", "b"), b("hook", "c")}, "blocks[2].type"},
		{"blank text", []ScriptEditBlock{b("hook", "h"), b("body", " \n"), b("cta", "c")}, "blocks[1].text"},
		{"long text", []ScriptEditBlock{b("hook", strings.Repeat("가", MaxBlockText+1)), b("body", "b"), b("cta", "c")}, "blocks[0].text"},
		{"longest text", []ScriptEditBlock{b("hook", strings.Repeat("가", MaxBlockText)), b("body", "b"), b("cta", "c")}, ""},
		{"NUL", []ScriptEditBlock{b("hook", "h"), b("body", "a\u0000"), b("cta", "c")}, "blocks[1].text"},
		{"escape code", []ScriptEditBlock{b("hook", "h"), b("body", "b"), b("cta", "\x1b[2Jc")}, "blocks[2].text"},
		{"C1 control", []ScriptEditBlock{b("hook", "h\u0085"), b("body", "b"), b("cta", "c")}, "blocks[0].text"},
		{"line breaks and tabs", []ScriptEditBlock{b("hook", "h\r\nh"), b("body", "b\tb\nb"), b("cta", "c")}, ""},
	} {
		err := ScriptEdit{Blocks: tc.blocks}.Validate()
		if tc.field == "" {
			if err != nil {
				t.Errorf("%s: got %v, want valid", tc.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.field+":") {
			t.Errorf("%s: got %v, want an error at %s", tc.name, err, tc.field)
		}
	}
}
