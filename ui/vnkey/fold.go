package vnkey

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Normalize returns s in NFC with the tone of every oa, oe and uy syllable
// without a final consonant placed as o says: hoà, thuỷ (new style) or
// hòa, thủy (OldStyle). Other text is only put in NFC.
func Normalize(s string, o Options) string {
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	word := make([]rune, 0, 16)
	flush := func() {
		b.WriteString(restyle(word, o.OldStyle))
		word = word[:0]
	}
	for _, r := range s {
		if unicode.IsLetter(r) {
			word = append(word, r)
			continue
		}
		flush()
		b.WriteRune(r)
	}
	flush()
	return b.String()
}

// SameWord reports whether a and b are the same text once in NFC and with
// the same tone placement (old or new style): SameWord("hòa", "hoà") is
// true. Case and other marks still count; use Fold to ignore them.
func SameWord(a, b string) bool {
	return Normalize(a, Options{}) == Normalize(b, Options{})
}

// restyle returns the word w (NFC runes) with its tone on oa, oe or uy
// placed in the given style, or w unchanged.
func restyle(w []rune, old bool) string {
	if len(w) < 2 {
		return string(w)
	}
	ls := make([]letter, len(w))
	tone, at := NoTone, -1
	for i, r := range w {
		l, t, ok := decode(r)
		if !ok || (t != NoTone && (at >= 0 || !l.isVowel())) {
			return string(w)
		}
		if t != NoTone {
			tone, at = t, i
		}
		ls[i] = l
	}
	if tone == NoTone {
		return string(w)
	}
	vs, ve := split(ls)
	if ve != len(ls) || ve-vs != 2 || ls[vs].mark != NoMark || ls[vs+1].mark != NoMark || (at != vs && at != vs+1) {
		return string(w)
	}
	if !newStylePair(ls[vs].base, ls[vs+1].base) {
		return string(w)
	}
	return renderLetters(ls, tone, old)
}
