package theme

import (
	"github.com/hajimehoshi/ebiten/v2/text/v2"
	"golang.org/x/text/language"
)

// Letters is the text the screens are written in: the Vietnamese alphabet in both cases (with the
// Latin letters it does not use, for names and addresses), digits, and the punctuation and symbols the
// screens show. Its glyphs are the ones WarmGlyphs renders ahead of time.
const Letters = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệfghiìíỉĩịjklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvwxyỳýỷỹỵz" +
	"AÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬBCDĐEÈÉẺẼẸÊỀẾỂỄỆFGHIÌÍỈĨỊJKLMNOÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢPQRSTUÙÚỦŨỤƯỪỨỬỮỰVWXYỲÝỶỸỴZ" +
	"0123456789 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~" +
	"“”‘’…–—•·×°₫←→↑↓✓✗ˆ˘"

// faceSizes are the faces the screens draw with (size, bold), at scale 1. The whole-screen button's
// Huge face is left out: it writes one short label, which its cache keeps.
var faceSizes = []faceKey{
	{Small, false}, {Small, true},
	{Body, false}, {Body, true},
	{Key, true},
	{Title, false}, {Title, true},
}

// Glyphs warms and keeps Ebiten's glyph cache for a theme's faces.
//
// Ebiten's text package rasterises a glyph the first time it is drawn at a size and sub-pixel
// position, and forgets glyphs not drawn for 60 ticks whenever a size's cache outgrows its limit
// (a few hundred glyphs): with Vietnamese letters that is after a screen or two. A screen shown for the first
// time, or after a pause, then rasterised and uploaded most of its letters in the frame that showed
// it. With software rendering that doubled the frame. Warm renders Letters in every face and
// sub-pixel position once; Keep, called from the game loop more often than every 60 ticks, marks them
// used so they stay.
type Glyphs struct {
	faces []*text.GoTextFace
}

// Glyphs returns the warmer of t's faces. Its faces are its own, so Warm may run on another
// goroutine than the game loop (Ebiten's glyph cache is safe for that).
func (t *Theme) Glyphs() *Glyphs {
	g := &Glyphs{}
	for _, k := range faceSizes {
		src := t.regular
		if k.bold {
			src = t.bold
		}
		g.faces = append(g.faces, &text.GoTextFace{Source: src, Size: k.size * t.Scale, Language: language.Vietnamese})
	}
	return g
}

// Warm renders Letters in every face and sub-pixel position into the glyph cache. It takes a few
// hundred milliseconds of CPU: run it beside the game loop, at low priority.
func (g *Glyphs) Warm() {
	for _, f := range g.faces {
		text.CacheGlyphs(Letters, f)
	}
}

// Keep marks the warmed glyphs as used; each one is a cache look-up (Letters is shaped once and
// the shaping cached), so it costs well under a millisecond.
func (g *Glyphs) Keep() { g.Warm() }
