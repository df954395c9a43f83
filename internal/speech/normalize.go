package speech

import (
	"regexp"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Replacement is one change normalization made: the original text and what
// is spoken instead ("" when the original is not spoken at all, such as a
// section label).
type Replacement struct {
	Original string `json:"original"`
	Spoken   string `json:"spoken"`
}

// Normalized is text ready to be spoken, with the changes that made it.
type Normalized struct {
	// Text is what the voice should say: one line per paragraph of the
	// original, single spaces, no markup.
	Text string `json:"text"`
	// Replacements lists each distinct change once, in order of first
	// appearance, for showing users what was read how.
	Replacements []Replacement `json:"replacements"`
}

// Normalize rewrites a script into the words a voice should say, in
// language ("ko", "en", "ja" or "zh"; a region such as "en-US" is ignored):
//
//   - Markdown is removed: headings (whole lines: a script's headings are
//     titles and section names, not speech), bold and italic markers, list
//     markers, block quotes, rules, links (their text stays) and images.
//   - Section labels are removed wherever a line starts with one followed by
//     a colon or dash, or stands alone or in brackets: "Hook:", "**Hook:**",
//     "[훅]", "후킹:", "본문 1:", "CTA (50-60s):", "콜투액션:", "Body 2 -",
//     together with the timing that often follows them ("(0-3초)").
//   - Numbers become words the way a speaker reads them in the language:
//     dates, times, money, percentages, phone numbers, decimals, ordinals and
//     plain numbers (see normalizeKorean, normalizeEnglish and
//     normalizeCJK). Digits fused with Latin letters ("5G", "MP3") are left
//     for the voice, since they are names.
//
// Other languages only lose their markup.
func Normalize(text, language string) Normalized {
	n := &normalizer{seen: map[Replacement]bool{}}
	// Widths are folded first: a full-width letter followed by a combining
	// mark composes only once the letter is ASCII ("Ｅ̧" → "Ȩ"), so NFC must
	// come after the folding or a second Normalize would still change the text.
	text = norm.NFC.String(foldWidth(text))
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	kept := lines[:0]
	for _, line := range lines {
		if line = n.stripLine(line); line != "" {
			kept = append(kept, line)
		}
	}
	text = strings.Join(kept, "\n")
	switch PrimaryLanguage(language) {
	case "ko":
		text = n.korean(text)
	case "en":
		text = n.english(text)
	case "ja":
		text = n.japanese(text)
	case "zh":
		text = n.chinese(text)
	}
	// NFC again: a combining mark after a digit composes with the last letter
	// of the number's reading ("0\u031b" → "zerơ").
	return Normalized{Text: norm.NFC.String(tidySpaces(text)), Replacements: n.replacements}
}

type normalizer struct {
	replacements []Replacement
	seen         map[Replacement]bool
}

// record notes a replacement once.
func (n *normalizer) record(original, spoken string) {
	r := Replacement{Original: strings.TrimSpace(original), Spoken: strings.TrimSpace(spoken)}
	if r.Original == r.Spoken || n.seen[r] {
		return
	}
	n.seen[r] = true
	n.replacements = append(n.replacements, r)
}

// replace applies re to text, speaking each match with spoken, and records
// what changed.
func (n *normalizer) replace(text string, re *regexp.Regexp, spoken func(m []string) string) string {
	return re.ReplaceAllStringFunc(text, func(match string) string {
		s := spoken(re.FindStringSubmatch(match))
		n.record(match, s)
		return s
	})
}

// replaceUnits is replace for a number with its unit ("5km", "2.5 kg"), read
// only where it stands alone: overlapping a longer run of digits and Latin
// letters ("0m0m", "A5m", "0m0 m") it is part of a name, as the last number
// pass holds too.
func (n *normalizer) replaceUnits(text string, re *regexp.Regexp, spoken func(m []string) string) string {
	names := latinAndNums.FindAllStringIndex(text, -1)
	return n.rewrite(text, re, 0, func(loc []int) bool { return !partOfName(names, loc[0], loc[1]) }, spoken)
}

// partOfName reports whether [start, end) overlaps a name of spans (a run of
// digits and Latin letters) without holding all of it: "0 m" in "0m0 m".
func partOfName(spans [][]int, start, end int) bool {
	for _, s := range spans {
		if s[0] < end && start < s[1] && (s[0] < start || s[1] > end) {
			return true
		}
	}
	return false
}

// replaceCore is replace for patterns that need context around what they
// rewrite: only submatch 1 of each match is replaced and recorded, unless it
// is part of a name ("1100" in "0A1100", as for units). The spoken function
// sees all submatches.
func (n *normalizer) replaceCore(text string, re *regexp.Regexp, spoken func(m []string) string) string {
	names := latinAndNums.FindAllStringIndex(text, -1)
	return n.rewrite(text, re, 1, func(loc []int) bool { return loc[2] >= 0 && !partOfName(names, loc[2], loc[3]) }, spoken)
}

// rewrite replaces submatch group of each match of re that keep accepts with
// what spoken makes of the match's submatches, and records each change.
func (n *normalizer) rewrite(text string, re *regexp.Regexp, group int, keep func(loc []int) bool, spoken func(m []string) string) string {
	var b strings.Builder
	last := 0
	for _, loc := range re.FindAllStringSubmatchIndex(text, -1) {
		if !keep(loc) {
			continue
		}
		m := make([]string, len(loc)/2)
		for i := range m {
			if loc[2*i] >= 0 {
				m[i] = text[loc[2*i]:loc[2*i+1]]
			}
		}
		s := spoken(m)
		n.record(m[group], s)
		b.WriteString(text[last:loc[2*group]])
		b.WriteString(s)
		last = loc[2*group+1]
	}
	b.WriteString(text[last:])
	return b.String()
}

// foldWidth turns full-width digits, Latin letters and the signs the rules
// look for (common in Japanese and Chinese text) into their ASCII forms, so
// one set of rules reads them.
func foldWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return '0' + (r - '０')
		case r >= 'Ａ' && r <= 'Ｚ':
			return 'A' + (r - 'Ａ')
		case r >= 'ａ' && r <= 'ｚ':
			return 'a' + (r - 'ａ')
		case r == '％':
			return '%'
		case r == '＄':
			return '$'
		case r == '￦':
			return '₩'
		case r == '￥':
			return '¥'
		case r == '：':
			return ':'
		}
		return r
	}, s)
}

var (
	markdownHeading  = regexp.MustCompile(`^\s{0,3}#{1,6}(\s+|$)`)
	markdownRule     = regexp.MustCompile(`^\s*([-*_=]\s*){3,}$`)
	markdownFence    = regexp.MustCompile("^\\s*(```|~~~)")
	markdownQuote    = regexp.MustCompile(`^\s*(>\s*)+`)
	markdownList     = regexp.MustCompile(`^\s*([-*+•·▪▶►✓✔]|\d{1,2}[.)])\s+`)
	markdownImage    = regexp.MustCompile(`!\[[^\]]*\]\([^)]*\)`)
	markdownLink     = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	markdownStrong   = regexp.MustCompile(`(\*\*|__)(\S(?:.*?\S)?)(\*\*|__)`)
	markdownEmphasis = regexp.MustCompile(`(^|[^\w*])[*_](\S(?:[^*_]*?\S)?)[*_]($|[^\w*])`)
	markdownStrike   = regexp.MustCompile(`~~(.+?)~~`)
	markdownCode     = regexp.MustCompile("`([^`]*)`")
	strayMarkers     = regexp.MustCompile(`\*{1,3}|_{2,3}|~~`)

	// sectionLabel matches the labels that scripts put before their parts,
	// in the four languages, optionally numbered ("Body 2", "본문 1").
	sectionLabel = `(?i:hook|the hook|body(?:\s*(?:text|copy))?|main(?:\s*body)?|cta|call[\s-]to[\s-]action|intro(?:duction)?|outro|opening|closing|scene|script|` +
		`훅|후킹|후크|도입부?|본문|본론|메인|전개|콜투액션|콜 투 액션|행동\s?유도|마무리|결론|오프닝|클로징|인트로|아웃트로|장면|대본|스크립트|` +
		`フック|導入|本文|本編|締め|まとめ|行動喚起|钩子|开头|开场|正文|主体|结尾|行动号召)(?:\s*#?\d{1,2})?`
	// labelTiming matches the timing that may follow a label: "(0-3s)",
	// "(0:00-0:03)", "[3~50초]", "0-3초".
	labelTiming = `(?:\s*[(\[（【]\s*[^)\]）】]{0,30}[)\]）】]|\s+\d{1,3}(?::\d{2})?\s*[-~–]\s*\d{1,3}(?::\d{2})?\s*(?:s|sec|seconds|초|秒)?)?`
	// A label at the start of a line: bracketed ("[훅]", "【CTA】"), or
	// followed by a colon or a spaced dash, or alone on the line.
	leadingLabel = regexp.MustCompile(`^\s*(?:[\[(【（]\s*` + sectionLabel + labelTiming + `\s*[\])】）]\s*[:：]?|` +
		sectionLabel + labelTiming + `\s*(?:[:：]|\s[-–—]\s|$))\s*`)
	// A bracketed label anywhere in a line.
	inlineLabel = regexp.MustCompile(`[\[【]\s*` + sectionLabel + labelTiming + `\s*[\]】]`)
	// A timestamp at the start of a line: "0:00-0:03", "[00:03]", "(0-3초)";
	// a bare time ("14:30에 만나요") is speech and stays.
	leadingTiming = regexp.MustCompile(`^\s*(?:[\[(（]\s*\d{1,2}:\d{2}(?:\s*[-~–]\s*\d{1,2}:\d{2})?\s*[\])）]|\d{1,2}:\d{2}\s*[-~–]\s*\d{1,2}:\d{2}|[\[(（]\s*\d{1,3}\s*[-~–]\s*\d{1,3}\s*(?:s|sec|초|秒)\s*[\])）])\s*[:\-–]?\s*`)
)

// stripLine strips markup from one line until nothing more comes off, since
// taking one mark away can reveal another ("Hook:===" leaves the rule "===").
// Spaces are tidied first on every pass: the markup patterns' \s does not
// match every space ("+\v0" would become the list item "+ 0" only later).
// Every pass that changes the line shortens it; the cap bounds the work on
// hostile input.
func (n *normalizer) stripLine(line string) string {
	for range 16 {
		tidy := strings.Join(strings.Fields(line), " ")
		stripped := n.stripMarkup(tidy)
		if stripped == tidy {
			return stripped
		}
		line = stripped
	}
	return line
}

// stripMarkup removes Markdown and section labels from one line, returning
// what is left to speak ("" for nothing).
func (n *normalizer) stripMarkup(line string) string {
	trimmed := strings.TrimSpace(line)
	if trimmed == "" || markdownRule.MatchString(trimmed) || markdownFence.MatchString(trimmed) {
		return ""
	}
	if markdownHeading.MatchString(trimmed) {
		// A heading that introduces the part it names ("## Hook: Are you
		// tired?") keeps its text after the label.
		rest := strings.TrimSpace(markdownHeading.ReplaceAllString(trimmed, ""))
		rest = strings.TrimSpace(strings.Trim(n.inline(rest), "#"))
		if loc := leadingLabel.FindStringIndex(rest); loc != nil && loc[1] < len(rest) {
			n.record(trimmed, "")
			return n.stripMarkup(rest[loc[1]:])
		}
		n.record(trimmed, "")
		return ""
	}
	line = markdownQuote.ReplaceAllString(line, "")
	line = markdownList.ReplaceAllString(line, "")
	line = n.inline(line)
	for {
		before := line
		if loc := leadingLabel.FindStringIndex(line); loc != nil {
			n.record(line[loc[0]:loc[1]], "")
			line = line[loc[1]:]
		}
		if loc := leadingTiming.FindStringIndex(line); loc != nil && loc[1] > loc[0] {
			n.record(line[loc[0]:loc[1]], "")
			line = line[loc[1]:]
		}
		line = markdownList.ReplaceAllString(line, "")
		if line == before {
			break
		}
	}
	line = inlineLabel.ReplaceAllStringFunc(line, func(m string) string {
		n.record(m, "")
		return " "
	})
	return strings.TrimSpace(line)
}

// inline removes inline Markdown: images, links (keeping their text),
// emphasis, strike-through and code marks.
func (n *normalizer) inline(s string) string {
	s = markdownImage.ReplaceAllString(s, "")
	s = markdownLink.ReplaceAllString(s, "$1")
	for range 2 { // nested emphasis: ***x*** or **_x_**
		s = markdownStrong.ReplaceAllString(s, "$2")
		s = markdownEmphasis.ReplaceAllString(s, "$1$2$3")
	}
	s = markdownStrike.ReplaceAllString(s, "$1")
	s = markdownCode.ReplaceAllString(s, "$1")
	return strayMarkers.ReplaceAllString(s, "")
}

// tidySpaces collapses runs of spaces and tabs, trims every line and drops
// empty lines.
func tidySpaces(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// spellNumbers writes out every number re finds that an earlier, more specific
// rule left as digits, leaving digits fused with Latin letters ("5G", "MP3")
// alone, and records each reading.
func (n *normalizer) spellNumbers(text string, re *regexp.Regexp, spell func(string) string) string {
	skip := latinAndNums.FindAllStringIndex(text, -1)
	return n.rewrite(text, re, 0, func(loc []int) bool { return !insideAny(skip, loc[0]) },
		func(m []string) string { return spell(m[0]) })
}
