package dossier

import (
	"bytes"
	"regexp"
)

// pageObjRE matches a page object's type entry (/Type /Page, not /Pages).
var pageObjRE = regexp.MustCompile(`/Type\s*/Page([^s\w]|$)`)

// PDFPages checks that b is a PDF and counts its page objects. It is a plausibility check made at
// capture (the PDFs come from the kiosk's own writer), not a PDF parser: objects inside compressed
// object streams are not seen, so 0 pages is reported as such rather than as an error.
func PDFPages(b []byte) (int, error) {
	head := b[:min(len(b), 1024)]
	if !bytes.Contains(head, []byte("%PDF-")) {
		return 0, ErrNotPDF
	}
	return len(pageObjRE.FindAllIndex(b, -1)), nil
}
