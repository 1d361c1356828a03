package widget

import (
	"image"
	"testing"

	"github.com/tramso/tramso/ui/theme"
)

// Lines says which lines of a scroll region show whole, in part (cut at its edge) or not at all,
// and follows the scroll offset; a line off the screen's edge is cut too.
func TestLinesCutAtTheEdge(t *testing.T) {
	th := loadTheme(t)
	lh := int(LineHeight(th.Face(theme.Body, false)))
	offsets := map[string]float64{}
	f := NewFrame(th, 800, 600, offsets)
	f.Text(image.Rect(0, 0, 400, 0), "tiêu đề", theme.Body, false, Start, th.Palette.Fg)
	f.BeginScroll("s", image.Rect(0, 100, 400, 100+lh+lh/2)) // one line and a half
	f.Text(image.Rect(0, 100, 400, 100), "một\nhai\nba", theme.Body, false, Start, th.Palette.Fg)
	f.EndScroll()
	f.Text(image.Rect(0, 600-lh/2, 400, 600-lh/2), "dưới", theme.Body, false, Start, th.Palette.Fg)
	want := map[string][2]bool{"tiêu đề": {false, false}, "một": {false, false}, "hai": {true, false}, "ba": {false, true}, "dưới": {true, false}}
	check := func(f *Frame, want map[string][2]bool) {
		t.Helper()
		got := f.Lines()
		if len(got) != len(want) {
			t.Fatalf("%d lines, want %d: %+v", len(got), len(want), got)
		}
		for _, l := range got {
			if w := want[l.Text]; l.Cut() != w[0] || l.Hidden() != w[1] {
				t.Errorf("%q at %v shown %v: cut %v hidden %v, want %v", l.Text, l.Box, l.Shown, l.Cut(), l.Hidden(), w)
			}
		}
	}
	check(f, want)
	// Scrolled to its end: the first line goes out of sight, the second is cut at the top, the
	// third shows whole.
	offsets["s"] = 1e6
	g := NewFrame(th, 800, 600, offsets)
	g.BeginScroll("s", image.Rect(0, 100, 400, 100+lh+lh/2))
	g.Text(image.Rect(0, 100, 400, 100), "một\nhai\nba", theme.Body, false, Start, th.Palette.Fg)
	g.EndScroll()
	check(g, map[string][2]bool{"một": {false, true}, "hai": {true, false}, "ba": {false, false}})
}
