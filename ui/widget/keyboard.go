package widget

import (
	"image"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/tramso/tramso/ui/vnkey"
)

// KeyMode is the layout of a Keyboard.
type KeyMode int

// Keyboard layouts.
const (
	Letters KeyMode = iota // QWERTY with Telex composition and visible tone and mark keys
	Digits                 // numeric keypad (ID number, numbers)
	Date                   // numeric keypad that writes dd/mm/yyyy
)

// Special key names, also their labels (words, not symbols, so no one has to guess).
const (
	KeyBackspace = "Xóa"
	KeySpace     = "Dấu cách"
	KeyShift     = "Chữ hoa"
)

// toneKeys and markKeys are the visible keys that put a tone or a mark on the current syllable.
var toneKeys = [...]struct {
	label string
	tone  vnkey.Tone
}{{"á sắc", vnkey.Sac}, {"à huyền", vnkey.Huyen}, {"ả hỏi", vnkey.Hoi}, {"ã ngã", vnkey.Nga}, {"ạ nặng", vnkey.Nang}}

var markKeys = [...]struct {
	label string
	mark  vnkey.Mark
}{{"â ê ô", vnkey.Circumflex}, {"ă", vnkey.Breve}, {"ơ ư", vnkey.Horn}, {"đ", vnkey.Stroke}}

var letterRows = [...]string{"1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"}

// Keyboard is the on-screen keyboard: letters typed through the Vietnamese engine (Telex, so "aa"
// gives â too) or digits for the keypads. Its text is always NFC.
type Keyboard struct {
	Mode KeyMode
	// Max is the most digits a keypad accepts (0: no limit; Date: 8).
	Max    int
	eng    *vnkey.Engine
	digits string
	shift  bool
}

// NewKeyboard returns a keyboard in mode whose text starts as initial.
func NewKeyboard(mode KeyMode, initial string) *Keyboard {
	k := &Keyboard{Mode: mode, eng: vnkey.New(vnkey.Telex, vnkey.Options{})}
	switch mode {
	case Letters:
		// The value as it is (no key interpreted), its last word open to the tone and mark keys.
		k.eng.Insert(initial)
	case Date:
		k.Max = 8
		if t, err := time.Parse(time.DateOnly, initial); err == nil {
			initial = t.Format("02012006") // an ISO date from OCR, shown as dd/mm/yyyy
		}
		fallthrough
	default:
		for _, r := range initial {
			if r >= '0' && r <= '9' {
				k.digits += string(r)
			}
		}
	}
	return k
}

// Text is what has been typed, NFC; for Date it is dd/mm/yyyy as far as typed.
func (k *Keyboard) Text() string {
	switch k.Mode {
	case Letters:
		return norm.NFC.String(k.eng.Text())
	case Date:
		d := k.digits
		var sb strings.Builder
		for i, r := range d {
			if i == 2 || i == 4 {
				sb.WriteByte('/')
			}
			sb.WriteRune(r)
		}
		return sb.String()
	}
	return k.digits
}

// Press applies one key by its label: a letter or digit, KeyBackspace, KeySpace, KeyShift, or a
// tone or mark key label.
func (k *Keyboard) Press(key string) {
	if k.Mode != Letters {
		switch {
		case key == KeyBackspace:
			if k.digits != "" {
				k.digits = k.digits[:len(k.digits)-1]
			}
		case len(key) == 1 && key[0] >= '0' && key[0] <= '9':
			if k.Max == 0 || len(k.digits) < k.Max {
				k.digits += key
			}
		}
		return
	}
	switch key {
	case KeyBackspace:
		k.eng.Backspace()
		return
	case KeySpace:
		k.eng.Key(' ')
		return
	case KeyShift:
		k.shift = !k.shift
		return
	}
	for _, t := range toneKeys {
		if key == t.label {
			k.eng.Tone(t.tone)
			return
		}
	}
	for _, m := range markKeys {
		if key == m.label {
			k.eng.Mark(m.mark)
			return
		}
	}
	for _, r := range key {
		if k.shift {
			r = unicode.ToUpper(r)
		}
		k.eng.Key(r)
	}
	k.shift = false
}

// Layout adds the keys to f inside r; changed is called after every key.
func (k *Keyboard) Layout(f *Frame, r image.Rectangle, changed func()) {
	if k.Mode != Letters {
		k.layoutPad(f, r, changed)
		return
	}
	const gap = 10
	rows := len(letterRows) + 2
	kh := (r.Dy() - gap*(rows-1)) / rows
	press := func(label string) func() {
		return func() { k.Press(label); changed() }
	}
	y := r.Min.Y
	for i, row := range letterRows {
		n := 10
		kw := (r.Dx() - gap*(n-1)) / n
		x := r.Min.X
		if i == 3 {
			// The shift key and backspace around the last row.
			kind := Key
			if k.shift {
				kind = Selected
			}
			f.Button(image.Rect(x, y, x+kw*3/2, y+kh), KeyShift, "", kind, press(KeyShift))
			x += kw*3/2 + gap
		} else {
			x += (n - len(row)) * (kw + gap) / 2
		}
		for _, c := range row {
			label := string(c)
			if k.shift {
				label = strings.ToUpper(label)
			}
			f.Button(image.Rect(x, y, x+kw, y+kh), label, "", Key, press(string(c)))
			x += kw + gap
		}
		if i == 3 {
			f.Button(image.Rect(x, y, r.Max.X, y+kh), KeyBackspace, "", Danger, press(KeyBackspace))
		}
		y += kh + gap
	}
	// Tone and mark keys apply to the syllable being typed.
	n := len(toneKeys) + len(markKeys)
	kw := (r.Dx() - gap*(n-1)) / n
	x := r.Min.X
	for _, t := range toneKeys {
		f.Button(image.Rect(x, y, x+kw, y+kh), t.label, "", Secondary, press(t.label))
		x += kw + gap
	}
	for _, m := range markKeys {
		f.Button(image.Rect(x, y, x+kw, y+kh), m.label, "", Secondary, press(m.label))
		x += kw + gap
	}
	y += kh + gap
	w := r.Dx() / 2
	f.Button(image.Rect(r.Min.X+w/2, y, r.Min.X+w/2+w, y+kh), KeySpace, "", Key, press(KeySpace))
}

func (k *Keyboard) layoutPad(f *Frame, r image.Rectangle, changed func()) {
	const gap = 16
	keys := [...]string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "", "0", KeyBackspace}
	kw := min((r.Dx()-2*gap)/3, 260)
	kh := min((r.Dy()-3*gap)/4, 130)
	x0 := r.Min.X + (r.Dx()-(3*kw+2*gap))/2
	for i, label := range keys {
		if label == "" {
			continue
		}
		x, y := x0+(i%3)*(kw+gap), r.Min.Y+(i/3)*(kh+gap)
		kind := Key
		if label == KeyBackspace {
			kind = Danger
		}
		f.Button(image.Rect(x, y, x+kw, y+kh), label, "", kind, func() { k.Press(label); changed() })
	}
}
