package daemon

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"regexp"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/tramso/tramso/internal/errtext"
	"github.com/tramso/tramso/kiosk/session"
	"github.com/tramso/tramso/ocr/preprocess"
)

// previewSide is the longest side of a page preview: what the touchscreen shows (kiosk-ui draws
// pages at most 1000 px) and what the local API serves without scaling.
const previewSide = 1000

// headBand is the share of a page's height read for its title at scan time: the top, where
// Vietnamese administrative papers carry the national motto and the document's name.
const headBand = 0.30

// grayQuality is the JPEG quality the grey page is kept at: text edges stay as the OCR needs them.
const grayQuality = 90

// grayPage decodes the kept grey page.
func (k *keptPage) grayPage() (*image.Gray, error) {
	img, err := jpeg.Decode(bytes.NewReader(k.gray))
	if err != nil {
		return nil, err
	}
	g, ok := img.(*image.Gray)
	if !ok || g.Rect.Dx() != k.w || g.Rect.Dy() != k.h {
		return nil, fmt.Errorf("trang giữ lại bị hỏng (kept page damaged)")
	}
	return g, nil
}

// mrzLine is a line of an ICAO 9303 machine-readable zone as OCR reads it: a long run of capitals,
// digits and fillers with fillers in a row.
var mrzLine = regexp.MustCompile(`[A-Z0-9<]{6,}<<[A-Z0-9<]{6,}`)

// keptPage is what the kiosk keeps of a scanned page between the scan and the OCR: the cleaned
// page one bit per pixel (1.1 MB for an A4 page at 300 dpi, against 8.7 MB as a grey image and
// 26 MB as the colour decode), the deskewed grey page as a JPEG (the OCR reads it when the cleaning
// hurt) and, for pages carrying colour, their JPEG for the PDF.
type keptPage struct {
	bits    []byte // rows of (w+7)/8 bytes, most significant bit first, 1 = ink
	gray    []byte // the grey page (same geometry as bits), JPEG
	w, h    int
	dpi     float64
	turns   int
	upright float64
	blank   bool
	jpeg    []byte // the colour page, compressed; nil for a page filed bilevel
}

// Clear overwrites the kept page (the session is wiped).
func (k *keptPage) Clear() {
	clear(k.bits)
	clear(k.gray)
	clear(k.jpeg)
}

// pack keeps a bilevel page (ink below 128) one bit per pixel.
func pack(g *image.Gray) *keptPage {
	W, H := g.Rect.Dx(), g.Rect.Dy()
	row := (W + 7) / 8
	k := &keptPage{bits: make([]byte, row*H), w: W, h: H}
	for y := 0; y < H; y++ {
		src := g.Pix[y*g.Stride : y*g.Stride+W]
		dst := k.bits[y*row : (y+1)*row]
		for x, v := range src {
			if v < 128 {
				dst[x>>3] |= 0x80 >> (x & 7)
			}
		}
	}
	return k
}

// unpack returns the kept page as the bilevel grey image the OCR reads (ink 0, paper 255).
func (k *keptPage) unpack() *image.Gray {
	g := image.NewGray(image.Rect(0, 0, k.w, k.h))
	row := (k.w + 7) / 8
	for y := 0; y < k.h; y++ {
		src := k.bits[y*row : (y+1)*row]
		dst := g.Pix[y*g.Stride : y*g.Stride+k.w]
		for x := range dst {
			if src[x>>3]&(0x80>>(x&7)) == 0 {
				dst[x] = 255
			}
		}
	}
	return g
}

// prepare preprocesses a page once and takes from that one result everything the scan step needs:
// the quality flags, the preview, the quick look (blank, upside down, the title and an MRZ in the
// top band of a first page) and the page kept for the OCR.
func (d *digitizer) prepare(ctx context.Context, p session.Page, first bool) (*session.Prepared, error) {
	pg, err := preprocess.Process(ctx, p.Image, float64(p.DPI), preprocess.Options{})
	if err != nil {
		return nil, errtext.Wrap(errors.New("không đọc được ảnh quét (unreadable scan)"), err)
	}
	defer func() { // the page's images are not kept: only what was taken from them
		clear(pg.Gray.Pix)
		clear(pg.Binary.Pix)
		if pg.Colour != nil {
			clear(pg.Colour.Pix)
		}
	}()
	out := &session.Prepared{Blank: pg.Has(preprocess.BlankPage), UpsideDown: pg.Turns == 2}
	for _, f := range pg.Flags {
		out.Quality = append(out.Quality, session.Quality{Code: string(f), Message: f.Message()})
	}
	out.Preview = preview(pg)
	if first && !out.Blank {
		if out.Head, err = d.readHead(ctx, pg); err != nil {
			return nil, err
		}
		for _, l := range strings.Split(out.Head, "\n") {
			if mrzLine.MatchString(strings.ReplaceAll(l, " ", "")) {
				out.MRZ = true
			}
		}
	}
	k := pack(pg.Binary)
	k.dpi, k.turns, k.upright, k.blank = pg.DPI, pg.Turns, pg.Upright, out.Blank
	var gb bytes.Buffer
	if err := jpeg.Encode(&gb, pg.Gray, &jpeg.Options{Quality: grayQuality}); err != nil {
		return nil, fmt.Errorf("không nén được trang (page not compressed): %w", err)
	}
	k.gray = gb.Bytes()
	if pg.Colour != nil {
		var b bytes.Buffer
		if err := jpeg.Encode(&b, pg.Colour, &jpeg.Options{Quality: 75}); err != nil {
			return nil, fmt.Errorf("không nén được ảnh màu (colour page not compressed): %w", err)
		}
		k.jpeg = b.Bytes()
	}
	out.Work = k
	return out, nil
}

// preview is the page as it lay on the glass (the turns preprocessing made are undone, so a page
// put upside down shows upside down), deskewed, at most previewSide pixels on its longest side.
func preview(pg *preprocess.Page) *image.Gray {
	g := pg.Gray
	b := g.Rect
	if s := float64(previewSide) / float64(max(b.Dx(), b.Dy())); s < 1 {
		g = preprocess.Scale(g, s)
	} else {
		g = preprocess.Scale(g, 1) // a copy: the page's own pixels are cleared
	}
	if pg.Turns != 0 {
		g = preprocess.Rotate90(g, (4-pg.Turns)%4)
	}
	return g
}

// readHead OCRs the top band of a page (the whole of a card-sized or landscape page) for its title
// and returns the text in NFC.
func (d *digitizer) readHead(ctx context.Context, pg *preprocess.Page) (string, error) {
	b := pg.Binary.Rect
	band := b
	if b.Dy() > b.Dx()*6/5 {
		band.Max.Y = b.Min.Y + int(float64(b.Dy())*headBand)
	}
	head := &preprocess.Page{Binary: pg.Binary.SubImage(band).(*image.Gray), Gray: pg.Gray.SubImage(band).(*image.Gray),
		DPI: pg.DPI, Upright: 1, Bounds: band}
	r, err := d.pipe.ProcessPage(ctx, head)
	if err != nil {
		return "", errtext.Wrap(errors.New("không đọc được đầu trang (page top not read)"), err)
	}
	return norm.NFC.String(r.Text), nil
}
