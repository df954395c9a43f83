package writer

import (
	"errors"
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseScript feeds arbitrary model answers to the parser and the timing
// that follows it: no answer may panic, a refusal is always ErrUnusableAnswer,
// and an accepted answer always gives a complete, timed script.
//
//	go test -run '^$' -fuzz FuzzParseScript -fuzztime 30s ./internal/writer
func FuzzParseScript(f *testing.F) {
	for _, seed := range []string{
		modelAnswer,
		"HOOK:\nStill buying latte every day?\n\nBODY:\n1. A moka pot.\n2. Froth the milk.\n\nCTA:\nSubscribe!",
		"## 훅\n**질문** 하나!\n## 본문\n- 첫째\n- 둘째\n## CTA\n구독!\n\n---\nNotes: ...",
		"```\nフック: こんにちは\n本文:\n・一つ目\n行動喚起: 登録してね\n```",
		"钩子：你好\n正文：\n1、第一\n号召：关注我们",
		"Sure! Here's nothing useful.",
		"",
		"HOOK:\n\nBODY:\n\nCTA:\n",
		"HOOK: a\nCTA: b\nHOOK: c\nBODY: d",
	} {
		f.Add(seed, 60)
	}
	f.Fuzz(func(t *testing.T, answer string, target int) {
		d, err := parseScript(answer)
		if err != nil {
			if !errors.Is(err, ErrUnusableAnswer) {
				t.Fatalf("refusal %v is not ErrUnusableAnswer", err)
			}
			return
		}
		if d.hook == "" || len(d.body) == 0 || d.cta == "" {
			t.Fatalf("accepted a half script: %+v", d)
		}
		if utf8.ValidString(answer) && (!utf8.ValidString(d.hook) || !utf8.ValidString(d.cta)) {
			t.Fatalf("valid UTF-8 in, invalid out: %+v", d)
		}
		target = 10 + int(math.Abs(float64(target%591)))
		s := assemble("fuzz", "model", d, "ko", target)
		if len(s.Blocks) < 3 || s.Blocks[0].Type != BlockHook || s.Blocks[len(s.Blocks)-1].Type != BlockCTA {
			t.Fatalf("blocks %+v: want a hook, a body and a call to action", s.Blocks)
		}
		end := 0.0
		for _, b := range s.Blocks {
			if b.Start != end || b.Duration < 3 || math.IsNaN(b.Duration) || strings.TrimSpace(b.Text) == "" {
				t.Fatalf("block %+v does not follow the last one at %v", b, end)
			}
			end = b.End
		}
	})
}
