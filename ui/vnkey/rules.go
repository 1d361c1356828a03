package vnkey

import (
	"strings"
	"unicode/utf8"
)

// This file holds the spelling rules: how a syllable splits into initial
// consonant, vowel nucleus and final consonant, which of those are
// Vietnamese, where the tone mark goes, and the two automatic corrections
// (iê/yê and ươ/uơ).
//
// A syllable is "Vietnamese enough" to transform (plausible) when
//   - it has no digits, symbols or letters outside a–z (and their marked forms),
//   - its initial is one of the initials below (or, with no vowel yet, the
//     start of one),
//   - its vowels can still become one of the nuclei below once the marks
//     still to be typed are added, and
//   - its final, if any, is one of the finals below and the nucleus takes one.
//
// When a word ends (space, punctuation, Commit), a word carrying a mark or a
// tone must be a whole syllable (valid): the nucleus with its marks is in the
// table, a nucleus that needs a final has one and one that takes none has
// none, ch/nh follow a, ê, i or y, and k/h follow a single vowel. A single
// letter (ă, ư) and a run of consonants (đc) pass too (complete). Otherwise
// the word goes back to the keys as typed ("user" stays "user", not "ủe"),
// unless a key was pressed twice in it to undo ("ass" → as).
//
// Not checked: the c/k, g/gh and ng/ngh spelling pairs (minority place
// names break them: Kông Chro) and the rule that syllables ending in
// c, ch, p, t take only sắc or nặng.

// initials are the consonant clusters a syllable may start with. Besides the
// Vietnamese ones, the clusters of Central Highlands place names (Krông,
// Plei, Glei, Đrăng…) are accepted.
var initials = map[string]bool{
	"": true, "b": true, "c": true, "ch": true, "d": true, "đ": true, "g": true, "gh": true,
	"gi": true, "h": true, "k": true, "kh": true, "l": true, "m": true, "n": true, "ng": true,
	"ngh": true, "nh": true, "p": true, "ph": true, "qu": true, "r": true, "s": true, "t": true,
	"th": true, "tr": true, "v": true, "x": true,
	// place names
	"bl": true, "dr": true, "đr": true, "gl": true, "gr": true, "hr": true, "kl": true,
	"kr": true, "pl": true, "pr": true,
}

// finals are the consonants a syllable may end with; k and h occur in
// Central Highlands place names (Đắk Lắk, Chư Păh).
var finals = map[string]bool{
	"c": true, "ch": true, "m": true, "n": true, "ng": true, "nh": true, "p": true, "t": true,
	"k": true, "h": true,
}

// maxSyllable is more letters than any syllable has (nghiêng has 7): longer
// words are not Vietnamese and are not looked at further.
const maxSyllable = 8

// finalRule says whether a vowel nucleus takes a final consonant.
type finalRule uint8

const (
	finalOptional finalRule = iota // a, an
	finalNone                      // ai, iêu: the nucleus already ends in a glide
	finalRequired                  // ăn, iên: never ends the syllable
)

type nucleus struct {
	s    string
	rule finalRule
}

// nuclei are the vowel groups of Vietnamese syllables (after qu and gi,
// whose u and i belong to the initial).
var nuclei = [...]nucleus{
	{"a", finalOptional}, {"ă", finalRequired}, {"â", finalRequired}, {"e", finalOptional},
	{"ê", finalOptional}, {"i", finalOptional}, {"o", finalOptional}, {"ô", finalOptional},
	{"ơ", finalOptional}, {"u", finalOptional}, {"ư", finalOptional}, {"y", finalOptional},

	{"ai", finalNone}, {"ao", finalNone}, {"au", finalNone}, {"ay", finalNone},
	{"âu", finalNone}, {"ây", finalNone}, {"eo", finalNone}, {"êu", finalNone},
	{"ia", finalNone}, {"iê", finalRequired}, {"iu", finalNone}, {"oa", finalOptional},
	{"oă", finalRequired}, {"oe", finalOptional}, {"oi", finalNone}, {"oo", finalRequired},
	{"ôi", finalNone}, {"ơi", finalNone}, {"ua", finalNone}, {"uâ", finalRequired},
	{"uê", finalOptional}, {"ui", finalNone}, {"uô", finalRequired}, {"uơ", finalNone},
	{"uy", finalOptional}, {"ưa", finalNone}, {"ưi", finalNone}, {"ươ", finalRequired},
	{"ưu", finalNone}, {"yê", finalRequired},

	{"iêu", finalNone}, {"yêu", finalNone}, {"oai", finalNone}, {"oay", finalNone},
	{"oeo", finalNone}, {"uây", finalNone}, {"uôi", finalNone}, {"uya", finalNone},
	{"uyê", finalRequired}, {"uyu", finalNone}, {"ươi", finalNone}, {"ươu", finalNone},
}

// split returns the bounds [vs, ve) of the vowel nucleus of ls: ls[:vs] is
// the initial, ls[ve:] the final. The u of qu and the i of gi belong to the
// initial when another vowel follows (qua, gia; but gì). vs == ve when there
// is no vowel.
func split(ls []letter) (vs, ve int) {
	for vs < len(ls) && !ls[vs].isVowel() {
		vs++
	}
	if vs == len(ls) {
		return vs, vs
	}
	if vs == 1 && len(ls) > 2 && ls[2].isVowel() && ls[1].mark == NoMark && ls[0].mark == NoMark &&
		((ls[0].base == 'q' && ls[1].base == 'u') || (ls[0].base == 'g' && ls[1].base == 'i')) {
		vs = 2
	}
	ve = vs
	for ve < len(ls) && ls[ve].isVowel() {
		ve++
	}
	return vs, ve
}

// key returns the lower-case text of ls, for table look-ups.
func lowerKey(buf []byte, ls []letter) []byte {
	for _, l := range ls {
		buf = utf8.AppendRune(buf, l.lower())
	}
	return buf
}

func hasOpaque(ls []letter) bool {
	for _, l := range ls {
		if l.opaque {
			return true
		}
	}
	return false
}

// corrected returns ls with the automatic corrections applied (ls itself
// when none applies):
//   - i/y + e followed by a final or u becomes iê/yê once the word carries a
//     tone or a mark ("tiengs" → tiếng, "yeeu"/"yeus" → yêu): ie/ye never
//     stand before a final in Vietnamese;
//   - u + ơ followed by anything becomes ươ (thương), ươ at the end of the
//     word becomes uơ (thuở), and ư + o followed by anything becomes ươ.
func corrected(ls []letter, tone Tone) []letter {
	vs, ve := split(ls)
	if ve-vs < 2 || len(ls) > maxSyllable || hasOpaque(ls) {
		return ls
	}
	viet := tone != NoTone
	for _, l := range ls {
		if l.mark != NoMark {
			viet = true
		}
	}
	var out []letter
	edit := func() []letter {
		if out == nil {
			out = append([]letter(nil), ls...)
		}
		return out
	}
	for j := vs; j+1 < ve; j++ {
		a, b := ls[j], ls[j+1]
		after := j+2 < len(ls)
		switch {
		case viet && (a.base == 'i' || a.base == 'y') && b.base == 'e' && b.mark == NoMark &&
			after && (j+2 >= ve || ls[j+2].base == 'u'):
			edit()[j+1].mark = Circumflex
		case a.base == 'u' && b.base == 'o':
			switch {
			case b.mark == Horn && after && a.mark != Horn:
				edit()[j].mark = Horn
			case b.mark == Horn && !after && a.mark == Horn:
				edit()[j].mark = NoMark
			case a.mark == Horn && b.mark == NoMark && after:
				edit()[j+1].mark = Horn
			}
		}
	}
	if out == nil {
		return ls
	}
	return out
}

// toneIndex returns the index in ls (already corrected) of the letter that
// carries the tone mark, or -1 when there is no vowel:
//   - the last vowel with a mark (ă â ê ô ơ ư; ươ → ơ);
//   - otherwise a single vowel;
//   - otherwise, with a final consonant, the last vowel (hoàn, huýt);
//   - otherwise oa, oe, uy: the second vowel (new style: hoà, thuỷ) or the
//     first (old style: hòa, thủy);
//   - otherwise the second-to-last vowel (mía, ngoài).
func toneIndex(ls []letter, old bool) int {
	vs, ve := split(ls)
	if vs == ve {
		return -1
	}
	for j := ve - 1; j >= vs; j-- {
		if ls[j].mark != NoMark {
			return j
		}
	}
	switch {
	case ve-vs == 1:
		return vs
	case ve < len(ls):
		return ve - 1
	case ve-vs == 2:
		if !old && newStylePair(ls[vs].base, ls[vs+1].base) {
			return vs + 1
		}
		return vs
	}
	return ve - 2
}

// fits reports whether the vowels v can still become nucleus n once marks
// are added (every mark already on v agrees with n), and, when whole, that
// v has exactly n's length.
func fits(v []letter, n string, whole bool) bool {
	j := 0
	for _, r := range n {
		if j == len(v) {
			return !whole
		}
		b, m := baseMark(r)
		if v[j].base != b || (v[j].mark != NoMark && v[j].mark != m) {
			return false
		}
		j++
	}
	return j == len(v)
}

// plausible reports whether the word ls with tone is Vietnamese enough to
// take a transformation: see the comment at the top of this file.
func plausible(ls []letter, tone Tone) bool {
	if len(ls) > maxSyllable || hasOpaque(ls) {
		return false
	}
	ls = corrected(ls, tone)
	vs, ve := split(ls)
	var buf [32]byte
	if vs == ve {
		if tone != NoTone {
			return false
		}
		pre := string(lowerKey(buf[:0], ls))
		for ini := range initials {
			if strings.HasPrefix(ini, pre) {
				return true
			}
		}
		return false
	}
	if !initials[string(lowerKey(buf[:0], ls[:vs]))] {
		return false
	}
	hasFinal := ve < len(ls)
	if hasFinal && !finals[string(lowerKey(buf[:0], ls[ve:]))] {
		return false
	}
	v := ls[vs:ve]
	for _, n := range nuclei {
		if hasFinal && n.rule == finalNone {
			continue
		}
		if fits(v, n.s, hasFinal) {
			return true
		}
	}
	return false
}

// valid reports whether ls (already corrected) is a whole Vietnamese
// syllable: see the comment at the top of this file.
func valid(ls []letter) bool {
	if len(ls) > maxSyllable || hasOpaque(ls) {
		return false
	}
	vs, ve := split(ls)
	if vs == ve {
		return false
	}
	var buf [32]byte
	ini := string(lowerKey(buf[:0], ls[:vs]))
	if !initials[ini] {
		return false
	}
	fin := string(lowerKey(buf[:0], ls[ve:]))
	if fin != "" && !finals[fin] {
		return false
	}
	if (ini == "qu" && ls[vs].base == 'u') || (ini == "gi" && ls[vs].base == 'i') {
		return false
	}
	nuc := string(lowerKey(buf[:0], ls[vs:ve]))
	for _, n := range nuclei {
		if n.s != nuc {
			continue
		}
		switch {
		case n.rule == finalNone && fin != "":
			return false
		case n.rule == finalRequired && fin == "":
			return false
		case (fin == "ch" || fin == "nh") && !strings.ContainsRune("aêiy", ls[ve-1].lower()):
			return false
		case (fin == "k" || fin == "h") && ve-vs != 1:
			return false
		}
		return true
	}
	return false
}

// complete reports whether a word may end as ls (already corrected) without
// going back to the keys as typed: a whole syllable (valid), a single letter
// (â, ư, ớ) or a run of consonants (abbreviations such as đc, đt).
func complete(ls []letter) bool {
	if len(ls) == 1 || valid(ls) {
		return true
	}
	vs, ve := split(ls)
	return vs == ve && !hasOpaque(ls)
}

// newStylePair reports whether vowels a, b are oa, oe or uy, whose tone
// placement differs between the old and new styles.
func newStylePair(a, b rune) bool {
	return (a == 'o' && (b == 'a' || b == 'e')) || (a == 'u' && b == 'y')
}
