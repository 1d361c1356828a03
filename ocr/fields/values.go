package fields

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

var (
	dateRe      = regexp.MustCompile(`(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})`)
	wordDateRe  = regexp.MustCompile(`ngay\s*(\d{1,2})\s*,?\s*thang\s*(\d{1,2})\s*,?\s*nam\s*(\d{4})`)
	leaderRe    = regexp.MustCompile(`[.…·_‥:,;'"’‘\-–—]{3,}|(?:[.…·_] ){2,}[.…·_]?`)
	numRunRe    = regexp.MustCompile(`[0-9OoIlBSZDQ]{2,}[0-9OoIlBSZDQ/.\-]*`)
	digitRunRe  = regexp.MustCompile(`\d[\d .\-]*\d|\d`)
	numberRe    = regexp.MustCompile(`\d[\d.,]*`)
	noExpiryRe  = regexp.MustCompile(`kh[o0]ng\s*th[o0][il1]\s*h[a4]n`)
	trimPunct   = " :;,.-/·…_'\"|"
	confusables = strings.NewReplacer("O", "0", "o", "0", "D", "0", "Q", "0", "I", "1", "l", "1", "B", "8", "S", "5", "Z", "2")
)

// cleanText removes dotted leaders and stray punctuation at the ends, collapses spaces, NFC.
func cleanText(s string) string {
	s = leaderRe.ReplaceAllString(norm.NFC.String(s), " ")
	fs := strings.Fields(s)
	// drop junk words at either end (OCR noise next to the value: borders, boxes, leader remnants)
	for len(fs) > 0 && (isJunk(fs[0]) || strings.Trim(fs[0], trimPunct) == "") {
		fs = fs[1:]
	}
	for len(fs) > 0 && (isJunk(fs[len(fs)-1]) || strings.Trim(fs[len(fs)-1], trimPunct) == "") {
		fs = fs[:len(fs)-1]
	}
	// stray marks glued to the value's ends ("ƒ-QUÁCH"): cut back to a Vietnamese letter or digit
	if len(fs) > 0 {
		fs[0] = strings.TrimLeftFunc(fs[0], func(r rune) bool { return !vietLetter(r) && !unicode.IsDigit(r) && r != '(' })
		n := len(fs) - 1
		fs[n] = strings.TrimRightFunc(fs[n], func(r rune) bool {
			return !vietLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune(").", r)
		})
	}
	return strings.Trim(strings.Join(fs, " "), trimPunct)
}

// ParseDate reads a date written dd/mm/yyyy (or with - or .) or "ngày dd tháng mm năm yyyy" and
// gives it as YYYY-MM-DD; ok is false when there is no valid date in s.
func ParseDate(s string) (string, bool) {
	f := digitsLoose(string(Fold(collapse(s))))
	var m []string
	if m = dateRe.FindStringSubmatch(f); m == nil {
		m = wordDateRe.FindStringSubmatch(f)
	}
	if m == nil {
		return "", false
	}
	d, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	y, _ := strconv.Atoi(m[3])
	if !validDate(y, mo, d) {
		return "", false
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, mo, d), true
}

func validDate(y, m, d int) bool {
	if y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		days[2] = 29
	}
	return d <= days[m]
}

// digitsOnly keeps the digits of the first run of digits (spaces, dots and dashes between groups
// allowed), with letters OCR confuses with digits undone inside runs that are mostly digits.
func digitsOnly(s string) string {
	m := digitRunRe.FindString(digitsLoose(strings.ReplaceAll(s, " ", "")))
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, m)
}

// typed converts a raw value to its kind. It returns the value and whether it is valid; an
// invalid value is returned when something was read (its confidence is lowered), "" when nothing.
func typed(k Kind, raw string) (string, bool) {
	switch k {
	case Date, Expiry:
		if k == Expiry && noExpiryRe.MatchString(string(Fold(collapse(raw)))) {
			return "", true
		}
		if v, ok := ParseDate(raw); ok {
			return v, true
		}
		return "", false
	case IDNum:
		d := digitsOnly(raw)
		return d, len(d) == 12 || len(d) == 9
	case Phone:
		s := strings.TrimPrefix(strings.TrimSpace(digitsLoose(raw)), "+")
		d := digitsOnly(s)
		if strings.HasPrefix(d, "84") && len(d) == 11 {
			d = "0" + d[2:]
		}
		return d, len(d) >= 9 && len(d) <= 11
	case Number:
		m := numberRe.FindString(digitsLoose(raw))
		m = strings.TrimRight(m, ".,")
		if m == "" {
			return "", false
		}
		// grouping separators (1.000.000) go; a final ",5" or ".5" is a decimal part
		if i := strings.LastIndexAny(m, ".,"); i >= 0 && len(m)-i-1 != 3 {
			m = strings.NewReplacer(".", "", ",", "").Replace(m[:i]) + "." + m[i+1:]
		} else {
			m = strings.NewReplacer(".", "", ",", "").Replace(m)
		}
		return m, true
	case Sex:
		f := strings.TrimLeft(string(Fold(collapse(raw))), trimPunct)
		switch {
		case strings.HasPrefix(f, "nu"):
			return "Nữ", true
		case strings.HasPrefix(f, "nam"):
			return "Nam", true
		}
		return "", false
	}
	v := norm.NFC.String(cleanText(raw))
	return v, v != ""
}

// digitsLoose undoes letter-for-digit confusions inside runs that are mostly digits.
func digitsLoose(s string) string {
	return numRunRe.ReplaceAllStringFunc(s, func(w string) string {
		n := 0
		for _, r := range w {
			if r >= '0' && r <= '9' {
				n++
			}
		}
		if n == 0 || n*2 < len(w) {
			return w
		}
		return confusables.Replace(w)
	})
}
