package theme

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"
	"golang.org/x/text/unicode/norm"

	_ "github.com/tramso/tramso/ui/internal/uitest" // an X display for Ebiten
)

// TestMain plays keepScenario over a few hundred frames of a real Ebiten game (the glyph cache
// counts time in ticks), then runs the tests inside the last frame's Update.
func TestMain(m *testing.M) {
	g := &scenarioGame{m: m}
	ebiten.SetWindowSize(320, 240)
	if err := ebiten.RunGame(g); err != nil && !errors.Is(err, ebiten.Termination) {
		fmt.Fprintln(os.Stderr, "theme test:", err)
		os.Exit(1)
	}
	os.Exit(g.code)
}

type scenarioGame struct {
	m     *testing.M
	tick  int
	code  int
	kept  *keepScenario
	ready error
}

func (g *scenarioGame) Update() error {
	g.tick++
	if g.tick == 1 {
		g.kept, g.ready = newKeepScenario()
	}
	if g.ready == nil && !g.kept.step(g.tick) {
		return nil
	}
	scenario = g.kept
	scenarioErr = g.ready
	g.code = g.m.Run()
	return ebiten.Termination
}

func (g *scenarioGame) Draw(*ebiten.Image)         {}
func (g *scenarioGame) Layout(w, h int) (int, int) { return w, h }

// The scenario's outcome, for TestKeepHoldsGlyphs.
var (
	scenario    *keepScenario
	scenarioErr error
)

// keepScenario warms two themes' glyphs (separate font sources, so separate caches), keeps one of
// them with Keep every 30 ticks and leaves the other alone, and twice draws a letter outside
// Letters in both, which makes Ebiten sweep its cache of that size. At the end it counts the
// glyphs of Letters still being the images made by the warm-up.
type keepScenario struct {
	keep, left             *Theme
	keepG, leftG           *Glyphs
	keepBefore, leftBefore []*ebiten.Image
	keptSame, leftSame     int
}

func newKeepScenario() (*keepScenario, error) {
	a, err := Load(RegularFont, BoldFont, Options{})
	if err != nil {
		return nil, err
	}
	b, err := Load(RegularFont, BoldFont, Options{})
	if err != nil {
		return nil, err
	}
	s := &keepScenario{keep: a, left: b, keepG: a.Glyphs(), leftG: b.Glyphs()}
	s.keepG.Warm()
	s.leftG.Warm()
	s.keepBefore, s.leftBefore = glyphImages(a), glyphImages(b)
	return s, nil
}

// glyphImages are the images of Letters in t's regular body face, as drawn from the left edge.
func glyphImages(t *Theme) []*ebiten.Image {
	var out []*ebiten.Image
	for _, g := range text.AppendGlyphs(nil, Letters, t.Face(Body, false), nil) {
		out = append(out, g.Image)
	}
	return out
}

func same(a, b []*ebiten.Image) int {
	n := 0
	for i := range min(len(a), len(b)) {
		if a[i] != nil && a[i] == b[i] {
			n++
		}
	}
	return n
}

// step plays tick and reports whether the scenario is over.
func (s *keepScenario) step(tick int) bool {
	if tick%30 == 0 {
		s.keepG.Keep()
	}
	switch tick {
	case 100, 180: // a name with a letter from elsewhere: a new glyph, and a sweep
		r := map[int]string{100: "Ж", 180: "Щ"}[tick]
		text.AppendGlyphs(nil, r, s.keep.Face(Body, false), nil)
		text.AppendGlyphs(nil, r, s.left.Face(Body, false), nil)
	case 200:
		s.keptSame = same(s.keepBefore, glyphImages(s.keep))
		s.leftSame = same(s.leftBefore, glyphImages(s.left))
		return true
	}
	return false
}

// Keep holds the warmed glyphs through Ebiten's sweeps; without it they are dropped (the reason
// for Keep: if this half fails, Ebiten no longer forgets glyphs and Keep can go).
func TestKeepHoldsGlyphs(t *testing.T) {
	if scenarioErr != nil {
		t.Skipf("font: %v", scenarioErr)
	}
	s := scenario
	n := 0
	for _, img := range s.keepBefore {
		if img != nil {
			n++
		}
	}
	if n < 150 {
		t.Fatalf("only %d glyph images for Letters", n)
	}
	if s.keptSame != n {
		t.Errorf("with Keep, %d of %d warmed glyphs were still cached after two sweeps; want all", s.keptSame, n)
	}
	if s.leftSame > n/2 {
		t.Errorf("without Keep, %d of %d warmed glyphs survived two sweeps: Ebiten's cache no longer forgets them", s.leftSame, n)
	}
}

func TestLettersNFC(t *testing.T) {
	if !norm.NFC.IsNormalString(Letters) {
		t.Error("Letters is not NFC")
	}
	seen := map[rune]bool{}
	for _, r := range Letters {
		if seen[r] {
			t.Errorf("%q twice in Letters", r)
		}
		seen[r] = true
	}
}
