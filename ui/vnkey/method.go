package vnkey

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// Method is a Vietnamese typing method: which keys put marks and tones on
// the word being typed.
type Method int

// The typing methods.
//
//	Result          Telex      VNI       VIQR
//	â ê ô           aa ee oo   a6 e6 o6  a^ e^ o^
//	ă               aw         a8        a(
//	ơ ư             ow uw      o7 u7     o+ u+
//	ươ              uow        uo7       u+o+ (or uo+)
//	đ               dd         d9        dd
//	sắc huyền hỏi   s f r      1 2 3     ' ` ?
//	ngã nặng        x j        4 5       ~ .
//	remove tone     z          0         (none)
//
// Telex also turns a w with no vowel before it into ư ("w" → ư, "nhwng" →
// nhưng); "ww" gives a plain w.
//
// In Telex and VNI the mark and tone keys may come anywhere in the word
// ("Vieetj", "Viet65"). In VIQR, whose keys are also punctuation, a mark
// key must follow the letter it marks and a tone key a vowel (or its mark),
// as the VIQR convention writes them ("Vie^.t"); anywhere else the key is
// punctuation and ends the word ("chào." stays chào., and so does a tone
// key on a word that has another tone). VIQR has no key to
// remove a tone, so that "-" is always a hyphen; pressing the tone key
// again removes it as in the other methods.
const (
	Telex Method = iota
	VNI
	VIQR
)

// ErrUnknownMethod is returned by ParseMethod for a name it does not know.
var ErrUnknownMethod = errors.New("kiểu gõ không hỗ trợ (unknown Vietnamese typing method)")

// String returns the usual name of the method: "telex", "vni" or "viqr".
func (m Method) String() string {
	switch m {
	case Telex:
		return "telex"
	case VNI:
		return "vni"
	case VIQR:
		return "viqr"
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// ParseMethod returns the method named name (telex, vni, viqr; any case),
// as found in a configuration file.
func ParseMethod(name string) (Method, error) {
	for m := Telex; m <= VIQR; m++ {
		if strings.EqualFold(strings.TrimSpace(name), m.String()) {
			return m, nil
		}
	}
	return 0, fmt.Errorf("%w: %q", ErrUnknownMethod, name)
}

type actionKind uint8

const (
	actNone actionKind = iota
	actTone            // set tone (NoTone: remove the tone)
	actMark            // put mark on a letter
)

// action is what a key does to the word in a method.
type action struct {
	kind   actionKind
	tone   Tone
	mark   Mark
	bases  string // letters the mark goes on, tried from the last vowel back
	breveA bool   // Telex w: breve on a, horn on o and u
	pair   bool   // horn on both letters of uo (ươ)
	loneW  bool   // Telex w: ư when there is no vowel yet
}

var (
	actCircumflex = action{kind: actMark, mark: Circumflex, bases: "aeo"}
	actBreve      = action{kind: actMark, mark: Breve, bases: "a"}
	actHorn       = action{kind: actMark, mark: Horn, bases: "uo", pair: true}
	actStroke     = action{kind: actMark, mark: Stroke, bases: "d"}
)

// markAction returns the action of an on-screen mark key.
func markAction(m Mark) action {
	switch m {
	case Circumflex:
		return actCircumflex
	case Breve:
		return actBreve
	case Horn:
		return actHorn
	case Stroke:
		return actStroke
	}
	return action{}
}

// action returns what key r does in method m.
func (m Method) action(r rune) action {
	tone := func(t Tone) action { return action{kind: actTone, tone: t} }
	switch m {
	case Telex:
		switch unicode.ToLower(r) {
		case 's':
			return tone(Sac)
		case 'f':
			return tone(Huyen)
		case 'r':
			return tone(Hoi)
		case 'x':
			return tone(Nga)
		case 'j':
			return tone(Nang)
		case 'z':
			return tone(NoTone)
		case 'a':
			return action{kind: actMark, mark: Circumflex, bases: "a"}
		case 'e':
			return action{kind: actMark, mark: Circumflex, bases: "e"}
		case 'o':
			return action{kind: actMark, mark: Circumflex, bases: "o"}
		case 'w':
			return action{kind: actMark, mark: Horn, bases: "uoa", breveA: true, pair: true, loneW: true}
		case 'd':
			return actStroke
		}
	case VNI:
		switch r {
		case '1':
			return tone(Sac)
		case '2':
			return tone(Huyen)
		case '3':
			return tone(Hoi)
		case '4':
			return tone(Nga)
		case '5':
			return tone(Nang)
		case '0':
			return tone(NoTone)
		case '6':
			return actCircumflex
		case '7':
			return actHorn
		case '8':
			return actBreve
		case '9':
			return actStroke
		}
	case VIQR:
		switch r {
		case '\'':
			return tone(Sac)
		case '`':
			return tone(Huyen)
		case '?':
			return tone(Hoi)
		case '~':
			return tone(Nga)
		case '.':
			return tone(Nang)
		case '^':
			return actCircumflex
		case '(':
			return actBreve
		case '+':
			return actHorn
		}
		if r == 'd' || r == 'D' {
			return actStroke
		}
	}
	return action{}
}

// symbol reports whether r is a key of method m that is not a letter
// (VNI digits, VIQR punctuation): such a key only belongs to a word already
// begun; elsewhere it is typed as itself.
func (m Method) symbol(r rune) bool {
	return !unicode.IsLetter(r) && m.action(r).kind != actNone
}

// encodeMark returns the key that puts mark on base in method m.
func (m Method) encodeMark(base rune, mark Mark) rune {
	switch m {
	case Telex:
		switch mark {
		case Circumflex:
			return base
		case Breve, Horn:
			return 'w'
		case Stroke:
			return 'd'
		}
	case VNI:
		return [...]rune{0, '6', '8', '7', '9'}[mark]
	case VIQR:
		return [...]rune{0, '^', '(', '+', 'd'}[mark]
	}
	return 0
}

// encodeTone returns the key that gives tone t in method m.
func (m Method) encodeTone(t Tone) rune {
	switch m {
	case Telex:
		return [...]rune{'z', 's', 'f', 'r', 'x', 'j'}[t]
	case VNI:
		return [...]rune{'0', '1', '2', '3', '4', '5'}[t]
	case VIQR:
		return [...]rune{'-', '\'', '`', '?', '~', '.'}[t]
	}
	return 0
}

// follows reports whether a VIQR mark or tone key may apply to s: a mark
// key right after a letter it marks, a tone key right after a vowel of a
// word with no other tone.
func (a action) follows(s *state) bool {
	ls := s.letters
	if len(ls) == 0 {
		return false
	}
	last := ls[len(ls)-1]
	switch a.kind {
	case actTone:
		return last.isVowel() && (s.tone == NoTone || s.tone == a.tone)
	case actMark:
		if a.mark == Stroke {
			return len(ls) == 1 && !last.opaque && last.base == 'd'
		}
		return last.isVowel() && strings.ContainsRune(a.bases, last.base)
	}
	return false
}
