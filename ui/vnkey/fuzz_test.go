package vnkey

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func FuzzType(f *testing.F) {
	for _, s := range []string{
		"Tieesng Vieejt", "Tie61ng Vie65t", "Tie^'ng Vie^.t", "user@example.com", "https://a.vn/?q=1",
		"asss aaaa dddd www", "truwowngf nguwowif", "Hòa Bình", "e\u0301", "1+1=2 !?", `Viet\.`,
		"\xff\xfe", "Đaf ơs", "Q1 A4 2024", "thuowr uowo",
	} {
		for m := range 3 {
			f.Add(uint8(m), s)
		}
	}
	f.Fuzz(func(t *testing.T, m uint8, s string) {
		method := Method(m % 3)
		out := Type(method, s)
		if !utf8.ValidString(out) {
			t.Fatalf("%v %q: output %q is not UTF-8", method, s, out)
		}
		if !norm.NFC.IsNormalString(out) {
			t.Fatalf("%v %q: output %q is not NFC", method, s, out)
		}
		if utf8.ValidString(s) && strings.IndexFunc(s, unicode.IsLetter) < 0 {
			if want := norm.NFC.String(s); out != want {
				t.Fatalf("%v %q: no letters, got %q", method, s, out)
			}
		}
	})
}

// fuzzKeys are the keys FuzzEngine types: every mark and tone key of the
// three methods, separators, and letters typed ready-made.
var fuzzKeys = []rune("aeouiydwsfrxjzAEODWSnghtcqmk0123456789'`?~.^(+-\\ ,@ĐếơÂ")

func FuzzEngine(f *testing.F) {
	f.Add(uint8(0), []byte("\x00\x00\xc8\xd2\xd7"))
	f.Add(uint8(1), []byte("tie\x18\x12ng\xc8\xc8\xd2"))
	f.Add(uint8(2), []byte{1, 2, 3, 200, 216, 217, 222, 227, 4, 201, 228})
	f.Fuzz(func(t *testing.T, m uint8, ops []byte) {
		e := New(Method(m%3), Options{OldStyle: m&4 != 0})
		for _, b := range ops {
			before := e.Text()
			switch {
			case b < 200:
				e.Key(fuzzKeys[int(b)%len(fuzzKeys)])
			case b < 210:
				ok := e.Backspace()
				n, after := utf8.RuneCountInString(before), e.Text()
				if ok != (n > 0) {
					t.Fatalf("Backspace on %q reported %v", before, ok)
				}
				if want := max(n-1, 0); utf8.RuneCountInString(after) != want {
					t.Fatalf("Backspace: %q → %q", before, after)
				}
			case b < 215:
				e.Undo()
			case b == 215:
				if got := e.RestoreWord(); got != e.Word() {
					t.Fatalf("RestoreWord returned %q, word %q", got, e.Word())
				}
			case b < 222:
				e.Tone(Tone(b - 216))
			case b < 227:
				e.Mark(Mark(b - 222))
			case b == 227:
				e.Commit()
				if e.Word() != "" {
					t.Fatalf("Commit left word %q", e.Word())
				}
			default:
				e.Reset()
			}
			text := e.Text()
			if !utf8.ValidString(text) || !norm.NFC.IsNormalString(text) {
				t.Fatalf("text %q not NFC UTF-8", text)
			}
			if !strings.HasSuffix(text, e.Word()) {
				t.Fatalf("text %q does not end with word %q", text, e.Word())
			}
		}
	})
}

// A value inserted comes out exactly (NFC), and the tone and mark keys on it keep the text NFC and
// change only its last word.
func FuzzInsert(f *testing.F) {
	for _, s := range []string{"Nguyễn Văn Ẩn", "Lee", "Hòa", "phamvanee@mail.vn", "Số 5, Đường Lê Lợi", "Vie\u0323\u0302t", "ƯỚC"} {
		f.Add(s, uint8(Sac), uint8(Circumflex))
	}
	f.Fuzz(func(t *testing.T, s string, tone, mark uint8) {
		if !utf8.ValidString(s) {
			return
		}
		e := New(Telex, Options{})
		e.Insert(s)
		if got, want := e.Text(), norm.NFC.String(s); got != want {
			t.Fatalf("Insert(%q) = %q, want %q", s, got, want)
		}
		head := strings.TrimSuffix(e.Text(), e.Word())
		e.Tone(Tone(tone % 6))
		e.Mark(Mark(mark % 5))
		got := e.Text()
		if !norm.NFC.IsNormalString(got) {
			t.Fatalf("not NFC after keys: %q", got)
		}
		if !strings.HasPrefix(got, head) {
			t.Fatalf("keys changed more than the last word: %q → %q", s, got)
		}
	})
}
