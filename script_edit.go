package omnivibe

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// ScriptEdit is the body of PUT /contents/{id}/script: a script a person
// wrote or edited, block by block, stored as the content's latest script.
type ScriptEdit struct {
	Blocks []ScriptEditBlock `json:"blocks"`
}

// ScriptEditBlock is one block of a ScriptEdit; the server times it.
type ScriptEditBlock struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// MaxBlockText is the longest text of one edited block, in characters.
const MaxBlockText = 2000

// Validate checks the shape every script has: one hook, 1-5 body blocks,
// one call to action, each with some text and no control characters but
// line breaks and tabs.
func (e ScriptEdit) Validate() error {
	var v Violations
	n := len(e.Blocks)
	if n < 3 || n > 7 {
		v.Add("blocks", "must be a hook, 1-5 body blocks and a cta, in that order")
		return v.Err()
	}
	for i, b := range e.Blocks {
		want := BlockBody
		switch i {
		case 0:
			want = BlockHook
		case n - 1:
			want = BlockCTA
		}
		if b.Type != want {
			v.Add(fmt.Sprintf("blocks[%d].type", i), "must be "+want)
		}
		field := fmt.Sprintf("blocks[%d].text", i)
		if strings.TrimSpace(b.Text) == "" || utf8.RuneCountInString(b.Text) > MaxBlockText {
			v.Addf(field, "must be 1-%d characters", MaxBlockText)
			continue
		}
		// The text is read aloud and shown: the rule of every multi-line
		// text, so a NUL or an escape code never reaches speech or a screen.
		longTextRule(&v, field, b.Text, MaxBlockText)
	}
	return v.Err()
}
