package dossier

import (
	"bytes"
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
