// Package uitest runs kiosk-ui's rendering tests inside Ebiten's game loop, under an X server it
// starts itself (Xvfb on a free display, see display.c) when DISPLAY is unset, so plain
// `go test ./ui/...` works. Without Xvfb the test binary reports the skip and passes.
package uitest

import "C"

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/hajimehoshi/ebiten/v2"
)

// Main is the TestMain of a package with rendering tests: it runs the tests inside the first
// Update of an Ebiten game and exits with their status. The X display is already there: a C
// constructor of this package (display.c) starts Xvfb when DISPLAY is unset, or ends the test
// process with a skip message when it cannot.
func Main(m *testing.M) {
	code := 0
	g := &game{run: func() { code = m.Run() }}
	ebiten.SetWindowSize(320, 240)
	ebiten.SetWindowTitle("tramso ui test")
	if err := ebiten.RunGame(g); err != nil && !errors.Is(err, ebiten.Termination) {
		fmt.Fprintln(os.Stderr, "uitest:", err)
		code = 1
	}
	os.Exit(code)
}

type game struct {
	run  func()
	done bool
}

func (g *game) Update() error {
	if !g.done {
		g.done = true
		g.run()
	}
	return ebiten.Termination
}

func (g *game) Draw(*ebiten.Image)         {}
func (g *game) Layout(w, h int) (int, int) { return w, h }

// Snapshot reads img back into an RGBA image.
func Snapshot(img *ebiten.Image) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	img.ReadPixels(out.Pix)
	return out
}

// Golden compares got with testdata/<name>.png: a pixel differs when any channel is off by more
// than 48, and the test fails when more than 0.5 % of the pixels differ (software GL, font
// hinting). With -update (update true) it writes the file instead. On failure the image is kept
// as testdata/<name>.got.png for a look.
func Golden(t *testing.T, name string, got *image.RGBA, update bool) {
	t.Helper()
	path := filepath.Join("testdata", name+".png")
	if update {
		if err := writePNG(path, got); err != nil {
			t.Fatal(err)
		}
		return
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("golden %s missing (run go test -run %s -update): %v", path, t.Name(), err)
	}
	defer f.Close()
	want, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if want.Bounds().Size() != got.Bounds().Size() {
		t.Fatalf("%s: size %v, golden %v", name, got.Bounds().Size(), want.Bounds().Size())
	}
	diff := 0
	b := got.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if !near(got.At(x, y), want.At(x, y)) {
				diff++
			}
		}
	}
	if limit := b.Dx() * b.Dy() / 200; diff > limit {
		writePNG(filepath.Join("testdata", name+".got.png"), got)
		t.Errorf("%s: %d pixels differ from the golden (limit %d); see testdata/%s.got.png", name, diff, limit, name)
	}
}

func near(a, b color.Color) bool {
	r1, g1, b1, _ := a.RGBA()
	r2, g2, b2, _ := b.RGBA()
	d := func(x, y uint32) float64 { return math.Abs(float64(x>>8) - float64(y>>8)) }
	return d(r1, r2) <= 48 && d(g1, g2) <= 48 && d(b1, b2) <= 48
}

func writePNG(path string, img image.Image) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
