package vnkey

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Tone is one of the six Vietnamese tones (thanh điệu) of a syllable.
type Tone int

// The tones. NoTone is thanh ngang (no tone mark).
const (
	NoTone Tone = iota // thanh ngang: no mark
	Sac                // sắc: acute, á
	Huyen              // huyền: grave, à
	Hoi                // hỏi: hook above, ả
	Nga                // ngã: tilde, ã
	Nang               // nặng: dot below, ạ
)

// String returns the Vietnamese name of the tone.
func (t Tone) String() string {
	switch t {
	case NoTone:
		return "ngang"
	case Sac:
		return "sắc"
	case Huyen:
		return "huyền"
	case Hoi:
		return "hỏi"
	case Nga:
		return "ngã"
	case Nang:
		return "nặng"
	}
	return "Tone(?)"
}

// Mark is a letter modifier (dấu phụ) that turns a plain letter into another
// Vietnamese letter: â ê ô, ă, ơ ư, đ.
type Mark int

// The letter modifiers. NoMark is the plain letter.
const (
	NoMark     Mark = iota
	Circumflex      // mũ: â ê ô
	Breve           // trăng: ă
	Horn            // móc/râu: ơ ư
	Stroke          // gạch: đ
)

// String returns a short English name of the mark.
func (m Mark) String() string {
	switch m {
	case NoMark:
		return "none"
	case Circumflex:
		return "circumflex"
	case Breve:
		return "breve"
	case Horn:
		return "horn"
	case Stroke:
		return "stroke"
	}
	return "Mark(?)"
}

// toneMark is the combining character (Unicode, NFD) of each tone.
var toneMark = [...]rune{
	NoTone: 0,
	Sac:    '\u0301',
	Huyen:  '\u0300',
	Hoi:    '\u0309',
	Nga:    '\u0303',
	Nang:   '\u0323',
}

// letter is one character of the word being composed: a plain ASCII letter
// with an optional mark, or an opaque rune kept verbatim.
type letter struct {
	base   rune // lower-case ASCII letter; the rune itself when opaque
	mark   Mark
	upper  bool
	opaque bool // kept verbatim, never transformed (digits, symbols, letters outside a–z, letters typed with a tone)
	fromW  bool // ư produced by a lone Telex w
	markBy int  // 1 + index of the key that set mark, 0 when none
}

// lower returns the letter in lower case with its mark (â, đ, ư…).
func (l letter) lower() rune {
	if l.opaque {
		return l.base
	}
	return withMark(l.base, l.mark)
}

// rune returns the letter as displayed (case and mark, no tone).
func (l letter) rune() rune {
	r := l.lower()
	if l.upper && !l.opaque {
		r = unicode.ToUpper(r)
	}
	return r
}

// isVowel reports whether l is one of the vowel letters a e i o u y (with any mark).
func (l letter) isVowel() bool {
	if l.opaque {
		return false
	}
	switch l.base {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}

// withMark returns the lower-case letter base carrying mark, or base when
// the mark does not apply to it.
func withMark(base rune, m Mark) rune {
	switch m {
	case Circumflex:
		switch base {
		case 'a':
			return 'â'
		case 'e':
			return 'ê'
		case 'o':
			return 'ô'
		}
	case Breve:
		if base == 'a' {
			return 'ă'
		}
	case Horn:
		switch base {
		case 'o':
			return 'ơ'
		case 'u':
			return 'ư'
		}
	case Stroke:
		if base == 'd' {
			return 'đ'
		}
	}
	return base
}

// baseMark splits a lower-case Vietnamese letter without tone (â, ư, đ, a…)
// into its ASCII base and mark.
func baseMark(r rune) (rune, Mark) {
	switch r {
	case 'â':
		return 'a', Circumflex
	case 'ê':
		return 'e', Circumflex
	case 'ô':
		return 'o', Circumflex
	case 'ă':
		return 'a', Breve
	case 'ơ':
		return 'o', Horn
	case 'ư':
		return 'u', Horn
	case 'đ':
		return 'd', Stroke
	}
	return r, NoMark
}

// decode splits a Vietnamese Latin letter (any case, precomposed or not)
// into a letter and its tone. ok is false for anything else.
func decode(r rune) (l letter, t Tone, ok bool) {
	if r < utf8.RuneSelf {
		lo := unicode.ToLower(r)
		if lo < 'a' || lo > 'z' {
			return letter{}, NoTone, false
		}
		return letter{base: lo, upper: lo != r}, NoTone, true
	}
	switch r {
	case 'đ':
		return letter{base: 'd', mark: Stroke}, NoTone, true
	case 'Đ':
		return letter{base: 'd', mark: Stroke, upper: true}, NoTone, true
	}
	var buf [16]byte
	d := norm.NFD.AppendString(buf[:0], string(r))
	first, n := utf8.DecodeRune(d)
	lo := unicode.ToLower(first)
	if lo < 'a' || lo > 'z' {
		return letter{}, NoTone, false
	}
	l = letter{base: lo, upper: lo != first}
	for _, c := range string(d[n:]) {
		var m Mark
		switch c {
		case '\u0302':
			m = Circumflex
		case '\u0306':
			m = Breve
		case '\u031b':
			m = Horn
		default:
			found := false
			for tt := Sac; tt <= Nang; tt++ {
				if toneMark[tt] == c && t == NoTone {
					t, found = tt, true
					break
				}
			}
			if !found {
				return letter{}, NoTone, false
			}
			continue
		}
		if l.mark != NoMark || withMark(lo, m) == lo {
			return letter{}, NoTone, false
		}
		l.mark = m
	}
	return l, t, true
}
