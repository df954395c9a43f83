package verify

import "strings"

// Competitors: what a copy error in an ad most often puts in a word's
// place.
//
// Scoring a word against a free phone loop (its goodness of pronunciation)
// finds a word replaced by one of another shape, but not the errors that
// cost an agency most: twenty read as ninety, thirteen as thirty, Friday as
// Sunday, free as three score as well as the right word, because most of
// their sounds are the same. A feasibility study on this machine's
// pocketsphinx (shared/research/english-miscue-detection.md) caught no
// number slips by word-level scores and every one with explicit
// competitors. So the search is given, at each script word of a closed
// class, the other members of its class as alternatives, each at a penalty:
// the word is substituted when the audio fits a competitor better by more
// than the penalty. This is the reading tutor's approach (J. Mostow et al.,
// "A prototype reading coach that listens", AAAI 1994; Project LISTEN's
// Reading Tutor decoded with a language model of the sentence plus likely
// miscues, on Sphinx), with the miscues of ad copy in place of a child's.
//
// The classes are words that are read wrong for one another and that carry
// the offer: numbers (cardinals, ordinals, and the words a price or a time
// is spoken with), days and months, and the claim words whose one sound
// changes a promise (free/three, new/now, no/low, on/off).
var competitorClasses = [][]string{
	// Cardinals as Normalize spells them ("29" is "twenty-nine", split
	// into two words by scriptWords).
	strings.Fields("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million"),
	strings.Fields("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth thirtieth"),
	strings.Fields("monday tuesday wednesday thursday friday saturday sunday today tomorrow tonight weekend"),
	strings.Fields("january february march april may june july august september october november december"),
	// What money, measures and times are spoken with.
	strings.Fields("dollars cents euros pounds percent"),
	strings.Fields("a p"), // "9 am" is spoken "nine a m"
	strings.Fields("hours days weeks months years minutes"),
	// Claim words.
	strings.Fields("free three fee"),
	strings.Fields("new now no low"),
	strings.Fields("on off"),
	strings.Fields("only all"),
	strings.Fields("best last first"),
	strings.Fields("more less most least"),
	strings.Fields("every any"),
	strings.Fields("always never"),
	strings.Fields("before after"),
	strings.Fields("up down"),
}

// competitorsOf maps a word to the other members of its classes.
var competitorsOf = func() map[string][]string {
	m := map[string][]string{}
	for _, class := range competitorClasses {
		for _, w := range class {
			for _, c := range class {
				if c != w {
					m[w] = append(m[w], c)
				}
			}
		}
	}
	return m
}()

// competitors are the words the search weighs against word: its class
// mates, when it has any.
func competitors(word string) []string { return competitorsOf[word] }
