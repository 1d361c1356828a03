// Package corpus generates synthetic Vietnamese administrative pages with known text, degraded the way
// flatbed scans at a kiosk are (skew, low resolution, blur, speckle, lid borders and shadows, red
// stamps, JPEG), and measures OCR results against that ground truth (CER).
package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/unicode/norm"
)

// FontPaths lists the serif fonts (regular, bold) tried in order; Debian packages fonts-liberation2,
// fonts-dejavu-core and fonts-noto-core provide them. A family missing any Vietnamese letter is
// skipped (Liberation 1.x in fonts-liberation lacks them).
var FontPaths = [][2]string{
	{"/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf", "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf"},
	{"/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf", "/usr/share/fonts/truetype/liberation/LiberationSerif-Bold.ttf"},
	{"/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"},
	{"/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf", "/usr/share/fonts/truetype/noto/NotoSerif-Bold.ttf"},
}

// ErrNoFont reports that none of FontPaths is installed.
var ErrNoFont = errors.New("không tìm thấy phông chữ có dấu tiếng Việt (no Vietnamese serif font installed)")

// Spec describes one page to render.
type Spec struct {
	Seed     uint64  // content and noise
	DPI      int     // 150, 200 or 300
	Skew     float64 // degrees, counter-clockwise positive
	Font     int     // index into the loaded font families
	Blur     bool    // slight defocus
	Noise    bool    // sensor noise and speckle
	Shadow   bool    // dark lid border and shadow along the edges
	Stamp    bool    // red round stamp over the signature block
	Table    bool    // a ruled table
	JPEG     int     // JPEG quality, 0 for lossless
	Rotate90 int     // quarter turns clockwise applied last (page put on the glass sideways)
}

// Page is one rendered page with its ground truth.
type Page struct {
	Spec  Spec      // the ModelScan page drawn (zero for a ModelCopy page)
	Copy  *CopySpec // the ModelCopy page drawn, nil for a ModelScan page
	Image image.Image
	DPI   float64
	Truth string // NFC, one text line per line (for ModelCopy, one block per line)
}

// Generator renders pages; it holds parsed fonts and is safe for concurrent use.
type Generator struct {
	families [][2]*opentype.Font
}

// NewGenerator loads the fonts of FontPaths that are installed.
func NewGenerator() (*Generator, error) {
	g := &Generator{}
	for _, fp := range FontPaths {
		var fam [2]*opentype.Font
		ok := true
		for i, p := range fp {
			b, err := os.ReadFile(p)
			if err != nil {
				ok = false
				break
			}
			f, err := opentype.Parse(b)
			if err != nil || !coversVietnamese(f) {
				ok = false
				break
			}
			fam[i] = f
		}
		if ok {
			g.families = append(g.families, fam)
		}
	}
	if len(g.families) == 0 {
		return nil, ErrNoFont
	}
	return g, nil
}

// vietnameseLetters are the letters that need their own glyphs beyond ASCII.
const vietnameseLetters = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ" +
	"ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ"

func coversVietnamese(f *opentype.Font) bool {
	var buf sfnt.Buffer
	for _, r := range vietnameseLetters {
		if gi, err := f.GlyphIndex(&buf, r); err != nil || gi == 0 {
			return false
		}
	}
	return true
}

// Fonts is the number of font families available.
func (g *Generator) Fonts() int { return len(g.families) }

// CleanSpec is a clean 300 dpi page, straight, with no degradation.
func CleanSpec(seed uint64) Spec {
	return Spec{Seed: seed, DPI: 300, Table: seed%3 == 2}
}

// DegradedSpec picks the degradations of page i of a run deterministically from seed: skew 1–6°
// either way, 150/200/300 dpi, and a mix of blur, noise, lid shadow, stamp and JPEG.
func DegradedSpec(seed uint64, i int) Spec {
	r := rand.New(rand.NewPCG(seed, uint64(i)*0x9E3779B97F4A7C15+1))
	dpis := []int{150, 200, 300}
	s := Spec{
		Seed:   seed*1000 + uint64(i),
		DPI:    dpis[i%3],
		Skew:   (1 + 5*r.Float64()) * float64(1-2*(i/3%2)),
		Font:   i % 3,
		Blur:   r.IntN(2) == 0,
		Noise:  true,
		Shadow: r.IntN(3) != 0,
		Stamp:  true,
		Table:  i%4 == 3,
	}
	if r.IntN(2) == 0 {
		s.JPEG = 55 + r.IntN(25)
	}
	return s
}

type line struct {
	text   string
	bold   bool
	size   float64 // points
	align  int     // 0 left, 1 centre, 2 right block
	dots   bool    // dotted leader to the right margin
	gap    float64 // extra space before, points
	indent float64
}

const (
	pageW, pageH = 595.0, 842.0 // A4 in points
	marginL      = 80.0
	marginR      = 55.0
	marginT      = 60.0
)

// content builds the page text lines for a spec.
func content(r *rand.Rand, table bool) (lines []line, rows [][]string) {
	add := func(l line) { lines = append(lines, l) }
	add(line{text: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold: true, size: 13, align: 1})
	add(line{text: "Độc lập - Tự do - Hạnh phúc", bold: true, size: 14, align: 1})
	add(line{text: pick(r, titles), bold: true, size: 14, align: 1, gap: 18})
	add(line{text: "Kính gửi: Ủy ban nhân dân " + pick(r, communes), size: 13, align: 1, gap: 6})
	name := randomName(r)
	add(line{text: "Họ, chữ đệm, tên người yêu cầu: " + name, size: 13, dots: true, gap: 14})
	add(line{text: "Ngày, tháng, năm sinh: " + randomDate(r), size: 13, dots: true})
	add(line{text: "Số định danh cá nhân: 0" + randomDigits(r, 11), size: 13, dots: true})
	add(line{text: "Nơi cư trú: " + pick(r, streets) + ", " + pick(r, communes) + ", " + pick(r, provinces), size: 13, dots: true})
	add(line{text: "Quan hệ với người được khai: " + pick(r, relations), size: 13, dots: true})
	add(line{text: "Nội dung đề nghị:", size: 13, bold: true, gap: 8})
	n := 3 + r.IntN(3)
	var para []string
	for i := 0; i < n; i++ {
		para = append(para, sentences[r.IntN(len(sentences))])
	}
	add(line{text: strings.Join(para, " "), size: 13, indent: 24})
	if table {
		rows = append(rows, []string{"STT", "Họ và tên", "Quan hệ"})
		for i := 1; i <= 3; i++ {
			rows = append(rows, []string{itoa(i), titleCase(randomName(r)), pick(r, relations)})
		}
	}
	add(line{text: pick(r, communes) + ", ngày " + twoDigits(1+r.IntN(28)) + " tháng " + twoDigits(1+r.IntN(12)) + " năm 2025", size: 13, align: 2, gap: 16})
	add(line{text: "NGƯỜI YÊU CẦU", bold: true, size: 13, align: 2})
	add(line{text: "(Ký, ghi rõ họ tên)", size: 13, align: 2})
	add(line{text: name, bold: true, size: 13, align: 2, gap: 40})
	return lines, rows
}

// Render draws the page of spec and applies its degradations.
func (g *Generator) Render(spec Spec) (*Page, error) {
	if spec.DPI <= 0 {
		return nil, fmt.Errorf("corpus: dpi %d", spec.DPI)
	}
	fam := g.families[spec.Font%len(g.families)]
	r := rand.New(rand.NewPCG(spec.Seed, 0x5EED))
	lines, rows := content(r, spec.Table)
	px := float64(spec.DPI) / 72
	W, H := int(pageW*px), int(pageH*px)
	img := image.NewRGBA(image.Rect(0, 0, W, H))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)

	faces := map[[2]int]font.Face{}
	face := func(bold bool, size float64) (font.Face, error) {
		k := [2]int{0, int(size * 10)}
		if bold {
			k[0] = 1
		}
		if f, ok := faces[k]; ok {
			return f, nil
		}
		f, err := opentype.NewFace(fam[k[0]], &opentype.FaceOptions{Size: size, DPI: float64(spec.DPI), Hinting: font.HintingNone})
		if err != nil {
			return nil, err
		}
		faces[k] = f
		return f, nil
	}
	var truth []string
	y := marginT
	right := pageW - marginR
	var sigTop float64
	tableDone := false
	for _, l := range lines {
		if rows != nil && !tableDone && l.align == 2 {
			y = g.drawTable(img, rows, y+8, px, fam[0], spec.DPI, &truth)
			tableDone = true
		}
		f, err := face(l.bold, l.size)
		if err != nil {
			return nil, err
		}
		lh := l.size * 1.45
		y += l.gap
		words := strings.Fields(l.text)
		width := right - marginL - l.indent
		for len(words) > 0 {
			n := len(words)
			for n > 1 && measure(f, strings.Join(words[:n], " "))/px > width {
				n--
			}
			text := strings.Join(words[:n], " ")
			words = words[n:]
			w := measure(f, text) / px
			x := marginL + l.indent
			switch l.align {
			case 1:
				x = marginL + (right-marginL-w)/2
			case 2:
				x = right - 200 + (200-w)/2
				if sigTop == 0 && strings.HasPrefix(text, "NGƯỜI") {
					sigTop = y
				}
			}
			y += lh
			drawText(img, f, text, x*px, (y-lh*0.3)*px)
			if l.dots && len(words) == 0 {
				dotLeader(img, (x+w+4)*px, right*px, (y-lh*0.3)*px, px)
			}
			truth = append(truth, text)
			width = right - marginL
			l.indent = 0
		}
	}
	if spec.Stamp && sigTop > 0 {
		stamp(img, (right-150)*px, (sigTop+45)*px, 62*px, r)
	}
	var out image.Image = img
	if spec.Skew != 0 {
		out = rotateRGBA(img, spec.Skew)
	}
	rgba := out.(*image.RGBA)
	if spec.Shadow {
		lidShadow(rgba, r, px)
	}
	if spec.Blur {
		rgba = boxBlur(rgba)
	}
	if spec.Noise {
		addNoise(rgba, r)
	}
	out = rgba
	for i := 0; i < spec.Rotate90%4; i++ {
		out = rotate90(out)
	}
	if spec.JPEG > 0 {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, out, &jpeg.Options{Quality: spec.JPEG}); err != nil {
			return nil, err
		}
		dec, err := jpeg.Decode(&buf)
		if err != nil {
			return nil, err
		}
		out = dec
	}
	return &Page{Spec: spec, Image: out, DPI: float64(spec.DPI), Truth: norm.NFC.String(strings.Join(truth, "\n"))}, nil
}

func titleCase(s string) string {
	words := strings.Fields(strings.ToLower(s))
	for i, w := range words {
		rs := []rune(w)
		rs[0] = []rune(strings.ToUpper(string(rs[0])))[0]
		words[i] = string(rs)
	}
	return strings.Join(words, " ")
}

func measure(f font.Face, s string) float64 {
	return float64(font.MeasureString(f, s)) / 64
}

func drawText(img draw.Image, f font.Face, s string, x, y float64) {
	d := font.Drawer{Dst: img, Src: image.Black, Face: f, Dot: fixed.Point26_6{X: fixed.Int26_6(x * 64), Y: fixed.Int26_6(y * 64)}}
	d.DrawString(s)
}

func dotLeader(img *image.RGBA, x0, x1, y, px float64) {
	step := 3.2 * px
	d := math.Max(1, math.Round(0.6*px))
	for x := x0; x+d < x1; x += step {
		fillRect(img, int(x), int(y-d), int(x+d), int(y), color.RGBA{40, 40, 40, 255})
	}
}

func fillRect(img *image.RGBA, x0, y0, x1, y1 int, c color.RGBA) {
	draw.Draw(img, image.Rect(x0, y0, x1, y1), &image.Uniform{c}, image.Point{}, draw.Src)
}

func (g *Generator) drawTable(img *image.RGBA, rows [][]string, y, px float64, fnt *opentype.Font, dpi int, truth *[]string) float64 {
	f, err := opentype.NewFace(fnt, &opentype.FaceOptions{Size: 13, DPI: float64(dpi), Hinting: font.HintingNone})
	if err != nil {
		return y
	}
	cols := []float64{marginL, marginL + 50, marginL + 280, pageW - marginR}
	rh := 22.0
	lw := int(math.Max(1, math.Round(0.8*px)))
	black := color.RGBA{0, 0, 0, 255}
	for i, row := range rows {
		top := y + float64(i)*rh
		for j, cell := range row {
			drawText(img, f, cell, (cols[j]+5)*px, (top+rh-6)*px)
		}
		*truth = append(*truth, strings.Join(row, " "))
		fillRect(img, int(cols[0]*px), int(top*px), int(cols[3]*px), int(top*px)+lw, black)
	}
	bottom := y + float64(len(rows))*rh
	fillRect(img, int(cols[0]*px), int(bottom*px), int(cols[3]*px), int(bottom*px)+lw, black)
	for _, c := range cols {
		fillRect(img, int(c*px), int(y*px), int(c*px)+lw, int(bottom*px)+lw, black)
	}
	return bottom + 6
}

// stamp draws a red double ring with a star, blended over what is below (ink is translucent).
func stamp(img *image.RGBA, cx, cy, rad float64, r *rand.Rand) {
	red := [3]float64{200, 30 + 20*r.Float64(), 40}
	b := img.Bounds()
	star := func(x, y float64) bool {
		// five-pointed star of radius rad*0.3 in polar form
		dx, dy := x-cx, y-cy
		d := math.Hypot(dx, dy)
		a := math.Atan2(dy, dx) + math.Pi/2
		k := math.Mod(a+4*math.Pi, 2*math.Pi/5) / (2 * math.Pi / 5)
		lim := rad * 0.3 * (0.45 + 0.55*math.Abs(1-2*k))
		return d < lim
	}
	for y := int(cy - rad - 2); y <= int(cy+rad+2); y++ {
		for x := int(cx - rad - 2); x <= int(cx+rad+2); x++ {
			if !(image.Point{x, y}).In(b) {
				continue
			}
			d := math.Hypot(float64(x)-cx, float64(y)-cy)
			in := (d > rad*0.93 && d < rad) || (d > rad*0.72 && d < rad*0.76) || star(float64(x), float64(y))
			if !in {
				continue
			}
			i := img.PixOffset(x, y)
			for c := 0; c < 3; c++ {
				v := float64(img.Pix[i+c]) * red[c] / 255
				img.Pix[i+c] = uint8(v)
			}
		}
	}
}

// rotateRGBA rotates img by deg degrees counter-clockwise about its centre, white outside.
func rotateRGBA(src *image.RGBA, deg float64) *image.RGBA {
	b := src.Bounds()
	W, H := b.Dx(), b.Dy()
	dst := image.NewRGBA(b)
	s, c := math.Sincos(deg * math.Pi / 180)
	cx, cy := float64(W)/2, float64(H)/2
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			dx, dy := float64(x)-cx, float64(y)-cy
			// inverse map: rotate destination point by -deg (image y axis points down)
			sx := c*dx - s*dy + cx
			sy := s*dx + c*dy + cy
			o := dst.PixOffset(x, y)
			x0, y0 := int(math.Floor(sx)), int(math.Floor(sy))
			fx, fy := sx-float64(x0), sy-float64(y0)
			for ch := 0; ch < 3; ch++ {
				v := 0.0
				for _, t := range [4][3]float64{{0, 0, (1 - fx) * (1 - fy)}, {1, 0, fx * (1 - fy)}, {0, 1, (1 - fx) * fy}, {1, 1, fx * fy}} {
					xx, yy := x0+int(t[0]), y0+int(t[1])
					p := 255.0
					if xx >= 0 && yy >= 0 && xx < W && yy < H {
						p = float64(src.Pix[src.PixOffset(xx, yy)+ch])
					}
					v += p * t[2]
				}
				dst.Pix[o+ch] = uint8(v + 0.5)
			}
			dst.Pix[o+3] = 255
		}
	}
	return dst
}

func rotate90(src image.Image) image.Image {
	b := src.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dy(), b.Dx()))
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			dst.Set(b.Max.Y-1-y, x-b.Min.X, src.At(x, y))
		}
	}
	return dst
}

// lidShadow darkens a band along one or two edges: the grey-black area outside the page where the
// lid did not cover it, fading into a soft shadow on the paper.
func lidShadow(img *image.RGBA, r *rand.Rand, px float64) {
	b := img.Bounds()
	W, H := b.Dx(), b.Dy()
	border := int((6 + 10*r.Float64()) * px)
	fade := int((15 + 20*r.Float64()) * px)
	left := r.IntN(2) == 0
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			d := x
			if !left {
				d = W - 1 - x
			}
			if dt := y; dt < d {
				d = dt
			}
			var f float64
			switch {
			case d < border:
				f = 0.15
			case d < border+fade:
				t := float64(d-border) / float64(fade)
				f = 0.45 + 0.55*t*t
			default:
				continue
			}
			o := img.PixOffset(x, y)
			for c := 0; c < 3; c++ {
				img.Pix[o+c] = uint8(float64(img.Pix[o+c]) * f)
			}
		}
	}
}

func boxBlur(src *image.RGBA) *image.RGBA {
	b := src.Bounds()
	dst := image.NewRGBA(b)
	W, H := b.Dx(), b.Dy()
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			o := dst.PixOffset(x, y)
			for c := 0; c < 3; c++ {
				sum, n := 0, 0
				for dy := -1; dy <= 1; dy++ {
					for dx := -1; dx <= 1; dx++ {
						xx, yy := x+dx, y+dy
						if xx < 0 || yy < 0 || xx >= W || yy >= H {
							continue
						}
						w := 1
						if dx == 0 && dy == 0 {
							w = 4
						} else if dx == 0 || dy == 0 {
							w = 2
						}
						sum += int(src.Pix[src.PixOffset(xx, yy)+c]) * w
						n += w
					}
				}
				dst.Pix[o+c] = uint8(sum / n)
			}
			dst.Pix[o+3] = 255
		}
	}
	return dst
}

// addNoise adds Gaussian sensor noise and dark speckles (dust).
func addNoise(img *image.RGBA, r *rand.Rand) {
	b := img.Bounds()
	for i := 0; i+3 < len(img.Pix); i += 4 {
		n := r.NormFloat64() * 9
		for c := 0; c < 3; c++ {
			v := float64(img.Pix[i+c]) + n
			img.Pix[i+c] = uint8(math.Max(0, math.Min(255, v)))
		}
	}
	specks := b.Dx() * b.Dy() / 4000
	for k := 0; k < specks; k++ {
		x, y := r.IntN(b.Dx()), r.IntN(b.Dy())
		s := 1 + r.IntN(2)
		fillRect(img, x, y, x+s, y+s, color.RGBA{30, 30, 30, 255})
	}
}
