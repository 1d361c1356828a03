package widget

import (
	"image"
	"image/color"
	"strings"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"
	"golang.org/x/text/unicode/norm"

	"github.com/tramso/tramso/ui/theme"
)

// Align is the horizontal alignment of text in its box.
type Align int

// Alignments.
const (
	Start Align = iota
	Center
	End
)

// LineHeight is the distance between the baselines of two lines of text set in face.
func LineHeight(face *text.GoTextFace) float64 { return face.Size * theme.LineSpacing }

// Wrap breaks s (normalised to NFC) into lines no wider than maxW when drawn in face. It breaks at
// spaces and at '\n'; a word wider than a line is cut between letters. Each word is measured once
// (a line is as wide as its words and spaces), so wrapping costs one shaping per word, not one per
// growing line.
func Wrap(s string, face text.Face, maxW float64) []string {
	s = norm.NFC.String(s)
	var lines []string
	space := text.Advance(" ", face)
	for _, para := range strings.Split(s, "\n") {
		words := strings.Fields(para)
		if len(words) == 0 {
			lines = append(lines, "")
			continue
		}
		line, lineW := "", 0.0
		for _, w := range words {
			ww := text.Advance(w, face)
			try, tryW := w, ww
			if line != "" {
				try, tryW = line+" "+w, lineW+space+ww
			}
			if tryW <= maxW {
				line, lineW = try, tryW
				continue
			}
			if line != "" {
				lines = append(lines, line)
			}
			// A word too long for a line on its own is cut.
			for text.Advance(w, face) > maxW {
				rs := []rune(w)
				n := len(rs) - 1
				for n > 1 && text.Advance(string(rs[:n]), face) > maxW {
					n--
				}
				lines = append(lines, string(rs[:n]))
				w = string(rs[n:])
			}
			line, lineW = w, text.Advance(w, face)
		}
		lines = append(lines, line)
	}
	return lines
}

// WrappedHeight is the height that Wrap's lines of s take in a box maxW wide.
func WrappedHeight(s string, face *text.GoTextFace, maxW float64) float64 {
	return float64(len(Wrap(s, face, maxW))) * LineHeight(face)
}

// drawLines draws lines in face from the top of r, each line centred vertically in its line height.
func drawLines(dst *ebiten.Image, lines []string, face *text.GoTextFace, r image.Rectangle, align Align, clr color.Color) {
	lh := LineHeight(face)
	m := face.Metrics()
	// Put the ink box (ascent+descent) in the middle of each line box.
	pad := (lh - (m.HAscent + m.HDescent)) / 2
	for i, ln := range lines {
		op := &text.DrawOptions{}
		x := float64(r.Min.X)
		switch align {
		case Center:
			x += (float64(r.Dx()) - text.Advance(ln, face)) / 2
		case End:
			x += float64(r.Dx()) - text.Advance(ln, face)
		}
		op.GeoM.Translate(x, float64(r.Min.Y)+float64(i)*lh+pad)
		op.ColorScale.ScaleWithColor(clr)
		text.Draw(dst, ln, face, op)
	}
}

// Advance is the width of s drawn in face.
func Advance(s string, face text.Face) float64 { return text.Advance(s, face) }
