package vnkey

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func typeKeys(e *Engine, keys string) {
	for _, r := range keys {
		e.Key(r)
	}
}

func check(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s: got %q, want %q", what, got, want)
	}
}

func TestIncremental(t *testing.T) {
	e := New(Telex, Options{})
	steps := []struct{ key, word string }{
		{"h", "h"}, {"o", "ho"}, {"a", "hoa"}, {"f", "hoà"}, {"n", "hoàn"}, {"g", "hoàng"},
	}
	for _, s := range steps {
		typeKeys(e, s.key)
		check(t, "word after "+s.key, e.Word(), s.word)
	}
	typeKeys(e, " ")
	check(t, "word after space", e.Word(), "")
	typeKeys(e, "us")
	check(t, "composing us", e.Word(), "ú")
	typeKeys(e, "er")
	check(t, "composing user", e.Word(), "ủe")
	check(t, "text while composing", e.Text(), "hoàng ủe")
	e.Commit()
	check(t, "text after commit", e.Text(), "hoàng user")

	old := New(Telex, Options{OldStyle: true})
	typeKeys(old, "hoaf")
	check(t, "old style", old.Word(), "hòa")
	typeKeys(old, "n")
	check(t, "old style + n", old.Word(), "hoàn")
}

func TestUndo(t *testing.T) {
	for _, c := range []struct {
		keys  string
		words []string // after each Undo, until it reports false
	}{
		{"aa", []string{"aa"}},
		{"as", []string{"as"}},
		{"dd", []string{"dd"}},
		{"w", []string{"w"}},
		{"Vieejt", []string{"Viêjt", "Vieejt"}},
		{"tieesng", []string{"tiêsng", "tieesng"}},
		{"hoafn", []string{"hoafn"}},
		{"asf", []string{"áf", "asf"}},
		{"asz", []string{"áz", "asz"}},
		{"ass", nil},
		{"abc", nil},
		{"", nil},
	} {
		e := New(Telex, Options{})
		typeKeys(e, c.keys)
		for i, w := range c.words {
			if !e.Undo() {
				t.Errorf("%q: Undo %d reported false", c.keys, i+1)
				break
			}
			check(t, c.keys+" Undo", e.Word(), w)
		}
		if e.Undo() {
			t.Errorf("%q: Undo reported true after %d, word %q", c.keys, len(c.words), e.Word())
		}
	}
	// Typing goes on after Undo.
	e := New(Telex, Options{})
	typeKeys(e, "aa")
	e.Undo()
	typeKeys(e, "n")
	check(t, "aa Undo n", e.Word(), "aan")
}

func TestRestoreWord(t *testing.T) {
	e := New(Telex, Options{})
	typeKeys(e, "Vieejt")
	check(t, "word", e.Word(), "Việt")
	check(t, "RestoreWord", e.RestoreWord(), "Vieejt")
	check(t, "word after RestoreWord", e.Word(), "Vieejt")
	typeKeys(e, "s")
	check(t, "tone after RestoreWord", e.Word(), "Vieejts")
	e.Commit()
	check(t, "text", e.Text(), "Vieejts")
	check(t, "RestoreWord between words", e.RestoreWord(), "")

	e = New(Telex, Options{})
	typeKeys(e, "Viet")
	e.Tone(Nang)
	check(t, "Tone", e.Word(), "Việt")
	check(t, "RestoreWord drops on-screen keys", e.RestoreWord(), "Viet")

	e = New(VNI, Options{})
	typeKeys(e, "Vie65t")
	check(t, "VNI RestoreWord", e.RestoreWord(), "Vie65t")
}

func TestBackspace(t *testing.T) {
	for _, c := range []struct {
		m     Method
		o     Options
		keys  string
		after []string // Text after each Backspace
	}{
		{Telex, Options{}, "tieengs", []string{"tiến", "tiế", "ti", "t", ""}},
		{Telex, Options{}, "tiengs", []string{"tiến", "tiế", "ti", "t", ""}},
		{Telex, Options{}, "hoafn", []string{"hoà", "ho", "h", ""}},
		{Telex, Options{OldStyle: true}, "hoafn", []string{"hòa", "hò", "h", ""}},
		{Telex, Options{}, "ass", []string{"a", ""}},
		{Telex, Options{}, "Vieejt", []string{"Việ", "Vi", "V", ""}},
		{Telex, Options{}, "truwowngf", []string{"trườn", "truờ", "tru", "tr", "t", ""}},
		{Telex, Options{}, "ddaf", []string{"đ", ""}},
		{Telex, Options{}, "as bs", []string{"á b", "á ", "á", ""}},
		{Telex, Options{}, "user ", []string{"user", "use", "us", "u", ""}},
		{VNI, Options{}, "Vie65t", []string{"Việ", "Vi", "V", ""}},
		{VIQR, Options{}, "Vie^.t", []string{"Việ", "Vi", "V", ""}},
	} {
		e := New(c.m, c.o)
		typeKeys(e, c.keys)
		for _, want := range c.after {
			before := e.Text()
			if !e.Backspace() {
				t.Errorf("%v %q: Backspace false at %q", c.m, c.keys, before)
				break
			}
			got := e.Text()
			if got != want {
				t.Errorf("%v %+v %q: Backspace on %q gave %q, want %q", c.m, c.o, c.keys, before, got, want)
				break
			}
		}
		if e.Backspace() {
			t.Errorf("%v %q: Backspace on empty text reported true", c.m, c.keys)
		}
	}
}

func TestBackspaceThenType(t *testing.T) {
	for _, c := range []struct {
		keys, more, want string
		backspaces       int
	}{
		{"tieengs", "g", "tiếng", 1},
		{"tiengs", "g", "tiếng", 1},
		{"hoafn", "n", "hoàn", 1},
		{"Vieejt", "t", "Việt", 1},
		{"Vieejt", "eejt", "Việt", 2},
		{"Viet ", "j", "Việt", 1},        // the separator gone, the word reopens
		{"Viet, ", "j", "Việt", 2},       // two separators
		{"ass", "s", "á", 1},             // a, then s
		{"aa", "a", "a", 1},              // nothing, then a
		{"truwowngf", "ng", "trường", 2}, // trườ → trường
		{"nguyeenx", "n", "nguyễn", 1},   // nguyễ
		{"Ddaf ", "o", "Đào", 1},         // reopen Đà
		{"dd", "ddaf", "đà", 1},          // empty again
		{"ww", "a", "wa", 0},             // w
		{"thuowr", "ng", "thưởng", 0},    // thuở + ng
		{"ngoafi", "", "ngoà", 1},        // the i gone, the tone stays
		{"hoaf", "n", "hon", 1},          // hoà → ho, the tone went with à
		{"quas", "n", "qun", 1},          // the tone went with á
		{"gias", "s", "gs", 2},           // g, then s
		{"Vieejt", "j", "Vj", 3},         // V, then j
		{"đi", "a", "đa", 1},             // typed đ, then a
		{"đi", "dd", "ddd", 1},           // typed đ, then d undoes it
	} {
		e := New(Telex, Options{})
		typeKeys(e, c.keys)
		for i := 0; i < c.backspaces; i++ {
			e.Backspace()
		}
		typeKeys(e, c.more)
		e.Commit()
		check(t, c.keys+" ⌫ "+c.more, e.Text(), c.want)
	}
}

func TestTextRuneCount(t *testing.T) {
	// Backspace removes exactly one character, whatever the word.
	e := New(Telex, Options{})
	typeKeys(e, "Tooi teen laf Nguyeenx Vawn Awn, ddc user@example.com ww asss")
	for e.Text() != "" {
		n := utf8.RuneCountInString(e.Text())
		e.Backspace()
		if m := utf8.RuneCountInString(e.Text()); m != n-1 {
			t.Fatalf("Backspace: %d runes → %d (%q)", n, m, e.Text())
		}
	}
}

func TestToneAndMarkKeys(t *testing.T) {
	type op func(e *Engine) bool
	tone := func(x Tone) op { return func(e *Engine) bool { return e.Tone(x) } }
	mark := func(x Mark) op { return func(e *Engine) bool { return e.Mark(x) } }
	for _, c := range []struct {
		keys string
		ops  []op
		ok   []bool
		want string
	}{
		{"Viet", []op{tone(Nang)}, []bool{true}, "Việt"},
		{"Viet", []op{mark(Circumflex), tone(Nang)}, []bool{true, true}, "Việt"},
		{"hoa", []op{tone(Huyen)}, []bool{true}, "hoà"},
		{"hoa", []op{tone(Huyen), tone(Huyen)}, []bool{true, true}, "hoa"},
		{"hoa", []op{tone(Huyen), tone(Sac)}, []bool{true, true}, "hoá"},
		{"hoa", []op{tone(Huyen), tone(NoTone)}, []bool{true, true}, "hoa"},
		{"hoa", []op{tone(NoTone)}, []bool{false}, "hoa"},
		{"di", []op{mark(Stroke)}, []bool{true}, "đi"},
		{"di", []op{mark(Stroke), mark(Stroke)}, []bool{true, true}, "di"},
		{"an", []op{mark(Breve)}, []bool{true}, "ăn"},
		{"an", []op{mark(Breve), mark(Circumflex)}, []bool{true, true}, "ân"},
		{"uong", []op{mark(Horn)}, []bool{true}, "ương"},
		{"uong", []op{mark(Circumflex)}, []bool{true}, "uông"},
		{"thu", []op{mark(Horn)}, []bool{true}, "thư"},
		{"mo", []op{mark(Horn), mark(Horn)}, []bool{true, true}, "mo"},
		{"a", []op{mark(Stroke)}, []bool{false}, "a"},
		{"ti", []op{mark(Breve)}, []bool{false}, "ti"},
		{"", []op{tone(Sac)}, []bool{false}, ""},
		{"", []op{mark(Circumflex)}, []bool{false}, ""},
		{"xyz", []op{tone(Sac)}, []bool{false}, "xyz"},
		{"nh", []op{tone(Sac)}, []bool{false}, "nh"},
		{"https", []op{tone(Hoi), mark(Horn)}, []bool{false, false}, "https"},
		{"a", []op{tone(Tone(9)), mark(Mark(9)), mark(NoMark)}, []bool{false, false, false}, "a"},
		{"Viet ", []op{tone(Nang)}, []bool{false}, "Viet "},
	} {
		e := New(Telex, Options{})
		typeKeys(e, c.keys)
		for i, o := range c.ops {
			if got := o(e); got != c.ok[i] {
				t.Errorf("%q op %d: got %v, want %v", c.keys, i, got, c.ok[i])
			}
		}
		check(t, c.keys+" with on-screen keys", e.Text(), c.want)
	}

	// Undo takes an on-screen mark away.
	e := New(Telex, Options{})
	typeKeys(e, "Viet")
	e.Tone(Nang)
	if !e.Undo() {
		t.Fatal("Undo after Tone reported false")
	}
	check(t, "Undo after Tone", e.Word(), "Viet")
	// Typing goes on after an on-screen key.
	e.Reset()
	typeKeys(e, "Vie")
	e.Tone(Sac)
	typeKeys(e, "ng")
	check(t, "Tone then typing", e.Word(), "Viếng")
}

func TestResetAndCommit(t *testing.T) {
	e := New(Telex, Options{})
	typeKeys(e, "xin chaof")
	e.Reset()
	check(t, "after Reset", e.Text(), "")
	typeKeys(e, "aa")
	e.Commit()
	e.Commit()
	check(t, "Commit twice", e.Text(), "â")
	typeKeys(e, "s")
	check(t, "after Commit, a new word", e.Text(), "âs")
}

func TestParseMethod(t *testing.T) {
	for _, m := range []Method{Telex, VNI, VIQR} {
		got, err := ParseMethod(" " + m.String() + " ")
		if err != nil || got != m {
			t.Errorf("ParseMethod(%q) = %v, %v", m.String(), got, err)
		}
	}
	if got, err := ParseMethod("TELEX"); err != nil || got != Telex {
		t.Errorf("ParseMethod(TELEX) = %v, %v", got, err)
	}
	if _, err := ParseMethod("unikey"); err == nil {
		t.Error("ParseMethod(unikey): no error")
	} else if !errorsIs(err, ErrUnknownMethod) {
		t.Errorf("ParseMethod(unikey): %v is not ErrUnknownMethod", err)
	}
}

func TestLongWord(t *testing.T) {
	// Long runs of letters are not syllables: they cost linear time and
	// stay as typed (less the one key that undid "aa").
	for _, c := range []struct {
		m    Method
		keys string
		want string
	}{
		{Telex, strings.Repeat("a", 5000), strings.Repeat("a", 4999)},
		{Telex, strings.Repeat("w", 5000), strings.Repeat("w", 4999)},
		{Telex, strings.Repeat("uo", 2000) + "w", strings.Repeat("uo", 2000) + "w"},
		{VNI, "a" + strings.Repeat("6", 3000), "a" + strings.Repeat("6", 2999)},
		{VIQR, "a" + strings.Repeat("^", 3000), "a" + strings.Repeat("^", 2999)},
	} {
		e := New(c.m, Options{})
		typeKeys(e, c.keys)
		e.Undo()
		e.Backspace()
		typeKeys(e, c.keys[len(c.keys)-1:])
		e.Commit()
		if got := e.Text(); got != c.want {
			t.Errorf("%v %d keys: got %d runes", c.m, len(c.keys), utf8.RuneCountInString(got))
		}
	}
}

// A value filled in before is kept exactly, and its last word takes the tone and mark keys.
func TestInsertThenCorrect(t *testing.T) {
	cases := []struct {
		initial string
		do      func(e *Engine)
		want    string
	}{
		{"Lee Nguyen", func(e *Engine) {}, "Lee Nguyen"},              // no key interpreted: ee stays ee
		{"Lee Nguyen", func(e *Engine) { e.Tone(Nga) }, "Lee Nguyễn"}, // uyen is spelled uyên
		{"Trần Nguyen", func(e *Engine) { e.Mark(Circumflex); e.Tone(Nga) }, "Trần Nguyễn"},
		{"hoà", func(e *Engine) { e.Tone(Sac) }, "hoá"},
		{"Hòa", func(e *Engine) {}, "Hòa"}, // the other style is kept as it came
		{"Nguyễn", func(e *Engine) { e.Tone(NoTone) }, "Nguyên"},
		{"Số 5 Đường Lê Lợi", func(e *Engine) {}, "Số 5 Đường Lê Lợi"},
		{"Số 5 Đường Lê Lợi", func(e *Engine) { e.Tone(Sac) }, "Số 5 Đường Lê Lới"},
		{"Số 5 Đường Lê Lợi", func(e *Engine) { e.Tone(Nang) }, "Số 5 Đường Lê Lơi"}, // the same tone again takes it off
		{"phamvanee@mail.vn", func(e *Engine) {}, "phamvanee@mail.vn"},
		{"Nguyễn", func(e *Engine) { e.Backspace(); e.Key('n') }, "Nguyễn"},
		{"Nguyên", func(e *Engine) { e.Key('x') }, "Nguyễn"},
	}
	for _, c := range cases {
		e := New(Telex, Options{})
		e.Insert(c.initial)
		c.do(e)
		if got := e.Text(); got != c.want {
			t.Errorf("Insert(%q) then keys: %q, want %q", c.initial, got, c.want)
		}
	}
}
