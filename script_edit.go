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
// one call to action, each with some text.
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
		if strings.TrimSpace(b.Text) == "" || utf8.RuneCountInString(b.Text) > MaxBlockText {
			v.Addf(fmt.Sprintf("blocks[%d].text", i), "must be 1-%d characters", MaxBlockText)
		}
	}
	return v.Err()
}
