package speech

import (
	"regexp"
	"strconv"
	"strings"
)

var (
	kanjiDigits   = []string{"〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	chineseDigits = []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
)

// kanjiNumber writes whole-number digits in Japanese numerals grouped by
// 万: 2024 → 二千二十四, 10000 → 一万, 1500 → 千五百. 一 is dropped before
// 十, 百 and 千, as Japanese reads them.
func kanjiNumber(digits string) string {
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return "零"
	}
	if len(digits) > 20 {
		return digitByDigit(digits, kanjiDigits)
	}
	groups := []string{"", "万", "億", "兆", "京"}
	var b strings.Builder
	chunks := fourDigitGroups(digits)
	for g := len(chunks) - 1; g >= 0; g-- {
		chunk := chunks[g]
		if chunk == 0 {
			continue
		}
		for _, u := range []struct {
			value int
			name  string
		}{{1000, "千"}, {100, "百"}, {10, "十"}} {
			d := chunk / u.value % 10
			if d == 0 {
				continue
			}
			if d > 1 {
				b.WriteString(kanjiDigits[d])
			}
			b.WriteString(u.name)
		}
		if d := chunk % 10; d > 0 {
			b.WriteString(kanjiDigits[d])
		}
		b.WriteString(groups[g])
	}
	return b.String()
}

// fourDigitGroups splits digits into groups of four from the right: index
// 0 is the ones group, 1 the 万 group and so on.
func fourDigitGroups(digits string) []int {
	var out []int
	for end := len(digits); end > 0; end -= 4 {
		v, _ := strconv.Atoi(digits[max(0, end-4):end])
		out = append(out, v)
	}
	return out
}

// chineseNumber writes whole-number digits in Chinese numerals: 1234 →
// 一千二百三十四, 1005 → 一千零五, 15 → 十五, 115 → 一百一十五, 20000 → 两万.
// Zeros inside the number are read once (零), a leading 一 before 十 is
// dropped and a leading 2 before 百, 千, 万 or 亿 is 两.
func chineseNumber(digits string) string {
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return "零"
	}
	if len(digits) > 16 {
		return digitByDigit(digits, chineseDigits)
	}
	groups := []string{"", "万", "亿", "万亿"}
	var parts []string
	n := (len(digits) + 3) / 4
	pendingZero := false
	for g := n - 1; g >= 0; g-- {
		end := len(digits) - 4*g
		chunk, _ := strconv.Atoi(digits[max(0, end-4):end])
		if chunk == 0 {
			pendingZero = true
			continue
		}
		var b strings.Builder
		if pendingZero || (g < n-1 && chunk < 1000) {
			b.WriteString("零")
		}
		pendingZero = false
		zero := false
		started := false
		for _, u := range []struct {
			value int
			name  string
		}{{1000, "千"}, {100, "百"}, {10, "十"}, {1, ""}} {
			d := chunk / u.value % 10
			if d == 0 {
				zero = started
				continue
			}
			if zero {
				b.WriteString("零")
				zero = false
			}
			started = true
			b.WriteString(chineseDigits[d])
			b.WriteString(u.name)
		}
		parts = append(parts, b.String()+groups[g])
	}
	out := strings.Join(parts, "")
	if strings.HasPrefix(out, "一十") {
		out = strings.TrimPrefix(out, "一")
	}
	for _, unit := range []string{"百", "千", "万", "亿"} {
		if strings.HasPrefix(out, "二"+unit) {
			out = "两" + strings.TrimPrefix(out, "二")
			break
		}
	}
	return out
}

func digitByDigit(digits string, names []string) string {
	var b strings.Builder
	for _, c := range digits {
		if c >= '0' && c <= '9' {
			b.WriteString(names[c-'0'])
		}
	}
	return b.String()
}

var (
	cjkPhone   = regexp.MustCompile(`(?:^|[^\d-])(0\d{1,3}-\d{2,4}-\d{4}|1\d{2}-?\d{4}-?\d{4})(?:$|[^\d-])`)
	cjkClock   = regexp.MustCompile(`\b(\d{1,2}):(\d{2})\b`)
	cjkMoney   = regexp.MustCompile(`([$€£¥₩])\s?(` + numberPattern + `)`)
	cjkPercent = regexp.MustCompile(`(` + numberPattern + `)\s?%`)
	zhYear     = regexp.MustCompile(`(\d{4})\s?年`)
	cjkNumber  = regexp.MustCompile(numberPattern)
)

// japanese writes numbers in Japanese numerals, which Japanese voices read
// with the right counter sounds: 2024年 → 二千二十四年, 1,500円 → 千五百円,
// ¥1,000 → 千円, 15% → 十五パーセント, 3.14 → 三点一四, 14:30 → 十四時三十分,
// 090-1234-5678 → ゼロ九ゼロの一二三四の五六七八.
func (n *normalizer) japanese(text string) string {
	digits := []string{"ゼロ", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	number := func(s string) string {
		whole, frac := splitNumber(s)
		out := kanjiNumber(whole)
		if frac != "" {
			out += "点" + digitByDigit(frac, kanjiDigits)
		}
		return out
	}
	text = n.replaceCore(text, cjkPhone, func(m []string) string {
		parts := strings.Split(m[1], "-")
		for i, p := range parts {
			parts[i] = digitByDigit(p, digits)
		}
		return strings.Join(parts, "の")
	})
	text = n.replace(text, cjkClock, func(m []string) string {
		out := number(m[1]) + "時"
		if m[2] != "00" {
			out += number(m[2]) + "分"
		}
		return out
	})
	text = n.replace(text, cjkMoney, func(m []string) string {
		unit := map[string]string{"$": "ドル", "€": "ユーロ", "£": "ポンド", "¥": "円", "₩": "ウォン"}[m[1]]
		return number(m[2]) + unit
	})
	text = n.replace(text, cjkPercent, func(m []string) string { return number(m[1]) + "パーセント" })
	return n.spellNumbers(text, cjkNumber, number)
}

// chinese writes numbers in Chinese numerals: years digit by digit
// (2024年 → 二零二四年), 15% → 百分之十五, 3.14 → 三点一四, ¥100 → 一百元,
// $100 → 一百美元, 14:30 → 十四点三十分, 1005 → 一千零五, phone numbers
// digit by digit.
func (n *normalizer) chinese(text string) string {
	number := func(s string) string {
		whole, frac := splitNumber(s)
		out := chineseNumber(whole)
		if frac != "" {
			out += "点" + digitByDigit(frac, chineseDigits)
		}
		return out
	}
	text = n.replaceCore(text, cjkPhone, func(m []string) string {
		return digitByDigit(m[1], chineseDigits)
	})
	text = n.replace(text, zhYear, func(m []string) string { return digitByDigit(m[1], chineseDigits) + "年" })
	text = n.replace(text, cjkClock, func(m []string) string {
		out := number(m[1]) + "点"
		if m[2] != "00" {
			out += number(m[2]) + "分"
		}
		return out
	})
	text = n.replace(text, cjkMoney, func(m []string) string {
		unit := map[string]string{"$": "美元", "€": "欧元", "£": "英镑", "¥": "元", "₩": "韩元"}[m[1]]
		return number(m[2]) + unit
	})
	text = n.replace(text, cjkPercent, func(m []string) string { return "百分之" + number(m[1]) })
	return n.spellNumbers(text, cjkNumber, number)
}
