// Package pdf writes searchable PDFs of scanned pages (the scan as an image with an invisible,
// positioned text layer) and reads PDFs from outside in an isolated child process.
package pdf

import (
	"bytes"
	"compress/zlib"
	"crypto/md5"
	"crypto/sha256"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// Word is a piece of text and the box it occupies on the page image, in pixels. Words that share
// Line are laid out as one line of text.
type Word struct {
	Text string
	Box  image.Rectangle
	Line int // any number identifying the line, in reading order
}

// Encoding chooses how a page image is compressed.
type Encoding int

// Encodings.
const (
	G4        Encoding = iota // bilevel, CCITT Group 4: text pages (tens of KB)
	FlateBits                 // bilevel, Flate on 1-bit rows
	JPEG                      // greyscale or colour, DCT: photos and colour documents
)

// Page is one page to write.
type Page struct {
	Image    image.Image // *image.Gray (0/255 for G4 and FlateBits) or any image for JPEG
	Encoding Encoding
	Quality  int     // JPEG quality; default 75
	DPI      float64 // resolution of Image; sets the page size
	Words    []Word  // the text layer
	// Encoded, when set, is Image already compressed as Encoding says (EncodeG4's output for G4, a
	// JPEG file for JPEG) and written as is: Image then only gives the size (an image.Rectangle
	// will do), so a caller may drop a page's pixels as soon as it is encoded.
	Encoded []byte
}

// Info is the document metadata. Created is written as given, so the same input gives the same bytes.
type Info struct {
	Title    string
	Producer string
	Created  time.Time
	Lang     string // BCP 47, default "vi"
	// ICCProfile is an sRGB ICC profile used as the PDF/A output intent; when empty no output
	// intent is written.
	ICCProfile []byte
}

// DefaultICCPath is where Debian's icc-profiles-free installs an sRGB profile.
const DefaultICCPath = "/usr/share/color/icc/sRGB.icc"

// LoadICC reads the sRGB profile at path, returning nil when it is not installed.
func LoadICC(path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	return b
}

// ErrNoPages reports a document without pages.
var ErrNoPages = errors.New("tài liệu không có trang nào (document has no pages)")

type writer struct {
	buf     bytes.Buffer
	offsets []int // byte offset of object n at index n-1
}

func (w *writer) alloc() int {
	w.offsets = append(w.offsets, 0)
	return len(w.offsets)
}

func (w *writer) begin(id int) {
	w.offsets[id-1] = w.buf.Len()
	fmt.Fprintf(&w.buf, "%d 0 obj\n", id)
}

func (w *writer) object(id int, body string) {
	w.begin(id)
	w.buf.WriteString(body)
	w.buf.WriteString("\nendobj\n")
}

func (w *writer) stream(id int, dict string, data []byte) {
	w.begin(id)
	fmt.Fprintf(&w.buf, "<<%s /Length %d>>\nstream\n", dict, len(data))
	w.buf.Write(data)
	w.buf.WriteString("\nendstream\nendobj\n")
}

func deflate(b []byte) []byte {
	var out bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&out, zlib.BestCompression)
	zw.Write(b)
	zw.Close()
	return out.Bytes()
}

// Write writes pages as one PDF to out. The output depends only on its inputs: the file ID is a
// hash of the content and the dates come from info.
func Write(out io.Writer, pages []Page, info Info) error {
	if len(pages) == 0 {
		return ErrNoPages
	}
	if info.Lang == "" {
		info.Lang = "vi"
	}
	w := &writer{}
	w.buf.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	catalog, pagesID := w.alloc(), w.alloc()
	fontID, cidID, descID, fileID, toUniID, gidMapID := w.alloc(), w.alloc(), w.alloc(), w.alloc(), w.alloc(), w.alloc()
	infoID, xmpID := w.alloc(), w.alloc()
	iccID := 0
	if len(info.ICCProfile) > 0 {
		iccID = w.alloc()
	}
	var kids []string
	for i, p := range pages {
		if p.DPI <= 0 {
			return fmt.Errorf("pdf: page %d: dpi %v", i+1, p.DPI)
		}
		if p.Image == nil || p.Image.Bounds().Empty() {
			return fmt.Errorf("pdf: page %d: empty image", i+1)
		}
		pageID, contentID, imgID := w.alloc(), w.alloc(), w.alloc()
		kids = append(kids, fmt.Sprintf("%d 0 R", pageID))
		b := p.Image.Bounds()
		pw, ph := float64(b.Dx())*72/p.DPI, float64(b.Dy())*72/p.DPI
		dict, data, err := imageStream(p)
		if err != nil {
			return fmt.Errorf("pdf: page %d: %w", i+1, err)
		}
		w.stream(imgID, dict, data)
		content := pageContent(p, pw, ph)
		w.stream(contentID, " /Filter /FlateDecode", deflate(content))
		w.object(pageID, fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] /Contents %d 0 R /Resources << /XObject << /Im0 %d 0 R >> /Font << /F0 %d 0 R >> >> >>",
			pagesID, num(pw), num(ph), contentID, imgID, fontID))
	}
	w.object(pagesID, fmt.Sprintf("<< /Type /Pages /Count %d /Kids [%s] >>", len(pages), strings.Join(kids, " ")))

	// Text layer font: Type0 over a glyphless CIDFontType2, every CID (= UTF-16 code unit) → glyph 1.
	w.object(fontID, fmt.Sprintf("<< /Type /Font /Subtype /Type0 /BaseFont /GlyphLessFont /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>", cidID, toUniID))
	w.object(cidID, fmt.Sprintf("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /GlyphLessFont /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /DW 500 /CIDToGIDMap %d 0 R >>", descID, gidMapID))
	w.object(descID, fmt.Sprintf("<< /Type /FontDescriptor /FontName /GlyphLessFont /Flags 5 /FontBBox [0 -200 500 800] /ItalicAngle 0 /Ascent 800 /Descent -200 /CapHeight 800 /StemV 80 /FontFile2 %d 0 R >>", fileID))
	font := glyphlessFont()
	w.stream(fileID, fmt.Sprintf(" /Length1 %d /Filter /FlateDecode", len(font)), deflate(font))
	gid := make([]byte, 2*65536)
	for i := 1; i < 65536; i++ {
		gid[2*i+1] = 1
	}
	w.stream(gidMapID, " /Filter /FlateDecode", deflate(gid))
	w.stream(toUniID, " /Filter /FlateDecode", deflate(toUnicodeCMap()))

	created := info.Created
	var infoDict strings.Builder
	infoDict.WriteString("<<")
	if info.Title != "" {
		fmt.Fprintf(&infoDict, " /Title %s", TextString(info.Title))
	}
	if info.Producer != "" {
		fmt.Fprintf(&infoDict, " /Producer %s", TextString(info.Producer))
	}
	if !created.IsZero() {
		fmt.Fprintf(&infoDict, " /CreationDate (%s) /ModDate (%s)", pdfDate(created), pdfDate(created))
	}
	infoDict.WriteString(" >>")
	w.object(infoID, infoDict.String())
	w.stream(xmpID, " /Type /Metadata /Subtype /XML", xmp(info))
	intent := ""
	if iccID != 0 {
		w.stream(iccID, " /N 3 /Filter /FlateDecode", deflate(info.ICCProfile))
		intent = fmt.Sprintf(" /OutputIntents [<< /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier (sRGB) /Info (sRGB IEC61966-2.1) /DestOutputProfile %d 0 R >>]", iccID)
	}
	w.object(catalog, fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R /Metadata %d 0 R /Lang %s%s >>", pagesID, xmpID, TextString(info.Lang), intent))

	sum := sha256.Sum256(w.buf.Bytes())
	id := md5.Sum(sum[:])
	xref := w.buf.Len()
	fmt.Fprintf(&w.buf, "xref\n0 %d\n0000000000 65535 f \n", len(w.offsets)+1)
	for _, o := range w.offsets {
		fmt.Fprintf(&w.buf, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&w.buf, "trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%x> <%x>] >>\nstartxref\n%d\n%%%%EOF\n",
		len(w.offsets)+1, catalog, infoID, id, id, xref)
	_, err := out.Write(w.buf.Bytes())
	return err
}

func num(f float64) string {
	s := fmt.Sprintf("%.3f", f)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" || s == "" {
		return "0"
	}
	return s
}

// imageStream encodes the page image as an XObject.
func imageStream(p Page) (dict string, data []byte, err error) {
	b := p.Image.Bounds()
	W, H := b.Dx(), b.Dy()
	if p.Encoded != nil {
		switch p.Encoding {
		case G4:
			return fmt.Sprintf(" /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns %d /Rows %d /BlackIs1 false >>", W, H, W, H), p.Encoded, nil
		case JPEG:
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(p.Encoded))
			if err != nil || cfg.Width != W || cfg.Height != H {
				return "", nil, errors.New("encoded JPEG unreadable or not the page's size")
			}
			cs := "/DeviceRGB"
			if cfg.ColorModel == color.GrayModel {
				cs = "/DeviceGray"
			}
			return fmt.Sprintf(" /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8 /Filter /DCTDecode", W, H, cs), p.Encoded, nil
		}
		return "", nil, errors.New("only G4 and JPEG pages can be given encoded")
	}
	switch p.Encoding {
	case G4, FlateBits:
		g, ok := p.Image.(*image.Gray)
		if !ok {
			return "", nil, errors.New("bilevel encoding needs *image.Gray")
		}
		if p.Encoding == G4 {
			data = EncodeG4(g)
			return fmt.Sprintf(" /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns %d /Rows %d /BlackIs1 false >>", W, H, W, H), data, nil
		}
		rowBytes := (W + 7) / 8
		bits := make([]byte, rowBytes*H)
		for y := 0; y < H; y++ {
			row := g.Pix[y*g.Stride : y*g.Stride+W]
			out := bits[y*rowBytes:]
			for x, v := range row {
				if v >= 128 {
					out[x/8] |= 0x80 >> (x % 8)
				}
			}
		}
		return fmt.Sprintf(" /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /FlateDecode", W, H), deflate(bits), nil
	case JPEG:
		q := p.Quality
		if q <= 0 {
			q = 75
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, p.Image, &jpeg.Options{Quality: q}); err != nil {
			return "", nil, err
		}
		cs := "/DeviceRGB"
		if _, ok := p.Image.(*image.Gray); ok {
			cs = "/DeviceGray"
		}
		return fmt.Sprintf(" /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8 /Filter /DCTDecode", W, H, cs), buf.Bytes(), nil
	}
	return "", nil, fmt.Errorf("unknown encoding %d", p.Encoding)
}

// pageContent draws the image over the whole page and the words as invisible text (3 Tr), each
// scaled horizontally (Tz) to its box; words of a line carry the following space so extraction
// keeps word breaks.
func pageContent(p Page, pw, ph float64) []byte {
	var c bytes.Buffer
	fmt.Fprintf(&c, "q %s 0 0 %s 0 0 cm /Im0 Do Q\n", num(pw), num(ph))
	if len(p.Words) == 0 {
		return c.Bytes()
	}
	s := 72 / p.DPI
	b := p.Image.Bounds()
	words := p.Words
	// group into lines, preserving order
	type line struct{ words []Word }
	var lines []line
	for i, wd := range words {
		if i == 0 || wd.Line != words[i-1].Line {
			lines = append(lines, line{})
		}
		lines[len(lines)-1].words = append(lines[len(lines)-1].words, wd)
	}
	c.WriteString("BT 3 Tr\n")
	for _, l := range lines {
		// one font size and baseline per line
		var hs []int
		bottom := 0
		for _, wd := range l.words {
			hs = append(hs, wd.Box.Dy())
			bottom = max(bottom, wd.Box.Max.Y)
		}
		sort.Ints(hs)
		size := math.Max(1, float64(hs[len(hs)/2])*s)
		baseline := float64(b.Max.Y-bottom)*s + size*0.2
		fmt.Fprintf(&c, "/F0 %s Tf\n", num(size))
		for i, wd := range l.words {
			text := norm.NFC.String(wd.Text)
			width := float64(wd.Box.Dx())
			if i+1 < len(l.words) {
				text += " "
				if next := l.words[i+1].Box.Min.X - wd.Box.Min.X; next > 0 {
					width = float64(next)
				}
			}
			units := utf16Units(text)
			natural := float64(len(units)) * 0.5 * size
			tz := 100.0
			if natural > 0 && width > 0 {
				tz = 100 * width * s / natural
			}
			fmt.Fprintf(&c, "%s Tz 1 0 0 1 %s %s Tm <", num(tz), num(float64(wd.Box.Min.X-b.Min.X)*s), num(baseline))
			for _, u := range units {
				fmt.Fprintf(&c, "%04X", u)
			}
			c.WriteString("> Tj\n")
		}
	}
	c.WriteString("ET\n")
	return c.Bytes()
}

func utf16Units(s string) []uint16 {
	var u []uint16
	for _, r := range s {
		switch {
		case r >= 0xD800 && r < 0xE000, r > 0xFFFF:
			u = append(u, 0xFFFD)
		default:
			u = append(u, uint16(r))
		}
	}
	return u
}

// toUnicodeCMap maps every two-byte code to the same UTF-16 code unit.
func toUnicodeCMap() []byte {
	var b bytes.Buffer
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	var ranges []int
	for hi := 0; hi < 256; hi++ {
		if hi >= 0xD8 && hi < 0xE0 {
			continue
		}
		ranges = append(ranges, hi)
	}
	for len(ranges) > 0 {
		n := min(100, len(ranges))
		fmt.Fprintf(&b, "%d beginbfrange\n", n)
		for _, hi := range ranges[:n] {
			fmt.Fprintf(&b, "<%02X00> <%02XFF> <%02X00>\n", hi, hi, hi)
		}
		b.WriteString("endbfrange\n")
		ranges = ranges[n:]
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	return b.Bytes()
}

// TextString encodes s, NFC, as a PDF text string: a literal string when it is printable ASCII,
// else UTF-16BE with a byte-order mark. The signature dictionary (ocr/pdf/pades) uses it too.
func TextString(s string) string {
	s = norm.NFC.String(s)
	ascii := true
	for _, r := range s {
		if r > 126 || r < 32 {
			ascii = false
			break
		}
	}
	if ascii {
		r := strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`)
		return "(" + r.Replace(s) + ")"
	}
	var h strings.Builder
	h.WriteString("<FEFF")
	for _, r := range s {
		if r > 0xFFFF {
			r -= 0x10000
			fmt.Fprintf(&h, "%04X%04X", 0xD800+(r>>10), 0xDC00+(r&0x3FF))
			continue
		}
		fmt.Fprintf(&h, "%04X", r)
	}
	h.WriteString(">")
	return h.String()
}

func pdfDate(t time.Time) string {
	_, off := t.Zone()
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("D:%s%c%02d'%02d'", t.Format("20060102150405"), sign, off/3600, off%3600/60)
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(norm.NFC.String(s))
}

// xmp is the document's XMP metadata packet, declaring PDF/A-2b identification.
func xmp(info Info) []byte {
	var b bytes.Buffer
	b.WriteString("<?xpacket begin=\"\xef\xbb\xbf\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n")
	b.WriteString("<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">\n")
	b.WriteString("<dc:format>application/pdf</dc:format>\n")
	if info.Title != "" {
		fmt.Fprintf(&b, "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">%s</rdf:li></rdf:Alt></dc:title>\n", xmlEscape(info.Title))
	}
	if info.Producer != "" {
		fmt.Fprintf(&b, "<pdf:Producer>%s</pdf:Producer>\n", xmlEscape(info.Producer))
	}
	if !info.Created.IsZero() {
		d := info.Created.Format("2006-01-02T15:04:05-07:00")
		fmt.Fprintf(&b, "<xmp:CreateDate>%s</xmp:CreateDate>\n<xmp:ModifyDate>%s</xmp:ModifyDate>\n", d, d)
	}
	if len(info.ICCProfile) > 0 {
		b.WriteString("<pdfaid:part>2</pdfaid:part>\n<pdfaid:conformance>B</pdfaid:conformance>\n")
	}
	b.WriteString("</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>")
	return b.Bytes()
}
