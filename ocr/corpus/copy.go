package corpus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// PangoView is the Pango command-line renderer ModelCopy pages are drawn with (Debian package
// pango1.0-tools): text shaped by HarfBuzz and rasterised by Cairo/FreeType with hinting, unlike
// ModelScan's own Go drawing.
const PangoView = "pango-view"

// ErrNoPango reports that pango-view is not installed.
var ErrNoPango = errors.New("không tìm thấy pango-view, cần gói pango1.0-tools (pango-view not found; install pango1.0-tools)")

// CopyFonts are the fontconfig families ModelCopy pages use, one per page.
var copyFonts = [...]string{"Liberation Serif", "Noto Sans", "DejaVu Sans", "Liberation Sans"}

// CopySpec describes one ModelCopy page.
type CopySpec struct {
	Seed        uint64
	Kind        int     // 0 decision, 1 declaration, 2 list with a ruled table
	Font        int     // index into the font families
	DPI         int     // resolution of the result: 150 or 200
	Generations int     // photocopy generations, 1–3
	Sigma       float64 // Gaussian noise, grey levels (0 for fax pages)
	Speckle     float64 // toner specks per square centimetre and generation
	JPEG        int     // JPEG quality, 0 for a lossless (PNG) page
	Fold        bool    // a fold line with its shading
	Stain       bool    // a brownish ring stain
	Stamp       bool    // a red "certified copy" stamp over the text
	Fax         bool    // error-diffused to bilevel at fax resolution (200×100), doubled rows
	Perspective float64 // largest corner displacement, fraction of the page width
	Skew        float64 // degrees counter-clockwise
	Border      bool    // dark copier margin along two edges
}

// CopySpecFor picks ModelCopy page i of a run deterministically from seed.
func CopySpecFor(seed uint64, i int) CopySpec {
	r := rand.New(rand.NewPCG(seed^0xC0C0, uint64(i)*0xA24BAED4963EE407+7))
	s := CopySpec{
		Seed:        seed*1000 + uint64(i),
		Kind:        i % 3,
		Font:        (i + int(seed)) % len(copyFonts),
		DPI:         []int{150, 200}[r.IntN(2)],
		Generations: 1 + r.IntN(3),
		Sigma:       20 + 8*r.Float64(),
		Speckle:     0.5 + 2*r.Float64(),
		JPEG:        35 + r.IntN(16),
		Fold:        r.IntN(2) == 0,
		Stain:       r.IntN(3) == 0,
		Stamp:       r.IntN(3) != 0,
		Perspective: 0.002 + 0.008*r.Float64(),
		Skew:        (0.5 + 3.5*r.Float64()) * float64(1-2*r.IntN(2)),
		Border:      r.IntN(2) == 0,
	}
	if i%4 == 3 { // every fourth page came by fax
		s.Fax, s.DPI, s.Sigma, s.JPEG = true, 200, 0, 0
	}
	return s
}

// RenderCopy draws a ModelCopy page with pango-view and degrades it.
func (g *Generator) RenderCopy(ctx context.Context, spec CopySpec) (*Page, error) {
	if _, err := exec.LookPath(PangoView); err != nil {
		return nil, ErrNoPango
	}
	tmp, err := os.MkdirTemp("", "tramso-corpus-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	const rdpi = 300.0 // drawn at 300 dpi, then degraded and brought to spec.DPI
	r := rand.New(rand.NewPCG(spec.Seed, 0xC0FFEE))
	blocks, table, tableAfter := copyContent(r, spec.Kind)
	px := rdpi / 72
	W, H := int(pageW*px), int(pageH*px)
	page := newWhite(W, H)
	family := copyFonts[spec.Font%len(copyFonts)]

	var truthL, truthR, truth []string
	y := 55.0
	yL, yR := y, y
	n := 0
	drawTable := func() error {
		if table == nil {
			return nil
		}
		y += 10
		rh := 24.0
		lw := max(1, int(math.Round(0.7*px)))
		for i, row := range table.rows {
			top := y + float64(i)*rh
			var cells []string
			for j, cell := range row {
				if cell == "" {
					continue
				}
				cells = append(cells, cell)
				b := copyBlock{text: cell, size: 12, bold: i == 0, align: "left", x: table.cols[j] + 4, w: table.cols[j+1] - table.cols[j] - 6}
				if j == 0 || i == 0 {
					b.align = "center"
				}
				img, err := pango(ctx, tmp, n, family, b, rdpi)
				n++
				if err != nil {
					return err
				}
				paste(page, img, int(b.x*px), int((top+5)*px))
			}
			truth = append(truth, strings.Join(cells, " "))
			fill(page, int(table.cols[0]*px), int(top*px), int(table.cols[len(table.cols)-1]*px), int(top*px)+lw, 0)
		}
		bottom := y + float64(len(table.rows))*rh
		fill(page, int(table.cols[0]*px), int(bottom*px), int(table.cols[len(table.cols)-1]*px), int(bottom*px)+lw, 0)
		for _, c := range table.cols {
			fill(page, int(c*px), int(y*px), int(c*px)+lw, int(bottom*px)+lw, 0)
		}
		y = bottom + 4
		return nil
	}
	for k, b := range blocks {
		if k == tableAfter && table != nil {
			if err := drawTable(); err != nil {
				return nil, err
			}
		}
		img, err := pango(ctx, tmp, n, family, b, rdpi)
		n++
		if err != nil {
			return nil, err
		}
		var at *float64
		switch b.side {
		case 1:
			at = &yL
			truthL = append(truthL, truthOf(b.text))
		case 2:
			at = &yR
			truthR = append(truthR, truthOf(b.text))
		default:
			if truthL != nil || truthR != nil {
				truth = append(sideBySide(truthL, truthR), truth...)
				truthL, truthR = nil, nil
				y = max(yL, yR)
			}
			at = &y
			truth = append(truth, truthOf(b.text))
		}
		*at += b.gap
		paste(page, img, int(b.x*px), int(*at*px))
		*at += float64(img.Rect.Dy()) / px
	}
	if tableAfter >= len(blocks) {
		if err := drawTable(); err != nil {
			return nil, err
		}
	}
	out := degradeCopy(ctx, page, spec, r, rdpi, tmp)
	if out.err != nil {
		return nil, out.err
	}
	return &Page{Image: out.img, DPI: float64(spec.DPI), Truth: norm.NFC.String(strings.Join(truth, "\n")), Copy: &spec}, nil
}

// sideBySide is the text of the two header columns as read across the page, line by line: the
// columns' lines sit at the same heights, and a reader (or Tesseract) takes each row whole.
func sideBySide(left, right []string) []string {
	split := func(blocks []string) []string {
		var out []string
		for _, b := range blocks {
			out = append(out, strings.Split(b, "\n")...)
		}
		return out
	}
	l, r := split(left), split(right)
	var out []string
	for i := 0; i < max(len(l), len(r)); i++ {
		var row []string
		if i < len(l) {
			row = append(row, l[i])
		}
		if i < len(r) {
			row = append(row, r[i])
		}
		out = append(out, strings.Join(row, " "))
	}
	return out
}

// pango renders one block with pango-view into a grey image (ink dark on white).
func pango(ctx context.Context, dir string, n int, family string, b copyBlock, dpi float64) (*image.Gray, error) {
	font := family
	if b.bold {
		font += " Bold"
	}
	if b.italic {
		font += " Italic"
	}
	font += " " + strconv.FormatFloat(b.size, 'f', 1, 64)
	out := filepath.Join(dir, fmt.Sprintf("b%03d.png", n))
	args := []string{"--no-display", "-q", "--font=" + font, "--dpi=" + strconv.Itoa(int(dpi)), "--margin=0",
		"--width=" + strconv.Itoa(int(b.w)), "--wrap=word", "--align=" + b.align,
		"--hinting=full", "--antialias=gray", "--language=vi_VN", "-o", out}
	if b.justify {
		args = append(args, "--justify")
	}
	if b.indent > 0 {
		args = append(args, "--indent="+strconv.Itoa(int(b.indent)))
	}
	args = append(args, "--text="+b.text)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if msg, err := exec.CommandContext(ctx, PangoView, args...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pango-view: %w: %s", err, bytes.TrimSpace(msg))
	}
	f, err := os.Open(out)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := png.Decode(f)
	if err != nil {
		return nil, err
	}
	bb := m.Bounds()
	g := image.NewGray(image.Rect(0, 0, bb.Dx(), bb.Dy()))
	for yy := 0; yy < bb.Dy(); yy++ {
		for xx := 0; xx < bb.Dx(); xx++ {
			g.Pix[yy*g.Stride+xx] = color.GrayModel.Convert(m.At(bb.Min.X+xx, bb.Min.Y+yy)).(color.Gray).Y
		}
	}
	return g, nil
}

func newWhite(w, h int) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for i := range g.Pix {
		g.Pix[i] = 255
	}
	return g
}

// paste darkens dst with src placed at (x, y) (the darker of the two wins).
func paste(dst, src *image.Gray, x, y int) {
	for yy := 0; yy < src.Rect.Dy(); yy++ {
		dy := y + yy
		if dy < 0 || dy >= dst.Rect.Dy() {
			continue
		}
		for xx := 0; xx < src.Rect.Dx(); xx++ {
			dx := x + xx
			if dx < 0 || dx >= dst.Rect.Dx() {
				continue
			}
			v := src.Pix[yy*src.Stride+xx]
			if o := dy*dst.Stride + dx; v < dst.Pix[o] {
				dst.Pix[o] = v
			}
		}
	}
}

func fill(g *image.Gray, x0, y0, x1, y1 int, v uint8) {
	r := image.Rect(x0, y0, x1, y1).Intersect(g.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			g.Pix[y*g.Stride+x] = v
		}
	}
}

type degraded struct {
	img image.Image
	err error
}

// degradeCopy applies ModelCopy's degradations to a clean grey page drawn at dpi.
func degradeCopy(ctx context.Context, g *image.Gray, s CopySpec, r *rand.Rand, dpi float64, tmp string) degraded {
	W, H := g.Rect.Dx(), g.Rect.Dy()
	cm := dpi / 2.54
	for gen := 0; gen < s.Generations; gen++ {
		g = blur3(g)
		// the copier's tone curve: greys darken, light paper goes white, strokes thicken
		mid, width := 150+40*r.Float64(), 18+10*r.Float64()
		var lut [256]uint8
		for v := range lut {
			lut[v] = uint8(255 / (1 + math.Exp(-(float64(v)-mid)/width)))
		}
		for i, v := range g.Pix {
			g.Pix[i] = lut[v]
		}
		// toner specks and a faint drum streak
		n := int(s.Speckle * float64(W) * float64(H) / (cm * cm))
		for k := 0; k < n; k++ {
			x, y := r.IntN(W), r.IntN(H)
			rad := 0.5 + 2*r.Float64()*r.Float64()
			v := uint8(20 + r.IntN(80))
			disc(g, float64(x), float64(y), rad, v)
		}
		sx := r.IntN(W)
		sw := 5 + r.IntN(30)
		for y := 0; y < H; y++ {
			for x := sx; x < min(W, sx+sw); x++ {
				o := y*g.Stride + x
				g.Pix[o] = uint8(float64(g.Pix[o]) * 0.9)
			}
		}
	}
	rgb := toRGBA(g)
	if s.Stain {
		stain(rgb, r)
	}
	if s.Stamp {
		if err := certifiedStamp(ctx, rgb, r, dpi, tmp); err != nil {
			return degraded{err: err}
		}
		stamp(rgb, float64(W)*(0.3+0.4*r.Float64()), float64(H)*(0.35+0.4*r.Float64()), 55*dpi/72, r)
	}
	if s.Fold {
		fold(rgb, r)
	}
	rgb = warp(rgb, s.Skew, s.Perspective, r)
	if s.Border {
		copierBorder(rgb, r, dpi)
	}
	f := dpi / float64(s.DPI)
	rgb = shrink(rgb, f)
	if s.Fax {
		return degraded{img: fax(rgb, r)}
	}
	for i := 0; i+3 < len(rgb.Pix); i += 4 {
		n := r.NormFloat64() * s.Sigma
		for c := 0; c < 3; c++ {
			rgb.Pix[i+c] = uint8(math.Max(0, math.Min(255, float64(rgb.Pix[i+c])+n)))
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, rgb, &jpeg.Options{Quality: s.JPEG}); err != nil {
		return degraded{err: err}
	}
	dec, err := jpeg.Decode(&buf)
	return degraded{img: dec, err: err}
}

func blur3(g *image.Gray) *image.Gray {
	W, H := g.Rect.Dx(), g.Rect.Dy()
	tmp := make([]uint16, W*H)
	for y := 0; y < H; y++ {
		row := g.Pix[y*g.Stride:]
		for x := 0; x < W; x++ {
			a, c := row[max(x-1, 0)], row[min(x+1, W-1)]
			tmp[y*W+x] = uint16(a) + 2*uint16(row[x]) + uint16(c)
		}
	}
	out := image.NewGray(g.Rect)
	for y := 0; y < H; y++ {
		up, dn := max(y-1, 0), min(y+1, H-1)
		for x := 0; x < W; x++ {
			out.Pix[y*out.Stride+x] = uint8((uint32(tmp[up*W+x]) + 2*uint32(tmp[y*W+x]) + uint32(tmp[dn*W+x]) + 8) / 16)
		}
	}
	return out
}

func disc(g *image.Gray, cx, cy, rad float64, v uint8) {
	for y := int(cy - rad); y <= int(cy+rad); y++ {
		for x := int(cx - rad); x <= int(cx+rad); x++ {
			if !(image.Point{x, y}).In(g.Rect) || math.Hypot(float64(x)-cx, float64(y)-cy) > rad {
				continue
			}
			if o := y*g.Stride + x; v < g.Pix[o] {
				g.Pix[o] = v
			}
		}
	}
}

func toRGBA(g *image.Gray) *image.RGBA {
	out := image.NewRGBA(g.Rect)
	for i, v := range g.Pix {
		out.Pix[4*i], out.Pix[4*i+1], out.Pix[4*i+2], out.Pix[4*i+3] = v, v, v, 255
	}
	return out
}

// stain multiplies a brownish translucent blot with a darker rim into the page.
func stain(img *image.RGBA, r *rand.Rand) {
	b := img.Bounds()
	cx, cy := float64(b.Dx())*(0.2+0.6*r.Float64()), float64(b.Dy())*(0.2+0.6*r.Float64())
	rad := float64(b.Dx()) * (0.05 + 0.08*r.Float64())
	tint := [3]float64{0.93, 0.82, 0.62}
	for y := int(cy - rad - 2); y <= int(cy+rad+2); y++ {
		for x := int(cx - rad - 2); x <= int(cx+rad+2); x++ {
			if !(image.Point{x, y}).In(b) {
				continue
			}
			a := math.Atan2(float64(y)-cy, float64(x)-cx)
			rr := rad * (1 + 0.08*math.Sin(3*a) + 0.05*math.Cos(7*a))
			d := math.Hypot(float64(x)-cx, float64(y)-cy)
			if d > rr {
				continue
			}
			k := 0.35 + 0.65*math.Exp(-math.Pow((rr-d)/(0.06*rad), 2))*0.6
			o := img.PixOffset(x, y)
			for c := 0; c < 3; c++ {
				f := 1 - k*(1-tint[c])
				img.Pix[o+c] = uint8(float64(img.Pix[o+c]) * f)
			}
		}
	}
}

// certifiedStamp multiplies a red rectangular "certified copy" stamp, drawn by pango-view, over
// the body text. Its words are not part of the page's text.
func certifiedStamp(ctx context.Context, img *image.RGBA, r *rand.Rand, dpi float64, tmp string) error {
	text := []string{"SAO Y BẢN CHÍNH", "ĐÃ ĐỐI CHIẾU BẢN CHÍNH", "BẢN SAO ĐÚNG VỚI BẢN CHÍNH"}[r.IntN(3)]
	g, err := pango(ctx, tmp, 999, "DejaVu Sans", copyBlock{text: text, bold: true, size: 15, align: "center", w: 260}, dpi)
	if err != nil {
		return err
	}
	b := img.Bounds()
	pad := int(8 * dpi / 72)
	w, h := g.Rect.Dx()+2*pad, g.Rect.Dy()+2*pad
	x0 := int(float64(b.Dx()-w) * (0.15 + 0.7*r.Float64()))
	y0 := int(float64(b.Dy()-h) * (0.3 + 0.5*r.Float64()))
	red := [3]float64{205, 40 + 30*r.Float64(), 50}
	lw := int(2.5 * dpi / 72)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			in := x < lw || y < lw || x >= w-lw || y >= h-lw
			if !in {
				gx, gy := x-pad, y-pad
				in = gx >= 0 && gy >= 0 && gx < g.Rect.Dx() && gy < g.Rect.Dy() && g.Pix[gy*g.Stride+gx] < 128
			}
			if !in || !(image.Point{x0 + x, y0 + y}).In(b) {
				continue
			}
			o := img.PixOffset(x0+x, y0+y)
			for c := 0; c < 3; c++ {
				img.Pix[o+c] = uint8(float64(img.Pix[o+c]) * red[c] / 255)
			}
		}
	}
	return nil
}

// fold draws a crease across the page with the shading of the bent paper on one side.
func fold(img *image.RGBA, r *rand.Rand) {
	b := img.Bounds()
	W, H := b.Dx(), b.Dy()
	horizontal := r.IntN(3) != 0
	n := H
	if !horizontal {
		n = W
	}
	at := int(float64(n) * (0.3 + 0.4*r.Float64()))
	shade := n / 25
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			d := y - at
			if !horizontal {
				d = x - at
			}
			var f float64
			switch {
			case d >= -1 && d <= 1:
				f = 0.55
			case d > 1 && d < shade:
				f = 0.82 + 0.18*float64(d)/float64(shade)
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

// warp applies a small rotation and a perspective distortion (corners moved by up to persp of the
// width), white outside the page.
func warp(src *image.RGBA, deg, persp float64, r *rand.Rand) *image.RGBA {
	b := src.Bounds()
	W, H := float64(b.Dx()), float64(b.Dy())
	// Destination corners (unit square → page) moved at random; map destination to source with the
	// inverse bilinear approximation of the homography, then rotate.
	var d [4][2]float64
	for i := range d {
		d[i] = [2]float64{(r.Float64()*2 - 1) * persp * W, (r.Float64()*2 - 1) * persp * W}
	}
	s, c := math.Sincos(deg * math.Pi / 180)
	cx, cy := W/2, H/2
	dst := image.NewRGBA(b)
	for y := 0; y < b.Dy(); y++ {
		v := float64(y) / H
		for x := 0; x < b.Dx(); x++ {
			u := float64(x) / W
			ox := (1-u)*(1-v)*d[0][0] + u*(1-v)*d[1][0] + (1-u)*v*d[2][0] + u*v*d[3][0]
			oy := (1-u)*(1-v)*d[0][1] + u*(1-v)*d[1][1] + (1-u)*v*d[2][1] + u*v*d[3][1]
			dx, dy := float64(x)+ox-cx, float64(y)+oy-cy
			sx := c*dx - s*dy + cx
			sy := s*dx + c*dy + cy
			x0, y0 := int(math.Floor(sx)), int(math.Floor(sy))
			fx, fy := sx-float64(x0), sy-float64(y0)
			o := dst.PixOffset(x, y)
			for ch := 0; ch < 3; ch++ {
				at := func(xx, yy int) float64 {
					if xx < 0 || yy < 0 || xx >= b.Dx() || yy >= b.Dy() {
						return 255
					}
					return float64(src.Pix[yy*src.Stride+4*xx+ch])
				}
				val := at(x0, y0)*(1-fx)*(1-fy) + at(x0+1, y0)*fx*(1-fy) + at(x0, y0+1)*(1-fx)*fy + at(x0+1, y0+1)*fx*fy
				dst.Pix[o+ch] = uint8(val + 0.5)
			}
			dst.Pix[o+3] = 255
		}
	}
	return dst
}

// copierBorder paints the dark, noisy margin a copier leaves outside a sheet along two edges.
func copierBorder(img *image.RGBA, r *rand.Rand, dpi float64) {
	b := img.Bounds()
	W, H := b.Dx(), b.Dy()
	top := int((0.1 + 0.25*r.Float64()) * dpi / 2.54)
	side := int((0.1 + 0.25*r.Float64()) * dpi / 2.54)
	leftSide := r.IntN(2) == 0
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			dx := x
			if !leftSide {
				dx = W - 1 - x
			}
			if y >= top+int(4*math.Sin(float64(x)/90)) && dx >= side+int(4*math.Sin(float64(y)/70)) {
				continue
			}
			v := uint8(25 + r.IntN(50))
			o := img.PixOffset(x, y)
			img.Pix[o], img.Pix[o+1], img.Pix[o+2] = v, v, v
		}
	}
}

// shrink brings the page down by factor f ≥ 1 by area averaging.
func shrink(src *image.RGBA, f float64) *image.RGBA {
	if f <= 1 {
		return src
	}
	b := src.Bounds()
	W, H := int(float64(b.Dx())/f), int(float64(b.Dy())/f)
	dst := image.NewRGBA(image.Rect(0, 0, W, H))
	for y := 0; y < H; y++ {
		y0, y1 := int(float64(y)*f), min(b.Dy(), int(float64(y+1)*f+0.999))
		for x := 0; x < W; x++ {
			x0, x1 := int(float64(x)*f), min(b.Dx(), int(float64(x+1)*f+0.999))
			var sum [3]int
			n := 0
			for yy := y0; yy < y1; yy++ {
				for xx := x0; xx < x1; xx++ {
					o := yy*src.Stride + 4*xx
					sum[0] += int(src.Pix[o])
					sum[1] += int(src.Pix[o+1])
					sum[2] += int(src.Pix[o+2])
					n++
				}
			}
			o := dst.PixOffset(x, y)
			for c := 0; c < 3; c++ {
				dst.Pix[o+c] = uint8(sum[c] / max(n, 1))
			}
			dst.Pix[o+3] = 255
		}
	}
	return dst
}

// fax turns a 200 dpi page into a fax: grey, every other row dropped (200×100 dpi "standard"
// resolution), Floyd–Steinberg error diffusion to black and white, rows doubled back, and line
// noise (a few rows of salt and pepper).
func fax(src *image.RGBA, r *rand.Rand) *image.Gray {
	b := src.Bounds()
	W, H := b.Dx(), b.Dy()
	h := H / 2
	e := make([]float64, W*h)
	for y := 0; y < h; y++ {
		for x := 0; x < W; x++ {
			o := (2*y)*src.Stride + 4*x
			e[y*W+x] = 0.299*float64(src.Pix[o]) + 0.587*float64(src.Pix[o+1]) + 0.114*float64(src.Pix[o+2])
		}
	}
	out := image.NewGray(image.Rect(0, 0, W, 2*h))
	for y := 0; y < h; y++ {
		noisy := r.IntN(40) == 0
		for x := 0; x < W; x++ {
			old := e[y*W+x]
			nv := 0.0
			if old >= 128 {
				nv = 255
			}
			if noisy && r.IntN(6) == 0 {
				nv = 255 - nv
			}
			q := old - nv
			if x+1 < W {
				e[y*W+x+1] += q * 7 / 16
			}
			if y+1 < h {
				if x > 0 {
					e[(y+1)*W+x-1] += q * 3 / 16
				}
				e[(y+1)*W+x] += q * 5 / 16
				if x+1 < W {
					e[(y+1)*W+x+1] += q / 16
				}
			}
			out.Pix[2*y*out.Stride+x] = uint8(nv)
			out.Pix[(2*y+1)*out.Stride+x] = uint8(nv)
		}
	}
	return out
}
