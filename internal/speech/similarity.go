package speech

import (
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Similarity scores how well a transcript reproduces the expected text, from
// 0 (nothing in common) to 1 (the same words). Both texts are lower-cased,
// punctuation becomes a space and runs of white space collapse to one space;
// the score is then the ratio 2*M/T of Python's difflib.SequenceMatcher over
// the code points of the two texts, where T is their total length and M the
// number of code points in the matching blocks that Ratcliff/Obershelp
// pattern matching finds (the longest common block, then the same on each
// side of it, recursively). Two empty texts are a perfect match.
//
// The result equals Python's SequenceMatcher(None, a, b, autojunk=False).ratio()
// on the cleaned texts (testdata/difflib_ratio.py computes the test table). Python's default, autojunk=True, ignores every
// character that makes up more than 1 % of a text of 200 characters or more;
// in a long script that is every common letter and the space, and a 5,000
// character transcript with 3 % of its words wrong then scores about 0.26
// instead of 0.98, so the heuristic is deliberately not reproduced. For texts
// under 200 characters the two settings agree.
func Similarity(expected, transcript string) float64 {
	a := comparableRunes(expected)
	b := comparableRunes(transcript)
	if len(a)+len(b) == 0 {
		return 1
	}
	return 2 * float64(matchingRunes(a, b)) / float64(len(a)+len(b))
}

// comparableRunes lower-cases the text, turns punctuation and symbols into
// spaces and collapses white space. Punctuation becomes a space rather than
// vanishing so that "twenty-four" and a recognizer's "twenty four", or
// "안녕하세요,테스트" and "안녕하세요 테스트", compare equal. The text is put in
// Unicode normal form C first: Korean pasted from some systems arrives as
// decomposed jamo (NFD), which would otherwise match nothing a recognizer
// writes.
func comparableRunes(text string) []rune {
	text = norm.NFC.String(text)
	out := make([]rune, 0, len(text))
	space := false
	for _, r := range text {
		if unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r) {
			if space && len(out) > 0 {
				out = append(out, ' ')
			}
			space = false
			out = append(out, unicode.ToLower(r))
			continue
		}
		space = true
	}
	return out
}

// ComparableText is the form of a text that Similarity compares: lower case,
// no punctuation, single spaces. It is exported so that callers can show
// users exactly what was compared.
func ComparableText(text string) string {
	return string(comparableRunes(text))
}

// matchingRunes counts the elements of the matching blocks difflib's
// get_matching_blocks would report for a and b.
func matchingRunes(a, b []rune) int {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	m := newBlockMatcher(a, b)
	type span struct{ alo, ahi, blo, bhi int }
	total := 0
	stack := []span{{0, len(a), 0, len(b)}}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		i, j, k := m.longestMatch(s.alo, s.ahi, s.blo, s.bhi)
		if k == 0 {
			continue
		}
		total += k
		if s.alo < i && s.blo < j {
			stack = append(stack, span{s.alo, i, s.blo, j})
		}
		if i+k < s.ahi && j+k < s.bhi {
			stack = append(stack, span{i + k, s.ahi, j + k, s.bhi})
		}
	}
	return total
}

// blockMatcher holds difflib's b2j index (the positions of every element of
// b) with the elements renumbered densely, and the scratch rows of the
// dynamic programme, reused across calls.
type blockMatcher struct {
	a, b []int32 // dense symbol numbers; symbols absent from b are -1 in a
	b2j  [][]int32
	// prev and cur hold, at index j+1, the length of the match ending at
	// a[i-1], b[j] (prev) and a[i], b[j] (cur); only the touched entries are
	// non-zero, and they are cleared after use so each row costs only as much
	// as the number of matches in it, as with difflib's dictionaries.
	prev, cur               []int32
	prevTouched, curTouched []int32
}

func newBlockMatcher(a, b []rune) *blockMatcher {
	ids := make(map[rune]int32, 64)
	m := &blockMatcher{a: make([]int32, len(a)), b: make([]int32, len(b))}
	for j, r := range b {
		id, ok := ids[r]
		if !ok {
			id = int32(len(ids)) // #nosec G115 -- one id per distinct rune, and there are fewer than 0x110000 runes
			ids[r] = id
			m.b2j = append(m.b2j, nil)
		}
		m.b[j] = id
		m.b2j[id] = append(m.b2j[id], int32(j))
	}
	for i, r := range a {
		if id, ok := ids[r]; ok {
			m.a[i] = id
		} else {
			m.a[i] = -1
		}
	}
	m.prev = make([]int32, len(b)+1)
	m.cur = make([]int32, len(b)+1)
	return m
}

// longestMatch is difflib's find_longest_match without junk: the longest
// block a[i:i+k] == b[j:j+k] within the bounds, the earliest in a and then in
// b among equally long ones.
func (m *blockMatcher) longestMatch(alo, ahi, blo, bhi int) (besti, bestj, bestSize int) {
	besti, bestj = alo, blo
	for i := alo; i < ahi; i++ {
		var js []int32
		if id := m.a[i]; id >= 0 {
			js = m.b2j[id]
		}
		// Skip the positions before blo with a binary search where difflib
		// walks them one by one; the result is the same.
		lo, hi := 0, len(js)
		for lo < hi {
			mid := int(uint(lo+hi) >> 1)
			if int(js[mid]) < blo {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		start := lo
		for _, j32 := range js[start:] {
			j := int(j32)
			if j >= bhi {
				break
			}
			k := m.prev[j] + 1
			m.cur[j+1] = k
			m.curTouched = append(m.curTouched, j32+1)
			if int(k) > bestSize {
				besti, bestj, bestSize = i-int(k)+1, j-int(k)+1, int(k)
			}
		}
		for _, t := range m.prevTouched {
			m.prev[t] = 0
		}
		m.prev, m.cur = m.cur, m.prev
		m.prevTouched, m.curTouched = m.curTouched, m.prevTouched[:0]
	}
	for _, t := range m.prevTouched {
		m.prev[t] = 0
	}
	m.prevTouched = m.prevTouched[:0]
	return besti, bestj, bestSize
}
