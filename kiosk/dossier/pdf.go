package dossier

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
)

var (
	// pageObjRE matches a page object's type entry (/Type /Page, not /Pages).
	pageObjRE = regexp.MustCompile(`/Type\s*/Page([^s\w]|$)`)
	// countRE matches the /Count of a page-tree node: in the same dictionary as /Type /Pages, before
	// or after it, with no nested dictionary between them.
	countRE = regexp.MustCompile(`/Type\s*/Pages[^<>]*?/Count\s+(\d{1,7})\b|/Count\s+(\d{1,7})[^<>]*?/Type\s*/Pages\b`)
)

// IsPDF reports whether b starts like a PDF file (the %PDF- header within its first kilobyte).
func IsPDF(b []byte) bool { return bytes.Contains(b[:min(len(b), 1024)], []byte("%PDF-")) }

// PDFPages checks that b is a PDF and tells how many pages it has, for PDFs from outside the kiosk
// (`kioskctl outbox add`): the kiosk's own flow passes the page count it scanned instead. It is not
// a PDF parser: it reads the /Count of the page tree's root (the largest /Count of a /Type /Pages
// dictionary), and without one counts /Type /Page objects. Dictionaries inside compressed object
// streams are not seen: when nothing is visible it returns 0 pages, meaning "not known", never a
// guess.
func PDFPages(b []byte) (int, error) {
	if !IsPDF(b) {
		return 0, ErrNotPDF
	}
	best := -1
	for _, m := range countRE.FindAllSubmatch(b, -1) {
		s := m[1]
		if s == nil {
			s = m[2]
		}
		if n, err := strconv.Atoi(string(s)); err == nil && n > best {
			best = n
		}
	}
	if best >= 0 {
		return best, nil
	}
	return len(pageObjRE.FindAllIndex(b, -1)), nil
}

// ErrBadPDF means a file starts like a PDF but its structure (cross-reference, trailer, catalog,
// page tree) cannot be found.
var ErrBadPDF = errors.New("tệp PDF bị hỏng hoặc không đọc được (broken or unreadable PDF)")

// maxObjStm bounds the bytes inflated from one compressed object stream while looking for an object.
const maxObjStm = 8 << 20

// CheckPDF parses the skeleton of a PDF from outside the kiosk and tells its page count: the last
// startxref must point at a cross-reference table (with its trailer) or stream, whose /Root names a
// /Type /Catalog object, whose /Pages names a /Type /Pages node with a /Count. Objects are looked up
// in the file body and, when not there, in its Flate-compressed object streams. It refuses (ErrBadPDF)
// any file where one of these cannot be found; it does not check page contents.
func CheckPDF(b []byte) (int, error) {
	if !IsPDF(b) {
		return 0, ErrNotPDF
	}
	tail := b[max(0, len(b)-2048):]
	i := bytes.LastIndex(tail, []byte("startxref"))
	if i < 0 {
		return 0, fmt.Errorf("%w: startxref", ErrBadPDF)
	}
	m := startxrefRE.FindSubmatch(tail[i:])
	if m == nil {
		return 0, fmt.Errorf("%w: startxref", ErrBadPDF)
	}
	off, err := strconv.Atoi(string(m[1]))
	if err != nil || off >= len(b) {
		return 0, fmt.Errorf("%w: xref", ErrBadPDF)
	}
	at := b[off:]
	var trailer []byte
	switch {
	case bytes.HasPrefix(at, []byte("xref")):
		t := bytes.Index(at, []byte("trailer"))
		if t < 0 {
			return 0, fmt.Errorf("%w: trailer", ErrBadPDF)
		}
		trailer = dictAt(at[t+len("trailer"):])
	case objHeadRE.Match(at):
		trailer = dictAt(at[objHeadRE.FindIndex(at)[1]:])
		if !xrefTypeRE.Match(trailer) {
			trailer = nil
		}
	}
	if trailer == nil {
		return 0, fmt.Errorf("%w: xref/trailer", ErrBadPDF)
	}
	cat := findObj(b, refRE("Root").FindSubmatch(trailer))
	if cat == nil || !catalogRE.Match(cat) {
		return 0, fmt.Errorf("%w: /Root /Catalog", ErrBadPDF)
	}
	pages := findObj(b, refRE("Pages").FindSubmatch(cat))
	if pages == nil || !pagesTypeRE.Match(pages) {
		return 0, fmt.Errorf("%w: /Pages", ErrBadPDF)
	}
	c := pageCountRE.FindSubmatch(pages)
	if c == nil {
		return 0, fmt.Errorf("%w: /Count", ErrBadPDF)
	}
	n, err := strconv.Atoi(string(c[1]))
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%w: /Count", ErrBadPDF)
	}
	return n, nil
}

var (
	startxrefRE = regexp.MustCompile(`^startxref\s+(\d{1,10})\s`)
	objHeadRE   = regexp.MustCompile(`^\d{1,10}\s+\d{1,5}\s+obj\s*`)
	xrefTypeRE  = regexp.MustCompile(`/Type\s*/XRef\b`)
	catalogRE   = regexp.MustCompile(`/Type\s*/Catalog\b`)
	pagesTypeRE = regexp.MustCompile(`/Type\s*/Pages\b`)
	pageCountRE = regexp.MustCompile(`/Count\s+(\d{1,7})\b`)
	objStmRE    = regexp.MustCompile(`\d{1,10}\s+\d{1,5}\s+obj\s*<<`)
	intRE       = regexp.MustCompile(`\d{1,10}`)
)

// refRE matches an indirect reference under key: /key N G R.
func refRE(key string) *regexp.Regexp {
	return regexp.MustCompile(`/` + key + `\s+(\d{1,10})\s+(\d{1,5})\s+R\b`)
}

// dictAt returns the dictionary starting at b (after blanks), "<<" to its matching ">>", or nil.
func dictAt(b []byte) []byte {
	s := bytes.TrimLeft(b, " \t\r\n\f\x00")
	if !bytes.HasPrefix(s, []byte("<<")) {
		return nil
	}
	depth := 0
	for i := 0; i+1 < len(s) && i < 1<<16; i++ {
		switch {
		case s[i] == '<' && s[i+1] == '<':
			depth++
			i++
		case s[i] == '>' && s[i+1] == '>':
			depth--
			i++
			if depth == 0 {
				return s[:i+1]
			}
		}
	}
	return nil
}

// findObj returns the dictionary of object ref (a refRE match), the last definition in the body
// (incremental updates append), else from a compressed object stream; nil when not found.
func findObj(b []byte, ref [][]byte) []byte {
	if ref == nil {
		return nil
	}
	num, gen := string(ref[1]), string(ref[2])
	re := regexp.MustCompile(`(?:^|[^\d])` + num + `\s+` + gen + `\s+obj\s*`)
	if locs := re.FindAllIndex(b, -1); locs != nil {
		return dictAt(b[locs[len(locs)-1][1]:])
	}
	if gen != "0" {
		return nil
	}
	for _, loc := range objStmRE.FindAllIndex(b, -1) {
		d := dictAt(b[loc[1]-2:])
		if d == nil || !bytes.Contains(d, []byte("/ObjStm")) || !bytes.Contains(d, []byte("/FlateDecode")) {
			continue
		}
		if o := fromObjStm(b[loc[1]-2+len(d):], d, num); o != nil {
			return o
		}
	}
	return nil
}

// fromObjStm looks for object num in the object stream with dictionary d whose data follows at rest.
func fromObjStm(rest, d []byte, num string) []byte {
	first := regexp.MustCompile(`/First\s+(\d{1,7})`).FindSubmatch(d)
	s := bytes.Index(rest, []byte("stream"))
	if first == nil || s < 0 || s > 16 {
		return nil
	}
	data := bytes.TrimLeft(rest[s+len("stream"):], "\r")
	data = bytes.TrimPrefix(data, []byte("\n"))
	if e := bytes.Index(data, []byte("endstream")); e >= 0 {
		data = data[:e]
	}
	zr, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil
	}
	defer zr.Close()
	plain, _ := io.ReadAll(io.LimitReader(zr, maxObjStm)) // a truncated stream still yields its start
	f, _ := strconv.Atoi(string(first[1]))
	if f > len(plain) {
		return nil
	}
	ints := intRE.FindAll(plain[:f], -1)
	for i := 0; i+1 < len(ints); i += 2 {
		if string(ints[i]) != num {
			continue
		}
		o, _ := strconv.Atoi(string(ints[i+1]))
		if f+o < len(plain) {
			return dictAt(plain[f+o:])
		}
	}
	return nil
}
