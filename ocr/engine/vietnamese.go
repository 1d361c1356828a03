package engine

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Combining marks of Vietnamese in canonical decomposition: the vowel modifiers and the five tones.
const (
	markCircumflex = '\u0302'
	markBreve      = '\u0306'
	markHorn       = '\u031B'
	toneGrave      = '\u0300' // huyền
	toneAcute      = '\u0301' // sắc
	toneHook       = '\u0309' // hỏi
	toneTilde      = '\u0303' // ngã
	toneDot        = '\u0323' // nặng
)

// onsets are the initial consonants of Vietnamese syllables, longest first.
var onsets = [...]string{"ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
	"b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", ""}

// rhymes are the Vietnamese rhymes without tone (vowel nucleus with its glides and final consonant).
const rhymeList = "a ac ach ai am an ang anh ao ap at au ay " +
	"ăc ăm ăn ăng ăp ăt âc âm ân âng âp ât âu ây " +
	"e ec em en eng eo ep et ê êch êm ên ênh êp êt êu " +
	"i ia ich im in inh ip it iu iêc iêm iên iêng iêp iêt iêu " +
	"y yêm yên yêt yêu " +
	"o oa oac oach oai oam oan oang oanh oao oap oat oay oăc oăm oăn oăng oăt oc oe oen oeo oet oi om on ong ooc oong op ot " +
	"ô ôc ôi ôm ôn ông ôp ôt ơ ơi ơm ơn ơp ơt " +
	"u ua uân uâng uât uây uc uê uêch uênh ui um un ung uôc uôi uôm uôn uông uôt up ut uy uya uych uyên uyêt uynh uyt uyu uơ " +
	"ư ưa ưc ưi ưm ưn ưng ưt ưu ươc ươi ươm ươn ương ươp ươt ươu"

// stopFinals are the final consonants after which only the sắc and nặng tones occur.
var stopFinals = [...]string{"p", "t", "c", "ch"}

func rhymeSet() map[string]bool {
	m := map[string]bool{}
	for _, r := range strings.Fields(rhymeList) {
		m[r] = true
	}
	return m
}

// IsSyllable reports whether s (any case, NFC or not) is a well-formed Vietnamese syllable: an
// onset, a rhyme and at most one tone mark, with the tone allowed by the rhyme (only sắc or nặng
// after p, t, c, ch) and the spelling rules of k/gh/ngh before i, e, ê, y and c/g/ng elsewhere.
// It says nothing about whether the syllable is in use.
func IsSyllable(s string) bool {
	return syllableChecker{rhymes: rhymeSet()}.check(s)
}

// syllableChecker holds the rhyme table so that many words can be checked without rebuilding it.
type syllableChecker struct{ rhymes map[string]bool }

func newSyllableChecker() syllableChecker { return syllableChecker{rhymes: rhymeSet()} }

func (c syllableChecker) check(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	var base []rune
	tone := rune(0)
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch r {
		case markCircumflex, markBreve, markHorn:
			if len(base) == 0 {
				return false
			}
			prev := base[len(base)-1]
			var m rune
			switch {
			case r == markCircumflex && prev == 'a':
				m = 'â'
			case r == markCircumflex && prev == 'e':
				m = 'ê'
			case r == markCircumflex && prev == 'o':
				m = 'ô'
			case r == markBreve && prev == 'a':
				m = 'ă'
			case r == markHorn && prev == 'o':
				m = 'ơ'
			case r == markHorn && prev == 'u':
				m = 'ư'
			default:
				return false
			}
			base[len(base)-1] = m
		case toneGrave, toneAcute, toneHook, toneTilde, toneDot:
			if tone != 0 || len(base) == 0 || !isVowel(base[len(base)-1]) {
				return false
			}
			tone = r
		default:
			if !(r >= 'a' && r <= 'z' || r == 'đ') || r == 'f' || r == 'j' || r == 'w' || r == 'z' {
				return false
			}
			base = append(base, r)
		}
	}
	w := string(base)
	for _, on := range onsets {
		if !strings.HasPrefix(w, on) {
			continue
		}
		rh := w[len(on):]
		if rh == "" {
			// "gi" alone (gì, gí) is a syllable; no other onset stands without a rhyme.
			if on == "gi" {
				return true
			}
			continue
		}
		if !c.rhymes[rh] || !spellingOK(on, rh) {
			continue
		}
		if tone != 0 && tone != toneAcute && tone != toneDot {
			stop := false
			for _, f := range stopFinals {
				if strings.HasSuffix(rh, f) {
					stop = true
				}
			}
			if stop {
				continue
			}
		}
		return true
	}
	return false
}

func isVowel(r rune) bool { return strings.ContainsRune("aăâeêioôơuưy", r) }

// spellingOK applies the spelling rules: k, gh and ngh are written before i, e, ê (and y for k),
// c, g and ng before other vowels; q only as qu.
func spellingOK(on, rh string) bool {
	front := strings.HasPrefix(rh, "i") || strings.HasPrefix(rh, "e") || strings.HasPrefix(rh, "ê")
	switch on {
	case "k":
		return front || strings.HasPrefix(rh, "y")
	case "gh", "ngh":
		return front
	case "c", "ng":
		return !front && !strings.HasPrefix(rh, "y")
	case "qu":
		return !strings.HasPrefix(rh, "u") && !strings.HasPrefix(rh, "o")
	case "gi":
		return !strings.HasPrefix(rh, "i")
	}
	return true
}

// TokenKind classifies a recognised word for judging a page's reading.
type TokenKind int

// Token kinds.
const (
	Junk        TokenKind = iota // none of the below: likely noise read as letters
	Syllable                     // Vietnamese syllable(s), possibly joined by - or /
	NumberCode                   // numbers, dates, codes (digits with / . - :), abbreviations (UBND, QĐ-CP), MRZ
	Punctuation                  // punctuation only (a dash, a colon, a dotted leader)
	Latin                        // a plausible word in unaccented Latin letters (English labels: "Nationality", "of")
)

// Classifier classifies words; create it once with NewClassifier and use it for many words.
type Classifier struct{ syl syllableChecker }

// NewClassifier builds a classifier.
func NewClassifier() *Classifier { return &Classifier{syl: newSyllableChecker()} }

// Kind classifies one recognised word (NFC).
func (c *Classifier) Kind(word string) TokenKind {
	core := strings.TrimFunc(word, func(r rune) bool {
		return unicode.IsPunct(r) && r != '<' || unicode.IsSymbol(r) && r != '<'
	})
	if core == "" {
		if strings.IndexFunc(word, func(r rune) bool { return !unicode.IsPunct(r) && !unicode.IsSymbol(r) }) < 0 && len([]rune(word)) <= 40 {
			return Punctuation
		}
		return Junk
	}
	if isMRZ(core) {
		return NumberCode
	}
	parts := strings.FieldsFunc(core, func(r rune) bool { return r == '-' || r == '/' || r == '.' || r == ',' || r == ':' })
	if len(parts) == 0 {
		return Punctuation
	}
	kind := Syllable
	for _, p := range parts {
		switch {
		case c.syl.check(p):
		case c.joined(p):
			// syllables run together (a lost space): the letters are right
		case isNumber(p):
			kind = NumberCode
		case isAbbreviation(p):
			kind = NumberCode
		case isLatinWord(p):
			if kind == Syllable {
				kind = Latin
			}
		default:
			return Junk
		}
	}
	return kind
}

// englishShort are the two-letter words of the English labels on Vietnamese papers ("Place of
// birth", "No.", "Date of expiry"); other two-letter non-syllables are more often noise.
var englishShort = [...]string{"of", "no", "to", "in", "on", "at", "by", "or", "is", "id", "an", "if"}

// isLatinWord reports whether s has the shape of a word in unaccented Latin letters: letters only,
// written lower case, capitalised or in capitals, with a vowel, no letter three times in a row
// and no run of more than four consonants; two-letter words only from englishShort.
func isLatinWord(s string) bool {
	n, upper, vowels, cons, same := 0, 0, 0, 0, 1
	var prev rune
	for i, r := range s {
		lr := unicode.ToLower(r)
		if lr < 'a' || lr > 'z' {
			return false
		}
		if r != lr {
			if i > 0 && upper < n {
				return false // capitals after a small letter: "lNd"
			}
			upper++
		}
		if strings.ContainsRune("aeiouy", lr) {
			vowels++
			cons = 0
		} else if cons++; cons > 4 {
			return false
		}
		if lr == prev {
			if same++; same >= 3 {
				return false
			}
		} else {
			same = 1
		}
		prev = lr
		n++
	}
	if vowels == 0 || upper > 1 && upper < n {
		return false
	}
	if n == 2 {
		for _, w := range englishShort {
			if strings.EqualFold(s, w) {
				return true
			}
		}
		return false
	}
	return n >= 3
}

// joined reports whether s is two to four syllables written without spaces ("HồHữu", "Láixe"),
// as Tesseract reads words whose gap the copy closed.
func (c *Classifier) joined(s string) bool {
	rs := []rune(s)
	if len(rs) < 3 || len(rs) > 28 {
		return false
	}
	// ok[i]: rs[:i] splits into syllables; parts[i]: how many
	ok := make([]bool, len(rs)+1)
	parts := make([]int, len(rs)+1)
	ok[0] = true
	for i := 1; i <= len(rs); i++ {
		for j := max(0, i-7); j < i-1; j++ { // parts of two letters or more: "nea" is not "ne"+"a"
			if ok[j] && parts[j] < 4 && c.syl.check(string(rs[j:i])) {
				ok[i], parts[i] = true, parts[j]+1
				break
			}
		}
	}
	return ok[len(rs)] && parts[len(rs)] >= 2
}

// isNumber: digits, allowing one trailing letter (12A, 3b).
func isNumber(s string) bool {
	d := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			d++
		case i == len(s)-1 && d > 0 && unicode.IsLetter(r):
		default:
			return false
		}
	}
	return d > 0
}

// isAbbreviation: 2–6 capital letters without tone (UBND, CCCD, QĐ, NĐ, TT, BTP).
func isAbbreviation(s string) bool {
	n := 0
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r == 'Đ') {
			return false
		}
		n++
	}
	return n >= 2 && n <= 6
}

// isMRZ: a machine-readable-zone line or part of one: capitals, digits and filler '<', allowing a
// few misread characters in a long line.
func isMRZ(s string) bool {
	n, ok, fill := 0, 0, 0
	for _, r := range s {
		n++
		switch {
		case r == '<':
			fill++
			ok++
		case r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			ok++
		}
	}
	if n >= 3 && fill == n {
		return true // a run of filler, split from its line
	}
	if n >= 6 && ok == n && fill == 0 {
		// a document number or an MRZ field without filler: capitals and digits mixed
		return strings.ContainsAny(s, "0123456789") && strings.IndexFunc(s, func(r rune) bool { return r >= 'A' && r <= 'Z' }) >= 0
	}
	return n >= 8 && fill > 0 && (ok == n || n >= 20 && ok*10 >= n*9)
}
