package editdist

import "testing"

func TestRunes(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"abc", "", 3}, {"", "ab", 2}, {"Việt", "Viet", 1}, {"kitten", "sitting", 3}, {"hòa", "hoà", 2}} {
		if got := Runes([]rune(c.a), []rune(c.b)); got != c.d {
			t.Errorf("%q %q: %d want %d", c.a, c.b, got, c.d)
		}
	}
}
