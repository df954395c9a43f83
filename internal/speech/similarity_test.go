package speech

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestSimilarityMatchesDifflib checks every case of
// testdata/similarity_cases.tsv, whose third column Python's difflib
// computed (testdata/difflib_ratio.py).
func TestSimilarityMatchesDifflib(t *testing.T) {
	f, err := os.Open("testdata/similarity_cases.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	cases := 0
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		cols := strings.Split(text, "\t")
		if len(cols) != 3 {
			t.Fatalf("line %d: %d columns, want 3", line, len(cols))
		}
		want, err := strconv.ParseFloat(cols[2], 64)
		if err != nil {
			t.Fatalf("line %d: %v", line, err)
		}
		a := strings.ReplaceAll(cols[0], `\n`, "\n")
		b := strings.ReplaceAll(cols[1], `\n`, "\n")
		if got := Similarity(a, b); math.Abs(got-want) > 1e-12 {
			t.Errorf("line %d: Similarity(%.40q, %.40q) = %v, want %v (difflib)", line, a, b, got, want)
		}
		cases++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if cases < 30 {
		t.Fatalf("read %d cases, want at least 30", cases)
	}
}

func TestSimilarityRequiredProperties(t *testing.T) {
	const script = "Welcome to our summer sale, every pair of running shoes is thirty percent off this week only."
	tests := []struct {
		name        string
		a, b        string
		atLeast     float64
		atMost      float64
		wantPerfect bool
	}{
		{name: "identical", a: script, b: script, wantPerfect: true},
		{name: "case and punctuation ignored", a: script, b: strings.ToUpper(strings.NewReplacer(",", "", ".", "").Replace(script)), wantPerfect: true},
		{name: "unrelated", a: script, b: "Cloud backups keep your family photos safe and sound forever.", atMost: 0.5},
		{name: "missing comma", a: "Hello, my friend, how are you", b: "Hello my friend how are you", atLeast: 0.9},
		{name: "nfd korean", a: "안녕하세요", b: "\u1100\u1161\u11ab", atMost: 0.5},
		{name: "nfd equals nfc", a: "안녕하세요", b: "\u110b\u1161\u11ab\u1102\u1167\u11bc\u1112\u1161\u1109\u1166\u110b\u116d", wantPerfect: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Similarity(tt.a, tt.b)
			switch {
			case tt.wantPerfect && got != 1:
				t.Errorf("got %v, want 1", got)
			case tt.atLeast > 0 && got < tt.atLeast:
				t.Errorf("got %v, want at least %v", got, tt.atLeast)
			case tt.atMost > 0 && got >= tt.atMost:
				t.Errorf("got %v, want under %v", got, tt.atMost)
			}
		})
	}
}

func TestComparableText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Hello, World!", "hello world"},
		{"  twenty-four\t\nhours ", "twenty four hours"},
		{"안녕하세요,테스트.", "안녕하세요 테스트"},
		{"$1,250.50", "1 250 50"},
		{"", ""},
		{"...", ""},
	}
	for _, tt := range tests {
		if got := ComparableText(tt.in); got != tt.want {
			t.Errorf("ComparableText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// referenceMatching is a direct transcription of difflib's
// get_matching_blocks/find_longest_match (dictionaries, recursion, no junk),
// kept simple so the fuzz target can check the fast version against it.
func referenceMatching(a, b []rune) int {
	b2j := map[rune][]int{}
	for j, r := range b {
		b2j[r] = append(b2j[r], j)
	}
	var longest func(alo, ahi, blo, bhi int) (int, int, int)
	longest = func(alo, ahi, blo, bhi int) (int, int, int) {
		besti, bestj, best := alo, blo, 0
		j2len := map[int]int{}
		for i := alo; i < ahi; i++ {
			next := map[int]int{}
			for _, j := range b2j[a[i]] {
				if j < blo {
					continue
				}
				if j >= bhi {
					break
				}
				k := j2len[j-1] + 1
				next[j] = k
				if k > best {
					besti, bestj, best = i-k+1, j-k+1, k
				}
			}
			j2len = next
		}
		return besti, bestj, best
	}
	var blocks func(alo, ahi, blo, bhi int) int
	blocks = func(alo, ahi, blo, bhi int) int {
		i, j, k := longest(alo, ahi, blo, bhi)
		if k == 0 {
			return 0
		}
		n := k
		if alo < i && blo < j {
			n += blocks(alo, i, blo, j)
		}
		if i+k < ahi && j+k < bhi {
			n += blocks(i+k, ahi, j+k, bhi)
		}
		return n
	}
	return blocks(0, len(a), 0, len(b))
}

func FuzzSimilarity(f *testing.F) {
	f.Add("Hello, world", "hello world")
	f.Add("안녕하세요, 테스트 오디오입니다.", "안녕하세요 테스트")
	f.Add("abababab", "babababa")
	f.Add("", "x")
	f.Add("twenty-four", "twenty four")
	f.Fuzz(func(t *testing.T, a, b string) {
		if !utf8.ValidString(a) || !utf8.ValidString(b) {
			return
		}
		got := Similarity(a, b)
		if math.IsNaN(got) || got < 0 || got > 1 {
			t.Fatalf("Similarity(%q, %q) = %v, outside [0, 1]", a, b, got)
		}
		if self := Similarity(a, a); self != 1 {
			t.Fatalf("Similarity(%q, itself) = %v, want 1", a, self)
		}
		ra, rb := comparableRunes(a), comparableRunes(b)
		// A score is zero exactly when the cleaned texts share no character
		// (and are not both empty), whichever way round they are compared.
		if (got == 0) != (Similarity(b, a) == 0) {
			t.Fatalf("Similarity(%q, %q) = %v but reversed %v", a, b, got, Similarity(b, a))
		}
		if want := referenceMatching(ra, rb); matchingRunes(ra, rb) != want {
			t.Fatalf("matching runes of %q, %q = %d, reference %d", a, b, matchingRunes(ra, rb), want)
		}
	})
}

// BenchmarkSimilarity5000 compares a 5,000-character script with a
// transcript that has about 3 % of its words wrong, the size limit of the API.
func BenchmarkSimilarity5000(b *testing.B) {
	expected, transcript := longScriptPair(5000)
	b.SetBytes(int64(len(expected) + len(transcript)))
	b.ResetTimer()
	for b.Loop() {
		Similarity(expected, transcript)
	}
}

// BenchmarkSimilarity5000Unrelated compares two unrelated 5,000-character
// texts, where the block search finds many short blocks.
func BenchmarkSimilarity5000Unrelated(b *testing.B) {
	expected, _ := longScriptPair(5000)
	other, _ := longScriptPair(5001)
	b.ResetTimer()
	for b.Loop() {
		Similarity(expected, other)
	}
}

// longScriptPair builds a deterministic script of about n characters and a
// transcript of it with every 31st word replaced.
func longScriptPair(n int) (string, string) {
	words := strings.Fields("welcome to our summer sale every pair of running shoes is thirty percent off " +
		"this week only visit our store today and find your perfect fit cloud backups keep your family " +
		"photos safe sign up now and get the first month free your memories deserve better protection")
	var script, transcript strings.Builder
	seed := uint32(n)
	for i := 0; script.Len() < n; i++ {
		seed = seed*1664525 + 1013904223
		w := words[seed>>8%uint32(len(words))]
		script.WriteString(w + " ")
		if i%31 == 30 {
			w = words[(seed>>16+7)%uint32(len(words))]
		}
		transcript.WriteString(w + " ")
	}
	return script.String()[:n], transcript.String()
}
