package verify

import (
	"bufio"
	"cmp"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/omnivibepro/omnivibe/internal/speech"
)

// Neighbours: competitors for the names of the script.
//
// A brand or a name read as another is most often read as a
// word one sound away (Polar as Solar, serum as cereal, latte as lottie),
// and such a word scores nearly as well as the right one against the phone
// loop. So each name of the script (namesIn) also competes with the
// dictionary words whose pronunciation differs from its own by one phone
// (replaced, added or left out), at a larger penalty than the classes'
// (neighbourPenalty): a neighbour is a less likely slip than a class mate,
// and there are more of them. The feasibility study's nearest-word
// competitors at a large penalty caught 78 % of name and 89 % of product
// slips (shared/research/english-miscue-detection.md). Names only, because
// each neighbour is a branch of the search: for every content word of a
// minute of script they doubled its time (6.5 s against 3.5 s here);
// other words are left to their goodness of pronunciation.

// maxNeighbours bounds a word's neighbours (distinct pronunciations):
// each is a branch of the search at the word.
const maxNeighbours = 40

// neighbour is a dictionary word and the pronunciation that makes it one.
type neighbour struct{ word, pron string }

// functionWords are left without neighbours: a slip of "with" for "width"
// changes no offer, and their short, weak forms would draw false alarms.
var functionWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields("about after again also an and any are been before being both but can could does doing down each even ever from have having here into just like made make many more most much must need only other over same should since some such than that their them then there these they this those through under until upon very want were what when where which while will with within without would your yours you're we're they're it's that's") {
		m[w] = true
	}
	return m
}()

// namesIn are the words of normalized text written with a capital inside
// a sentence: the brands and names of ad copy ("Polar Breeze", "Nova
// Bank"), as scriptWords spells them.
func namesIn(text string) map[string]bool {
	names := map[string]bool{}
	for _, sentence := range strings.FieldsFunc(text, func(r rune) bool { return strings.ContainsRune(".!?;…。\n", r) }) {
		for i, w := range strings.Fields(sentence) {
			if r, _ := utf8.DecodeRuneInString(w); i > 0 && unicode.IsUpper(r) {
				for _, sw := range ScriptWords(w) {
					names[sw] = true
				}
			}
		}
	}
	return names
}

// isContentWord: a word of four letters or more that is neither a function
// word nor in a competitor class (those have their own competitors).
func isContentWord(w string) bool {
	return len([]rune(w)) >= 4 && !functionWords[w] && competitorsOf[w] == nil
}

// dictionaryNeighbours scans the dictionary once for the neighbours of
// each word of content (word → its phones).
func (p *PocketSphinx) dictionaryNeighbours(content map[string][]string) (map[string][]neighbour, error) {
	out := map[string][]neighbour{}
	if len(content) == 0 {
		return out, nil
	}
	f, err := os.Open(filepath.Join(p.modelDir, "cmudict-en-us.dict"))
	if err != nil {
		return nil, &speech.ProviderError{Provider: speech.ProviderPocketSphinx, Kind: speech.ErrProviderUnavailable, Message: "no pronunciation dictionary: " + err.Error()}
	}
	defer f.Close()
	// One neighbour per pronunciation (the dictionary spells many names
	// alike: boehler, bohler, bowler), named by its shortest spelling.
	byPron := map[string]map[string]string{} // target → pronunciation → word
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		word, pron, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		if i := strings.IndexByte(word, '('); i > 0 {
			word = word[:i]
		}
		if strings.ContainsAny(word, "'_.-") {
			continue // possessives and compounds: the word itself is there
		}
		phones := strings.Fields(pron)
		for target, tp := range content {
			if word == target || !oneEditApart(tp, phones) {
				continue
			}
			key := strings.Join(phones, " ")
			if byPron[target] == nil {
				byPron[target] = map[string]string{}
			}
			if old, ok := byPron[target][key]; !ok || len(word) < len(old) {
				byPron[target][key] = word
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &speech.ProviderError{Provider: speech.ProviderPocketSphinx, Kind: speech.ErrProviderUnavailable, Message: "reading the dictionary: " + err.Error()}
	}
	for target, prons := range byPron {
		for _, pron := range slices.Sorted(maps.Keys(prons)) {
			out[target] = append(out[target], neighbour{word: prons[pron], pron: pron})
		}
		// Replacing a phone is the commonest slip of the three: keep
		// those first when there are too many.
		slices.SortStableFunc(out[target], func(a, b neighbour) int {
			return cmp.Compare(abs(len(strings.Fields(a.pron))-len(content[target])), abs(len(strings.Fields(b.pron))-len(content[target])))
		})
		out[target] = out[target][:min(len(out[target]), maxNeighbours)]
	}
	return out, nil
}

func abs(n int) int { return max(n, -n) }

// oneEditApart reports whether b is a with one phone replaced, added or
// left out.
func oneEditApart(a, b []string) bool {
	switch len(a) - len(b) {
	case 0:
		diff := 0
		for i := range a {
			if a[i] != b[i] {
				diff++
			}
		}
		return diff == 1
	case 1:
		a, b = b, a
		fallthrough
	case -1:
		// b is a with one phone added.
		i := 0
		for i < len(a) && a[i] == b[i] {
			i++
		}
		for ; i < len(a); i++ {
			if a[i] != b[i+1] {
				return false
			}
		}
		return true
	}
	return false
}
