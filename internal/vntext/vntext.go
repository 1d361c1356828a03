// Package vntext is what every layer of tramso needs of Vietnamese text to compare it: a fold that
// makes "Hoà Bình", "hòa binh" and "HOA  BINH" alike (search on the touchscreen, the catalogue's
// procedure search and paper identification, OCR label matching, the demo's check of a filed paper),
// and the ASCII spelling that payment payloads need. It is a leaf: it imports only the standard
// library and golang.org/x/text.
package vntext

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// FoldRune is r in lower case without its tone and vowel marks, đ and Đ as d. A rune that carries no
// mark is only lowered.
func FoldRune(r rune) rune {
	switch {
	case r == 'đ' || r == 'Đ':
		return 'd'
	case r < 0x80:
		return unicode.ToLower(r)
	}
	for _, b := range norm.NFD.String(string(r)) {
		if !unicode.Is(unicode.Mn, b) {
			return unicode.ToLower(b)
		}
	}
	return unicode.ToLower(r)
}

// FoldRunes folds s rune for rune: the result has as many runes as norm.NFC.String(s), so that a
// match found in the folded text points at the same runes of the text in NFC.
func FoldRunes(s string) []rune {
	rs := []rune(norm.NFC.String(s))
	for i, r := range rs {
		rs[i] = FoldRune(r)
	}
	return rs
}

// Fold makes s comparable whatever its accents, tone placement, case, Unicode form and spacing:
// FoldRune over every rune, marks left over after composition dropped, each run of white space one
// space, none at either end.
// Fold("Hoà  Bình") == Fold("hòa binh") == "hoa binh".
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true
	for _, r := range norm.NFC.String(s) {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(FoldRune(r))
	}
	return b.String()
}

// ASCII spells s in printable ASCII for systems that take nothing else (the purpose of a VietQR
// payment): tone and vowel marks removed, đ → d and Đ → D, case kept, typographic dashes and quotes
// made plain, white space runs as one space, none at either end. A rune with no ASCII form is left
// out, and ok is false. ASCII("Lệ phí đăng ký khai sinh") == "Le phi dang ky khai sinh", true.
func ASCII(s string) (out string, ok bool) {
	var b strings.Builder
	space, ok := true, true
	for _, r := range norm.NFC.String(s) {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		switch r {
		case 'đ':
			r = 'd'
		case 'Đ':
			r = 'D'
		case '‐', '‑', '–', '—', '−':
			r = '-'
		case '‘', '’':
			r = '\''
		case '“', '”':
			r = '"'
		}
		if r >= 0x80 {
			for _, d := range norm.NFD.String(string(r)) {
				if !unicode.Is(unicode.Mn, d) {
					r = d
					break
				}
			}
		}
		if r < 0x20 || r > 0x7E {
			if !unicode.Is(unicode.Mn, r) {
				ok = false
			}
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String(), ok
}
