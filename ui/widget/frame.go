// Package widget is kiosk-ui's small widget layer on Ebiten's text/v2 and vector packages: a frame
// (a display list of boxes, wrapped text, images and buttons rebuilt whenever the screen changes),
// single-finger touch handling (press feedback, action on release, drag to scroll, no hover), and
// the on-screen keyboard and keypads.
//
// A screen is built by calling Frame methods with rectangles in logical pixels; the frame is then
// drawn as often as needed and fed the pointer every tick.
package widget

import (
	"image"
	"image/color"
	"strings"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"
	"github.com/hajimehoshi/ebiten/v2/vector"

	"github.com/tramso/tramso/ui/theme"
)

// Kind is the look of a button.
type Kind int

// Button kinds.
const (
	Primary   Kind = iota // the main action: filled accent
	Secondary             // other actions: outlined
	Danger                // cancel: filled red
	Key                   // a keyboard key
	Row                   // a row of a list: full-width panel
	Selected              // a chosen item or active key
	Area                  // an invisible target over what is drawn beneath it (a form line)
)

// Frame is one screen's display list and its touch targets.
type Frame struct {
	Theme *theme.Theme
	W, H  int
	// Animated asks for a redraw every few ticks (animated instructions, spinners).
	Animated bool

	ops     []op
	buttons []button
	scrolls []*scroll
	cur     int // scroll region being built, -1 for none
	offsets map[string]float64
	// modalFrom is the first button that takes touches: those before a Modal are covered.
	modalFrom int
}

type opKind int

const (
	opBox opKind = iota
	opText
	opImage
	opButton
	opCustom
)

type op struct {
	kind   opKind
	r      image.Rectangle
	fill   color.RGBA
	border color.RGBA
	radius float32
	lines  []string
	face   *text.GoTextFace
	align  Align
	clr    color.RGBA
	img    *ebiten.Image
	button int
	scroll int
	custom func(dst *ebiten.Image, r image.Rectangle, tick int)
}

type button struct {
	r      image.Rectangle
	scroll int
	label  string
	sub    string
	kind   Kind
	fn     func()
}

type scroll struct {
	id      string
	r       image.Rectangle
	content int // content height
	offset  float64
}

// NewFrame returns an empty frame of w×h logical pixels. offsets keeps the scroll positions of named
// scroll regions from one frame to the next (the caller owns it; nil for none).
func NewFrame(th *theme.Theme, w, h int, offsets map[string]float64) *Frame {
	if offsets == nil {
		offsets = map[string]float64{}
	}
	return &Frame{Theme: th, W: w, H: h, cur: -1, offsets: offsets}
}

// Bounds is the whole screen.
func (f *Frame) Bounds() image.Rectangle { return image.Rect(0, 0, f.W, f.H) }

func (f *Frame) add(o op) {
	o.scroll = f.cur
	f.ops = append(f.ops, o)
	if f.cur >= 0 {
		s := f.scrolls[f.cur]
		s.content = max(s.content, o.r.Max.Y-s.r.Min.Y)
	}
}

// Box draws a rounded rectangle filled with fill and, unless border is transparent, outlined.
func (f *Frame) Box(r image.Rectangle, fill, border color.RGBA) {
	f.add(op{kind: opBox, r: r, fill: fill, border: border, radius: 16})
}

// Text draws s word-wrapped into the width of r from its top, and returns the height it took.
func (f *Frame) Text(r image.Rectangle, s string, size float64, bold bool, align Align, clr color.RGBA) int {
	face := f.Theme.Face(size, bold)
	lines := Wrap(s, face, float64(r.Dx()))
	h := int(float64(len(lines)) * LineHeight(face))
	f.add(op{kind: opText, r: image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+h), lines: lines, face: face, align: align, clr: clr})
	return h
}

// TextHeight is the height Text would take for s in a box w wide.
func (f *Frame) TextHeight(s string, size float64, bold bool, w int) int {
	return int(WrappedHeight(s, f.Theme.Face(size, bold), float64(w)))
}

// Image draws img scaled to fit inside r, centred.
func (f *Frame) Image(r image.Rectangle, img *ebiten.Image) {
	f.add(op{kind: opImage, r: r, img: img})
}

// Custom draws with fn, which gets the tick counter for animations; it marks the frame Animated.
func (f *Frame) Custom(r image.Rectangle, fn func(dst *ebiten.Image, r image.Rectangle, tick int)) {
	f.Animated = true
	f.add(op{kind: opCustom, r: r, custom: fn})
}

// Button adds a touch target showing label (and a smaller second line sub, if any) that calls fn
// when released inside it. Rectangles smaller than theme.MinTarget are grown to it.
func (f *Frame) Button(r image.Rectangle, label, sub string, kind Kind, fn func()) {
	if r.Dy() < theme.MinTarget {
		r.Max.Y = r.Min.Y + theme.MinTarget
	}
	if r.Dx() < theme.MinTarget {
		r.Max.X = r.Min.X + theme.MinTarget
	}
	f.buttons = append(f.buttons, button{r: r, scroll: f.cur, label: label, sub: sub, kind: kind, fn: fn})
	f.add(op{kind: opButton, r: r, button: len(f.buttons) - 1})
}

// Modal dims everything drawn so far and makes its buttons untouchable; what follows is a dialog.
func (f *Frame) Modal() {
	f.add(op{kind: opBox, r: f.Bounds(), fill: f.Theme.Overlay})
	f.modalFrom = len(f.buttons)
}

// BeginScroll starts a vertically scrolling region r named id; what is added until EndScroll is laid
// out in screen coordinates as if r were infinitely tall and is dragged by the finger.
func (f *Frame) BeginScroll(id string, r image.Rectangle) {
	f.scrolls = append(f.scrolls, &scroll{id: id, r: r, offset: f.offsets[id]})
	f.cur = len(f.scrolls) - 1
}

// EndScroll ends the scrolling region.
func (f *Frame) EndScroll() {
	s := f.scrolls[f.cur]
	s.offset = clamp(s.offset, 0, float64(max(0, s.content-s.r.Dy())))
	f.offsets[s.id] = s.offset
	f.cur = -1
}

func clamp(v, lo, hi float64) float64 { return max(lo, min(v, hi)) }

// Buttons lists the labels of the touch targets, in order, for tests and screenshots names.
func (f *Frame) Buttons() []string {
	var out []string
	for _, b := range f.buttons {
		out = append(out, b.label)
	}
	return out
}

// Center is the centre of the first button whose label is label, in screen coordinates, for tests.
func (f *Frame) Center(label string) (image.Point, bool) {
	for _, b := range f.buttons {
		if b.label == label {
			r := f.screenRect(b.r, b.scroll)
			return image.Pt((r.Min.X+r.Max.X)/2, (r.Min.Y+r.Max.Y)/2), true
		}
	}
	return image.Point{}, false
}

// Texts is all the text of the frame (labels included), for tests.
func (f *Frame) Texts() string {
	var sb strings.Builder
	for _, o := range f.ops {
		switch o.kind {
		case opText:
			sb.WriteString(strings.Join(o.lines, " "))
			sb.WriteByte('\n')
		case opButton:
			b := f.buttons[o.button]
			sb.WriteString(b.label + " " + b.sub)
			sb.WriteByte('\n')
		}
	}
	return sb.String()
}

func (f *Frame) screenRect(r image.Rectangle, sc int) image.Rectangle {
	if sc < 0 {
		return r
	}
	return r.Sub(image.Pt(0, int(f.scrolls[sc].offset)))
}

// Draw draws the frame. pressed is the button being held (-1 for none), tick the tick counter.
func (f *Frame) Draw(dst *ebiten.Image, t *Touch, tick int) {
	f.fillBg(dst, dst.Bounds())
	f.drawOps(dst, t, tick, dst.Bounds())
}

// fillBg paints r of dst with the background colour. An opaque rectangle drawn over it costs
// software rendering less than Image.Fill (BenchmarkBackground: 7 ms against 9–12 ms).
func (f *Frame) fillBg(dst *ebiten.Image, r image.Rectangle) {
	vector.DrawFilledRect(dst, float32(r.Min.X), float32(r.Min.Y), float32(r.Dx()), float32(r.Dy()), f.Theme.Bg, false)
}

// repaint redraws r of dst from the background up, clipped to r.
func (f *Frame) repaint(dst *ebiten.Image, r image.Rectangle, t *Touch, tick int) {
	sub := dst.SubImage(r).(*ebiten.Image)
	f.fillBg(sub, r)
	f.drawOps(sub, t, tick, r)
}

// DrawAnimated redraws only the animated parts (Custom) of the frame already on dst: each one's
// rectangle is repainted from the background up, clipped to it, and the rest of the screen is left
// as it is. An animation frame then costs a few small draws instead of the whole screen.
func (f *Frame) DrawAnimated(dst *ebiten.Image, t *Touch, tick int) {
	for _, o := range f.ops {
		if o.kind != opCustom {
			continue
		}
		r := f.screenRect(o.r, o.scroll)
		if o.scroll >= 0 {
			r = r.Intersect(f.scrolls[o.scroll].r)
		}
		r = r.Intersect(dst.Bounds())
		if r.Empty() {
			continue
		}
		f.repaint(dst, r, t, tick)
	}
}

// DrawOps draws what was added to the frame onto dst without clearing it first, with nothing
// pressed (for parts of a screen redrawn on their own).
func (f *Frame) DrawOps(dst *ebiten.Image, tick int) { f.drawOps(dst, nil, tick, dst.Bounds()) }

// reach is how far a drawing may stray outside its rectangle (a pressed button moves down, glyphs
// overhang their line box); ops further than this from the clip are skipped.
const reach = 16

// drawOps draws the ops that reach into clip, in order.
func (f *Frame) drawOps(dst *ebiten.Image, t *Touch, tick int, clip image.Rectangle) {
	p := f.Theme.Palette
	for _, o := range f.ops {
		d := dst
		r := o.r
		if o.scroll >= 0 {
			s := f.scrolls[o.scroll]
			r = f.screenRect(r, o.scroll)
			if !r.Overlaps(s.r) {
				continue
			}
			d = dst.SubImage(s.r).(*ebiten.Image)
		}
		if !r.Inset(-reach).Overlaps(clip) {
			continue
		}
		switch o.kind {
		case opBox:
			if o.border.A != 0 {
				f.roundRect(d, r, o.radius, o.border)
				f.roundRect(d, r.Inset(3), o.radius-3, o.fill)
			} else {
				f.roundRect(d, r, o.radius, o.fill)
			}
		case opText:
			drawLines(d, o.lines, o.face, r, o.align, o.clr)
		case opImage:
			drawImageFit(d, o.img, r)
		case opCustom:
			o.custom(d, r, tick)
		case opButton:
			f.drawButton(d, r, f.buttons[o.button], t != nil && t.pressed == o.button)
		}
	}
	// Scroll bars show that a list goes on.
	for _, s := range f.scrolls {
		if bar, ok := scrollBar(s); ok && bar.Overlaps(clip) {
			vector.DrawFilledRect(dst, float32(bar.Min.X), float32(bar.Min.Y), float32(bar.Dx()), float32(bar.Dy()), p.Border, false)
		}
	}
}

// scrollBar is where the scroll bar of s is drawn, if its content goes beyond it.
func scrollBar(s *scroll) (image.Rectangle, bool) {
	if s.content <= s.r.Dy() {
		return image.Rectangle{}, false
	}
	h := float64(s.r.Dy()) * float64(s.r.Dy()) / float64(s.content)
	y := float64(s.r.Min.Y) + s.offset/float64(s.content-s.r.Dy())*(float64(s.r.Dy())-h)
	return image.Rect(s.r.Max.X-10, int(y), s.r.Max.X-2, int(y+h+0.5)), true
}

func (f *Frame) drawButton(dst *ebiten.Image, r image.Rectangle, b button, pressed bool) {
	p := f.Theme.Palette
	if b.kind == Area {
		if pressed {
			c := p.Pressed
			c.R, c.G, c.B, c.A = c.R/3, c.G/3, c.B/3, 0x55
			f.roundRect(dst, r, 16, c)
		}
		return
	}
	fill, border, fg := p.Accent, color.RGBA{}, p.AccentFg
	switch b.kind {
	case Secondary, Key, Row:
		fill, border, fg = p.Panel, p.Border, p.Fg
		if b.kind == Secondary {
			border = p.Accent
		}
	case Danger:
		fill, fg = p.Danger, p.DangerFg
	case Selected:
		fill, border, fg = p.Accent, p.Fg, p.AccentFg
	}
	if pressed {
		// Press feedback: darker fill, pushed down by a few pixels.
		fill, fg, border = p.Pressed, p.Bg, color.RGBA{}
		r = r.Add(image.Pt(0, 4))
	}
	if border.A != 0 {
		f.roundRect(dst, r, 16, border)
		f.roundRect(dst, r.Inset(4), 12, fill)
	} else {
		f.roundRect(dst, r, 16, fill)
	}
	size, subSize := theme.Body, theme.Small
	if b.kind == Key {
		size = theme.Key
	}
	if b.kind == Primary && r.Dy() > 400 {
		size, subSize = theme.Huge, theme.Title // the attract screen's whole-screen button
	}
	face := f.Theme.Face(size, b.kind != Row)
	pad := 24
	if b.kind == Key || b.kind == Secondary {
		pad = 8
	}
	inner := r.Inset(pad)
	align := Center
	if b.kind == Row {
		align = Start
	}
	lines := Wrap(b.label, face, float64(inner.Dx()))
	h := float64(len(lines)) * LineHeight(face)
	var subLines []string
	var subFace *text.GoTextFace
	if b.sub != "" {
		subFace = f.Theme.Face(subSize, false)
		subLines = Wrap(b.sub, subFace, float64(inner.Dx()))
		h += float64(len(subLines)) * LineHeight(subFace)
	}
	y := float64(r.Min.Y) + (float64(r.Dy())-h)/2
	drawLines(dst, lines, face, image.Rect(inner.Min.X, int(y), inner.Max.X, r.Max.Y), align, fg)
	if subLines != nil {
		y += float64(len(lines)) * LineHeight(face)
		drawLines(dst, subLines, subFace, image.Rect(inner.Min.X, int(y), inner.Max.X, r.Max.Y), align, fg)
	}
}

// roundRect fills r with rounded corners of radius rad: three rectangles and four quarter discs
// from the theme's disc sprite, none overlapping, so a translucent colour is even throughout.
func (f *Frame) roundRect(dst *ebiten.Image, r image.Rectangle, rad float32, c color.RGBA) {
	R := int(max(0, min(rad, float32(r.Dx()/2), float32(r.Dy()/2))))
	x, y, w, h := float32(r.Min.X), float32(r.Min.Y), float32(r.Dx()), float32(r.Dy())
	fr := float32(R)
	vector.DrawFilledRect(dst, x+fr, y, w-2*fr, h, c, false)
	if R == 0 {
		return
	}
	vector.DrawFilledRect(dst, x, y+fr, fr, h-2*fr, c, false)
	vector.DrawFilledRect(dst, x+w-fr, y+fr, fr, h-2*fr, c, false)
	disc := f.Theme.Disc(fr) // centre at R+1
	op := &ebiten.DrawImageOptions{}
	op.ColorScale.ScaleWithColor(c)
	for _, q := range [4]struct {
		src    image.Rectangle
		dx, dy float32
	}{
		{image.Rect(1, 1, R+1, R+1), x, y},
		{image.Rect(R+1, 1, 2*R+1, R+1), x + w - fr, y},
		{image.Rect(1, R+1, R+1, 2*R+1), x, y + h - fr},
		{image.Rect(R+1, R+1, 2*R+1, 2*R+1), x + w - fr, y + h - fr},
	} {
		op.GeoM.Reset()
		op.GeoM.Translate(float64(q.dx), float64(q.dy))
		dst.DrawImage(disc.SubImage(q.src).(*ebiten.Image), op)
	}
}

func drawImageFit(dst, img *ebiten.Image, r image.Rectangle) {
	b := img.Bounds()
	s := min(float64(r.Dx())/float64(b.Dx()), float64(r.Dy())/float64(b.Dy()))
	op := &ebiten.DrawImageOptions{Filter: ebiten.FilterLinear}
	op.GeoM.Scale(s, s)
	op.GeoM.Translate(float64(r.Min.X)+(float64(r.Dx())-s*float64(b.Dx()))/2, float64(r.Min.Y)+(float64(r.Dy())-s*float64(b.Dy()))/2)
	dst.DrawImage(img, op)
}
