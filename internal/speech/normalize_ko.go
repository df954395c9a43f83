package speech

import (
	"regexp"
	"strconv"
	"strings"
)

// A number as written: digits with optional thousands commas and an
// optional decimal part.
const numberPattern = `\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?`

// splitNumber returns the integer digits (commas removed) and the decimal
// digits of a number matched by numberPattern.
func splitNumber(s string) (whole, frac string) {
	s = strings.ReplaceAll(s, ",", "")
	whole, frac, _ = strings.Cut(s, ".")
	whole = strings.TrimLeft(whole, "0")
	if whole == "" {
		whole = "0"
	}
	return whole, frac
}

// smallInt parses up to 18 digits; ok is false beyond that.
func smallInt(digits string) (int64, bool) {
	if len(digits) > 18 {
		return 0, false
	}
	v, err := strconv.ParseInt(digits, 10, 64)
	return v, err == nil
}

var (
	sinoDigits   = []string{"영", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구"}
	phoneDigitKo = []string{"공", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구"}
	sinoGroups   = []string{"", "만", "억", "조", "경"}
	// Months are read with Sino-Korean numbers, except that 6 and 10 lose
	// their final consonant: 유월, 시월.
	koreanMonths = []string{"", "일월", "이월", "삼월", "사월", "오월", "유월", "칠월", "팔월", "구월", "시월", "십일월", "십이월"}
	nativeTens   = []string{"", "열", "스물", "서른", "마흔", "쉰", "예순", "일흔", "여든", "아흔"}
	// The forms native numbers take before a counter (한 개, not 하나 개).
	nativeOnes = []string{"", "한", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉"}
)

// sinoKorean reads a whole number (digits, no commas) in Sino-Korean
// numbers, grouped by 만 as Koreans read them: 12345 → 만 이천삼백사십오,
// 100000000 → 일억. Numbers of 20 digits or more are read digit by digit.
func sinoKorean(digits string) string {
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return "영"
	}
	if len(digits) > 20 {
		return koreanDigitByDigit(digits, sinoDigits)
	}
	var groups []string
	for end := len(digits); end > 0; end -= 4 {
		groups = append(groups, digits[max(0, end-4):end])
	}
	var parts []string
	for g := len(groups) - 1; g >= 0; g-- {
		v, _ := strconv.Atoi(groups[g])
		if v == 0 {
			continue
		}
		word := sinoUnder10000(v)
		// 10,000 is 만, not 일만; but 일억, 일조.
		if v == 1 && g == 1 {
			word = ""
		}
		parts = append(parts, word+sinoGroups[g])
	}
	return strings.Join(parts, " ")
}

// sinoUnder10000 reads 1-9999; 일 is dropped before 십, 백 and 천 (십오,
// 백, 천이백).
func sinoUnder10000(v int) string {
	var b strings.Builder
	for _, u := range []struct {
		value int
		name  string
	}{{1000, "천"}, {100, "백"}, {10, "십"}} {
		d := v / u.value % 10
		if d == 0 {
			continue
		}
		if d > 1 {
			b.WriteString(sinoDigits[d])
		}
		b.WriteString(u.name)
	}
	if d := v % 10; d > 0 {
		b.WriteString(sinoDigits[d])
	}
	return b.String()
}

func koreanDigitByDigit(digits string, names []string) string {
	var b strings.Builder
	for _, c := range digits {
		if c >= '0' && c <= '9' {
			b.WriteString(names[c-'0'])
		}
	}
	return b.String()
}

// sinoKoreanNumber reads a number with an optional decimal part:
// 3.14 → 삼 점 일사.
func sinoKoreanNumber(s string) string {
	whole, frac := splitNumber(s)
	out := sinoKorean(whole)
	if frac != "" {
		out += " 점 " + koreanDigitByDigit(frac, sinoDigits)
	}
	return out
}

// nativeKorean reads 1-99 in native Korean numbers in their form before a
// counter (세 시, 스무 살, 스물한 명); from 100 on, counters are read with
// Sino-Korean numbers as broadcasters do (백오십 명).
func nativeKorean(digits string) string {
	v, ok := smallInt(strings.TrimLeft(digits, "0"))
	if !ok || v == 0 || v >= 100 {
		return sinoKorean(digits)
	}
	if v == 20 {
		return "스무"
	}
	return nativeTens[v/10] + nativeOnes[v%10]
}

// Counters read with native Korean numbers (세 개, 두 시간), and those that
// only look like them but take Sino-Korean numbers (삼 개월, 이 인분), longest
// first so 개월 wins over 개.
var (
	koreanCounter  = regexp.MustCompile(`^(?:개월|개국|시간|시즌|번째|가지|군데|마리|사람|켤레|송이|그루|달러|유로|파운드|위안|킬로미터|킬로그램|센티미터|밀리미터|퍼센트|인분|주년|학년|세기|년대|개|명|살|시|분|초|잔|병|권|벌|곳|배|달|장|대|채|척|통|줄|년|월|일|원|엔|층|호|회|차|위|등|주|세|인|번|점|도|부|편|억|조|만|천|백)`)
	nativeCounters = map[string]bool{
		"시간": true, "번째": true, "가지": true, "군데": true, "마리": true, "사람": true, "켤레": true, "송이": true, "그루": true,
		"개": true, "명": true, "살": true, "시": true, "잔": true, "병": true, "권": true, "벌": true, "곳": true, "배": true,
		"달": true, "장": true, "대": true, "채": true, "척": true, "통": true, "줄": true,
	}
	// Units written with Latin letters, read out in Korean.
	koreanUnitWords = map[string]string{
		"km": "킬로미터", "kg": "킬로그램", "cm": "센티미터", "mm": "밀리미터", "m": "미터", "g": "그램",
		"l": "리터", "L": "리터", "ml": "밀리리터", "mL": "밀리리터", "GB": "기가바이트", "MB": "메가바이트", "TB": "테라바이트",
	}
)

var (
	koPhone      = regexp.MustCompile(`(?:^|[^\d-])(0\d{1,2}-\d{3,4}-\d{4}|1[5-9]\d{2}-\d{4})(?:$|[^\d-])`)
	koISODate    = regexp.MustCompile(`\b((\d{4})[-./]\s?(\d{1,2})[-./]\s?(\d{1,2})\.?)(?:$|[^\d])`)
	koClock      = regexp.MustCompile(`\b(\d{1,2}):(\d{2})(?::(\d{2}))?\b`)
	koRange      = regexp.MustCompile(`(\d)\s*[~∼～-]\s*(\d)`)
	koMoney      = regexp.MustCompile(`([₩$€£¥])\s?(` + numberPattern + `)(?:\s?(조|억|만|천))?`)
	koPercent    = regexp.MustCompile(`(` + numberPattern + `)\s?(%p|%)`)
	koUnit       = regexp.MustCompile(`(` + numberPattern + `)\s?(km|kg|cm|mm|ml|mL|GB|MB|TB|m|g|l|L)\b`)
	koNegative   = regexp.MustCompile(`(^|[\s(])[-−](\d)`)
	koNumber     = regexp.MustCompile(numberPattern)
	latinAndNums = regexp.MustCompile(`[A-Za-z]+\d+(?:[.,]\d+)*[\dA-Za-z]*|\d+(?:[.,]\d+)*[A-Za-z][\dA-Za-z]*`)
)

// korean reads numbers in Korean text:
//
//	2024년 → 이천이십사 년, 6월 → 유월, 15일 → 십오 일,
//	10,000원 → 만 원, 1만 5천원 → 만 오천 원, ₩1,500 → 천오백 원,
//	15% → 십오 퍼센트, 3시 30분 → 세 시 삼십 분, 14:30 → 열네 시 삼십 분,
//	3개 → 세 개, 3개월 → 삼 개월, 1번째 → 첫 번째,
//	010-1234-5678 → 공일공 일이삼사 오육칠팔, 3.14 → 삼 점 일사,
//	1,234,567 → 백이십삼만 사천오백육십칠, -5 → 마이너스 오.
func (n *normalizer) korean(text string) string {
	text = n.replaceCore(text, koPhone, func(m []string) string {
		groups := strings.Split(m[1], "-")
		words := make([]string, len(groups))
		for i, g := range groups {
			words[i] = koreanDigitByDigit(g, phoneDigitKo)
		}
		return strings.Join(words, " ")
	})
	text = n.replaceCore(text, koISODate, func(m []string) string {
		month, _ := strconv.Atoi(m[3])
		day, _ := strconv.Atoi(m[4])
		if month < 1 || month > 12 || day < 1 || day > 31 {
			return m[1]
		}
		return sinoKorean(m[2]) + " 년 " + koreanMonths[month] + " " + sinoKorean(m[4]) + " 일"
	})
	text = n.replace(text, koClock, func(m []string) string {
		h, _ := strconv.Atoi(m[1])
		mins, _ := strconv.Atoi(m[2])
		if h > 24 || mins > 59 {
			return m[0]
		}
		out := koreanHour(h)
		if mins > 0 {
			out += " " + sinoKorean(m[2]) + " 분"
		}
		if m[3] != "" && m[3] != "00" {
			out += " " + sinoKorean(m[3]) + " 초"
		}
		return out
	})
	text = koRange.ReplaceAllString(text, "${1}에서 ${2}")
	text = n.replace(text, koMoney, func(m []string) string {
		unit := map[string]string{"₩": "원", "$": "달러", "€": "유로", "£": "파운드", "¥": "엔"}[m[1]]
		amount := sinoKoreanNumber(m[2])
		if m[3] != "" {
			amount = koreanWithBigUnit(m[2], m[3])
		}
		return amount + " " + unit
	})
	text = n.replace(text, koPercent, func(m []string) string {
		if m[2] == "%p" {
			return sinoKoreanNumber(m[1]) + " 퍼센트포인트"
		}
		return sinoKoreanNumber(m[1]) + " 퍼센트"
	})
	text = n.replaceUnits(text, koUnit, func(m []string) string {
		return sinoKoreanNumber(m[1]) + " " + koreanUnitWords[m[2]]
	})
	text = koNegative.ReplaceAllString(text, "${1}마이너스 ${2}")
	return n.koreanNumbers(text)
}

// koreanHour reads an hour of the clock natively: 세 시, 열두 시, 영 시.
func koreanHour(h int) string {
	if h == 0 {
		return "영 시"
	}
	return nativeKorean(strconv.Itoa(h)) + " 시"
}

// koreanWithBigUnit reads a number written with a Korean power of ten after
// it: 1만 → 만, 5천 → 오천, 3억 → 삼억, 1,500만 → 천오백만, 2.5억 → 이 점 오억.
func koreanWithBigUnit(number, unit string) string {
	whole, frac := splitNumber(number)
	if whole == "1" && frac == "" && (unit == "만" || unit == "천" || unit == "백" || unit == "십") {
		return unit
	}
	return sinoKoreanNumber(number) + unit
}

// koreanNumbers reads the numbers left after the special forms, choosing
// by the counter that follows: native numbers for hours and counted
// things, month names, Sino-Korean for everything else.
func (n *normalizer) koreanNumbers(text string) string {
	var b strings.Builder
	last := 0
	skip := latinAndNums.FindAllStringIndex(text, -1)
	for _, loc := range koNumber.FindAllStringIndex(text, -1) {
		start, end := loc[0], loc[1]
		if start < last || insideAny(skip, start) {
			continue
		}
		number := text[start:end]
		rest := text[end:]
		spaced := strings.HasPrefix(rest, " ")
		counter := koreanCounter.FindString(strings.TrimPrefix(rest, " "))
		if spaced && counter != "" && !nativeCounters[counter] && counter != "월" && counter != "번째" {
			counter = "" // "30 분" reads the same either way; keep the text as is
		}
		if strings.HasSuffix(text[:start], "제") && nativeCounters[counter] {
			counter = "" // 제3장 is the third chapter: 제삼 장
		}
		spoken, consumed := koreanNumberWithCounter(number, counter)
		if consumed && spaced {
			end++ // the space between number and counter
		}
		if consumed {
			end += len(counter)
		}
		b.WriteString(text[last:start])
		b.WriteString(spoken)
		n.record(text[start:end], spoken)
		last = end
	}
	b.WriteString(text[last:])
	return b.String()
}

func insideAny(spans [][]int, pos int) bool {
	for _, s := range spans {
		if pos >= s[0] && pos < s[1] {
			return true
		}
	}
	return false
}

// koreanNumberWithCounter reads number before counter ("" for none) and
// says whether the counter is part of the spoken form.
func koreanNumberWithCounter(number, counter string) (string, bool) {
	whole, frac := splitNumber(number)
	switch {
	case counter == "":
		return sinoKoreanNumber(number), false
	case frac != "":
		return sinoKoreanNumber(number) + " " + counter, true
	case counter == "월":
		if m, _ := strconv.Atoi(whole); m >= 1 && m <= 12 && len(whole) <= 2 {
			return koreanMonths[m], true
		}
	case counter == "시":
		if h, _ := strconv.Atoi(whole); h <= 24 && len(whole) <= 2 {
			return koreanHour(h), true
		}
	case counter == "번째":
		if whole == "1" {
			return "첫 번째", true
		}
		return nativeKorean(whole) + " 번째", true
	case counter == "만" || counter == "억" || counter == "조" || counter == "천" || counter == "백":
		return koreanWithBigUnit(number, counter), true
	case nativeCounters[counter]:
		if whole != "0" {
			return nativeKorean(whole) + " " + counter, true
		}
	}
	return sinoKorean(whole) + " " + counter, true
}
