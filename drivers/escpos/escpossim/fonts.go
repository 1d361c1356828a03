package escpossim

import (
	"fmt"
	"image"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// DefaultFontPath is the monospace TrueType font the simulated ROM fonts are drawn from
// (Debian package fonts-dejavu-core). Letters it lacks (DejaVu Sans Mono has no Vietnamese
// letters with a hook above or two diacritics) are drawn from FallbackFontName in the same
// folder, narrowed to the cell.
const (
	DefaultFontPath  = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
	FallbackFontName = "DejaVuSans.ttf"
)

// Cell sizes of the ROM fonts of a 203 dpi printer.
const (
	fontAWidth, fontAHeight = 12, 24
	fontBWidth, fontBHeight = 9, 17
)

// Face sizes (pixels per em) and baselines chosen so that every Vietnamese letter, stacked
// diacritics included, fits its cell.
const (
	fontASize, fontABaseline = 20, 19
	fontBSize, fontBBaseline = 13, 13
	fallbackASize            = 17
	fallbackBSize            = 12
	maxCachedGlyphs          = 4096
)

// Fonts draws the printer's ROM font cells (Font A 12×24, Font B 9×17) from a monospace TrueType
// font, thresholded to one bit per dot. Glyphs are cached. It is safe for concurrent use, so one
// Fonts can serve many printers (see Config.Fonts).
type Fonts struct {
	mu     sync.Mutex
	mono   *opentype.Font
	sans   *opentype.Font // nil when the fallback font is missing
	a, b   font.Face
	sa, sb font.Face
	buf    sfnt.Buffer
	cache  map[glyphKey]*bitmap
}

type glyphKey struct {
	fontB bool
	r     rune
}

// LoadFonts reads the TrueType font at path ("" = DefaultFontPath) and, if present, the
// fallback font beside it.
func LoadFonts(path string) (*Fonts, error) {
	if path == "" {
		path = DefaultFontPath
	}
	mono, err := parseFont(path)
	if err != nil {
		return nil, err
	}
	f := &Fonts{mono: mono, cache: make(map[glyphKey]*bitmap)}
	if f.a, err = newFace(mono, fontASize); err != nil {
		return nil, err
	}
	if f.b, err = newFace(mono, fontBSize); err != nil {
		return nil, err
	}
	if sans, err := parseFont(filepath.Join(filepath.Dir(path), FallbackFontName)); err == nil {
		sa, errA := newFace(sans, fallbackASize)
		sb, errB := newFace(sans, fallbackBSize)
		if errA == nil && errB == nil {
			f.sans, f.sa, f.sb = sans, sa, sb
		}
	}
	return f, nil
}

func parseFont(path string) (*opentype.Font, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("không đọc được phông chữ máy in (cannot read printer font): %w", err)
	}
	f, err := opentype.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("phông chữ máy in hỏng (bad printer font %s): %w", path, err)
	}
	return f, nil
}

func newFace(f *opentype.Font, size float64) (font.Face, error) {
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, fmt.Errorf("phông chữ máy in hỏng (bad printer font): %w", err)
	}
	return face, nil
}

// cellSize returns the cell of Font A or Font B.
func cellSize(fontB bool) (w, h int) {
	if fontB {
		return fontBWidth, fontBHeight
	}
	return fontAWidth, fontAHeight
}

func (f *Fonts) has(font *opentype.Font, r rune) bool {
	x, err := font.GlyphIndex(&f.buf, r)
	return err == nil && x != 0
}

// glyph returns the cell bitmap of r. The result is shared and must not be modified. A nil
// Fonts (no font could be loaded) draws every character as a hollow box.
func (f *Fonts) glyph(fontB bool, r rune) *bitmap {
	w, h := cellSize(fontB)
	if f == nil {
		return boxGlyph(w, h)
	}
	key := glyphKey{fontB, r}
	f.mu.Lock()
	defer f.mu.Unlock()
	if bm, ok := f.cache[key]; ok {
		return bm
	}
	var bm *bitmap
	switch {
	case r == ' ':
		bm = newBitmap(w, h)
	case f.has(f.mono, r):
		face, base := f.a, fontABaseline
		if fontB {
			face, base = f.b, fontBBaseline
		}
		bm = render(face, r, w, h, base)
	case f.sans != nil && f.has(f.sans, r):
		face, base := f.sa, fontABaseline
		if fontB {
			face, base = f.sb, fontBBaseline
		}
		bm = render(face, r, w, h, base)
	default:
		bm = boxGlyph(w, h)
	}
	if len(f.cache) < maxCachedGlyphs {
		f.cache[key] = bm
	}
	return bm
}

// render draws r into a w×h cell with its baseline at base: centred, and narrowed to the cell
// (by averaging columns) when its ink is wider, then thresholded.
func render(face font.Face, r rune, w, h, base int) *bitmap {
	adv, _ := face.GlyphAdvance(r)
	mask := image.NewAlpha(image.Rect(0, 0, 3*w, h))
	x := fixed.I(w) + (fixed.I(w)-adv)/2
	d := font.Drawer{Dst: mask, Src: image.Opaque, Face: face, Dot: fixed.Point26_6{X: x, Y: fixed.I(base)}}
	d.DrawString(string(r))
	x0, x1 := 3*w, 0
	for y := 0; y < h; y++ {
		for x := 0; x < 3*w; x++ {
			if mask.Pix[y*mask.Stride+x] != 0 {
				x0, x1 = min(x0, x), max(x1, x+1)
			}
		}
	}
	bm := newBitmap(w, h)
	if x1 <= x0 {
		return bm
	}
	ink := x1 - x0
	if x0 >= w && x1 <= 2*w {
		x0, ink = w, w // fits: keep the font's own placement
	} else if ink <= w {
		x0 -= (w - ink) / 2 // recentre
		ink = w
	}
	// Map cell column cx to mask columns [x0 + cx*ink/w, x0 + (cx+1)*ink/w).
	for y := 0; y < h; y++ {
		for cx := 0; cx < w; cx++ {
			a, b := x0+cx*ink/w, x0+(cx+1)*ink/w
			if b <= a {
				b = a + 1
			}
			sum, n := 0, 0
			for mx := a; mx < b; mx++ {
				if mx >= 0 && mx < 3*w {
					sum += int(mask.Pix[y*mask.Stride+mx])
				}
				n++
			}
			if sum >= 0x80*n {
				bm.pix[y*w+cx] = 1
			}
		}
	}
	return bm
}

// boxGlyph is the placeholder for a character the font cannot draw.
func boxGlyph(w, h int) *bitmap {
	bm := newBitmap(w, h)
	for x := 1; x < w-1; x++ {
		bm.set(x, 2)
		bm.set(x, h-3)
	}
	for y := 2; y < h-2; y++ {
		bm.set(1, y)
		bm.set(w-2, y)
	}
	return bm
}
