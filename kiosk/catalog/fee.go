package catalog

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tramso/tramso/kiosk/api/wire"
)

// The machine-readable fee of a procedure, next to the words shown to people (Procedure.Fee). A
// procedure has at most one of: a fixed amount per dossier (Procedure.FeeVND) or a per-page rule
// (Procedure.FeePages). Neither means the catalogue does not put a number on it: the procedure is
// free ("Miễn lệ phí"), or the amount is the province's to set ("Theo nghị quyết của HĐND tỉnh") and
// central decides.

// PageFee is a fee counted by the page of each copy, capped per copy, as the certified copy's
// "2.000 đồng/trang cho trang 1–2, 1.000 đồng/trang từ trang 3, tối đa 200.000 đồng/bản".
type PageFee struct {
	// Document is the document type whose pages are counted: the pages of one copy.
	Document string `json:"document"`
	// FirstPages pages of each copy cost FirstVND each; the pages after them cost NextVND each.
	FirstPages int   `json:"firstPages"`
	FirstVND   int64 `json:"firstVnd"`
	NextVND    int64 `json:"nextVnd"`
	// MaxPerCopyVND caps the fee of one copy; 0 = no cap.
	MaxPerCopyVND int64 `json:"maxPerCopyVnd,omitempty"`
	// CopiesField is the key of the form field (kind number) giving how many copies are asked
	// for; "" or a value that is not a positive number means one copy.
	CopiesField string `json:"copiesField,omitempty"`
}

// Fee limits: no administrative fee comes near them; they keep the arithmetic far from overflow.
const (
	maxFeeVND    = 1_000_000_000 // one fee, or one page's price
	maxFeeCopies = 1000          // copies counted from the form
)

// PerCopy returns the fee of one copy of pages pages.
func (f *PageFee) PerCopy(pages int) int64 {
	if pages <= 0 {
		return 0
	}
	first := min(pages, f.FirstPages)
	v := int64(first)*f.FirstVND + int64(pages-first)*f.NextVND
	if f.MaxPerCopyVND > 0 && v > f.MaxPerCopyVND {
		v = f.MaxPerCopyVND
	}
	return v
}

// copies reads the number of copies from the form's values: one when the field is not set, or
// its value is not a positive number.
func (f *PageFee) copies(fields map[string]string) int {
	if f.CopiesField == "" {
		return 1
	}
	n, err := strconv.Atoi(strings.TrimSpace(fields[f.CopiesField]))
	if err != nil || n < 1 {
		return 1
	}
	return min(n, maxFeeCopies)
}

// check refuses a rule that cannot be applied to procedure p.
func (f *PageFee) check(p *Procedure) error {
	switch {
	case f.FirstPages < 0 || f.FirstVND < 0 || f.NextVND < 0 || f.MaxPerCopyVND < 0:
		return fmt.Errorf("%w: %s: feePages: số âm (negative number)", ErrInvalid, p.Code)
	case f.FirstVND > maxFeeVND || f.NextVND > maxFeeVND || f.MaxPerCopyVND > maxFeeVND || f.FirstPages > maxFeeCopies:
		return fmt.Errorf("%w: %s: feePages: số quá lớn (number too large)", ErrInvalid, p.Code)
	case f.FirstVND == 0 && f.NextVND == 0:
		return fmt.Errorf("%w: %s: feePages: không trang nào có giá (no page has a price)", ErrInvalid, p.Code)
	case f.FirstPages == 0 && f.FirstVND > 0:
		return fmt.Errorf("%w: %s: feePages: có giá trang đầu mà không có số trang đầu (firstVnd without firstPages)", ErrInvalid, p.Code)
	case f.MaxPerCopyVND > 0 && (f.MaxPerCopyVND < f.FirstVND || f.MaxPerCopyVND < f.NextVND):
		return fmt.Errorf("%w: %s: feePages: mức tối đa thấp hơn giá một trang (cap below the price of a page)", ErrInvalid, p.Code)
	}
	found := false
	for _, d := range p.Documents {
		found = found || d.Type == f.Document
	}
	if !found {
		return fmt.Errorf("%w: %s: feePages: thủ tục không có loại giấy tờ %q (no such document type)", ErrInvalid, p.Code, f.Document)
	}
	if f.CopiesField != "" && kindOf(p.Fields, f.CopiesField) != wire.FieldNumber {
		return fmt.Errorf("%w: %s: feePages: %q không phải một trường số của biểu mẫu (not a number field of the form)", ErrInvalid, p.Code, f.CopiesField)
	}
	return nil
}

// checkFee refuses a machine-readable fee that is negative, doubled, unexplained or unusable.
func checkFee(p *Procedure) error {
	switch {
	case p.FeeVND < 0:
		return fmt.Errorf("%w: %s: feeVnd âm (negative fee)", ErrInvalid, p.Code)
	case p.FeeVND > maxFeeVND:
		return fmt.Errorf("%w: %s: feeVnd quá lớn (fee too large)", ErrInvalid, p.Code)
	case p.FeeVND > 0 && p.FeePages != nil:
		return fmt.Errorf("%w: %s: vừa có feeVnd vừa có feePages (both a fixed and a per-page fee)", ErrInvalid, p.Code)
	case (p.FeeVND > 0 || p.FeePages != nil) && strings.TrimSpace(p.Fee) == "":
		return fmt.Errorf("%w: %s: có số tiền mà không có lời mô tả lệ phí (an amount without the words shown to people)", ErrInvalid, p.Code)
	}
	if p.FeePages != nil {
		return p.FeePages.check(p)
	}
	return nil
}

// PagedDocument is what the fee needs of a document in a dossier: its type and page count.
type PagedDocument struct {
	Type  string
	Pages int
}

// Assess returns the fee the catalogue's rule puts on a dossier of the procedure, from its
// documents and form values (fields); ok is false when the catalogue puts no number on it (free,
// or central decides). With the per-page rule, each document of the counted type is one copy's
// pages, times the copies the form asks for.
func (p *Procedure) Assess(docs []PagedDocument, fields map[string]string) (vnd int64, ok bool) {
	switch {
	case p.FeeVND > 0:
		return p.FeeVND, true
	case p.FeePages == nil:
		return 0, false
	}
	f := p.FeePages
	n := int64(f.copies(fields))
	for _, d := range docs {
		if d.Type == f.Document {
			vnd += n * f.PerCopy(min(d.Pages, maxFeeCopies))
		}
	}
	return vnd, true
}
