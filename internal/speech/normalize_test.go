package speech

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

type normalizeCase struct {
	in, want string
}

func runNormalizeCases(t *testing.T, language string, cases []normalizeCase) {
	t.Helper()
	for _, tt := range cases {
		if got := Normalize(tt.in, language).Text; got != tt.want {
			t.Errorf("Normalize(%q, %q)\n got: %q\nwant: %q", tt.in, language, got, tt.want)
		}
	}
}

func TestNormalizeKorean(t *testing.T) {
	runNormalizeCases(t, "ko", []normalizeCase{
		// Sino-Korean numbers, grouped by 만, 일 dropped before 십/백/천.
		{"0", "영"},
		{"7", "칠"},
		{"10", "십"},
		{"11", "십일"},
		{"15", "십오"},
		{"20", "이십"},
		{"100", "백"},
		{"110", "백십"},
		{"1000", "천"},
		{"1,234", "천이백삼십사"},
		{"10000", "만"},
		{"11000", "만 천"},
		{"12,345", "만 이천삼백사십오"},
		{"100,000", "십만"},
		{"1,234,567", "백이십삼만 사천오백육십칠"},
		{"100000000", "일억"},
		{"123,456,789", "일억 이천삼백사십오만 육천칠백팔십구"},
		{"1,000,000,000,000", "일조"},
		{"20,000,000", "이천만"},
		// Dates.
		{"2024년", "이천이십사 년"},
		{"1999년", "천구백구십구 년"},
		{"2024년 6월 15일", "이천이십사 년 유월 십오 일"},
		{"10월 3일", "시월 삼 일"},
		{"1월 1일", "일월 일 일"},
		{"11월 12월", "십일월 십이월"},
		{"2024-06-15", "이천이십사 년 유월 십오 일"},
		{"2024. 6. 15.", "이천이십사 년 유월 십오 일"},
		{"3개월 동안", "삼 개월 동안"},
		// Money.
		{"10,000원", "만 원"},
		{"1,500원", "천오백 원"},
		{"가격은 29,900원입니다.", "가격은 이만 구천구백 원입니다."},
		{"1만 원", "만 원"},
		{"1만 5천원", "만 오천원"},
		{"3억 원", "삼억 원"},
		{"1억 2천만 원", "일억 이천만 원"},
		{"₩50,000", "오만 원"},
		{"$100", "백 달러"},
		{"$1.5", "일 점 오 달러"},
		// Percent.
		{"15%", "십오 퍼센트"},
		{"15% 할인", "십오 퍼센트 할인"},
		{"3.5%", "삼 점 오 퍼센트"},
		{"100 %", "백 퍼센트"},
		{"2.5%p 상승", "이 점 오 퍼센트포인트 상승"},
		// Time: native hours, Sino minutes and seconds.
		{"3시", "세 시"},
		{"12시", "열두 시"},
		{"1시", "한 시"},
		{"0시", "영 시"},
		{"3시 30분", "세 시 삼십 분"},
		{"오후 2시 5분 10초", "오후 두 시 오 분 십 초"},
		{"14:30에 만나요", "열네 시 삼십 분에 만나요"},
		{"9:00", "아홉 시"},
		{"30분", "삼십 분"},
		{"45초", "사십오 초"},
		{"24시간 운영", "스물네 시간 운영"},
		// Native counters and their Sino look-alikes.
		{"3개", "세 개"},
		{"사과 1개", "사과 한 개"},
		{"20살", "스무 살"},
		{"21명", "스물한 명"},
		{"2명", "두 명"},
		{"100명", "백 명"},
		{"150명", "백오십 명"},
		{"2배", "두 배"},
		{"3가지 방법", "세 가지 방법"},
		{"1번째", "첫 번째"},
		{"2번째", "두 번째"},
		{"제3장", "제삼장"},
		{"1위", "일 위"},
		{"5층", "오 층"},
		{"20세", "이십 세"},
		{"3 명", "세 명"},
		{"30 분", "삼십 분"},
		// Phone numbers, digit by digit with 공.
		{"010-1234-5678", "공일공 일이삼사 오육칠팔"},
		{"문의: 02-123-4567", "문의: 공이 일이삼 사오육칠"},
		{"1588-1234로 전화", "일오팔팔 일이삼사로 전화"},
		// Decimals, negatives, ranges, units.
		{"3.14", "삼 점 일사"},
		{"0.5", "영 점 오"},
		{"-5도", "마이너스 오 도"},
		{"3~5일", "삼에서 오 일"},
		{"5km", "오 킬로미터"},
		{"2.5kg", "이 점 오 킬로그램"},
		{"5km를 달렸다", "오 킬로미터를 달렸다"},
		// Names with digits stay for the voice.
		{"5G 네트워크", "5G 네트워크"},
		{"MP3 파일", "MP3 파일"},
		// A whole sentence from the load test and a script line.
		{"안녕하세요, 테스트 오디오입니다.", "안녕하세요, 테스트 오디오입니다."},
		{"지금 가입하면 첫 달 50% 할인! 2024년 12월 31일까지.", "지금 가입하면 첫 달 오십 퍼센트 할인! 이천이십사 년 십이월 삼십일 일까지."},
		{"１５％ 할인", "십오 퍼센트 할인"},
	})
}

func TestNormalizeEnglish(t *testing.T) {
	runNormalizeCases(t, "en", []normalizeCase{
		{"0", "zero"},
		{"7", "seven"},
		{"13", "thirteen"},
		{"40", "forty"},
		{"42", "forty-two"},
		{"100", "one hundred"},
		{"101", "one hundred one"},
		{"999", "nine hundred ninety-nine"},
		{"1,234", "one thousand two hundred thirty-four"},
		{"10,000", "ten thousand"},
		{"1,000,000 users", "one million users"},
		{"2,024 users", "two thousand twenty-four users"},
		{"3,000,000,000", "three billion"},
		{"1000000000000", "one trillion"},
		{"We have 12 stores.", "We have twelve stores."},
		// Years.
		{"1999", "nineteen ninety-nine"},
		{"2005", "two thousand five"},
		{"2024", "twenty twenty-four"},
		{"2000", "two thousand"},
		{"1900", "nineteen hundred"},
		{"1905", "nineteen oh five"},
		{"2010", "twenty ten"},
		{"In 2024, we grew 25%.", "In twenty twenty-four, we grew twenty-five percent."},
		{"It was 1999.", "It was nineteen ninety-nine."},
		{"the 1990s", "the nineteen nineties"},
		{"2024-06-15", "June fifteenth, twenty twenty-four"},
		// Money.
		{"$1,250.50", "one thousand two hundred fifty dollars and fifty cents"},
		{"$1", "one dollar"},
		{"$0.99", "ninety-nine cents"},
		{"$5.01", "five dollars and one cent"},
		{"$19.9", "nineteen dollars and ninety cents"},
		{"$2.5 million", "two point five million dollars"},
		{"$5k", "five thousand dollars"},
		{"$3B", "three billion dollars"},
		{"€20", "twenty euros"},
		{"£3.50", "three pounds and fifty pence"},
		{"¥1000", "one thousand yen"},
		{"Only $49 a month!", "Only forty-nine dollars a month!"},
		// Percent.
		{"15%", "fifteen percent"},
		{"3.5%", "three point five percent"},
		{"100 %", "one hundred percent"},
		// Ordinals.
		{"1st", "first"},
		{"2nd", "second"},
		{"3rd", "third"},
		{"4th", "fourth"},
		{"11th", "eleventh"},
		{"12th", "twelfth"},
		{"20th", "twentieth"},
		{"21st", "twenty-first"},
		{"101st", "one hundred first"},
		// Times.
		{"3:30 pm", "three thirty p m"},
		{"10:00", "ten o'clock"},
		{"3:05", "three oh five"},
		{"7 am", "seven a m"},
		{"at 9 PM.", "at nine p m."},
		// Phone numbers.
		{"555-123-4567", "five five five, one two three, four five six seven"},
		{"(555) 123-4567", "five five five, one two three, four five six seven"},
		{"Call 1-800-555-0199 now", "Call one, eight zero zero, five five five, zero one nine nine now"},
		// Decimals, ranges, negatives, units.
		{"3.14", "three point one four"},
		{"0.5", "zero point five"},
		{"3-5 days", "three to five days"},
		{"-5 degrees", "minus five degrees"},
		{"5 km", "five kilometers"},
		{"1 kg", "one kilogram"},
		{"under_5 km", "under_five kilometers"},
		// Names with digits stay.
		{"5G and MP3", "5G and MP3"},
		{"model A5m, code 0m0 m", "model A5m, code 0m0 m"},
		{"COVID-19", "COVID-nineteen"},
		{"Ｗe sold ２０ cars", "We sold twenty cars"},
	})
}

func TestNormalizeJapanese(t *testing.T) {
	runNormalizeCases(t, "ja", []normalizeCase{
		{"2024年6月15日", "二千二十四年六月十五日"},
		{"1,500円", "千五百円"},
		{"¥1,000", "千円"},
		{"15%オフ", "十五パーセントオフ"},
		{"3.14", "三点一四"},
		{"14:30に", "十四時三十分に"},
		{"10000人", "一万人"},
		{"12345678", "千二百三十四万五千六百七十八"},
		{"090-1234-5678", "ゼロ九ゼロの一二三四の五六七八"},
		{"５Ｇです", "5Gです"},
	})
}

func TestNormalizeChinese(t *testing.T) {
	runNormalizeCases(t, "zh", []normalizeCase{
		{"2024年6月15日", "二零二四年六月十五日"},
		{"15%", "百分之十五"},
		{"3.5%", "百分之三点五"},
		{"3.14", "三点一四"},
		{"¥100", "一百元"},
		{"$100", "一百美元"},
		{"14:30", "十四点三十分"},
		{"10", "十"},
		{"15", "十五"},
		{"115", "一百一十五"},
		{"1005", "一千零五"},
		{"1050", "一千零五十"},
		{"200", "两百"},
		{"20000", "两万"},
		{"100005", "十万零五"},
		{"110000", "十一万"},
		{"13812345678", "一三八一二三四五六七八"},
	})
}

func TestNormalizeRemovesMarkupAndLabels(t *testing.T) {
	tests := []struct {
		name, language, in, want string
	}{
		{"heading label", "en", "## Hook\nAre you tired of cold coffee?", "Are you tired of cold coffee?"},
		{"heading title", "ko", "# 여름 세일 광고 스크립트\n안녕하세요", "안녕하세요"},
		{"heading with text after the label", "en", "## Hook: Are you tired?", "Are you tired?"},
		{"bold label", "en", "**Hook:** Are you tired?", "Are you tired?"},
		{"bold label outside colon", "en", "**Hook**: Are you tired?", "Are you tired?"},
		{"bracketed korean label", "ko", "[훅] 여러분, 안녕하세요", "여러분, 안녕하세요"},
		{"korean labels", "ko", "훅: 반갑습니다\n후킹: 궁금하시죠?\n본문: 설명\n본문 1: 첫째\n콜투액션: 구독하세요", "반갑습니다\n궁금하시죠?\n설명\n첫째\n구독하세요"},
		{"cta label", "en", "CTA: Subscribe now.", "Subscribe now."},
		{"numbered body label", "en", "Body 1: First point.\nBody 2 - Second point.", "First point.\nSecond point."},
		{"label with timing", "en", "Hook (0-3s): Stop scrolling!", "Stop scrolling!"},
		{"korean label with timing", "ko", "훅 (0-3초): 잠깐만요!", "잠깐만요!"},
		{"call to action", "en", "Call to action: Visit us today.", "Visit us today."},
		{"label alone on a line", "en", "Hook\nStop scrolling.\nCTA\nBuy now.", "Stop scrolling.\nBuy now."},
		{"inline bracketed label", "en", "Great deals. [CTA] Buy now.", "Great deals. Buy now."},
		{"timestamps", "en", "[0:00-0:03] Stop scrolling.\n0:03-0:10 Here is why.", "Stop scrolling.\nHere is why."},
		{"japanese label", "ja", "フック：こんにちは", "こんにちは"},
		{"chinese label", "zh", "开头：大家好", "大家好"},
		{"emphasis", "en", "This is **really** *important* and __bold__ and _quiet_.", "This is really important and bold and quiet."},
		{"nested emphasis", "en", "***Wow***", "Wow"},
		{"lists", "en", "- first\n* second\n1. third\n2) fourth", "first\nsecond\nthird\nfourth"},
		{"numbered list keeps numbers in text", "en", "1. Save 20% today", "Save twenty percent today"},
		{"quote and rule", "en", "> Quoted line\n---\nAfter", "Quoted line\nAfter"},
		{"link and image", "en", "Visit [our shop](https://example.com) ![logo](logo.png) now", "Visit our shop now"},
		{"code fences", "en", "```\nSpeak this\n```", "Speak this"},
		{"words that start like labels stay", "en", "Hook your audience with a body of work.", "Hook your audience with a body of work."},
		{"snake case stays", "en", "file_name_here", "file_name_here"},
		{"blank lines and spaces", "en", "  One   two  \n\n\n three ", "One two\nthree"},
		{"windows line ends", "en", "Hook:\r\nHello\r\n", "Hello"},
		{"whole script", "ko", "## 훅\n**훅:** 혹시 아직도 2시간씩 편집하세요?\n\n## 본문\n본문 1: 옴니바이브 프로는 3분이면 끝!\n\n## CTA\n콜투액션: 지금 가입하면 30% 할인!", "혹시 아직도 두 시간씩 편집하세요?\n옴니바이브 프로는 삼 분이면 끝!\n지금 가입하면 삼십 퍼센트 할인!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Normalize(tt.in, tt.language).Text; got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestNormalizeReplacements(t *testing.T) {
	got := Normalize("**Hook:** 2024년 매출 15% 성장! 15% 더!", "ko").Replacements
	want := []Replacement{
		{Original: "Hook:", Spoken: ""},
		{Original: "15%", Spoken: "십오 퍼센트"},
		{Original: "2024년", Spoken: "이천이십사 년"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d replacements %v, want %v", len(got), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("replacement %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	if r := Normalize("No numbers here.", "en").Replacements; len(r) != 0 {
		t.Errorf("plain text got replacements %v", r)
	}
}

func TestNormalizeOtherLanguagesOnlyStripMarkup(t *testing.T) {
	got := Normalize("**Hook:** Hola, 25 amigos", "es").Text
	if got != "Hola, 25 amigos" {
		t.Errorf("got %q", got)
	}
	if got := Normalize("Save 5%", "en-US").Text; got != "Save five percent" {
		t.Errorf("en-US: got %q", got)
	}
}

func FuzzNormalize(f *testing.F) {
	seeds := []string{
		"2024년 6월 15일 10,000원 15% 3시 30분 010-1234-5678 3.14",
		"$1,250.50 1999 2nd 3:30 pm 555-123-4567 -5 3-5",
		"## Hook\n**Hook:** [훅] 본문 1: CTA (0-3s): text",
		"２０２４年６月１５日 15% ¥1,000",
		"99999999999999999999999999 0.000 1,000,000,000,000,000,000",
	}
	for _, s := range seeds {
		for _, lang := range []string{"ko", "en", "ja", "zh"} {
			f.Add(s, lang)
		}
	}
	f.Fuzz(func(t *testing.T, text, language string) {
		if !utf8.ValidString(text) {
			return
		}
		n := Normalize(text, language)
		if !utf8.ValidString(n.Text) {
			t.Fatalf("invalid UTF-8 out of %q", text)
		}
		for _, line := range strings.Split(n.Text, "\n") {
			if n.Text == "" {
				break
			}
			if line == "" || line != strings.TrimSpace(line) || strings.Contains(line, "  ") {
				t.Fatalf("untidy line %q from %q", line, text)
			}
		}
		// Numbers are read out in the four languages, except digits fused
		// with Latin letters ("5G", "v2.0"), which are names.
		switch PrimaryLanguage(language) {
		case "ko", "en", "ja", "zh":
			isASCIILetter := func(r rune) bool { return r < unicode.MaxASCII && unicode.IsLetter(r) }
			tokens := strings.FieldsFunc(n.Text, func(r rune) bool {
				return !(r >= '0' && r <= '9' || isASCIILetter(r) || r == '.' || r == ',')
			})
			for _, tok := range tokens {
				if strings.ContainsAny(tok, "0123456789") && strings.IndexFunc(tok, isASCIILetter) < 0 {
					t.Fatalf("digits %q left in %q (from %q, %s)", tok, n.Text, text, language)
				}
			}
		}
		// Normalizing again changes nothing: the output has no numbers or
		// markup left to rewrite.
		if again := Normalize(n.Text, language).Text; again != n.Text && !strings.ContainsAny(text, "*_#[]>`~-") {
			t.Fatalf("not idempotent: %q → %q → %q", text, n.Text, again)
		}
	})
}

// BenchmarkNormalizeKorean5000 normalizes a 5,000-character Korean script
// full of numbers, the API's size limit.
func BenchmarkNormalizeKorean5000(b *testing.B) {
	line := "## 훅\n**훅:** 2024년 6월 15일 오후 3시 30분, 10,000원으로 15% 할인! 문의 010-1234-5678.\n"
	text := strings.Repeat(line, 5000/utf8.RuneCountInString(line)+1)
	b.ResetTimer()
	for b.Loop() {
		Normalize(text, "ko")
	}
}

// BenchmarkNormalizeAdversarial feeds 5,000 characters of digit-and-letter
// names and numbers, which the rules must skip without quadratic work.
func BenchmarkNormalizeAdversarial(b *testing.B) {
	text := strings.Repeat("5G 1 ", 1000)
	b.ResetTimer()
	for b.Loop() {
		Normalize(text, "en")
	}
}
