// Package daemon is kioskd: it opens the configured devices (or starts their simulators), runs the
// citizen session machine, the outbox uploader and the local API, and reports to systemd.
package daemon

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/tramso/tramso/drivers/codereader"
	"github.com/tramso/tramso/drivers/escpos"
	"github.com/tramso/tramso/drivers/mrtd/lds"
	"github.com/tramso/tramso/drivers/scanner"
	"github.com/tramso/tramso/internal/lowprio"
	"github.com/tramso/tramso/kiosk/identity"
	"github.com/tramso/tramso/kiosk/receipt"
	"github.com/tramso/tramso/kiosk/session"
)

// qrReader adapts the serial QR scanner to the session.
type qrReader struct{ r *codereader.Reader }

func (q qrReader) Forget() { q.r.Forget() }

func (q qrReader) Next(ctx context.Context) (string, error) {
	s, err := q.r.Next(ctx)
	if err != nil {
		return "", err
	}
	return s.Payload, nil
}

// cardReader opens the configured reader for each read, so a reader that was unplugged and plugged
// back works again without restarting kioskd.
type cardReader struct {
	device string
	trust  *lds.TrustStore
	// busy holds a token while the reader is open, so the self-test never opens it under a
	// citizen's read (nil: no such guard).
	busy chan struct{}
}

// acquire takes the reader for the caller; release gives it back.
func (c cardReader) acquire(ctx context.Context) (release func(), err error) {
	if c.busy == nil {
		return func() {}, nil
	}
	select {
	case c.busy <- struct{}{}:
		return func() { <-c.busy }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// tryAcquire takes the reader only if nobody holds it.
func (c cardReader) tryAcquire() (release func(), ok bool) {
	if c.busy == nil {
		return func() {}, true
	}
	select {
	case c.busy <- struct{}{}:
		return func() { <-c.busy }, true
	default:
		return nil, false
	}
}

func (c cardReader) ReadCard(ctx context.Context, key identity.Key, present func()) (*identity.Result, error) {
	release, err := c.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	rd, err := identity.OpenReader(ctx, c.device)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	tr, err := rd.WaitForCard(ctx)
	if err != nil {
		return nil, err
	}
	present()
	return identity.Read(ctx, tr, key, identity.Options{Trust: c.trust})
}

// receiptPrinter lays out and prints receipts; it keeps the last job of each dossier so staff can
// reprint after a printer fault.
type receiptPrinter struct {
	device  string
	profile escpos.Profile
	fonts   *escpos.Fonts
	kiosk   KioskInfo

	mu sync.Mutex // one job at a time on the printer
}

// KioskInfo is what receipts say about the kiosk.
type KioskInfo struct {
	ID, UnitCode, UnitName, LookupURL, Hotline string
	Location                                   *time.Location // receipts are written in the kiosk's zone
}

// lookupURL fills {code} in the configured template.
func (k KioskInfo) lookupURL(code string) string {
	if k.LookupURL == "" {
		return "https://dichvucong.gov.vn/p/home/dvc-tra-cuu-ho-so.html?ma=" + code
	}
	return strings.ReplaceAll(k.LookupURL, "{code}", code)
}

// receiptFor builds the receipt of a submitted dossier.
func (p *receiptPrinter) receiptFor(d *session.Dossier, s *session.Submitted, processing string, days int) *receipt.Receipt {
	r := &receipt.Receipt{
		Unit: p.kiosk.UnitName, DossierCode: s.DossierCode, Provisional: s.Provisional,
		Applicant: receipt.Applicant{Name: d.Applicant.FullName, IDNumber: d.Applicant.IDNumber,
			Address: d.Applicant.PlaceOfResidence, Phone: d.Fields["phone"]},
		Procedure:      receipt.Procedure{Code: d.ProcedureCode, Name: d.ProcedureName},
		ReceivedAt:     s.ReceivedAt.In(p.kiosk.Location).Format(time.RFC3339),
		AppointmentAt:  appointment(s.ReceivedAt.In(p.kiosk.Location), days).Format(time.RFC3339),
		ResultDelivery: "Nhận trực tiếp tại Bộ phận Một cửa",
		LookupURL:      p.kiosk.lookupURL(s.DossierCode),
		KioskID:        p.kiosk.ID,
		ProcessingTime: processing,
		Hotline:        p.kiosk.Hotline,
	}
	for _, doc := range d.Documents {
		r.Documents = append(r.Documents, receipt.Document{Name: doc.Name, Originals: doc.Originals, Copies: doc.Copies})
	}
	return r
}

// appointment is the result date: the same working day at 16:30 for procedures settled the same day,
// otherwise after the given number of working days (Monday to Friday) at 15:00.
func appointment(received time.Time, workingDays int) time.Time {
	t := received
	if workingDays == 0 {
		end := time.Date(t.Year(), t.Month(), t.Day(), 16, 30, 0, 0, t.Location())
		if t.Before(end) && t.Weekday() != time.Saturday && t.Weekday() != time.Sunday {
			return end
		}
		workingDays = 1
	}
	for workingDays > 0 {
		t = t.AddDate(0, 0, 1)
		if t.Weekday() != time.Saturday && t.Weekday() != time.Sunday {
			workingDays--
		}
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 15, 0, 0, 0, t.Location())
}

// print renders and prints a receipt; the error says whether anything came out.
func (p *receiptPrinter) print(ctx context.Context, r *receipt.Receipt) error {
	if err := r.Validate(); err != nil {
		return err
	}
	job, err := escpos.Compile(receipt.Layout(r, p.profile), p.profile, p.fonts)
	if err != nil {
		return err
	}
	return p.printJob(ctx, job.Data)
}

// printJob sends one job to the printer, one job at a time.
func (p *receiptPrinter) printJob(ctx context.Context, job []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	pr, err := escpos.Open(p.device, p.profile)
	if err != nil {
		return fmt.Errorf("không mở được máy in (cannot open the printer): %w", err)
	}
	defer pr.Close()
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	_, err = pr.Print(ctx, job)
	return err
}

// status asks the printer for its status.
func (p *receiptPrinter) status(ctx context.Context) (escpos.Status, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pr, err := escpos.Open(p.device, p.profile)
	if err != nil {
		return escpos.Status{}, err
	}
	defer pr.Close()
	return pr.Status(ctx)
}

// docScanner adapts the document scanner to the session: one tap scans what is on the glass (or
// every sheet in the feeder).
type docScanner struct {
	s    scanner.Scanner
	opts scanner.Options
}

// Scan scans every sheet in the feeder (or the glass). Decoding the pages is heavy: it runs below
// the touchscreen's priority (lowprio) like the rest of the page work.
func (d docScanner) Scan(ctx context.Context) ([]session.Page, error) {
	var pages []scanner.Page
	var err error
	lowprio.Run(func() { pages, err = scanner.ScanAll(ctx, d.s, d.opts) })
	out := make([]session.Page, 0, len(pages))
	for _, p := range pages {
		out = append(out, session.Page{Image: p.Image, DPI: p.DPI})
	}
	if err != nil && len(out) == 0 {
		return nil, err
	}
	return out, nil // pages scanned before a jam or an empty feeder are kept
}
