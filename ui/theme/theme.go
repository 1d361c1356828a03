// Package theme holds the look of kiosk-ui: the Noto Sans faces, the text sizes and the colours, in a
// normal, a large-text and a high-contrast variant. Everything is sized for a 1920×1080 (or 1080×1920)
// logical screen on a 21.5" panel, where 1 mm is about 3.8 px.
package theme

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"
	"os"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"
	"github.com/hajimehoshi/ebiten/v2/vector"
	"golang.org/x/text/language"
)

// Default font files, from the Debian package fonts-noto-core.
const (
	RegularFont = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"
	BoldFont    = "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"
)

// ErrFont means the Vietnamese font could not be loaded.
var ErrFont = errors.New("không nạp được phông chữ Noto Sans (cannot load the Noto Sans font, install fonts-noto-core)")

// Text sizes in logical pixels at scale 1.
const (
	Small = 30.0
	Body  = 40.0
	Title = 60.0
	Huge  = 110.0
	Key   = Title * 0.8 // the on-screen keyboard's keys
)

// LineSpacing is the line height as a multiple of the font size; 1.5 leaves room for stacked
// Vietnamese diacritics (Ễ, Ộ) above and below.
const LineSpacing = 1.5

// MinTarget is the smallest touch target in logical pixels (about 21 mm on the reference panel).
const MinTarget = 80

// Palette is the set of colours of a theme.
type Palette struct {
	Bg, Panel, Fg, Muted, Border color.RGBA
	Accent, AccentFg, Pressed    color.RGBA
	Danger, DangerFg, Warn, Ok   color.RGBA
	Highlight                    color.RGBA // low-confidence fields
	Overlay                      color.RGBA // dims the screen under a dialog
}

// Normal is the default palette: dark text on a light background, blue primary buttons.
var normal = Palette{
	Bg: rgb(0xF4, 0xF6, 0xF8), Panel: rgb(0xFF, 0xFF, 0xFF), Fg: rgb(0x14, 0x1E, 0x2B), Muted: rgb(0x4A, 0x55, 0x63),
	Border: rgb(0xA8, 0xB2, 0xBF), Accent: rgb(0x0B, 0x5C, 0xAD), AccentFg: rgb(0xFF, 0xFF, 0xFF),
	Pressed: rgb(0x06, 0x3A, 0x70), Danger: rgb(0xB0, 0x1E, 0x1E), DangerFg: rgb(0xFF, 0xFF, 0xFF),
	Warn: rgb(0xFF, 0xE8, 0xA3), Ok: rgb(0x1B, 0x7A, 0x3A), Highlight: rgb(0xFF, 0xF1, 0xC1),
	Overlay: color.RGBA{0, 0, 0, 0xA0},
}

// highContrast is black, white and yellow only.
var highContrast = Palette{
	Bg: rgb(0, 0, 0), Panel: rgb(0, 0, 0), Fg: rgb(0xFF, 0xFF, 0xFF), Muted: rgb(0xFF, 0xFF, 0xFF),
	Border: rgb(0xFF, 0xFF, 0xFF), Accent: rgb(0xFF, 0xE0, 0x00), AccentFg: rgb(0, 0, 0),
	Pressed: rgb(0xFF, 0xFF, 0xFF), Danger: rgb(0xFF, 0x60, 0x60), DangerFg: rgb(0, 0, 0),
	Warn: rgb(0x40, 0x30, 0x00), Ok: rgb(0x60, 0xFF, 0x60), Highlight: rgb(0x40, 0x30, 0x00),
	Overlay: color.RGBA{0, 0, 0, 0xE0},
}

func rgb(r, g, b uint8) color.RGBA { return color.RGBA{r, g, b, 0xFF} }

// Options choose the variant of a theme.
type Options struct {
	LargeText    bool // text 1.3× larger
	HighContrast bool // black, white and yellow
}

// Theme is the loaded fonts plus the palette and the text scale. It is safe to share between screens.
type Theme struct {
	Palette
	Scale   float64 // text scale: 1 or 1.3
	regular *text.GoTextFaceSource
	bold    *text.GoTextFaceSource
	faces   map[faceKey]*text.GoTextFace
	discs   map[float32]*ebiten.Image
}

type faceKey struct {
	size float64
	bold bool
}

// Load reads the regular and bold font files and returns a theme.
func Load(regularPath, boldPath string, o Options) (*Theme, error) {
	reg, err := loadSource(regularPath)
	if err != nil {
		return nil, err
	}
	bold, err := loadSource(boldPath)
	if err != nil {
		return nil, err
	}
	return New(reg, bold, o), nil
}

// New returns a theme over already loaded font sources.
func New(regular, bold *text.GoTextFaceSource, o Options) *Theme {
	t := &Theme{Palette: normal, Scale: 1, regular: regular, bold: bold, faces: map[faceKey]*text.GoTextFace{}}
	if o.HighContrast {
		t.Palette = highContrast
	}
	if o.LargeText {
		t.Scale = 1.3
	}
	return t
}

func loadSource(path string) (*text.GoTextFaceSource, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFont, err)
	}
	src, err := text.NewGoTextFaceSource(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrFont, path, err)
	}
	return src, nil
}

// Disc is a white anti-aliased disc of radius r (rounded to half a pixel), centred in its image with
// a pixel of margin, drawn once and kept. Rounded corners and dots are drawn from it, tinted with
// ColorScale: drawing images is batched, while each anti-aliased vector fill costs an offscreen pass.
func (t *Theme) Disc(r float32) *ebiten.Image {
	r = float32(math.Round(float64(r)*2) / 2)
	if img, ok := t.discs[r]; ok {
		return img
	}
	n := int(math.Ceil(float64(r)))*2 + 2
	img := ebiten.NewImage(n, n)
	vector.DrawFilledCircle(img, float32(n)/2, float32(n)/2, r, color.White, true)
	if t.discs == nil {
		t.discs = map[float32]*ebiten.Image{}
	}
	t.discs[r] = img
	return img
}

// Face returns the Vietnamese face of the given base size (scaled by the theme), regular or bold.
// Faces are cached; the theme must be used from one goroutine (the game loop).
func (t *Theme) Face(size float64, bold bool) *text.GoTextFace {
	k := faceKey{size, bold}
	if f, ok := t.faces[k]; ok {
		return f
	}
	src := t.regular
	if bold {
		src = t.bold
	}
	f := &text.GoTextFace{Source: src, Size: size * t.Scale, Language: language.Vietnamese}
	t.faces[k] = f
	return f
}
