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

// CardReader reads and verifies the citizen's chip card with a key. It calls present once the card
// is on the reader and the read begins.
type CardReader interface {
	ReadCard(ctx context.Context, key identity.Key, present func()) (*identity.Result, error)
}

// Scanner scans the paper on the glass or in the feeder.
type Scanner interface {
	Scan(ctx context.Context) ([]Page, error)
}

// Page is one scanned page.
type Page struct {
	Image image.Image
	DPI   int
}

// Digitizer turns the scanned pages of one document into a searchable PDF, with quality checks and
// the form fields it recognised (looked for by the labels of the procedure's fields).
type Digitizer interface {
	Check(ctx context.Context, page Page) []Quality
	Digitize(ctx context.Context, title string, pages []Page, fields []catalog.Field) (*Digitized, error)
}

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
	Pages     int
	Originals int
	Copies    int
}
