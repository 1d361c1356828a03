package screens

import (
	"image"
	"image/color"
	"strings"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/vector"

	"github.com/tramso/tramso/ui/theme"
	"github.com/tramso/tramso/ui/widget"
)

const (
	margin  = 48
	footH   = 120
	gap     = 24
	cancelW = 300
)

// choice is a button of the footer.
type choice struct {
	label, sub string
	kind       widget.Kind
	fn         func()
}

// page draws the title (Vietnamese, with the English below it), the message banner and the footer
// with Hủy when cancel is set and the given buttons from the right. It returns the room left for
// the content.
func (a *App) page(f *widget.Frame, title, titleEn string, cancel bool, buttons ...choice) image.Rectangle {
	y := a.header(f, title, titleEn)
	y = a.banner(f, y)
	var left *choice
	if cancel {
		left = &choice{"Hủy", "Cancel", widget.Danger, a.act("cancel", "")}
	}
	return image.Rect(margin, y, a.w-margin, a.footer(f, left, buttons))
}

// header draws the title, Vietnamese then English, and returns the y below it.
func (a *App) header(f *widget.Frame, title, titleEn string) int {
	p := a.th.Palette
	y := margin
	w := a.w - 2*margin
	y += f.Text(image.Rect(margin, y, margin+w, y), title, theme.Title, true, widget.Start, p.Fg)
	if titleEn != "" {
		y += f.Text(image.Rect(margin, y, margin+w, y), titleEn, theme.Small, false, widget.Start, p.Muted)
	}
	return y + gap
}

// footer draws left (Hủy, Thoát…) on the left when there is one and the buttons from the right, and
// returns the y above them.
func (a *App) footer(f *widget.Frame, left *choice, buttons []choice) int {
	bottom := a.h - margin
	if left == nil && len(buttons) == 0 {
		return bottom
	}
	x := margin
	if left != nil {
		x += cancelW + gap
	}
	fh := footH
	bw := 0
	if len(buttons) > 0 {
		// Grow the footer when a label needs two lines (portrait, large text).
		bw = min(440, (a.w-margin-x-gap*(len(buttons)-1))/len(buttons))
		for _, b := range buttons {
			fh = max(fh, f.TextHeight(b.label, theme.Body, true, bw-48)+f.TextHeight(b.sub, theme.Small, false, bw-48)+24)
		}
	}
	top := bottom - fh
	if left != nil {
		f.Button(image.Rect(margin, top, margin+cancelW, bottom), left.label, left.sub, left.kind, left.fn)
	}
	right := a.w - margin
	for i := len(buttons) - 1; i >= 0; i-- {
		b := buttons[i]
		f.Button(image.Rect(right-bw, top, right, bottom), b.label, b.sub, b.kind, b.fn)
		right -= bw + gap
	}
	return top - gap
}

// banner shows view.message (or a refused action's reason), Vietnamese first, English smaller.
func (a *App) banner(f *widget.Frame, y int) int {
	vi, en := "", ""
	if m := a.view.Message; m != nil {
		vi, en = m.Vi, m.En
	}
	if a.problem != "" {
		vi, en = a.problem, ""
	}
	if vi != "" {
		// Every message also says where help is.
		en = strings.TrimSpace(en + "\n" + helpLine)
	}
	return a.note(f, y, vi, en)
}

// helpLine closes every message to the citizen: where to get help.
const helpLine = "Cần giúp đỡ? Hãy hỏi cán bộ tại quầy tiếp nhận hồ sơ. (Need help? Ask the staff at the counter.)"

// note draws a notice box (Vietnamese, English smaller) at y, if there is anything to say, and
// returns the y below it.
func (a *App) note(f *widget.Frame, y int, vi, en string) int {
	p := a.th.Palette
	if vi == "" && en == "" {
		return y
	}
	w := a.w - 2*margin - 2*gap
	h := f.TextHeight(vi, theme.Body, true, w) + gap*2
	if en != "" {
		h += f.TextHeight(en, theme.Small, false, w)
	}
	f.Box(image.Rect(margin, y, a.w-margin, y+h), p.Warn, p.Fg)
	ty := y + gap
	ty += f.Text(image.Rect(margin+gap, ty, a.w-margin-gap, ty), vi, theme.Body, true, widget.Start, p.Fg)
	if en != "" {
		f.Text(image.Rect(margin+gap, ty, a.w-margin-gap, ty), en, theme.Small, false, widget.Start, p.Fg)
	}
	return y + h + gap
}

// split divides r into two columns in landscape (left gets frac of the width) or two rows in
// portrait (top gets frac of the height).
func (a *App) split(r image.Rectangle, frac float64) (image.Rectangle, image.Rectangle) {
	if a.w > a.h {
		x := r.Min.X + int(float64(r.Dx())*frac)
		return image.Rect(r.Min.X, r.Min.Y, x-gap/2, r.Max.Y), image.Rect(x+gap/2, r.Min.Y, r.Max.X, r.Max.Y)
	}
	y := r.Min.Y + int(float64(r.Dy())*frac)
	return image.Rect(r.Min.X, r.Min.Y, r.Max.X, y-gap/2), image.Rect(r.Min.X, y+gap/2, r.Max.X, r.Max.Y)
}

// fillCircle draws a disc of radius r centred on (x, y) from the theme's disc sprite.
func fillCircle(th *theme.Theme, dst *ebiten.Image, x, y, r float64, c color.RGBA) {
	disc := th.Disc(float32(r))
	n := float64(disc.Bounds().Dx())
	op := &ebiten.DrawImageOptions{}
	op.GeoM.Translate(x-n/2, y-n/2)
	op.ColorScale.ScaleWithColor(c)
	dst.DrawImage(disc, op)
}

func fillRect(dst *ebiten.Image, r image.Rectangle, c color.RGBA) {
	vector.DrawFilledRect(dst, float32(r.Min.X), float32(r.Min.Y), float32(r.Dx()), float32(r.Dy()), c, false)
}

func strokeRect(dst *ebiten.Image, r image.Rectangle, w float32, c color.RGBA) {
	vector.StrokeRect(dst, float32(r.Min.X), float32(r.Min.Y), float32(r.Dx()), float32(r.Dy()), w, c, false)
}

// para is a paragraph of a column of words: its text, size, weight and colour, the room left below
// it, and whether it keeps with the next (a label with its value: a scrolling column never ends
// between them).
type para struct {
	s     string
	size  float64
	bold  bool
	clr   color.RGBA
	after int
	keep  bool
}

// label is a muted small label kept with the value below it.
func (a *App) label(s string) para {
	return para{s: s, size: theme.Small, clr: a.th.Palette.Muted, keep: true}
}

// column draws paras one under the other in r, wrapped to its width. When they do not fit, the
// column scrolls (named id), narrowed for its scroll bar, and its region ends at the bottom of the
// last line that fits whole (never between a label and its value): as the screen first shows, no
// line is cut at the edge, and the bar says the words go on. It returns the y below the region.
func (a *App) column(f *widget.Frame, id string, r image.Rectangle, paras []para) int {
	w := r.Dx()
	stops, total := a.lineStops(paras, w)
	if total > r.Dy() {
		w -= 16
		stops, total = a.lineStops(paras, w)
	}
	region := r
	region.Max.Y = r.Min.Y + total
	if total > r.Dy() {
		region.Max.Y = r.Min.Y
		for _, s := range stops {
			if s <= r.Dy() {
				region.Max.Y = r.Min.Y + s
			}
		}
	}
	f.BeginScroll(id, region)
	defer f.EndScroll()
	y := r.Min.Y
	for _, p := range paras {
		if p.s == "" {
			continue
		}
		y += f.Text(image.Rect(r.Min.X, y, r.Min.X+w, y), p.s, p.size, p.bold, widget.Start, p.clr) + p.after
	}
	return region.Max.Y
}

// columnHeight is the height column takes to show paras w wide without scrolling.
func (a *App) columnHeight(paras []para, w int) int {
	_, total := a.lineStops(paras, w)
	return total
}

// lineStops lists where a scrolling column of paras set w wide may end, from its top: the bottoms
// of the lines as Frame.Text lays them out, but for the last line of a paragraph kept with the
// next. total is the column's height.
func (a *App) lineStops(paras []para, w int) (stops []int, total int) {
	y := 0
	for _, p := range paras {
		if p.s == "" {
			continue
		}
		face := a.th.Face(p.size, p.bold)
		lh := widget.LineHeight(face)
		n := len(widget.Wrap(p.s, face, float64(w)))
		for i := 1; i <= n; i++ {
			if i < n || !p.keep {
				stops = append(stops, y+int(float64(i)*lh))
			}
		}
		total = y + int(float64(n)*lh)
		y = total + p.after
	}
	return stops, total
}
