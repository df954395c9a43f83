package speech

import (
	"regexp"
	"strconv"
	"strings"
)

var (
	englishOnes = []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
		"eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"}
	englishTens   = []string{"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
	englishScales = []string{"", "thousand", "million", "billion", "trillion", "quadrillion", "quintillion"}
)

// englishCardinal reads whole-number digits in American English, without
// "and": 1234 → one thousand two hundred thirty-four. Numbers too long for
// the scale words are read digit by digit.
func englishCardinal(digits string) string {
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return "zero"
	}
	if len(digits) > 3*len(englishScales) {
		return englishDigits(digits)
	}
	var groups []int
	for end := len(digits); end > 0; end -= 3 {
		v, _ := strconv.Atoi(digits[max(0, end-3):end])
		groups = append(groups, v)
	}
	var parts []string
	for g := len(groups) - 1; g >= 0; g-- {
		if groups[g] == 0 {
			continue
		}
		parts = append(parts, englishUnder1000(groups[g]))
		if englishScales[g] != "" {
			parts = append(parts, englishScales[g])
		}
	}
	return strings.Join(parts, " ")
}

func englishUnder1000(v int) string {
	var parts []string
	if v >= 100 {
		parts = append(parts, englishOnes[v/100], "hundred")
		v %= 100
	}
	switch {
	case v == 0:
	case v < 20:
		parts = append(parts, englishOnes[v])
	case v%10 == 0:
		parts = append(parts, englishTens[v/10])
	default:
		parts = append(parts, englishTens[v/10]+"-"+englishOnes[v%10])
	}
	return strings.Join(parts, " ")
}

// englishDigits reads digits one by one: 314 → three one four.
func englishDigits(digits string) string {
	words := make([]string, 0, len(digits))
	for _, c := range digits {
		if c >= '0' && c <= '9' {
			words = append(words, englishOnes[c-'0'])
		}
	}
	return strings.Join(words, " ")
}

// englishNumber reads a number with an optional decimal part:
// 3.14 → three point one four.
func englishNumber(s string) string {
	whole, frac := splitNumber(s)
	out := englishCardinal(whole)
	if frac != "" {
		out += " point " + englishDigits(frac)
	}
	return out
}

// englishYear reads a four-digit year as people say it: 1999 → nineteen
// ninety-nine, 1905 → nineteen oh five, 1900 → nineteen hundred, 2000 →
// two thousand, 2005 → two thousand five, 2024 → twenty twenty-four.
func englishYear(y int) string {
	hi, lo := y/100, y%100
	switch {
	case y >= 2000 && y < 2010:
		return englishCardinal(strconv.Itoa(y))
	case lo == 0:
		return englishUnder1000(hi) + " hundred"
	case lo < 10:
		return englishUnder1000(hi) + " oh " + englishOnes[lo]
	}
	return englishUnder1000(hi) + " " + englishUnder1000(lo)
}

// englishOrdinal turns a cardinal reading into the ordinal one:
// twenty-one → twenty-first, one hundred → one hundredth.
func englishOrdinal(cardinal string) string {
	cut := strings.LastIndexAny(cardinal, " -") + 1
	head, last := cardinal[:cut], cardinal[cut:]
	irregular := map[string]string{"one": "first", "two": "second", "three": "third", "five": "fifth",
		"eight": "eighth", "nine": "ninth", "twelve": "twelfth"}
	switch {
	case irregular[last] != "":
		last = irregular[last]
	case strings.HasSuffix(last, "y"):
		last = strings.TrimSuffix(last, "y") + "ieth"
	default:
		last += "th"
	}
	return head + last
}

// pluralize adds the plural ending a year takes in "the 1990s":
// ninety → nineties, hundred → hundreds.
func pluralize(words string) string {
	if strings.HasSuffix(words, "y") {
		return strings.TrimSuffix(words, "y") + "ies"
	}
	return words + "s"
}

var (
	enPhone    = regexp.MustCompile(`(?:^|[^\d\w-])((?:\+?1[\s-])?\(?\d{3}\)?[\s.-]\d{3}[.-]\d{4})(?:$|[^\d\w-])`)
	enISODate  = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})\b`)
	enClock    = regexp.MustCompile(`\b(\d{1,2}):(\d{2})(?:\s?([AaPp])\.?[Mm]\b)?`)
	enHourAmPm = regexp.MustCompile(`\b(\d{1,2})\s?([AaPp])\.?[Mm]\b`)
	enMoney    = regexp.MustCompile(`([$€£¥₩])\s?(` + numberPattern + `)(?:\s?(thousand|million|billion|trillion|[kKmMbB]n?)\b)?`)
	enPercent  = regexp.MustCompile(`(` + numberPattern + `)\s?%`)
	enOrdinal  = regexp.MustCompile(`\b(\d+)(st|nd|rd|th)\b`)
	enDecade   = regexp.MustCompile(`\b(1[1-9]|20)(\d0)s\b`)
	enYear     = regexp.MustCompile(`(?:^|[^\d.,$€£¥₩-])((?:1[1-9]|20)\d{2})(?:$|[^\d%.,]|[.,](?:$|\D))`)
	digitRuns  = regexp.MustCompile(`\d+`)
	enRange    = regexp.MustCompile(`\b(\d+)\s?[-–~]\s?(\d+)\b`)
	enUnit     = regexp.MustCompile(`(` + numberPattern + `)\s?(km|kg|cm|mm|ml|mL|GB|MB|TB|lbs?|mph|m|g)\b`)
	enNegative = regexp.MustCompile(`(^|[\s(])[-−](\d)`)
	enNumber   = regexp.MustCompile(numberPattern) // digits fused with letters are skipped by latinAndNums, not by \b, which would also keep "_0" from being read
)

var englishMonths = []string{"", "January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"}

var englishUnits = map[string][2]string{ // singular, plural
	"km": {"kilometer", "kilometers"}, "kg": {"kilogram", "kilograms"}, "cm": {"centimeter", "centimeters"},
	"mm": {"millimeter", "millimeters"}, "ml": {"milliliter", "milliliters"}, "mL": {"milliliter", "milliliters"},
	"GB": {"gigabyte", "gigabytes"}, "MB": {"megabyte", "megabytes"}, "TB": {"terabyte", "terabytes"},
	"lb": {"pound", "pounds"}, "lbs": {"pound", "pounds"}, "mph": {"mile per hour", "miles per hour"},
	"m": {"meter", "meters"}, "g": {"gram", "grams"},
}

// currencies: the unit, its plural, the hundredth and its plural.
var englishCurrencies = map[string][4]string{
	"$": {"dollar", "dollars", "cent", "cents"},
	"€": {"euro", "euros", "cent", "cents"},
	"£": {"pound", "pounds", "penny", "pence"},
	"¥": {"yen", "yen", "", ""},
	"₩": {"won", "won", "", ""},
}

// english reads numbers in English text:
//
//	1,234 → one thousand two hundred thirty-four, 3.14 → three point one four,
//	1999 → nineteen ninety-nine, 2005 → two thousand five, 2024 → twenty twenty-four,
//	the 1990s → the nineteen nineties, 2024-06-15 → June fifteenth, twenty twenty-four,
//	$1,250.50 → one thousand two hundred fifty dollars and fifty cents,
//	$2.5 million → two point five million dollars, 15% → fifteen percent,
//	1st → first, 3:30 pm → three thirty p m, 7 am → seven a m,
//	555-123-4567 → five five five, one two three, four five six seven,
//	3-5 → three to five, 5 km → five kilometers, -5 → minus five.
//
// Four-digit numbers from 1100 to 2099 written without a comma are read as
// years; write 2,024 for a count.
func (n *normalizer) english(text string) string {
	text = n.replaceCore(text, enPhone, func(m []string) string {
		digits := digitRuns.FindAllString(m[1], -1)
		words := make([]string, len(digits))
		for i, d := range digits {
			words[i] = englishDigits(d)
		}
		return strings.Join(words, ", ")
	})
	text = n.replace(text, enISODate, func(m []string) string {
		y, _ := strconv.Atoi(m[1])
		month, _ := strconv.Atoi(m[2])
		day, _ := strconv.Atoi(m[3])
		if month < 1 || month > 12 || day < 1 || day > 31 {
			return m[0]
		}
		return englishMonths[month] + " " + englishOrdinal(englishCardinal(m[3])) + ", " + englishYear(y)
	})
	text = n.replace(text, enClock, func(m []string) string {
		h, _ := strconv.Atoi(m[1])
		mins, _ := strconv.Atoi(m[2])
		if h > 24 || mins > 59 {
			return m[0]
		}
		out := englishCardinal(m[1])
		switch {
		case mins == 0 && m[3] == "":
			out += " o'clock"
		case mins == 0:
		case mins < 10:
			out += " oh " + englishOnes[mins]
		default:
			out += " " + englishUnder1000(mins)
		}
		if m[3] != "" {
			out += " " + strings.ToLower(m[3]) + " m"
		}
		return out
	})
	text = n.replace(text, enHourAmPm, func(m []string) string {
		h, _ := strconv.Atoi(m[1])
		if h < 1 || h > 12 {
			return m[0]
		}
		return englishCardinal(m[1]) + " " + strings.ToLower(m[2]) + " m"
	})
	text = n.replace(text, enMoney, func(m []string) string { return englishMoney(m[1], m[2], m[3]) })
	text = n.replace(text, enPercent, func(m []string) string { return englishNumber(m[1]) + " percent" })
	text = n.replace(text, enOrdinal, func(m []string) string { return englishOrdinal(englishCardinal(m[1])) })
	text = n.replace(text, enDecade, func(m []string) string {
		y, _ := strconv.Atoi(m[1] + m[2])
		return pluralize(englishYear(y))
	})
	text = n.replaceUnits(text, enUnit, func(m []string) string {
		unit := englishUnits[m[2]]
		if m[1] == "1" {
			return "one " + unit[0]
		}
		return englishNumber(m[1]) + " " + unit[1]
	})
	for range 2 { // a year's context can hide the next year's: "1999 2000"
		text = n.replaceCore(text, enYear, func(m []string) string {
			y, _ := strconv.Atoi(m[1])
			return englishYear(y)
		})
	}
	text = n.replace(text, enRange, func(m []string) string {
		return englishCardinal(m[1]) + " to " + englishCardinal(m[2])
	})
	text = enNegative.ReplaceAllString(text, "${1}minus ${2}")
	return n.spellNumbers(text, enNumber, englishNumber)
}

// englishMoney reads an amount of money: $1,250.50 → one thousand two
// hundred fifty dollars and fifty cents; $0.99 → ninety-nine cents;
// $2.5 million → two point five million dollars; $5k → five thousand dollars.
func englishMoney(symbol, amount, scale string) string {
	cur := englishCurrencies[symbol]
	whole, frac := splitNumber(amount)
	if scale != "" {
		word := map[string]string{"k": "thousand", "K": "thousand", "m": "million", "M": "million",
			"b": "billion", "B": "billion", "bn": "billion", "Bn": "billion"}[scale]
		if word == "" {
			word = scale
		}
		return englishNumber(amount) + " " + word + " " + cur[1]
	}
	var parts []string
	cents := 0
	if frac != "" && cur[2] != "" && len(frac) <= 2 {
		if len(frac) == 1 {
			frac += "0"
		}
		cents, _ = strconv.Atoi(frac)
	} else if frac != "" {
		return englishNumber(amount) + " " + cur[1]
	}
	if whole != "0" || cents == 0 {
		unit := cur[1]
		if whole == "1" {
			unit = cur[0]
		}
		parts = append(parts, englishCardinal(whole)+" "+unit)
	}
	if cents > 0 {
		unit := cur[3]
		if cents == 1 {
			unit = cur[2]
		}
		parts = append(parts, englishUnder1000(cents)+" "+unit)
	}
	return strings.Join(parts, " and ")
}
