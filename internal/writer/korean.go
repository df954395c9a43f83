package writer

import (
	"strings"
	"unicode/utf8"
)

// Hangul syllables are composed as 0xAC00 + (initial*21 + medial)*28 + final.
const (
	hangulFirst = 0xAC00
	hangulLast  = 0xD7A3
	finalRieul  = 8  // ㄹ as a final consonant
	finalBieup  = 17 // ㅂ as a final consonant
)

func isHangulSyllable(r rune) bool { return r >= hangulFirst && r <= hangulLast }

// koreanFinal returns the final consonant index of a Hangul syllable (0: none).
func koreanFinal(r rune) int { return int(r-hangulFirst) % 28 }

// withFinal returns the syllable r with its final consonant replaced.
func withFinal(r rune, final int) rune { return r - rune(koreanFinal(r)) + rune(final) } // #nosec G115 -- final consonant indexes are 0-27

// endsWithConsonant reports whether a Korean reader would end the word with a final
// consonant (받침), which decides the form of the particle that follows. Hangul is
// read off the last syllable; digits and Latin letters by how they are read aloud in
// Korean (3 삼, 8 팔, app 앱, AI 에이아이, SNS 에스엔에스). The second result says whether
// that consonant is ㄹ, which takes 로 rather than 으로.
func endsWithConsonant(s string) (consonant, rieul bool) {
	s = strings.TrimRight(s, " \t\n.,!?'\"”’)]」』")
	r, _ := utf8.DecodeLastRuneInString(s)
	switch {
	case isHangulSyllable(r):
		f := koreanFinal(r)
		return f != 0, f == finalRieul
	case r >= '0' && r <= '9':
		// 영 일 이 삼 사 오 육 칠 팔 구
		switch r {
		case '0', '3', '6':
			return true, false
		case '1', '7', '8':
			return true, true
		}
		return false, false
	case r >= 'A' && r <= 'Z':
		// Read as letter names: 엘 엠 엔 알 end in a consonant.
		switch r {
		case 'L', 'R':
			return true, true
		case 'M', 'N':
			return true, false
		}
		return false, false
	case r >= 'a' && r <= 'z':
		// Borrowed words: app 앱, Instagram 인스타그램, TikTok 틱톡, but YouTube 유튜브,
		// coffee 커피: a final vowel letter, y or w leaves no final consonant; a final l
		// reads as ㄹ.
		switch r {
		case 'a', 'e', 'i', 'o', 'u', 'y', 'w', 'h', 'r':
			return false, false
		case 'l':
			return true, true
		}
		return true, false
	}
	return false, false
}

// attachParticle appends the particle form that fits word: particle names the form
// used after a final consonant (은, 이, 을, 과, 으로, 이라, 이나, 이에요).
func attachParticle(word, particle string) string {
	consonant, rieul := endsWithConsonant(word)
	pair := map[string][2]string{
		"은":   {"은", "는"},
		"이":   {"이", "가"},
		"을":   {"을", "를"},
		"과":   {"과", "와"},
		"으로":  {"으로", "로"},
		"이라":  {"이라", "라"},
		"이나":  {"이나", "나"},
		"이에요": {"이에요", "예요"},
	}[particle]
	if pair[0] == "" {
		return word + particle
	}
	if particle == "으로" && rieul {
		return word + "로"
	}
	if consonant {
		return word + pair[0]
	}
	return word + pair[1]
}

// koreanFormal turns a text written in the polite 해요체 into the formal 합니다체 that
// professional and serious narration uses, sentence by sentence. Endings that both
// registers share (-죠, -세요, -까요, -시다) are kept. The phrase banks are written in
// 해요체 with endings this function knows; a test holds every sentence to that. It is
// not a general conjugator: irregular stems outside its table (그래요, 아파요, 나아요)
// would come out wrong, which is why the banks do not use them.
func koreanFormal(text string) string {
	var out strings.Builder
	start := 0
	for i, r := range text {
		if r == '.' || r == '!' || r == '?' {
			formal, _ := formalEnding(text[start:i])
			out.WriteString(formal)
			out.WriteRune(r)
			start = i + utf8.RuneLen(r)
		}
	}
	out.WriteString(text[start:])
	return out.String()
}

// formalEnding converts s if it ends in a 해요체 ending; ok is false when the ending is
// one both registers share or one it does not know.
func formalEnding(s string) (string, bool) {
	if !strings.HasSuffix(s, "요") {
		return s, false
	}
	for _, e := range [...]struct{ polite, formal string }{
		{"거예요", "것입니다"}, {"이에요", "입니다"}, {"예요", "입니다"}, {"아니에요", "아닙니다"},
		{"볼게요", "보겠습니다"}, {"할게요", "하겠습니다"}, {"갈게요", "가겠습니다"},
		{"해요", "합니다"}, {"돼요", "됩니다"}, {"어려워요", "어렵습니다"},
		{"쉬워요", "쉽습니다"}, {"가까워요", "가깝습니다"}, {"즐거워요", "즐겁습니다"},
		{"몰라요", "모릅니다"}, {"달라요", "다릅니다"}, {"빨라요", "빠릅니다"},
		{"들어요", "듭니다"}, {"걸려요", "걸립니다"}, {"길러요", "기릅니다"},
		{"써요", "씁니다"}, {"커요", "큽니다"}, {"바빠요", "바쁩니다"}, {"기뻐요", "기쁩니다"},
	} {
		if strings.HasSuffix(s, e.polite) {
			return strings.TrimSuffix(s, e.polite) + e.formal, true
		}
	}
	for _, kept := range []string{"세요", "까요", "나요", "지요", "군요", "네요", "게요"} {
		if strings.HasSuffix(s, kept) {
			return s, false
		}
	}
	body := strings.TrimSuffix(s, "요")
	last, size := utf8.DecodeLastRuneInString(body)
	if !isHangulSyllable(last) {
		return s, false
	}
	stemEnd := body[:len(body)-size]
	if last == '아' || last == '어' {
		// 많아요 → 많습니다, 있어요 → 있습니다, 만들어요 → 만듭니다.
		prev, prevSize := utf8.DecodeLastRuneInString(stemEnd)
		if !isHangulSyllable(prev) {
			return s, false
		}
		if koreanFinal(prev) == 0 {
			// 바뀌어요 → 바뀝니다, 되어요 → 됩니다.
			return stemEnd[:len(stemEnd)-prevSize] + string(withFinal(prev, finalBieup)) + "니다", true
		}
		if koreanFinal(prev) == finalRieul {
			return stemEnd[:len(stemEnd)-prevSize] + string(withFinal(prev, finalBieup)) + "니다", true
		}
		return stemEnd + "습니다", true
	}
	if koreanFinal(last) != 0 {
		return s, false
	}
	// A contracted vowel: 봐요 → 봅니다, 줘요 → 줍니다, 져요 → 집니다, 가요 → 갑니다.
	medial := (int(last-hangulFirst) / 28) % 21
	initial := int(last-hangulFirst) / (28 * 21)
	switch medial {
	case 9: // ㅘ → ㅗ
		medial = 8
	case 14: // ㅝ → ㅜ
		medial = 13
	case 6: // ㅕ → ㅣ (져, 려, 켜, 쳐)
		medial = 20
	}
	stem := rune(hangulFirst + (initial*21+medial)*28) // #nosec G115 -- jamo indexes keep it inside the Hangul syllable block
	return stemEnd + string(withFinal(stem, finalBieup)) + "니다", true
}
