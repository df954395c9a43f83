package writer

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

type section int

const (
	sectionNone section = iota
	sectionHook
	sectionBody
	sectionCTA
)

// sectionAliases are the headings models use for the three parts, in the four
// languages, as they write them when they drift from the requested "HOOK:" format.
var sectionAliases = map[section][]string{
	sectionHook: {"hook", "the hook", "opening hook", "opening", "intro", "introduction",
		"훅", "후크", "도입부", "도입", "오프닝", "인트로",
		"フック", "つかみ", "導入", "オープニング", "イントロ",
		"开场白", "开场", "钩子", "开头", "引子"},
	sectionBody: {"body", "main body", "main points", "main content", "key points", "script body",
		"본문", "본론", "바디", "메인", "핵심 내용",
		"本文", "本編", "ボディ", "本題", "メイン",
		"正文", "主体内容", "主体", "主要内容", "内容"},
	sectionCTA: {"cta", "call to action", "call-to-action", "closing cta", "closing", "outro",
		"콜투액션", "콜 투 액션", "행동 유도", "행동유도", "마무리", "클로징", "아웃트로",
		"行動喚起", "行動を促す", "締め", "クロージング", "アウトロ",
		"行动号召", "号召行动", "行动呼吁", "结尾", "结束语", "收尾"},
}

// aliasEntry is one heading alias; aliases are tried longest first so that "call to
// action" wins over a shorter alias that is its prefix.
type aliasEntry struct {
	alias   string
	section section
}

func sortedAliases() []aliasEntry {
	var all []aliasEntry
	for s, list := range sectionAliases {
		for _, a := range list {
			all = append(all, aliasEntry{a, s})
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if len(all[i].alias) != len(all[j].alias) {
			return len(all[i].alias) > len(all[j].alias)
		}
		return all[i].alias < all[j].alias
	})
	return all
}

var (
	aliasesLongestFirst = sortedAliases()

	listMarker      = regexp.MustCompile(`^\s*(?:[-*+]\s+|[•・·]\s*|\(?\d{1,2}[.)．]\s+|\d{1,2}[、．]\s*|[①②③④⑤⑥⑦⑧⑨⑩]\s*|第\s*\d+\s*[点點つ]?\s*[.:：、]\s*)`)
	horizontalRule  = regexp.MustCompile(`^\s*(?:[-*_=]\s*){3,}$`)
	markdownLink    = regexp.MustCompile(`\[([^\]]+)\]\([^)]*\)`)
	stageDirection  = regexp.MustCompile(`\[[^\]]*\]|【[^】]*】`)
	timingNote      = regexp.MustCompile(`[(（]\s*(?:~|약|約|约)?\s*\d+(?:\.\d+)?\s*(?:[-–~〜]\s*\d+(?:\.\d+)?\s*)?(?:s|sec|secs|seconds?|초|秒|秒钟|min|minutes?)\s*[)）]|[(（]\s*\d{1,2}:\d{2}(?:\s*[-–~〜]\s*\d{1,2}:\d{2})?\s*[)）]`)
	boldLabel       = regexp.MustCompile(`^(?:\*\*|__)[^*_]{1,60}?(?:[:：](?:\*\*|__)|(?:\*\*|__)\s*[:：\-–—])\s*`)
	pointLabel      = regexp.MustCompile(`(?i)^(?:point|step|tip|part|포인트|단계|팁|ポイント|ステップ|要点|步骤|第)\s*\d+\s*[点點つ]?\s*[:：.\-–—]\s*`)
	emphasisMarkers = strings.NewReplacer("**", "", "*", "", "__", "", "`", "", "~~", "")
)

// heading recognizes a section heading such as "HOOK:", "## Hook (0-3s)", "**훅:** text"
// or "3. CTA – text", and returns the section and the text that follows it on the line.
func heading(line string) (section, string, bool) {
	s := strings.TrimSpace(line)
	isMarkdownHeading := strings.HasPrefix(s, "#")
	s = strings.TrimLeft(s, "#>*_ \t")
	s = listMarker.ReplaceAllString(s, "")
	// Emoji, quotes and leftover markers before the label ("### 🎬 훅").
	s = strings.TrimLeftFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	lower := strings.ToLower(s)
	for _, a := range aliasesLongestFirst {
		if !strings.HasPrefix(lower, a.alias) {
			continue
		}
		rest := s[len(a.alias):]
		rest, separated := afterHeadingLabel(rest)
		if separated || rest == "" || isMarkdownHeading {
			return a.section, rest, true
		}
		return sectionNone, "", false
	}
	return sectionNone, "", false
}

// afterHeadingLabel skips what may follow a heading's label: spaces, a parenthetical
// such as "(0-3 seconds)", bold markers and a separator. It reports whether a separator
// (a colon or a dash) was there, which is what tells "Hook: ..." from "Hook your
// viewers ...".
func afterHeadingLabel(rest string) (string, bool) {
	if r, _ := utf8.DecodeRuneInString(rest); unicode.IsLetter(r) || unicode.IsDigit(r) {
		return rest, false
	}
	rest = strings.TrimLeft(rest, " \t")
	if strings.HasPrefix(rest, "(") || strings.HasPrefix(rest, "（") || strings.HasPrefix(rest, "[") {
		if end := strings.IndexAny(rest, ")）]"); end >= 0 {
			_, size := utf8.DecodeRuneInString(rest[end:])
			rest = rest[end+size:]
		}
	}
	rest = strings.TrimLeft(rest, "*_ \t")
	separated := false
	for _, sep := range []string{":", "：", "-", "–", "—"} {
		if strings.HasPrefix(rest, sep) {
			rest = rest[len(sep):]
			separated = true
			break
		}
	}
	rest = strings.TrimSpace(strings.TrimLeft(rest, "*_ \t"))
	return rest, separated
}

// parseScript reads a model's answer into a draft. It accepts the requested format and
// the usual drift from it: Korean, Japanese, Chinese or English headings, markdown
// headings and bold labels, numbered or bulleted lists, code fences, a preamble before
// the script and notes after it. An answer without a hook, a body point and a call to
// action is an ErrUnusableAnswer: a half script is never returned.
func parseScript(answer string) (draft, error) {
	answer = strings.ReplaceAll(answer, "\r\n", "\n")

	var (
		current  = sectionNone
		lines    = map[section][]string{}
		seen     = map[section]bool{}
		ctaEnded bool
	)
	for _, line := range strings.Split(answer, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			continue
		}
		if horizontalRule.MatchString(trimmed) {
			trimmed = ""
		}
		if s, rest, ok := heading(trimmed); ok {
			if seen[sectionCTA] && len(lines[sectionCTA]) > 0 {
				break // a second script or a heading of notes after the call to action
			}
			current, seen[s] = s, true
			if rest != "" {
				lines[s] = append(lines[s], rest)
			}
			continue
		}
		if current == sectionNone {
			continue // preamble such as "Sure! Here's your script:"
		}
		if current == sectionCTA {
			// The call to action is one paragraph; what follows a blank line after it is
			// the model talking about the script, not the script.
			if trimmed == "" {
				ctaEnded = len(lines[sectionCTA]) > 0
				continue
			}
			if ctaEnded {
				break
			}
		}
		lines[current] = append(lines[current], trimmed)
	}

	hookParagraphs := paragraphs(lines[sectionHook])
	var d draft
	if len(hookParagraphs) > 0 {
		d.hook = cleanSpoken(hookParagraphs[0])
	}
	bodyLines := lines[sectionBody]
	if !seen[sectionBody] && len(hookParagraphs) > 1 {
		// No body heading: the points follow the hook's first paragraph.
		bodyLines = joinAfterFirstParagraph(lines[sectionHook])
	}
	for _, item := range bodyItems(bodyLines) {
		if text := cleanSpoken(item); text != "" {
			d.body = append(d.body, text)
		}
	}
	d.cta = cleanSpoken(strings.Join(lines[sectionCTA], " "))

	var missing []string
	if d.hook == "" {
		missing = append(missing, "hook")
	}
	if len(d.body) == 0 {
		missing = append(missing, "body")
	}
	if d.cta == "" {
		missing = append(missing, "call to action")
	}
	if len(missing) > 0 {
		return draft{}, fmt.Errorf("%w: no %s in the answer", ErrUnusableAnswer, strings.Join(missing, ", "))
	}
	return d, nil
}

// paragraphs groups lines into paragraphs separated by blank lines.
func paragraphs(lines []string) []string {
	var out []string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.Join(cur, " "))
			cur = nil
		}
	}
	for _, l := range lines {
		if l == "" || listMarker.MatchString(l) && len(cur) > 0 && !listMarker.MatchString(cur[0]) {
			flush()
		}
		if l != "" {
			cur = append(cur, l)
		}
	}
	flush()
	return out
}

// joinAfterFirstParagraph returns the lines that follow the first paragraph.
func joinAfterFirstParagraph(lines []string) []string {
	i := 0
	for i < len(lines) && lines[i] == "" {
		i++
	}
	for i < len(lines) && lines[i] != "" && (i == 0 || !listMarker.MatchString(lines[i])) {
		i++
	}
	return lines[i:]
}

// bodyItems splits the body into points. With list markers each marker starts a point
// and unmarked lines continue it; without any, every line is a point. A markdown
// sub-heading ("### 1. Start small") is a title for the viewer's eyes, not speech: it
// starts a new point and is dropped.
func bodyItems(lines []string) []string {
	hasMarkers := false
	for _, l := range lines {
		if listMarker.MatchString(l) {
			hasMarkers = true
			break
		}
	}
	var items []string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			items = append(items, strings.Join(cur, " "))
			cur = nil
		}
	}
	for _, l := range lines {
		switch {
		case l == "":
			if !hasMarkers {
				flush()
			}
		case strings.HasPrefix(l, "#"):
			flush()
		case listMarker.MatchString(l):
			flush()
			cur = append(cur, listMarker.ReplaceAllString(l, ""))
		case !hasMarkers:
			flush()
			cur = append(cur, l)
		default:
			cur = append(cur, l)
		}
	}
	flush()
	return items
}

// cleanSpoken turns a piece of the answer into text to be read aloud: no list markers,
// labels, markdown, stage directions or timing notes, and single spaces.
func cleanSpoken(s string) string {
	s = strings.TrimSpace(s)
	s = listMarker.ReplaceAllString(s, "")
	if m := boldLabel.FindStringIndex(s); m != nil && m[1] < len(s) {
		s = s[m[1]:]
	}
	s = markdownLink.ReplaceAllString(s, "$1")
	s = stageDirection.ReplaceAllString(s, "")
	s = timingNote.ReplaceAllString(s, "")
	s = emphasisMarkers.Replace(s)
	s = strings.Join(strings.Fields(s), " ")
	s = pointLabel.ReplaceAllString(s, "")
	s = strings.Trim(s, "*_ ")
	if quoted := strings.Trim(s, `"“”「」『』`); len(quoted) < len(s) && !strings.ContainsAny(quoted, `"“”「」『』`) {
		s = quoted
	}
	// Punctuation left hanging by a removed direction ("Hey , there").
	s = strings.ReplaceAll(s, " ,", ",")
	s = strings.ReplaceAll(s, " .", ".")
	return strings.TrimSpace(s)
}
