package vnkey

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// readWords returns the syllables of testdata/words.txt.
func readWords(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("testdata/words.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var words []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		words = append(words, strings.Fields(line)...)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(words) < 300 {
		t.Fatalf("only %d words", len(words))
	}
	return words
}

// keysFor types w the plain way in method m: each letter followed by the key
// of its mark, the tone key at the end (or, with toneAfterVowel, right after
// the letter that carries it). It is written apart from the engine's own
// encoder on purpose.
func keysFor(m Method, w string, toneAfterVowel bool) string {
	marks := map[Method]map[rune]string{
		Telex: {'\u0302': "", '\u0306': "w", '\u031b': "w"},
		VNI:   {'\u0302': "6", '\u0306': "8", '\u031b': "7"},
		VIQR:  {'\u0302': "^", '\u0306': "(", '\u031b': "+"},
	}[m]
	tones := map[Method]map[rune]string{
		Telex: {'\u0301': "s", '\u0300': "f", '\u0309': "r", '\u0303': "x", '\u0323': "j"},
		VNI:   {'\u0301': "1", '\u0300': "2", '\u0309': "3", '\u0303': "4", '\u0323': "5"},
		VIQR:  {'\u0301': "'", '\u0300': "`", '\u0309': "?", '\u0303': "~", '\u0323': "."},
	}[m]
	stroke := map[Method]string{Telex: "d", VNI: "9", VIQR: "d"}[m]
	var b strings.Builder
	tone := ""
	var prev string
	for _, r := range w {
		if r == 'đ' || r == 'Đ' {
			if r == 'Đ' {
				b.WriteString("D")
			} else {
				b.WriteString("d")
			}
			b.WriteString(stroke)
			prev = "đ"
			continue
		}
		d := []rune(norm.NFD.String(string(r)))
		base := string(d[0])
		lower := strings.ToLower(base)
		b.WriteString(base)
		plain := true
		for _, c := range d[1:] {
			if k, ok := marks[c]; ok {
				plain = false
				if m == Telex && c == '\u0302' {
					k = lower
				}
				b.WriteString(k)
			}
		}
		// Telex: a plain a, e or o right after the same letter would
		// make â ê ô; typing it twice undoes that (xoong = "xooong").
		if m == Telex && plain && prev == lower && strings.Contains("aeo", lower) {
			b.WriteString(base)
		}
		if plain {
			prev = lower
		} else {
			prev = ""
		}
		for _, c := range d[1:] {
			if k, ok := tones[c]; ok {
				if toneAfterVowel {
					b.WriteString(k)
				} else {
					tone = k
				}
			}
		}
	}
	b.WriteString(tone)
	return b.String()
}

func TestKeysFor(t *testing.T) {
	for _, c := range []struct {
		m    Method
		w    string
		want string
	}{
		{Telex, "tiếng", "tieengs"}, {Telex, "Đà", "Ddaf"}, {VNI, "người", "ngu7o7i2"},
		{VNI, "việt", "vie6t5"}, {Telex, "xoong", "xooong"},
	} {
		if got := keysFor(c.m, c.w, false); got != c.want {
			t.Errorf("keysFor(%v, %q) = %q, want %q", c.m, c.w, got, c.want)
		}
	}
}

func TestWords(t *testing.T) {
	words := readWords(t)
	oldStyle := 0
	for _, w := range words {
		if !norm.NFC.IsNormalString(w) {
			t.Errorf("%q is not NFC", w)
		}
		forms := []string{w, strings.ToUpper(w[:1]) + w[1:], strings.ToUpper(w)}
		if r := []rune(w); len(r) > 0 {
			forms[1] = strings.ToUpper(string(r[0])) + string(r[1:])
		}
		for _, f := range forms {
			for _, m := range []Method{Telex, VNI, VIQR} {
				for _, after := range []bool{false, true} {
					if m == VIQR && !after {
						continue // VIQR writes the tone after its vowel
					}
					keys := keysFor(m, f, after)
					if got := Type(m, keys); got != f {
						t.Errorf("%v %q: got %q, want %q", m, keys, got, f)
					}
				}
			}
		}
		// Old style: the same keys give the old placement.
		old := Normalize(w, Options{OldStyle: true})
		if old != w {
			oldStyle++
		}
		e := New(Telex, Options{OldStyle: true})
		for _, r := range keysFor(Telex, w, false) {
			e.Key(r)
		}
		e.Commit()
		if got := e.Text(); got != old {
			t.Errorf("old style %q: got %q, want %q", w, got, old)
		}
		if !SameWord(old, w) {
			t.Errorf("SameWord(%q, %q) = false", old, w)
		}
		// The spelling check accepts every word.
		var ls []letter
		for _, r := range w {
			l, _, ok := decode(r)
			if !ok {
				t.Fatalf("decode %q", r)
			}
			ls = append(ls, l)
		}
		if !valid(ls) {
			t.Errorf("valid(%q) = false", w)
		}
	}
	if oldStyle < 7 {
		t.Errorf("only %d words differ in old style", oldStyle)
	}
}
