package scanner

import (
	"fmt"
	"image"
	"io"
	"math"

	"github.com/tramso/tramso/drivers/imagefile"
)

// MaxPagePixels bounds the size of a page image a device may send: an A3 sheet at 1200 dpi
// is about 280 million pixels; anything larger is refused before it is decoded.
const MaxPagePixels = 300_000_000

// DecodePage decodes a scanned page in PNG, JPEG, TIFF or PNM (the formats scanimage and
// eSCL devices write) and returns it with the resolution recorded in the file (PNG pHYs,
// JFIF density, TIFF XResolution); when the file records none, dpi is fallbackDPI.
// Images with more than maxPixels pixels are refused. Errors wrap ErrBadImage and the
// imagefile error saying why.
func DecodePage(data []byte, fallbackDPI, maxPixels int) (img image.Image, dpi int, err error) {
	img, d, err := imagefile.Decode(data, maxPixels)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %w", ErrBadImage, err)
	}
	dpi = int(math.Round(d))
	if dpi <= 0 {
		dpi = fallbackDPI
	}
	return img, dpi, nil
}

// EncodePNG writes img as a PNG file that records dpi in its pHYs chunk, so that OCR, PDF
// writers and image viewers know the page's physical size. dpi <= 0 records none.
func EncodePNG(w io.Writer, img image.Image, dpi int) error {
	return imagefile.EncodePNG(w, img, float64(dpi))
}
