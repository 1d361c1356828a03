package session

import (
	"context"
	"image"
	"time"

	"github.com/tramso/tramso/kiosk/catalog"
	"github.com/tramso/tramso/kiosk/identity"
)

// The session's collaborators. Each is the smallest interface the flow needs; kioskd passes the real
// drivers (or the same drivers talking to simulators at the far end of real transports).

// CodeReader yields QR codes shown to the scanner. Forget drops the last code it remembers (kept
// to collapse repeated reads), so nothing of a citizen stays and the next citizen's scan counts.
type CodeReader interface {
	Next(ctx context.Context) (string, error)
	Forget()
}

// CardReader reads and verifies the citizen's chip card with a key. It calls p.Present once the
// card is on the reader and the read begins, and p.Identified once the identity files are read
// and check out, before the face and chip authentication (identity.Options.OnIdentity).
type CardReader interface {
	ReadCard(ctx context.Context, key identity.Key, p identity.Progress) (*identity.Result, error)
}

// Scanner scans the paper on the glass or in the feeder.
type Scanner interface {
	// Scan scans every sheet, handing each page to page as soon as it is decoded, so that a page's
	// full decode need not outlive its preparation. It stops at the first error page returns. The
	// pages handed over before a scanner error (a jam after two sheets) stay handed over.
	Scan(ctx context.Context, page func(Page) error) error
}

// Page is one scanned page, as decoded.
type Page struct {
	Image image.Image
	DPI   int
}

// Digitizer works each scanned page once: at scan time it preprocesses it (quality checks), makes
// the preview the citizen checks and takes a quick look at what paper it is; later, in the
// background, it OCRs the prepared pages of a document into a searchable PDF and reads the form
// fields off them (looked for by the labels of the procedure's fields).
type Digitizer interface {
	// Prepare works one scanned page; first says it is the first page of its document (its top is
	// read for the document's title). The page's image is not used after Prepare returns. An error
	// means the page could not be read at all (its message is shown to the citizen).
	Prepare(ctx context.Context, page Page, first bool) (*Prepared, error)
	// Digitize OCRs a document's prepared pages and writes its PDF; done is called with the number
	// of pages finished after each page.
	Digitize(ctx context.Context, title string, pages []*Prepared, fields []catalog.Field, done func(pages int)) (*Digitized, error)
}

// Prepared is a scanned page worked once.
type Prepared struct {
	Preview    image.Image // a small image of the page as it lies on the glass, for the screen
	Quality    []Quality   // problems the citizen can fix by scanning again
	Blank      bool        // nothing printed on the page
	UpsideDown bool        // the page was scanned upside down (the PDF has it upright)
	MRZ        bool        // a machine-readable zone was read on the page
	// Head is the text read in the top band of a document's first page (empty on other pages), for
	// catalog.Recognise. It is personal data: never logged.
	Head string
	// Work is the digitizer's own data for the page (the cleaned, binarised page), handed back to
	// Digitize.
	Work PageWork
}

// PageWork is what a Digitizer keeps of a prepared page; Clear overwrites it (the session is wiped).
type PageWork interface{ Clear() }

// Digitized is one document ready for the dossier.
type Digitized struct {
	PDF    []byte
	Pages  int
	Fields map[string]Field // recognised fields by form key
}

// Field is a recognised form value with the recogniser's confidence (0…1).
type Field struct {
	Value      string
	Confidence float64
}

// Outbox commits a dossier durably and delivers it to the central system.
type Outbox interface {
	// Submit commits the dossier before returning (the citizen may then be told it was received)
	// and waits at most wait for the central system to issue the official dossier code.
	Submit(ctx context.Context, d *Dossier, wait time.Duration) (*Submitted, error)
}

// Submitted is what the outbox says about a committed dossier.
type Submitted struct {
	ID          string // the outbox's local id
	DossierCode string // official code, or a provisional reference when the central system has not answered
	Provisional bool
	ReceivedAt  time.Time
	LookupURL   string
	// FeeOwed is set by the session when the citizen left without paying the fee: the receipt
	// says it is owed and carries its VietQR.
	FeeOwed *FeeOwed
}

// Receipts prints the citizen's receipt.
type Receipts interface {
	PrintReceipt(ctx context.Context, d *Dossier, s *Submitted) error
}

// Dossier is what the citizen submits.
type Dossier struct {
	ProcedureCode string
	ProcedureName string
	Applicant     identity.Citizen
	PassiveAuth   string
	Fields        map[string]string
	Documents     []DossierDocument
	Consent       bool
	CapturedAt    time.Time
}

// DossierDocument is one digitised paper.
type DossierDocument struct {
	Type      string
	Name      string
	PDF       []byte
	Pages     int // pages in the PDF, as the kiosk scanned them
	Originals int
	Copies    int
	// Mismatch is set when the citizen kept pages that did not look like this document.
	Mismatch *Mismatch
}

// Mismatch is why a kept scan did not look like its document, for staff to check.
type Mismatch struct {
	Code      string // paper_mismatch, blank_page or upside_down
	LooksLike string // paper_mismatch: the document type the paper looks like
	Page      int    // the page (1-based) that raised it
}
