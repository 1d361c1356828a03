package vnkey

import "testing"

func letters(t *testing.T, s string) []letter {
	t.Helper()
	var ls []letter
	for _, r := range s {
		l, _, ok := decode(r)
		if !ok {
			l = letter{base: r, opaque: true}
		}
		ls = append(ls, l)
	}
	return ls
}

func TestSplit(t *testing.T) {
	for _, c := range []struct {
		w              string
		initial, vowel string
	}{
		{"nghiêng", "ngh", "iê"}, {"qua", "qu", "a"}, {"quyết", "qu", "yê"}, {"gia", "gi", "a"},
		{"gì", "g", "i"}, {"gin", "g", "i"}, {"giường", "gi", "ươ"}, {"ươn", "", "ươ"},
		{"khuya", "kh", "uya"}, {"qu", "q", "u"}, {"xyz", "x", "y"}, {"nh", "nh", ""}, {"", "", ""},
		{"đi", "đ", "i"}, {"hoa", "h", "oa"},
	} {
		ls := letters(t, c.w)
		vs, ve := split(ls)
		ini := string(lowerKey(nil, ls[:vs]))
		v := string(lowerKey(nil, ls[vs:ve]))
		if ini != c.initial || v != c.vowel {
			t.Errorf("split(%q) = %q + %q, want %q + %q", c.w, ini, v, c.initial, c.vowel)
		}
	}
}

// TestSpelling is the spelling check that decides whether a word may take
// a mark or a tone while it is typed (plausible) and whether it may end
// that way (complete: only asked of words with a mark or a tone, so a run
// of consonants such as "đc" passes); words in testdata/words.txt are
// checked in TestWords.
func TestSpelling(t *testing.T) {
	for _, c := range []struct {
		w                   string
		plausible, complete bool
	}{
		// Vietnamese syllables
		{"tiếng", true, true}, {"hoàn", true, true}, {"quý", true, true}, {"Đắk", true, true},
		{"krông", true, true}, {"khuỷu", true, true}, {"thuở", true, true}, {"đ", true, true},
		// on the way to one: plausible, not complete (a single letter is)
		{"tiê", true, false}, {"tuan", true, false}, {"ă", true, true}, {"quă", true, false},
		{"ue", true, false}, {"nh", true, true}, {"ngh", true, true},
		// not Vietnamese
		{"user", false, false}, {"xyz", false, false}, {"https", false, true}, {"hanna", false, false},
		{"ai", true, true}, {"ain", false, false}, {"iêun", false, false}, {"fa", false, false},
		{"wa", false, false}, {"zô", false, false}, {"cl", false, true}, {"oâ", false, false},
		{"a1", false, false}, {"ééa", false, false}, {"quu", true, false}, {"gii", true, false},
		{"ach", true, true}, {"ôch", true, false}, {"oăk", true, false}, {"ăk", true, true},
		{"ươ", true, true}, {"uơn", true, true}, // corrected to uơ, ươn
	} {
		ls := letters(t, c.w)
		if got := plausible(ls, NoTone); got != c.plausible {
			t.Errorf("plausible(%q) = %v, want %v", c.w, got, c.plausible)
		}
		if got := complete(corrected(ls, NoTone)); got != c.complete {
			t.Errorf("complete(%q) = %v, want %v", c.w, got, c.complete)
		}
	}
	// No tone without a vowel.
	if plausible(letters(t, "nh"), Sac) {
		t.Error("plausible(nh, sắc) = true")
	}
}

func TestCorrected(t *testing.T) {
	for _, c := range []struct {
		w    string
		tone Tone
		want string
	}{
		{"tieng", Sac, "tiêng"}, {"tieng", NoTone, "tieng"}, {"ddien", NoTone, "ddien"},
		{"điên", NoTone, "điên"}, {"đien", NoTone, "điên"}, {"yeu", Sac, "yêu"}, {"tie", Sac, "tie"},
		{"thươ", NoTone, "thuơ"}, {"thuơng", NoTone, "thương"}, {"trưong", NoTone, "trương"},
		{"trưo", NoTone, "trưo"}, {"gien", Sac, "gien"}, {"hươu", NoTone, "hươu"},
	} {
		got := string(lowerKey(nil, corrected(letters(t, c.w), c.tone)))
		if got != c.want {
			t.Errorf("corrected(%q, %v) = %q, want %q", c.w, c.tone, got, c.want)
		}
	}
}

func TestDecode(t *testing.T) {
	for _, c := range []struct {
		r    rune
		want letter
		tone Tone
		ok   bool
	}{
		{'a', letter{base: 'a'}, NoTone, true},
		{'Ấ', letter{base: 'a', mark: Circumflex, upper: true}, Sac, true},
		{'ự', letter{base: 'u', mark: Horn}, Nang, true},
		{'Đ', letter{base: 'd', mark: Stroke, upper: true}, NoTone, true},
		{'ǎ', letter{}, NoTone, false}, // caron: not Vietnamese
		{'ü', letter{}, NoTone, false},
		{'1', letter{}, NoTone, false},
		{'Б', letter{}, NoTone, false},
	} {
		l, tone, ok := decode(c.r)
		if l != c.want || tone != c.tone || ok != c.ok {
			t.Errorf("decode(%q) = %+v, %v, %v", c.r, l, tone, ok)
		}
	}
}
