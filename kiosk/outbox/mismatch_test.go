package outbox_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tramso/tramso/kiosk/dossier"
	"github.com/tramso/tramso/kiosk/outbox"
)

// The kiosk passes the page count it scanned and the wrong-paper mark: both reach the manifest,
// the mark reaches the audit trail for staff, and a PDF from outside is still counted.
func TestCapturePagesAndMismatch(t *testing.T) {
	s := open(t, t.TempDir(), outbox.Options{})
	ctx := context.Background()
	files := newFiles(1000)
	files[1].Pages = 3 // the kiosk scanned three pages (the PDF's own tree says 1)
	files[1].Mismatch = &dossier.Mismatch{Code: dossier.MismatchPaper, LooksLike: "giay-to-tuy-than", Page: 1}
	e, err := s.Capture(ctx, newDossier(), files, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Reprint(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	a := r.Dossier.Attachments
	if a[0].Pages != 1 || a[0].Mismatch != nil {
		t.Errorf("outside PDF: %d pages, mark %+v; want 1 counted from the PDF, none", a[0].Pages, a[0].Mismatch)
	}
	if a[1].Pages != 3 || a[1].Mismatch == nil || *a[1].Mismatch != *files[1].Mismatch {
		t.Errorf("kiosk PDF: %d pages, mark %+v", a[1].Pages, a[1].Mismatch)
	}
	audit, _ := s.Audit(ctx, e.ID)
	if len(audit) == 0 || !strings.Contains(audit[0].Note, "giay-chung-sinh: paper_mismatch → giay-to-tuy-than") {
		t.Fatalf("audit %+v", audit)
	}
	assertNoPersonalData(t, "audit note", audit[0].Note)

	// A dossier whose papers all matched carries no note; a known count does not excuse a non-PDF.
	e, err = s.Capture(ctx, newDossier(), newFiles(1000), nil)
	if err != nil {
		t.Fatal(err)
	}
	if audit, _ := s.Audit(ctx, e.ID); audit[0].Note != "" {
		t.Errorf("note on a dossier without mismatch: %q", audit[0].Note)
	}
	_, err = s.Capture(ctx, newDossier(), []outbox.File{{Type: "to-khai", Name: "x", Data: []byte("GIF89a"), Pages: 1}}, nil)
	if !errors.Is(err, dossier.ErrNotPDF) {
		t.Fatalf("non-PDF with a page count: %v", err)
	}
}
