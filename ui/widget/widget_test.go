package widget

import (
	"flag"
	"image"
	"image/color"
	"strings"
	"testing"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/tramso/tramso/ui/internal/uitest"
	"github.com/tramso/tramso/ui/theme"
)

var update = flag.Bool("update", false, "rewrite the golden PNGs")

func TestMain(m *testing.M) { uitest.Main(m) }

func loadTheme(t testing.TB) *theme.Theme {
	t.Helper()
	th, err := theme.Load(theme.RegularFont, theme.BoldFont, theme.Options{})
	if err != nil {
		t.Skipf("font: %v", err)
	}
	return th
}

func TestWrap(t *testing.T) {
	th := loadTheme(t)
	face := th.Face(theme.Body, false)
	s := "Đăng ký khai sinh cho trẻ em dưới sáu tuổi tại Ủy ban nhân dân xã"
	lines := Wrap(s, face, 400)
	if len(lines) < 3 {
		t.Fatalf("Wrap gave %d lines, want several: %q", len(lines), lines)
	}
	if got := strings.Join(lines, " "); got != s {
		t.Errorf("wrapped words lost: %q", got)
	}
	for _, ln := range lines {
		if w := Advance(ln, face); w > 400 {
			t.Errorf("line %q is %.0f px wide, limit 400", ln, w)
		}
	}
	// NFD in, NFC out.
	if got := Wrap("Vie\u0323\u0302t", face, 1000); got[0] != "Việt" {
		t.Errorf("Wrap(NFD) = %q, want NFC Việt", got[0])
	}
	// A word wider than the line is cut, not dropped.
	long := Wrap("0123456789012345678901234567890123456789", face, 200)
	if len(long) < 2 || strings.Join(long, "") != "0123456789012345678901234567890123456789" {
		t.Errorf("long word: %q", long)
	}
}

func TestKeyboardTelexAndToneKeys(t *testing.T) {
	k := NewKeyboard(Letters, "")
	for _, key := range []string{"v", "i", "e", "e", "t", "j"} {
		k.Press(key)
	}
	if got := k.Text(); got != "việt" {
		t.Errorf("Telex: %q, want việt", got)
	}
	k = NewKeyboard(Letters, "")
	for _, key := range []string{KeyShift, "h", "o", "a", "à huyền", "n", KeySpace, "d", "đ"} {
		k.Press(key)
	}
	if got := k.Text(); got != "Hoàn đ" {
		t.Errorf("tone and mark keys: %q, want \"Hoàn đ\"", got)
	}
	k.Press(KeyBackspace)
	k.Press(KeyBackspace)
	if got := k.Text(); got != "Hoàn" {
		t.Errorf("backspace: %q", got)
	}
	k = NewKeyboard(Letters, "Nguyễn")
	k.Press(KeyBackspace)
	if got := k.Text(); got != "Nguyễ" {
		t.Errorf("editing a prefilled value: %q", got)
	}
}

func TestKeypads(t *testing.T) {
	k := NewKeyboard(Date, "")
	for _, d := range "0103199012" {
		k.Press(string(d))
	}
	if got := k.Text(); got != "01/03/1990" {
		t.Errorf("date keypad: %q", got)
	}
	k = NewKeyboard(Digits, "")
	k.Max = 12
	for range 14 {
		k.Press("7")
	}
	k.Press(KeyBackspace)
	if got := k.Text(); got != "77777777777" {
		t.Errorf("digits keypad: %q", got)
	}
	if got := NewKeyboard(Date, "1990-03-01").Text(); got != "01/03/1990" {
		t.Errorf("date keypad from an ISO date: %q, want 01/03/1990", got)
	}
}

func TestTouchTapDragAndModal(t *testing.T) {
	th := loadTheme(t)
	f := NewFrame(th, 1000, 1000, nil)
	var taps []string
	f.Button(image.Rect(0, 0, 300, 100), "A", "", Primary, func() { taps = append(taps, "A") })
	f.BeginScroll("list", image.Rect(0, 200, 1000, 600))
	for i := range 10 {
		y := 200 + i*120
		f.Button(image.Rect(0, y, 1000, y+100), string(rune('0'+i)), "", Row, func() { taps = append(taps, string(rune('0'+i))) })
	}
	f.EndScroll()
	tc := NewTouch()
	tap := func(x, y int) {
		f.Handle(Pointer{X: x, Y: y, Down: true}, tc)
		f.Handle(Pointer{X: x, Y: y, Down: true}, tc)
		f.Handle(Pointer{X: x, Y: y}, tc)
	}
	// Press feedback on down, action on release.
	if !f.Handle(Pointer{X: 10, Y: 10, Down: true}, tc) || tc.Pressed() != 0 || len(taps) != 0 {
		t.Fatalf("press: pressed=%d taps=%v", tc.Pressed(), taps)
	}
	f.Handle(Pointer{X: 10, Y: 10}, tc)
	// Release outside the button does nothing.
	f.Handle(Pointer{X: 10, Y: 10, Down: true}, tc)
	f.Handle(Pointer{X: 900, Y: 150}, tc)
	tap(500, 250)
	if strings.Join(taps, ",") != "A,0" {
		t.Fatalf("taps %v, want A,0", taps)
	}
	// A drag scrolls the list and taps nothing.
	f.Handle(Pointer{X: 500, Y: 550, Down: true}, tc)
	for y := 550; y >= 250; y -= 50 {
		f.Handle(Pointer{X: 500, Y: y, Down: true}, tc)
	}
	f.Handle(Pointer{X: 500, Y: 250}, tc)
	if len(taps) != 2 {
		t.Fatalf("drag tapped: %v", taps)
	}
	tap(500, 300) // a row further down the list is now under the finger
	if len(taps) != 3 || taps[2] != "3" {
		t.Errorf("after scrolling 300 px, tapped %v, want row 3 last", taps)
	}
	// Buttons under a modal cannot be touched.
	f.Modal()
	f.Button(image.Rect(400, 800, 700, 900), "OK", "", Primary, func() { taps = append(taps, "OK") })
	tap(10, 10)
	tap(500, 850)
	if last := taps[len(taps)-1]; last != "OK" || len(taps) != 4 {
		t.Errorf("modal: taps %v", taps)
	}
}

// TestStackedDiacriticsNotClipped draws "ỄỘỮ" in a box exactly one line high and checks that the
// ink matches the ink of the same text drawn with room to spare, and touches no edge of the box.
func TestStackedDiacriticsNotClipped(t *testing.T) {
	th := loadTheme(t)
	for _, size := range []float64{theme.Body, theme.Title, theme.Huge} {
		face := th.Face(size, true)
		lh := int(LineHeight(face))
		w := int(Advance("ỄỘỮ", face)) + 20
		tight := ebiten.NewImage(w, lh)
		tight.Fill(color.White)
		drawLines(tight, []string{"ỄỘỮ"}, face, tight.Bounds(), Start, color.RGBA{0, 0, 0, 255})
		roomy := ebiten.NewImage(w, lh*3)
		roomy.Fill(color.White)
		drawLines(roomy, []string{"ỄỘỮ"}, face, image.Rect(0, lh, w, 2*lh), Start, color.RGBA{0, 0, 0, 255})
		a, b := ink(uitest.Snapshot(tight)), ink(uitest.Snapshot(roomy))
		if a.n == 0 || a.n != b.n {
			t.Errorf("size %.0f: %d ink pixels in a one-line box, %d with room: marks clipped", size, a.n, b.n)
		}
		if a.top <= 0 || a.bottom >= lh-1 {
			t.Errorf("size %.0f: ink rows %d..%d touch the line box 0..%d", size, a.top, a.bottom, lh-1)
		}
		// The stacked marks (ngã over circumflex) reach well above the cap height of a plain E.
		plain := ebiten.NewImage(w, lh)
		plain.Fill(color.White)
		drawLines(plain, []string{"EOU"}, face, plain.Bounds(), Start, color.RGBA{0, 0, 0, 255})
		if p := ink(uitest.Snapshot(plain)); a.top > p.top-int(size/5) || a.bottom < p.bottom+int(size/20) {
			t.Errorf("size %.0f: ỄỘỮ ink %d..%d vs EOU %d..%d: marks missing", size, a.top, a.bottom, p.top, p.bottom)
		}
	}
}

type inkBox struct{ n, top, bottom int }

func ink(img *image.RGBA) inkBox {
	box := inkBox{top: -1}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if img.RGBAAt(x, y).R < 160 {
				box.n++
				if box.top < 0 {
					box.top = y
				}
				box.bottom = y
			}
		}
	}
	return box
}

func TestKeyboardGolden(t *testing.T) {
	th := loadTheme(t)
	for _, tc := range []struct {
		name string
		mode KeyMode
		w, h int
	}{{"keyboard-letters", Letters, 1800, 620}, {"keypad-date", Date, 900, 600}} {
		f := NewFrame(th, tc.w, tc.h, nil)
		k := NewKeyboard(tc.mode, "")
		k.Layout(f, f.Bounds().Inset(10), func() {})
		for _, b := range f.buttons {
			if b.r.Dx() < theme.MinTarget || b.r.Dy() < theme.MinTarget {
				t.Errorf("%s: key %q is %v, smaller than %d px", tc.name, b.label, b.r.Size(), theme.MinTarget)
			}
		}
		img := ebiten.NewImage(tc.w, tc.h)
		f.Draw(img, NewTouch(), 0)
		uitest.Golden(t, tc.name, uitest.Snapshot(img), *update)
	}
}

// An animation frame repaints only the animated rectangle, and that rectangle comes out as a full
// redraw would draw it (background, the panel beneath, the modal shade above, the animation).
func TestDrawAnimatedRepaintsOnlyItsRectangle(t *testing.T) {
	th := loadTheme(t)
	p := th.Palette
	f := NewFrame(th, 400, 300, nil)
	f.Box(image.Rect(20, 20, 380, 280), p.Panel, p.Border)
	f.Text(image.Rect(40, 40, 360, 40), "Đang xử lý", theme.Body, true, Start, p.Fg)
	anim := image.Rect(150, 150, 250, 250)
	f.Custom(anim, func(dst *ebiten.Image, r image.Rectangle, tick int) {
		w := r.Dx() * (tick % 4) / 4
		dst.SubImage(image.Rect(r.Min.X, r.Min.Y, r.Min.X+w, r.Max.Y)).(*ebiten.Image).Fill(p.Accent)
	})
	f.Modal()

	got := ebiten.NewImage(400, 300)
	f.Draw(got, NewTouch(), 1)
	marker := color.RGBA{0xff, 0, 0xff, 0xff}
	got.Set(5, 5, marker) // outside the animation: must survive the animation frame
	f.DrawAnimated(got, NewTouch(), 3)

	want := ebiten.NewImage(400, 300)
	f.Draw(want, NewTouch(), 3)
	g, w := uitest.Snapshot(got), uitest.Snapshot(want)
	if c := g.RGBAAt(5, 5); c != marker {
		t.Errorf("pixel outside the animation repainted: %v", c)
	}
	for y := anim.Min.Y; y < anim.Max.Y; y++ {
		for x := anim.Min.X; x < anim.Max.X; x++ {
			if g.RGBAAt(x, y) != w.RGBAAt(x, y) {
				t.Fatalf("pixel (%d,%d) = %v, a full redraw gives %v", x, y, g.RGBAAt(x, y), w.RGBAAt(x, y))
			}
		}
	}
}

// Drawing a frame over the previous one repaints only where they differ, and the result is the
// frame drawn whole.
func TestDrawOverRepaintsTheDifference(t *testing.T) {
	th := loadTheme(t)
	p := th.Palette
	build := func(entry string, pressed bool) (*Frame, *Touch) {
		f := NewFrame(th, 800, 600, nil)
		f.Text(image.Rect(20, 20, 780, 20), "Nhập số định danh cá nhân", theme.Title, true, Start, p.Fg)
		f.Box(image.Rect(20, 120, 780, 200), p.Panel, p.Accent)
		f.Text(image.Rect(40, 135, 760, 135), entry, theme.Title, false, Start, p.Fg)
		f.Button(image.Rect(20, 480, 300, 580), "Hủy", "Cancel", Danger, func() {})
		f.Button(image.Rect(500, 480, 780, 580), "Xác nhận", "Confirm", Primary, func() {})
		tc := NewTouch()
		if pressed {
			f.Handle(Pointer{X: 600, Y: 520, Down: true}, tc)
		}
		return f, tc
	}
	before, tb := build("0790", false)
	after, ta := build("07909", true)

	got := ebiten.NewImage(800, 600)
	shown := before.DrawOver(got, Drawn{}, tb, 0)
	marker := color.RGBA{0xff, 0, 0xff, 0xff}
	got.Set(10, 300, marker) // where neither frame changes anything
	after.DrawOver(got, shown, ta, 0)

	want := ebiten.NewImage(800, 600)
	after.Draw(want, ta, 0)
	g, w := uitest.Snapshot(got), uitest.Snapshot(want)
	if c := g.RGBAAt(10, 300); c != marker {
		t.Errorf("an unchanged part was repainted: %v", c)
	}
	g.SetRGBA(10, 300, w.RGBAAt(10, 300))
	for y := 0; y < 600; y++ {
		for x := 0; x < 800; x++ {
			if g.RGBAAt(x, y) != w.RGBAAt(x, y) {
				t.Fatalf("pixel (%d,%d) = %v, the frame drawn whole gives %v", x, y, g.RGBAAt(x, y), w.RGBAAt(x, y))
			}
		}
	}
}

// BenchmarkBackground compares the two ways to paint a 1920×1080 background (software GL under
// Xvfb in the tests): Image.Fill and the opaque rectangle fillBg draws.
func BenchmarkBackground(b *testing.B) {
	th := loadTheme(b)
	f := NewFrame(th, 1920, 1080, nil)
	img := ebiten.NewImage(1920, 1080)
	px := make([]byte, 4*1920*1080)
	b.Run("Fill", func(b *testing.B) {
		for b.Loop() {
			img.Fill(th.Bg)
			img.ReadPixels(px) // wait for the renderer
		}
	})
	b.Run("fillBg", func(b *testing.B) {
		for b.Loop() {
			f.fillBg(img, img.Bounds())
			img.ReadPixels(px)
		}
	})
}
