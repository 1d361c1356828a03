package session

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tramso/tramso/drivers/scanner"
	"github.com/tramso/tramso/kiosk/api/wire"
)

// The documents step: for each document of the checklist, the citizen places the paper, scans,
// checks the preview (warned when it looks like another paper) and accepts, rescans, keeps or
// skips it. An accepted document is digitised in the background while the next is scanned.

// actDocuments applies an action on the current document's screen.
func (s *session) actDocuments(a Action) error {
	d := s.docs[s.current]
	switch a.Action {
	case wire.ActScan:
		if s.step != wire.StepPlace && s.step != wire.StepPreview {
			return ErrNotNow
		}
		s.startScan(d)
		return nil
	case wire.ActRescan:
		if s.step != wire.StepPreview || d.status == wire.DocSkipped {
			return ErrNotNow
		}
		if d.status == wire.DocProcessing {
			s.jobsLeft-- // its OCR result will be dropped; the pixels are still being read
			d.job++
		} else {
			clearPages(d.pages)
		}
		d.pages, d.quality, d.result, d.status = nil, nil, nil, wire.DocMissing
		d.mismatch, d.why, d.kept = nil, Mismatch{}, false
		s.step, s.message = wire.StepPlace, nil
		return nil
	case wire.ActAccept, wire.ActKeep:
		if s.step != wire.StepPreview || len(d.pages) == 0 || d.pages[len(d.pages)-1].Preview == nil {
			return ErrNotNow // nothing the citizen could have seen
		}
		if d.mismatch != nil && !d.kept {
			if a.Action == wire.ActAccept {
				return invalid("trang vừa quét không giống giấy tờ cần nộp: hãy chọn Quét lại hoặc Vẫn dùng trang này",
					"the page does not look like the document asked for: choose Scan again or Keep this page")
			}
			d.kept = true
		} else if a.Action == wire.ActKeep {
			return ErrNotNow // nothing to keep despite: accept
		}
		s.digitize(s.current)
		s.nextDocument()
		return nil
	case wire.ActSkip:
		if d.def.Required || s.step == wire.StepScanning {
			return invalid("giấy tờ này bắt buộc", "this document is required")
		}
		d.status = wire.DocSkipped
		s.nextDocument()
		return nil
	case wire.ActBack:
		if s.step == wire.StepScanning {
			return ErrNotNow
		}
		if s.current > 0 {
			s.current--
			s.step = wire.StepPlace
			if len(s.docs[s.current].pages) > 0 {
				s.step = wire.StepPreview // accept again or scan again
			}
			return nil
		}
		s.state = wire.ChooseProcedure
		return nil
	}
	return ErrNotNow
}

// startScan scans (more) pages for document d. Each page is worked once as it comes off the
// scanner (preprocessing, quality checks, preview, a look at what paper it is); its decode is
// dropped at once.
func (s *session) startScan(d *doc) {
	s.step, s.message = wire.StepScanning, nil
	s.waitSeq++
	wait, ctx, have, m := s.waitSeq, s.ctx, len(d.pages), s.m
	go func() {
		var pages []*Prepared
		var unreadable []string
		n := 0
		err := m.dev.Scanner.Scan(ctx, func(p Page) error {
			n++
			pp, err := m.dev.Digitizer.Prepare(ctx, p, have+len(pages) == 0)
			clearImage(p.Image)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err != nil {
				// The page only: err's text is for the journal, never pasted into the citizen's words.
				unreadable = append(unreadable, fmt.Sprintf("trang %d", have+n))
				return nil // the other pages are unaffected
			}
			pages = append(pages, pp)
			return nil
		})
		m.post(scanEvent{wait, pages, unreadable, err})
	}()
}

// scanMessage words a scanner error for the citizen. The driver's error text is not shown: it
// carries the device's own status names (ScannerAdfJam), which mean nothing to a citizen.
func scanMessage(err error) *Message {
	m := &Message{Code: "scan_failed", Retry: true}
	switch {
	case errors.Is(err, scanner.ErrJammed):
		m.Vi = "Giấy bị kẹt trong khay nạp. Hãy gỡ tờ giấy bị kẹt rồi bấm Quét lại."
		m.En = "Paper is jammed in the feeder. Remove the jammed sheet and tap Scan again."
	case errors.Is(err, scanner.ErrADFEmpty):
		m.Vi = "Khay nạp giấy đang trống. Hãy đặt giấy vào khay hoặc lên mặt kính rồi bấm Quét lại."
		m.En = "The feeder is empty. Put the paper in the feeder or on the glass and tap Scan again."
	case errors.Is(err, scanner.ErrCoverOpen):
		m.Vi = "Nắp máy quét đang mở. Hãy đóng nắp rồi bấm Quét lại."
		m.En = "The scanner cover is open. Close it and tap Scan again."
	case errors.Is(err, scanner.ErrBusy):
		m.Vi = "Máy quét đang bận. Vui lòng đợi một lát rồi bấm Quét lại."
		m.En = "The scanner is busy. Please wait a moment and tap Scan again."
	case errors.Is(err, scanner.ErrBadImage):
		m.Vi = "Không đọc được ảnh quét. Hãy đặt lại giấy rồi bấm Quét lại."
		m.En = "The scan could not be read. Place the paper again and tap Scan again."
	case errors.Is(err, scanner.ErrNoDevice), errors.Is(err, scanner.ErrAccessDenied):
		m.Retry = false
		m.Vi = "Máy quét đang gặp sự cố. Vui lòng liên hệ cán bộ tại quầy."
		m.En = "The scanner has a problem. Please ask the staff at the counter."
	default:
		m.Vi = "Máy quét gặp sự cố. Kiểm tra giấy rồi bấm Quét lại; nếu vẫn lỗi, hãy liên hệ cán bộ."
		m.En = "The scanner had a problem. Check the paper and tap Scan again; if it persists, ask the staff."
	}
	return m
}

// onScan takes the pages scanned for the current document (kept even when the scanner failed
// after them), or tells the citizen why none came.
func (s *session) onScan(pages []*Prepared, unreadable []string, err error) {
	d := s.docs[s.current]
	if err != nil && len(pages) > 0 && !errors.Is(err, context.Canceled) {
		err = nil // the pages scanned before a jam are kept; the citizen sees them and may scan on
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return
		}
		s.step = wire.StepPlace
		if len(d.pages) > 0 {
			s.step = wire.StepPreview
		}
		s.message = scanMessage(err)
		return
	}
	if len(pages) == 0 {
		s.step = wire.StepPlace
		if len(d.pages) > 0 {
			s.step = wire.StepPreview
		}
		s.message = msg("scan_empty", "Không có trang nào được quét. Hãy đặt giấy lên mặt kính rồi bấm Quét.",
			"No page was scanned. Place the paper on the glass and tap Scan.")
		if len(unreadable) > 0 {
			s.message = &Message{Code: "scan_unreadable", Retry: true,
				Vi: "Không đọc được ảnh quét (" + strings.Join(unreadable, "; ") + "). Hãy đặt lại giấy rồi bấm Quét.",
				En: "The scan could not be read. Place the paper again and tap Scan."}
		}
		return
	}
	if d.status == wire.DocProcessing {
		s.jobsLeft-- // more pages: the running OCR job is superseded
		d.job++
	}
	have := len(d.pages)
	d.pages = append(d.pages, pages...)
	for i, p := range pages {
		for _, q := range p.Quality {
			q.Message = fmt.Sprintf("trang %d: %s", have+i+1, q.Message)
			d.quality = append(d.quality, q)
		}
	}
	for _, u := range unreadable {
		d.quality = append(d.quality, Quality{Code: "unreadable", Message: u + ": không đọc được ảnh quét (unreadable scan)"})
	}
	d.status, d.result = wire.DocScanned, nil
	s.step, s.message = wire.StepPreview, nil
	if d.mismatch == nil || d.kept {
		if m, why := s.classify(d, pages, have); m != nil {
			d.mismatch, d.why, d.kept = m, why, false
		}
	}
	s.message = d.mismatch
	if d.kept {
		s.message = nil
	}
}

// classify tells whether pages, just scanned for document d after its first have pages, look like
// another paper: the first page's title names another document of the catalogue, a page is blank,
// a page lay upside down. It returns the warning for the citizen and the mark for staff, or nil.
func (s *session) classify(d *doc, pages []*Prepared, have int) (*Message, Mismatch) {
	cat := s.m.catalog()
	if have == 0 && cat.Identifies(d.def.Type) {
		if rec := cat.Recognise(pages[0].Head, pages[0].MRZ); rec.Type != "" && rec.Type != d.def.Type {
			name := s.documentName(rec.Type)
			return &Message{Code: "paper_mismatch", Retry: true,
					Vi: "Trang này giống " + name + ", không phải giấy tờ đang cần. Hãy quét lại đúng giấy, hoặc chọn Vẫn dùng trang này.",
					En: "This page looks like another document. Scan the right one, or keep this page."},
				Mismatch{Code: "paper_mismatch", LooksLike: rec.Type, Page: 1}
		}
	}
	for i, p := range pages {
		if p.Blank {
			return &Message{Code: "blank_page", Retry: true,
					Vi: fmt.Sprintf("Trang %d để trắng: có thể giấy bị đặt ngửa. Hãy úp mặt có chữ xuống rồi quét lại, hoặc chọn Vẫn dùng trang này.", have+i+1),
					En: fmt.Sprintf("Page %d is blank: the paper may be face up. Put the printed side down and scan again, or keep this page.", have+i+1)},
				Mismatch{Code: "blank_page", Page: have + i + 1}
		}
	}
	for i, p := range pages {
		if p.UpsideDown {
			return &Message{Code: "upside_down", Retry: true,
					Vi: fmt.Sprintf("Trang %d bị đặt ngược đầu. Hãy xoay giấy cho đúng chiều rồi quét lại, hoặc chọn Vẫn dùng trang này.", have+i+1),
					En: fmt.Sprintf("Page %d was upside down. Turn the paper the right way and scan again, or keep this page.", have+i+1)},
				Mismatch{Code: "upside_down", Page: have + i + 1}
		}
	}
	return nil, Mismatch{}
}

// documentName is how the catalogue names document type t: the current procedure's name for it,
// else the first procedure that asks for it.
func (s *session) documentName(t string) string {
	for _, d := range s.proc.Documents {
		if d.Type == t {
			return d.Name
		}
	}
	for _, p := range s.m.catalog().Procedures {
		for _, d := range p.Documents {
			if d.Type == t {
				return d.Name
			}
		}
	}
	return t
}

// digitize sends document i's pages to be digitised in the background under a new job number.
func (s *session) digitize(i int) {
	d := s.docs[i]
	if d.status != wire.DocProcessing {
		s.jobsLeft++
	}
	d.status, d.progress, d.result = wire.DocProcessing, 0, nil
	d.job++
	citizen, job, ctx, pages, title, fields, m := s.citizenSeq, d.job, s.ctx, d.pages, d.def.Name, s.proc.Fields, s.m
	go func() {
		res, err := m.dev.Digitizer.Digitize(ctx, title, pages, fields, func(n int) {
			m.post(progressEvent{citizen, i, job, n})
		})
		m.post(digitizedEvent{citizen, i, job, res, err})
	}()
}

// onDigitized takes document i's digitised PDF and fields; a failure sends the citizen back to
// scan it again when the form was waiting for it.
func (s *session) onDigitized(i int, res *Digitized, err error) {
	s.jobsLeft--
	d := s.docs[i]
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return
		}
		d.status, d.errMsg = wire.DocFailed, err.Error()
		if s.state == wire.Review {
			s.current, s.state, s.step = i, wire.Documents, wire.StepPreview
			s.message = msg("digitize_failed", "Không xử lý được giấy tờ này, hãy quét lại.",
				"This document could not be processed; please scan it again.")
		}
		return
	}
	d.status, d.result, d.progress = wire.DocDone, res, 1
	if s.state == wire.Review {
		s.mergeOCR()
		if s.jobsLeft == 0 {
			s.step = wire.StepEditing
		}
	}
}

// nextDocument moves to the first document still to scan, or to the review when none is left.
func (s *session) nextDocument() {
	s.message = nil
	for i := range s.docs {
		if s.docs[i].status == wire.DocMissing || s.docs[i].status == wire.DocFailed {
			s.current, s.step = i, wire.StepPlace
			return
		}
	}
	s.enterReview()
}
