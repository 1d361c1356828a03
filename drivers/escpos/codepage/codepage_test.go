package codepage

import (
	"slices"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// vietnameseLetters builds the 134 non-ASCII Vietnamese letters from their parts: 12 vowels × 5
// tone marks × 2 cases, plus ă â ê ô ơ ư đ in both cases.
func vietnameseLetters(t *testing.T) []rune {
	t.Helper()
	vowels := []string{"a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"}
	tones := []string{"\u0300", "\u0309", "\u0303", "\u0301", "\u0323"} // huyền hỏi ngã sắc nặng
	var out []rune
	add := func(s string) {
		c := []rune(norm.NFC.String(s))
		if len(c) != 1 {
			t.Fatalf("%q does not compose to one letter", s)
		}
		out = append(out, c[0])
	}
	for _, v := range vowels {
		for _, tone := range tones {
			add(v + tone)
			add(string(unicode.ToUpper([]rune(v)[0])) + tone)
		}
	}
	for _, r := range "ăâêôơưđĂÂÊÔƠƯĐ" {
		out = append(out, r)
	}
	slices.Sort(out)
	if n := len(slices.Compact(slices.Clone(out))); n != 134 || len(out) != 134 {
		t.Fatalf("built %d letters (%d distinct), want 134", len(out), n)
	}
	return out
}

func TestVietnameseRoundTrip(t *testing.T) {
	for _, r := range vietnameseLetters(t) {
		want := TCVN3Lower
		if unicode.IsUpper(r) {
			want = TCVN3Upper
		}
		b, ok := Encode(want, r)
		if !ok {
			t.Errorf("%c (%U) not in %v", r, r, want)
			continue
		}
		if b < 0xA0 {
			t.Errorf("%c encodes to %#02x in %v: below 0xA0", r, b, want)
		}
		if got := Decode(want, b); got != r {
			t.Errorf("%c → %#02x → %c in %v", r, b, got, want)
		}
		other := TCVN3Upper + TCVN3Lower - want
		if _, ok := Encode(other, r); ok {
			t.Errorf("%c also found in %v", r, other)
		}
		if got := TablesFor(r, VietnameseTables()); !slices.Equal(got, []Table{want}) {
			t.Errorf("TablesFor(%c) = %v, want [%v]", r, got, want)
		}
	}
	// The plain vowels are ASCII and so sit in every table.
	for _, r := range "aeiouyAEIOUY" {
		for _, tb := range Tables() {
			if b, ok := Encode(tb, r); !ok || b != byte(r) {
				t.Errorf("%c in %v = %#02x, %v", r, tb, b, ok)
			}
		}
	}
}

func TestTCVN3Layout(t *testing.T) {
	letters := vietnameseLetters(t)
	for _, tb := range VietnameseTables() {
		filled := 0
		for i := 0; i < 256; i++ {
			b := byte(i)
			r := Decode(tb, b)
			if b < 0x80 {
				if r != rune(b) {
					t.Errorf("%v: %#02x decodes to %U, want ASCII", tb, b, r)
				}
				continue
			}
			if r == '\uFFFD' {
				continue
			}
			filled++
			if b < 0xA0 {
				t.Errorf("%v: %#02x holds %c; 0x80–0x9F must be empty", tb, b, r)
			}
			if !norm.NFC.IsNormalString(string(r)) {
				t.Errorf("%v: %#02x holds non-NFC %U", tb, b, r)
			}
			if _, found := slices.BinarySearch(letters, r); !found {
				t.Errorf("%v: %#02x holds %c, not a Vietnamese letter", tb, b, r)
			}
			if got, ok := Encode(tb, r); !ok || got != b {
				t.Errorf("%v: %c decodes from %#02x but encodes to %#02x", tb, r, b, got)
			}
		}
		if filled != 67 {
			t.Errorf("%v has %d letters, want 67", tb, filled)
		}
	}
	// Spot checks against the printer grids.
	checks := []struct {
		t Table
		b byte
		r rune
	}{
		{TCVN3Lower, 0xA8, 'ă'}, {TCVN3Lower, 0xAE, 'đ'}, {TCVN3Lower, 0xB5, 'à'}, {TCVN3Lower, 0xD5, 'ế'},
		{TCVN3Lower, 0xFE, 'ỵ'}, {TCVN3Upper, 0xA1, 'Ă'}, {TCVN3Upper, 0xA7, '\u0110'}, {TCVN3Upper, 0xAD, 'Ư'},
		{TCVN3Upper, 0xE9, 'Ộ'}, {TCVN3Upper, 0xFD, 'Ý'},
	}
	for _, c := range checks {
		if got := Decode(c.t, c.b); got != c.r {
			t.Errorf("Decode(%v, %#02x) = %c (%U), want %c (%U)", c.t, c.b, got, got, c.r, c.r)
		}
	}
	if _, ok := Encode(TCVN3Upper, '\u00D0'); ok {
		t.Error("Icelandic eth U+00D0 must not stand in for Đ U+0110")
	}
}

func TestDecomposedNotFound(t *testing.T) {
	// "ế" as e + circumflex + acute (NFD) is three runes; none of the combining marks is in TCVN-3.
	for _, r := range norm.NFD.String("ế") {
		if r < 0x80 {
			continue
		}
		if got := TablesFor(r, nil); len(got) != 0 {
			t.Errorf("combining %U found in %v", r, got)
		}
	}
}

func TestLatinTables(t *testing.T) {
	cases := []struct {
		t  Table
		b  byte
		r  rune
		ok bool
	}{
		{PC437, 0x80, 'Ç', true}, {PC437, 0x82, 'é', true}, {PC437, 0xFE, '■', true},
		{WPC1252, 0x80, '€', true}, {WPC1252, 0xE9, 'é', true}, {WPC1252, 0x81, '\uFFFD', false},
	}
	for _, c := range cases {
		if got := Decode(c.t, c.b); got != c.r {
			t.Errorf("Decode(%v, %#02x) = %U, want %U", c.t, c.b, got, c.r)
		}
		if !c.ok {
			continue
		}
		if b, ok := Encode(c.t, c.r); !ok || b != c.b {
			t.Errorf("Encode(%v, %c) = %#02x, %v", c.t, c.r, b, ok)
		}
	}
	if got := Decode(Table(99), 0xC0); got != '\uFFFD' {
		t.Errorf("unknown table decodes %U", got)
	}
	if _, ok := Encode(Table(99), 'é'); ok {
		t.Error("unknown table encodes é")
	}
	if b, ok := Encode(Table(99), 'A'); !ok || b != 'A' {
		t.Error("ASCII must encode in any table")
	}
}

func TestTablesForOrder(t *testing.T) {
	if got := TablesFor('é', []Table{WPC1252, TCVN3Lower, PC437}); !slices.Equal(got, []Table{WPC1252, TCVN3Lower, PC437}) {
		t.Errorf("é: %v", got)
	}
	if got := TablesFor('ộ', nil); !slices.Equal(got, []Table{TCVN3Lower}) {
		t.Errorf("ộ: %v", got)
	}
	if got := TablesFor('x', []Table{TCVN3Upper, PC437}); !slices.Equal(got, []Table{TCVN3Upper, PC437}) {
		t.Errorf("x: %v", got)
	}
	if got := TablesFor('中', nil); len(got) != 0 {
		t.Errorf("中: %v", got)
	}
}
