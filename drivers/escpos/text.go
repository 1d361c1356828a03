package escpos

import (
	"errors"
	"fmt"
	"image"
	"image/draw"
	"os"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/unicode/norm"
)

// Fonts are the outline fonts Vietnamese text is rendered with. Noto Sans (Debian fonts-noto-core)
// covers every precomposed Vietnamese letter; DejaVu Sans is the fallback.
// Fonts is safe for concurrent use.
type Fonts struct {
	Regular, Bold *opentype.Font

	mu    sync.Mutex
	faces map[faceKey]font.Face
}

type faceKey struct {
	px   int
	bold bool
}

// fontSearchPath lists where LoadFonts looks, regular and bold file side by side.
func fontSearchPath() [][2]string {
	return [][2]string{
		{"/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"},
		{"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"},
		{"/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf", "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"},
	}
}

// ErrNoFont means no Vietnamese-capable font is installed.
var ErrNoFont = errors.New("không tìm thấy phông chữ tiếng Việt; cài gói fonts-noto-core (no Vietnamese font found: install fonts-noto-core)")

// LoadFonts loads the first installed Vietnamese-capable font pair. With explicit paths (regular,
// bold) it loads those instead.
func LoadFonts(paths ...string) (*Fonts, error) {
	candidates := fontSearchPath()
	if len(paths) == 2 {
		candidates = [][2]string{{paths[0], paths[1]}}
	}
	for _, c := range candidates {
		reg, err1 := os.ReadFile(c[0])
		bold, err2 := os.ReadFile(c[1])
		if err1 != nil || err2 != nil {
			continue
		}
		r, err := opentype.Parse(reg)
		if err != nil {
			return nil, fmt.Errorf("phông chữ hỏng (bad font) %s: %w", c[0], err)
		}
		b, err := opentype.Parse(bold)
		if err != nil {
			return nil, fmt.Errorf("phông chữ hỏng (bad font) %s: %w", c[1], err)
		}
		return &Fonts{Regular: r, Bold: b, faces: map[faceKey]font.Face{}}, nil
	}
	return nil, ErrNoFont
}

// face returns the cached face; the caller holds f.mu.
func (f *Fonts) face(px int, bold bool) font.Face {
	k := faceKey{px, bold}
	if fc, ok := f.faces[k]; ok {
		return fc
	}
	src := f.Regular
	if bold {
		src = f.Bold
	}
	fc, err := opentype.NewFace(src, &opentype.FaceOptions{Size: float64(px), DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		// Only fails for invalid sizes, which callers never pass.
		panic(err)
	}
	f.faces[k] = fc
	return fc
}

// lineHeight is the band height for a text size: 1.45× the pixel size, so stacked Vietnamese marks
// (Ễ, Ộ, Ữ) never touch the line above.
func lineHeight(px int) int { return px * 145 / 100 }

// Measure returns the advance width in dots of s at px pixels.
func (f *Fonts) Measure(s string, px int, bold bool) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return font.MeasureString(f.face(px, bold), s).Ceil()
}

// RenderLine draws s (NFC) in black on white at px pixels into a bitmap exactly as wide as its
// advance and lineHeight(px) tall, thresholded to 1 bit.
func (f *Fonts) RenderLine(s string, px int, bold bool) *Bitmap {
	s = norm.NFC.String(s)
	f.mu.Lock()
	defer f.mu.Unlock()
	fc := f.face(px, bold)
	w := max(1, font.MeasureString(fc, s).Ceil()+2)
	h := lineHeight(px)
	img := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	m := fc.Metrics()
	// Centre the font's ascent+descent in the band; the extra space goes mostly above, where
	// Vietnamese stacks its marks.
	extra := h - (m.Ascent + m.Descent).Ceil()
	baseline := extra*2/3 + m.Ascent.Ceil()
	d := font.Drawer{Dst: img, Src: image.Black, Face: fc, Dot: fixed.P(1, baseline)}
	d.DrawString(s)
	return Threshold(img, 140)
}

// Wrap breaks s into lines no wider than width dots at px, breaking at spaces and, for a word wider
// than a whole line, inside the word.
func (f *Fonts) Wrap(s string, px int, bold bool, width int) []string {
	return wrapWords(s, width, func(t string) int { return f.Measure(t, px, bold) })
}

// wrapWords is greedy word wrapping with a width function.
func wrapWords(s string, width int, measure func(string) int) []string {
	var lines []string
	for _, para := range strings.Split(norm.NFC.String(s), "\n") {
		words := strings.Fields(para)
		if len(words) == 0 {
			lines = append(lines, "")
			continue
		}
		cur := ""
		for _, w := range words {
			cand := w
			if cur != "" {
				cand = cur + " " + w
			}
			if measure(cand) <= width {
				cur = cand
				continue
			}
			if cur != "" {
				lines = append(lines, cur)
				cur = ""
			}
			// The word alone may be too wide: split it by runes.
			for measure(w) > width {
				cut := fitRunes(w, width, measure)
				lines = append(lines, w[:cut])
				w = w[cut:]
			}
			cur = w
		}
		lines = append(lines, cur)
	}
	return lines
}

// fitRunes returns the byte length of the longest rune prefix of w that fits width (at least one rune).
func fitRunes(w string, width int, measure func(string) int) int {
	cut := 0
	for i, r := range w {
		next := i + utf8.RuneLen(r)
		if measure(w[:next]) > width && cut > 0 {
			break
		}
		cut = next
	}
	return cut
}
