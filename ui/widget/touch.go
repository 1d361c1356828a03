package widget

import "image"

// Pointer is the state of the single finger (or mouse) in one tick, in logical pixels.
type Pointer struct {
	X, Y int
	Down bool
}

// dragSlop is how far a finger moves before a press becomes a drag, in logical pixels.
const dragSlop = 24

// Touch follows one finger across ticks: which button it pressed, whether it is dragging a list.
// Reset it when the frame is rebuilt from a new view.
type Touch struct {
	pressed  int // button index, -1 for none
	scroll   int // scroll region under the finger, -1 for none
	down     bool
	dragging bool
	startY   int
	lastY    int
}

// NewTouch returns a Touch with nothing pressed.
func NewTouch() *Touch { return &Touch{pressed: -1, scroll: -1} }

// Pressed is the index of the button held down, or -1.
func (t *Touch) Pressed() int { return t.pressed }

// Handle feeds the pointer of one tick to the frame: a press highlights the button under it, a
// release inside the same button calls its action, a vertical drag inside a scroll region scrolls
// it (and cancels the press). It reports whether the frame must be redrawn.
func (f *Frame) Handle(p Pointer, t *Touch) (redraw bool) {
	switch {
	case p.Down && !t.down: // finger down
		t.down, t.dragging, t.startY, t.lastY = true, false, p.Y, p.Y
		t.pressed, t.scroll = f.hit(p.X, p.Y), f.scrollAt(p.X, p.Y)
		return t.pressed >= 0
	case p.Down && t.down: // finger held
		if t.scroll >= 0 && !t.dragging && abs(p.Y-t.startY) > dragSlop {
			t.dragging = true
		}
		if t.dragging {
			s := f.scrolls[t.scroll]
			old := s.offset
			s.offset = clamp(s.offset-float64(p.Y-t.lastY), 0, float64(max(0, s.content-s.r.Dy())))
			f.offsets[s.id] = s.offset
			t.lastY = p.Y
			wasPressed := t.pressed >= 0
			t.pressed = -1
			return old != s.offset || wasPressed
		}
		// Sliding off a button releases the highlight; sliding back restores it.
		return false
	case !p.Down && t.down: // finger up
		t.down = false
		b := t.pressed
		t.pressed = -1
		if b >= 0 && !t.dragging && f.hit(p.X, p.Y) == b && f.buttons[b].fn != nil {
			f.buttons[b].fn()
		}
		return b >= 0
	}
	return false
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// hit is the topmost button at (x, y), or -1.
func (f *Frame) hit(x, y int) int {
	for i := len(f.buttons) - 1; i >= f.modalFrom; i-- {
		b := f.buttons[i]
		r := f.screenRect(b.r, b.scroll)
		if b.scroll >= 0 && !inRect(f.scrolls[b.scroll].r, x, y) {
			continue
		}
		if inRect(r, x, y) {
			return i
		}
	}
	return -1
}

func (f *Frame) scrollAt(x, y int) int {
	for i := len(f.scrolls) - 1; i >= 0; i-- {
		if inRect(f.scrolls[i].r, x, y) && f.scrolls[i].content > f.scrolls[i].r.Dy() {
			return i
		}
	}
	return -1
}

func inRect(r image.Rectangle, x, y int) bool { return image.Pt(x, y).In(r) }
