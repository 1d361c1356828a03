package widget

import (
	"image"
	"image/color"
	"strings"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"
)

// Drawn records what a frame put on the screen, so that the next frame can redraw only what
// differs (DrawOver). The zero Drawn is nothing: the next frame is drawn whole.
type Drawn struct {
	w, h  int
	items []drawnItem
}

// drawnItem is one thing drawn, with everything that decides its pixels.
type drawnItem struct {
	kind         opKind
	r, clip      image.Rectangle
	fill, border color.RGBA
	radius       float32
	text         string
	face         *text.GoTextFace
	align        Align
	clr          color.RGBA
	img          *ebiten.Image
	label, sub   string
	bkind        Kind
	pressed      bool
	serial       int // custom drawings never match: they are redrawn every time
}

// opKindBar stands for a scroll bar in a Drawn.
const opKindBar opKind = -1

// items lists what the frame draws with t's finger, in screen coordinates.
func (f *Frame) items(t *Touch) []drawnItem {
	out := make([]drawnItem, 0, len(f.ops)+len(f.scrolls))
	full := f.Bounds()
	for i, o := range f.ops {
		it := drawnItem{kind: o.kind, r: o.r, clip: full}
		if o.scroll >= 0 {
			it.r, it.clip = f.screenRect(o.r, o.scroll), f.scrolls[o.scroll].r
			if !it.r.Overlaps(it.clip) {
				continue
			}
		}
		switch o.kind {
		case opBox:
			it.fill, it.border, it.radius = o.fill, o.border, o.radius
		case opText:
			it.text, it.face, it.align, it.clr = strings.Join(o.lines, "\n"), o.face, o.align, o.clr
		case opImage:
			it.img = o.img
		case opButton:
			b := f.buttons[o.button]
			it.label, it.sub, it.bkind = b.label, b.sub, b.kind
			it.pressed = t != nil && t.pressed == o.button
		case opCustom:
			it.serial = i + 1
		}
		out = append(out, it)
	}
	for _, s := range f.scrolls {
		if bar, ok := scrollBar(s); ok {
			out = append(out, drawnItem{kind: opKindBar, r: bar, clip: full})
		}
	}
	return out
}

// DrawOver draws the frame onto dst, which shows prev: only the rectangles where the two differ are
// repainted (each from the background up, clipped to it), or the whole screen when they differ in
// most of it. It returns what dst shows then. Going from one step of a screen to the next, or
// typing a letter, then costs a few small draws instead of the whole screen.
func (f *Frame) DrawOver(dst *ebiten.Image, prev Drawn, t *Touch, tick int) Drawn {
	now := Drawn{w: f.W, h: f.H, items: f.items(t)}
	if prev.w != f.W || prev.h != f.H || prev.items == nil {
		f.Draw(dst, t, tick)
		return now
	}
	seen := make(map[drawnItem]int, len(prev.items))
	for _, it := range prev.items {
		seen[it]++
	}
	var damage []image.Rectangle
	for _, it := range now.items {
		if seen[it] > 0 {
			seen[it]--
			continue
		}
		damage = append(damage, it.r.Intersect(it.clip).Inset(-reach))
	}
	for it, n := range seen {
		if n > 0 {
			damage = append(damage, it.r.Intersect(it.clip).Inset(-reach))
		}
	}
	damage = mergeRects(damage, dst.Bounds())
	area := 0
	for _, r := range damage {
		area += r.Dx() * r.Dy()
	}
	if area*10 > f.W*f.H*7 {
		f.Draw(dst, t, tick)
		return now
	}
	for _, r := range damage {
		f.repaint(dst, r, t, tick)
	}
	return now
}

// mergeRects clips rs to bounds and merges those that overlap, so no pixel is repainted twice.
func mergeRects(rs []image.Rectangle, bounds image.Rectangle) []image.Rectangle {
	var out []image.Rectangle
	for _, r := range rs {
		if r = r.Intersect(bounds); !r.Empty() {
			out = append(out, r)
		}
	}
	for merged := true; merged; {
		merged = false
		for i := 0; i < len(out) && !merged; i++ {
			for j := i + 1; j < len(out); j++ {
				if out[i].Overlaps(out[j]) {
					out[i] = out[i].Union(out[j])
					out = append(out[:j], out[j+1:]...)
					merged = true
					break
				}
			}
		}
	}
	return out
}
