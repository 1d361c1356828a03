package ocr

import (
	"bytes"
	"image"

	"github.com/tramso/tramso/ocr/engine"
	"github.com/tramso/tramso/ocr/preprocess"
)

// scannedImage is the page as scanned, encoded for Tesseract, and its bounds: the decoded image the
// pipeline was given, in colour when it is in colour, turned by the page's turns and nothing else.
//
// The scanner's or the file's own bytes are not handed to Tesseract: Leptonica's JPEG reader fails
// in our binaries (MuPDF, linked in for PDF input through go-fitz, brings its own libjpeg, and
// Leptonica then reads "Wrong JPEG library version" and gets no image, on which Tesseract crashes),
// and a PNG or PNM decodes to the same pixels in Go. A JPEG decoded by Go differs from
// libjpeg-turbo's decode by rounding and by the chroma upsampling, not in what Tesseract sees of
// black text.
func scannedImage(pg *preprocess.Page) ([]byte, image.Rectangle) {
	return engine.ScannedPNM(pg.Scanned, pg.Turns)
}

// dropStampText removes from a reading of the page as scanned the words printed in stamp red: a
// seal's or a stamp's wording ("ĐÃ ĐỐI CHIẾU BẢN CHÍNH") is not the page's text, and the cleaned
// page, from which preprocessing removes red ink, does not have it; read in colour, it is plausible
// Vietnamese and would count for the reading that misplaces the text under it. A word goes when
// the red pixels in its box (red well above green and blue, as preprocess.Gray tells stamp ink)
// are at least twice its dark pixels of other colours and at least a twentieth of the box. pnm is
// the image the words were read from (ScannedPNM); a grey image has no stamp red. It returns the
// words kept and how many went.
func dropStampText(words []engine.Word, pnm []byte, rect image.Rectangle) ([]engine.Word, int) {
	if !bytes.HasPrefix(pnm, []byte("P6\n")) {
		return words, 0
	}
	W, H := rect.Dx(), rect.Dy()
	px := pnm[len(pnm)-3*W*H:]
	out := words[:0:0]
	for _, w := range words {
		b := w.Box.Intersect(image.Rect(0, 0, W, H))
		var red, dark int
		for y := b.Min.Y; y < b.Max.Y; y++ {
			row := px[3*(y*W+b.Min.X) : 3*(y*W+b.Max.X)]
			for i := 0; i < len(row); i += 3 {
				r, g, bl := int(row[i]), int(row[i+1]), int(row[i+2])
				switch {
				case r > g+50 && r > bl+50:
					red++
				case 299*r+587*g+114*bl < 128*1000:
					dark++
				}
			}
		}
		if area := b.Dx() * b.Dy(); area > 0 && red >= 2*dark && red*20 >= area {
			continue
		}
		out = append(out, w)
	}
	return out, len(words) - len(out)
}
