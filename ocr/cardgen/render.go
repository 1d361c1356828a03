// Package cardgen renders synthetic test material for field extraction, with ground truth: fronts
// and backs of the Vietnamese chip ID card (CCCD, 2021 layout, and the 2024 "Căn cước" card) and
// filled key–value administrative forms (a birth registration request), then degrades them the way
// a scan does (skew, noise, JPEG). Names, addresses and numbers are drawn at random from syllable
// lists and are fictional.
//
// Seeds are split: the extraction code may be tuned on TuningSeeds only; accuracy is measured on
// HeldOutSeeds, which the code was not tuned on.
package cardgen

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"math/rand/v2"
	"os"

	"github.com/tramso/tramso/drivers/imagefile"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// SeedRange is a half-open range of seeds [First, First+N).
type SeedRange struct{ First, N uint64 }

// Seeds lists the seeds of the range.
func (s SeedRange) Seeds() []uint64 {
	out := make([]uint64, s.N)
	for i := range out {
		out[i] = s.First + uint64(i)
	}
	return out
}

// TuningSeeds are the only seeds the extraction code may be looked at and tuned on.
var TuningSeeds = SeedRange{First: 1, N: 200}

// HeldOutSeeds are the seeds accuracy is reported on; nothing was tuned on them. Three earlier
// held-out ranges, 700001–700020, 800001–800020 and 900001–900020, were each measured once and
// their failures read by kind (not by seed); they are retired, since the code was then improved,
// on tuning seeds, against those kinds of failure.
var HeldOutSeeds = SeedRange{First: 1000001, N: 1000}

// ErrNoFont reports that no font with Vietnamese letters is installed.
var ErrNoFont = errors.New("không tìm thấy phông chữ có dấu tiếng Việt (no Vietnamese font installed)")

// family is one font family: regular, bold, italic.
type family struct{ regular, bold, italic *opentype.Font }

// fontFiles lists the families tried (Debian fonts-liberation2, fonts-dejavu-core, fonts-noto-core).
var fontFiles = [][3]string{
	{"/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf", "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf", "/usr/share/fonts/truetype/liberation2/LiberationSans-Italic.ttf"},
	{"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf"},
	{"/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf", "/usr/share/fonts/truetype/noto/NotoSans-Italic.ttf"},
	{"/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf", "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf", "/usr/share/fonts/truetype/liberation2/LiberationSerif-Italic.ttf"},
	{"/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Italic.ttf"},
}

// monoFiles are the monospace fonts the MRZ is printed in (OCR-B is not packaged in Debian).
var monoFiles = []string{
	"/usr/share/fonts/truetype/liberation2/LiberationMono-Regular.ttf",
	"/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
}

// Generator renders cards and forms. It holds parsed fonts and is safe for concurrent use.
type Generator struct {
	sans  []family // sans-serif families (cards)
	serif []family // serif families (forms)
	mono  []*opentype.Font
}

func loadFont(path string) (*opentype.Font, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return opentype.Parse(b)
}

// NewGenerator loads the installed fonts; ErrNoFont when none is usable.
func NewGenerator() (*Generator, error) {
	g := &Generator{}
	for i, fs := range fontFiles {
		var fam family
		var err error
		var f [3]*opentype.Font
		for j, p := range fs {
			if f[j], err = loadFont(p); err != nil {
				break
			}
		}
		if err != nil {
			continue
		}
		fam.regular, fam.bold, fam.italic = f[0], f[1], f[2]
		if i < 3 {
			g.sans = append(g.sans, fam)
		} else {
			g.serif = append(g.serif, fam)
		}
	}
	for _, p := range monoFiles {
		if f, err := loadFont(p); err == nil {
			g.mono = append(g.mono, f)
		}
	}
	if len(g.sans) == 0 || len(g.mono) == 0 {
		return nil, ErrNoFont
	}
	if len(g.serif) == 0 {
		g.serif = g.sans
	}
	return g, nil
}

// canvas draws text on an RGBA image with sizes in points and positions in millimetres.
type canvas struct {
	img *image.RGBA
	dpi float64
}

func newCanvas(wmm, hmm, dpi float64, bg color.RGBA) *canvas {
	w, h := int(math.Round(wmm*dpi/25.4)), int(math.Round(hmm*dpi/25.4))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Rect, image.NewUniform(bg), image.Point{}, draw.Src)
	return &canvas{img: img, dpi: dpi}
}

func (c *canvas) px(mm float64) float64 { return mm * c.dpi / 25.4 }

func (c *canvas) face(f *opentype.Font, pt float64) font.Face {
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: pt, DPI: c.dpi, Hinting: font.HintingNone})
	if err != nil {
		panic(fmt.Sprintf("cardgen: font face: %v", err)) // parsed fonts at positive sizes do not fail
	}
	return face
}

// width returns the advance of s in millimetres.
func (c *canvas) width(f *opentype.Font, pt float64, s string) float64 {
	face := c.face(f, pt)
	defer face.Close()
	return float64(font.MeasureString(face, s)) / 64 * 25.4 / c.dpi
}

// text draws s with its baseline at (xmm, ymm) and returns the x after it, in millimetres.
func (c *canvas) text(f *opentype.Font, pt float64, col color.Color, xmm, ymm float64, s string) float64 {
	face := c.face(f, pt)
	defer face.Close()
	d := font.Drawer{Dst: c.img, Src: image.NewUniform(col), Face: face,
		Dot: fixed.Point26_6{X: fixed.Int26_6(c.px(xmm) * 64), Y: fixed.Int26_6(c.px(ymm) * 64)}}
	d.DrawString(s)
	return float64(d.Dot.X) / 64 * 25.4 / c.dpi
}

func (c *canvas) rect(x0, y0, x1, y1 float64, col color.RGBA) {
	r := image.Rect(int(c.px(x0)), int(c.px(y0)), int(c.px(x1)), int(c.px(y1)))
	draw.Draw(c.img, r, image.NewUniform(col), image.Point{}, draw.Over)
}

func (c *canvas) frame(x0, y0, x1, y1, t float64, col color.RGBA) {
	c.rect(x0, y0, x1, y0+t, col)
	c.rect(x0, y1-t, x1, y1, col)
	c.rect(x0, y0, x0+t, y1, col)
	c.rect(x1-t, y0, x1, y1, col)
}

func (c *canvas) disc(cx, cy, rad float64, col color.RGBA) {
	pcx, pcy, pr := c.px(cx), c.px(cy), c.px(rad)
	for y := int(pcy - pr); y <= int(pcy+pr); y++ {
		for x := int(pcx - pr); x <= int(pcx+pr); x++ {
			if dx, dy := float64(x)-pcx, float64(y)-pcy; dx*dx+dy*dy <= pr*pr && image.Pt(x, y).In(c.img.Rect) {
				c.img.SetRGBA(x, y, col)
			}
		}
	}
}

// ring draws a circle outline of thickness t millimetres.
func (c *canvas) ring(cx, cy, rad, t float64, col color.RGBA) {
	pcx, pcy, pr, pt := c.px(cx), c.px(cy), c.px(rad), c.px(t)
	for y := int(pcy - pr); y <= int(pcy+pr); y++ {
		for x := int(pcx - pr); x <= int(pcx+pr); x++ {
			d := math.Hypot(float64(x)-pcx, float64(y)-pcy)
			if d <= pr && d >= pr-pt && image.Pt(x, y).In(c.img.Rect) {
				c.img.SetRGBA(x, y, col)
			}
		}
	}
}

// Degradation says how a rendered image is turned into a scan.
type Degradation struct {
	Skew    float64 // degrees counter-clockwise
	Noise   float64 // standard deviation of Gaussian noise, grey levels
	JPEG    int     // JPEG quality; 0 writes PNG
	Blur    bool    // a 3×3 box blur before the noise
	Shading bool    // uneven lighting across the image
}

// RandomDegradation draws the degradation of one scan: skew 0.5–3° either way, noise σ 4–12,
// JPEG quality 50–85 two times in three, else PNG.
func RandomDegradation(r *rand.Rand) Degradation {
	d := Degradation{Skew: (0.5 + 2.5*r.Float64()) * float64(1-2*r.IntN(2)), Noise: 4 + 8*r.Float64(),
		Blur: r.IntN(2) == 0, Shading: r.IntN(3) == 0}
	if r.IntN(3) > 0 {
		d.JPEG = 50 + r.IntN(36)
	}
	return d
}

// Scan applies d to img and returns the encoded file (PNG or JPEG, with its DPI recorded).
func Scan(img *image.RGBA, dpi float64, d Degradation, seed uint64) ([]byte, error) {
	r := rand.New(rand.NewPCG(seed, 0x5ca2))
	out := img
	if d.Skew != 0 {
		out = rotate(out, d.Skew)
	}
	if d.Blur {
		out = blur(out)
	}
	if d.Shading {
		shade(out, r)
	}
	if d.Noise > 0 {
		for i := 0; i < len(out.Pix); i += 4 {
			n := r.NormFloat64() * d.Noise
			for k := 0; k < 3; k++ {
				out.Pix[i+k] = clamp(float64(out.Pix[i+k]) + n)
			}
		}
	}
	var b bytes.Buffer
	var err error
	if d.JPEG > 0 {
		err = imagefile.EncodeJPEG(&b, out, dpi, d.JPEG)
	} else {
		err = imagefile.EncodePNG(&b, out, dpi)
	}
	if err != nil {
		return nil, fmt.Errorf("không mã hoá được ảnh (cannot encode image): %w", err)
	}
	return b.Bytes(), nil
}

func clamp(v float64) uint8 {
	switch {
	case v < 0:
		return 0
	case v > 255:
		return 255
	}
	return uint8(v + 0.5)
}

// rotate turns src by deg counter-clockwise about its centre, on a canvas grown to hold it, with
// a white background (the scanner lid) around it.
func rotate(src *image.RGBA, deg float64) *image.RGBA {
	W, H := src.Rect.Dx(), src.Rect.Dy()
	a := deg * math.Pi / 180
	sin, cos := math.Sin(a), math.Cos(a)
	nw := int(math.Ceil(math.Abs(float64(W)*cos)+math.Abs(float64(H)*sin))) + 40
	nh := int(math.Ceil(math.Abs(float64(W)*sin)+math.Abs(float64(H)*cos))) + 40
	dst := image.NewRGBA(image.Rect(0, 0, nw, nh))
	cx, cy := float64(W)/2, float64(H)/2
	ncx, ncy := float64(nw)/2, float64(nh)/2
	for y := 0; y < nh; y++ {
		for x := 0; x < nw; x++ {
			dx, dy := float64(x)-ncx, float64(y)-ncy
			// inverse rotation (image y axis points down: counter-clockwise on screen)
			sx := cos*dx - sin*dy + cx
			sy := sin*dx + cos*dy + cy
			o := dst.PixOffset(x, y)
			x0, y0 := int(math.Floor(sx)), int(math.Floor(sy))
			if x0 < 0 || y0 < 0 || x0+1 >= W || y0+1 >= H {
				dst.Pix[o], dst.Pix[o+1], dst.Pix[o+2], dst.Pix[o+3] = 250, 250, 250, 255
				continue
			}
			fx, fy := sx-float64(x0), sy-float64(y0)
			for k := 0; k < 3; k++ {
				p00 := float64(src.Pix[src.PixOffset(x0, y0)+k])
				p10 := float64(src.Pix[src.PixOffset(x0+1, y0)+k])
				p01 := float64(src.Pix[src.PixOffset(x0, y0+1)+k])
				p11 := float64(src.Pix[src.PixOffset(x0+1, y0+1)+k])
				dst.Pix[o+k] = clamp(p00*(1-fx)*(1-fy) + p10*fx*(1-fy) + p01*(1-fx)*fy + p11*fx*fy)
			}
			dst.Pix[o+3] = 255
		}
	}
	return dst
}

func blur(src *image.RGBA) *image.RGBA {
	W, H := src.Rect.Dx(), src.Rect.Dy()
	dst := image.NewRGBA(src.Rect)
	copy(dst.Pix, src.Pix)
	for y := 1; y < H-1; y++ {
		for x := 1; x < W-1; x++ {
			o := dst.PixOffset(x, y)
			for k := 0; k < 3; k++ {
				s := 0
				for dy := -1; dy <= 1; dy++ {
					for dx := -1; dx <= 1; dx++ {
						s += int(src.Pix[src.PixOffset(x+dx, y+dy)+k])
					}
				}
				dst.Pix[o+k] = uint8(s / 9)
			}
		}
	}
	return dst
}

// shade darkens the image gradually towards one side (uneven lighting).
func shade(img *image.RGBA, r *rand.Rand) {
	W, H := img.Rect.Dx(), img.Rect.Dy()
	vertical := r.IntN(2) == 0
	depth := 20 + 30*r.Float64()
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			t := float64(x) / float64(W)
			if vertical {
				t = float64(y) / float64(H)
			}
			o := img.PixOffset(x, y)
			for k := 0; k < 3; k++ {
				img.Pix[o+k] = clamp(float64(img.Pix[o+k]) - depth*t)
			}
		}
	}
}
