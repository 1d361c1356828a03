// Package preprocess prepares scanned pages for OCR, in pure Go: grayscale with stamp-red removal,
// resolution normalisation, orientation and skew correction, adaptive binarisation, removal of lid
// borders, shadows and specks, blank-page detection and quality checks a kiosk screen can show.
package preprocess

import (
	"context"
	"errors"
	"image"
	"math"
	"sort"
)

// Flag is a quality problem found on a page, for the kiosk screen to show.
type Flag string

// Quality flags.
const (
	Blurry    Flag = "blurry"
	TooDark   Flag = "too_dark"
	BlankPage Flag = "blank"
	HeavySkew Flag = "heavy_skew"
	// NoText is set by the OCR pipeline (not by Process) on a page that is not blank but on which
	// no text could be read: a photo, a drawing, a page too damaged.
	NoText Flag = "no_text"
)

// Vietnamese is the flag as shown to a citizen.
func (f Flag) Vietnamese() string {
	switch f {
	case Blurry:
		return "ảnh bị mờ"
	case TooDark:
		return "ảnh quá tối"
	case BlankPage:
		return "trang trắng"
	case HeavySkew:
		return "ảnh bị nghiêng nhiều"
	case NoText:
		return "không đọc được chữ nào trên trang"
	}
	return string(f)
}

// English is the flag in English.
func (f Flag) English() string {
	switch f {
	case Blurry:
		return "blurry image"
	case TooDark:
		return "image too dark"
	case BlankPage:
		return "blank page"
	case HeavySkew:
		return "heavily skewed image"
	case NoText:
		return "no text could be read on the page"
	}
	return string(f)
}

// Message is "Vietnamese (English)".
func (f Flag) Message() string { return f.Vietnamese() + " (" + f.English() + ")" }

// Options tune Process; the zero value gives the defaults noted on each field.
type Options struct {
	TargetDPI    float64 // resolution pages are brought to for OCR; default 300
	UpscaleBelow float64 // pages below this resolution are upscaled to TargetDPI; default 250
	MaxSkew      float64 // largest skew searched, degrees; default 15
	HeavySkew    float64 // skew from which HeavySkew is flagged, degrees; default 5
	BlurLimit    float64 // sharpness under which Blurry is flagged; default 0.2
	DarkLimit    float64 // paper brightness under which TooDark is flagged; default 120
}

func (o Options) withDefaults() Options {
	if o.TargetDPI <= 0 {
		o.TargetDPI = 300
	}
	if o.UpscaleBelow <= 0 {
		o.UpscaleBelow = 250
	}
	if o.MaxSkew <= 0 {
		o.MaxSkew = 15
	}
	if o.HeavySkew <= 0 {
		o.HeavySkew = 5
	}
	if o.BlurLimit <= 0 {
		o.BlurLimit = 0.2
	}
	if o.DarkLimit <= 0 {
		o.DarkLimit = 120
	}
	return o
}

// Page is a preprocessed page. Gray, Binary and Colour share one geometry: the page deskewed,
// turned upright by a quarter turn when it lay sideways, at DPI.
type Page struct {
	Gray   *image.Gray // greyscale, stamp red removed
	Binary *image.Gray // cleaned bilevel image: ink 0, paper 255
	Colour *image.RGBA // the page in colour when it carries colour (photo, colour form), else nil
	// Scanned is the image Process was given (not a copy, not turned, in colour when it is): the
	// page as scanned, for a second reading when the cleaning may have hurt, as raw Tesseract reads
	// it. FromPlain maps coordinates of Scanned turned by Turns to the page's. Callers may drop it;
	// the OCR drops it once read.
	Scanned    image.Image
	DPI        float64         // resolution of the images above
	SourceDPI  float64         // resolution of the input (estimated from an A4 size when not given)
	Skew       float64         // skew found and removed, degrees counter-clockwise
	Turns      int             // quarter turns clockwise applied (0–3)
	Upright    float64         // evidence the page now stands upright, −1…1; under SureUpright it is unsure
	Ink        float64         // fraction of the page that is ink after cleaning
	Sharpness  float64         // edge sharpness measure (higher is sharper)
	Brightness float64         // paper brightness, 0–255 (90th percentile)
	Flags      []Flag          // quality problems
	Bounds     image.Rectangle // bounds of Gray
}

// Has reports whether the page carries flag f.
func (p *Page) Has(f Flag) bool {
	for _, g := range p.Flags {
		if g == f {
			return true
		}
	}
	return false
}

// SureUpright is the Page.Upright score from which the page's up and down are taken as known: the
// excess of ink above the text lines' x-height band (ascenders, capitals, tone marks) over ink below
// the baseline, as a fraction of both. Printed Vietnamese pages score 0.3–0.6.
const SureUpright = 0.1

// ErrEmptyImage reports an image with no pixels.
var ErrEmptyImage = errors.New("ảnh rỗng (empty image)")

// Process runs the preprocessing chain on a scanned page of the given resolution (0 when unknown).
func Process(ctx context.Context, img image.Image, dpi float64, opt Options) (*Page, error) {
	opt = opt.withDefaults()
	b := img.Bounds()
	if b.Dx() < 8 || b.Dy() < 8 {
		return nil, ErrEmptyImage
	}
	if dpi < 50 || dpi > 2400 {
		// Unknown or implausible: assume the long side is A4 (11.69 in).
		dpi = math.Round(float64(max(b.Dx(), b.Dy())) / 11.69)
		dpi = max(dpi, 50)
	}
	gray, colourFrac := Gray(img)
	p := &Page{SourceDPI: dpi}
	p.Brightness = percentile(gray, 0.9)

	// Analysis copy at about 150 dpi for orientation, skew, blank and sharpness.
	af := math.Min(1, 150/dpi)
	small := gray
	if af < 1 {
		small = Scale(gray, af)
	}
	adpi := dpi * af
	bs := Sauvola(small, int(adpi/12), 0.3)
	Clean(bs, 3, int(adpi/30)+1)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p.Sharpness = sharpness(small, bs)
	if lineScore(bs) < 0.8 {
		p.Turns = 1
		bs = Rotate90(bs, 1)
		gray = Rotate90(gray, 1)
	}
	skew, conf := EstimateSkew(bs, opt.MaxSkew)
	if conf < 1.05 {
		skew = 0
	}
	level := bs
	if skew != 0 {
		level = Rotate(bs, skew)
	}
	p.Upright = uprightScore(level)
	if p.Upright <= -SureUpright {
		p.Turns += 2
		p.Upright = -p.Upright
		gray = Rotate90(gray, 2)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	p.Scanned = img
	scale := 1.0
	if dpi < opt.UpscaleBelow {
		scale = opt.TargetDPI / dpi
	}
	p.DPI = dpi * scale
	if math.Abs(skew) >= 0.05 {
		p.Skew = skew
	}
	if scale != 1 || p.Skew != 0 {
		gray = ScaleRotate(gray, scale, p.Skew)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	bin := Sauvola(gray, int(p.DPI/12), 0.3)
	speck := int(8 * (p.DPI / 300) * (p.DPI / 300))
	ink := Clean(bin, max(speck, 2), int(p.DPI/30)+1)
	p.Gray, p.Binary = gray, bin
	p.Bounds = gray.Rect
	p.Ink = float64(ink) / float64(gray.Rect.Dx()*gray.Rect.Dy())

	if colourFrac > 0.02 {
		p.Colour = colourPlanes(img, p.Turns, scale, p.Skew)
	}
	if p.Ink < 0.0015 {
		p.Flags = append(p.Flags, BlankPage)
	}
	if p.Brightness < opt.DarkLimit {
		p.Flags = append(p.Flags, TooDark)
	}
	if !p.Has(BlankPage) && p.Sharpness < opt.BlurLimit {
		p.Flags = append(p.Flags, Blurry)
	}
	if math.Abs(p.Skew) >= opt.HeavySkew {
		p.Flags = append(p.Flags, HeavySkew)
	}
	return p, nil
}

// colourPlanes applies the same geometry to the colour image, one channel at a time.
func colourPlanes(img image.Image, turns int, scale, skew float64) *image.RGBA {
	b := img.Bounds()
	var planes [3]*image.Gray
	for c := range planes {
		planes[c] = image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	}
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			r, g, bb, a := img.At(x+b.Min.X, y+b.Min.Y).RGBA()
			w := 0xffff - a
			o := y*planes[0].Stride + x
			planes[0].Pix[o] = uint8((r + w) >> 8)
			planes[1].Pix[o] = uint8((g + w) >> 8)
			planes[2].Pix[o] = uint8((bb + w) >> 8)
		}
	}
	for c := range planes {
		pl := Rotate90(planes[c], turns)
		if scale != 1 || skew != 0 {
			pl = ScaleRotate(pl, scale, skew)
		}
		planes[c] = pl
	}
	r := planes[0].Rect
	out := image.NewRGBA(r)
	for i := 0; i < r.Dx()*r.Dy(); i++ {
		out.Pix[4*i] = planes[0].Pix[i]
		out.Pix[4*i+1] = planes[1].Pix[i]
		out.Pix[4*i+2] = planes[2].Pix[i]
		out.Pix[4*i+3] = 255
	}
	return out
}

// percentile returns the q-quantile of the grey levels of g.
func percentile(g *image.Gray, q float64) float64 {
	var h [256]int
	W, H := g.Rect.Dx(), g.Rect.Dy()
	for y := 0; y < H; y += 2 {
		for _, v := range g.Pix[y*g.Stride : y*g.Stride+W] {
			h[v]++
		}
	}
	total := 0
	for _, n := range h {
		total += n
	}
	target := int(float64(total) * q)
	acc := 0
	for v, n := range h {
		acc += n
		if acc >= target {
			return float64(v)
		}
	}
	return 255
}

// sharpness is the median, over ink edge pixels, of the absolute Laplacian divided by the local
// contrast: about 0.5 for crisp print, falling towards 0 as the page gets out of focus. Dividing by
// contrast keeps it independent of exposure; taking the median keeps sensor noise out.
func sharpness(g, bin *image.Gray) float64 {
	W, H := g.Rect.Dx(), g.Rect.Dy()
	var vals []float64
	for y := 2; y < H-2; y += 2 {
		for x := 2; x < W-2; x++ {
			if bin.Pix[y*bin.Stride+x] != 0 {
				continue
			}
			// an ink pixel on the edge of its stroke
			if bin.Pix[y*bin.Stride+x+1] == 0 && bin.Pix[y*bin.Stride+x-1] == 0 && bin.Pix[(y-1)*bin.Stride+x] == 0 && bin.Pix[(y+1)*bin.Stride+x] == 0 {
				continue
			}
			lo, hi := 255, 0
			for dy := -2; dy <= 2; dy++ {
				for dx := -2; dx <= 2; dx++ {
					v := int(g.Pix[(y+dy)*g.Stride+x+dx])
					lo, hi = min(lo, v), max(hi, v)
				}
			}
			if hi-lo < 40 {
				continue
			}
			c := int(g.Pix[y*g.Stride+x])
			lap := 4*c - int(g.Pix[y*g.Stride+x-1]) - int(g.Pix[y*g.Stride+x+1]) - int(g.Pix[(y-1)*g.Stride+x]) - int(g.Pix[(y+1)*g.Stride+x])
			vals = append(vals, math.Abs(float64(lap))/float64(hi-lo))
		}
	}
	if len(vals) < 50 {
		return 1
	}
	sort.Float64s(vals)
	return vals[len(vals)/2]
}

// FromPlain maps a rectangle of the page as scanned (Scanned turned by Turns, at SourceDPI) to the
// page's geometry (Gray, Binary): scaled from SourceDPI to DPI and deskewed the way ScaleRotate
// does it, as the box around the four corners.
func (p *Page) FromPlain(r image.Rectangle) image.Rectangle {
	if p.Gray == nil && p.Binary == nil || p.SourceDPI <= 0 {
		return r
	}
	out := p.Binary
	if out == nil {
		out = p.Gray
	}
	f := p.DPI / p.SourceDPI
	nw, nh := float64(out.Rect.Dx()), float64(out.Rect.Dy())
	cx, cy := nw/2, nh/2
	off := 0.0
	if f != 1 {
		off = 0.5/f - 0.5
	}
	s, c := math.Sincos(-p.Skew * math.Pi / 180)
	var box image.Rectangle
	for i, pt := range [4][2]float64{{float64(r.Min.X), float64(r.Min.Y)}, {float64(r.Max.X), float64(r.Min.Y)}, {float64(r.Min.X), float64(r.Max.Y)}, {float64(r.Max.X), float64(r.Max.Y)}} {
		u := (pt[0]-off)*f - cx
		v := (pt[1]-off)*f - cy
		x := c*u + s*v + cx
		y := -s*u + c*v + cy
		q := image.Pt(int(math.Round(x)), int(math.Round(y)))
		if i == 0 {
			box = image.Rectangle{q, q}
			continue
		}
		box.Min.X, box.Min.Y = min(box.Min.X, q.X), min(box.Min.Y, q.Y)
		box.Max.X, box.Max.Y = max(box.Max.X, q.X), max(box.Max.Y, q.Y)
	}
	return box
}
