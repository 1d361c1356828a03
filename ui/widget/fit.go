package widget

import (
	"image"
	"math"
)

// Line is a line of text a frame draws, where it lands on the screen at the present scroll offsets.
type Line struct {
	Text string
	// Box is the line's box on the screen: its line height, as wide as its letters.
	Box image.Rectangle
	// Shown is the part of Box that shows: the box clipped to its scroll region and the screen
	// (empty when nothing of the line shows).
	Shown image.Rectangle
}

// Cut reports whether only part of the line shows: it crosses the edge of its scroll region or of
// the screen.
func (l Line) Cut() bool { return !l.Shown.Empty() && l.Shown != l.Box }

// Hidden reports whether nothing of the line shows (it lies beyond its scroll region's edge).
func (l Line) Hidden() bool { return l.Shown.Empty() }

// Lines lists every line of text of the frame (buttons' labels left out) with where it lands, so
// that tests can check that no text is cut at an edge.
func (f *Frame) Lines() []Line {
	var out []Line
	for _, o := range f.ops {
		if o.kind != opText {
			continue
		}
		r := f.screenRect(o.r, o.scroll)
		clip := f.Bounds()
		if o.scroll >= 0 {
			clip = clip.Intersect(f.scrolls[o.scroll].r)
		}
		lh := LineHeight(o.face)
		for i, ln := range o.lines {
			w := int(math.Ceil(Advance(ln, o.face)))
			x := r.Min.X
			switch o.align {
			case Center:
				x += (r.Dx() - w) / 2
			case End:
				x += r.Dx() - w
			}
			box := image.Rect(x, r.Min.Y+int(float64(i)*lh), x+w, r.Min.Y+int(float64(i+1)*lh))
			out = append(out, Line{Text: ln, Box: box, Shown: box.Intersect(clip)})
		}
	}
	return out
}
