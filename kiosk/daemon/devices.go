// Package daemon is kioskd: it opens the configured devices (or starts their simulators), runs the
// citizen session machine, the outbox uploader and the local API, and reports to systemd.
package daemon

import (
	"context"
	"errors"
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

func (c cardReader) ReadCard(ctx context.Context, key identity.Key, p identity.Progress) (*identity.Result, error) {
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
	if p.Present != nil {
		p.Present()
	}
	return identity.Read(ctx, tr, key, identity.Options{Trust: c.trust, OnIdentity: p.Identified})
}

// receiptPrinter lays out and prints receipts; it keeps the last job of each dossier so staff can
// reprint after a printer fault.
type receiptPrinter struct {
	device  string
	profile escpos.Profile
	fonts   *escpos.Fonts
	kiosk   KioskInfo

	mu   sync.Mutex        // one job at a time on the printer
	mode escpos.StatusMode // what the printer answers, learned by probing and kept across opens
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

// open opens the printer with what earlier probes learned of it. The caller holds p.mu.
func (p *receiptPrinter) open() (*escpos.Printer, error) {
	pr, err := escpos.Open(p.device, p.profile)
	if err != nil {
		return nil, err
	}
	pr.Learn(p.mode)
	return pr, nil
}

// keep remembers what pr learned of the printer. The caller holds p.mu.
func (p *receiptPrinter) keep(pr *escpos.Printer) {
	if !pr.Forced() {
		p.mode = pr.Mode()
	}
}

// printJob sends one job to the printer, one job at a time. A job sent whole to a printer that
// cannot confirm it (no back channel) is reported as escpos.ErrUnconfirmed, never as printed;
// a job that failed is an *escpos.PrintError.
func (p *receiptPrinter) printJob(ctx context.Context, job []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	pr, err := p.open()
	if err != nil {
		return fmt.Errorf("không mở được máy in (cannot open the printer): %w", err)
	}
	defer pr.Close()
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	res, err := pr.Print(ctx, job)
	p.keep(pr)
	if err == nil && res.Outcome == escpos.SentUnconfirmed {
		return escpos.ErrUnconfirmed
	}
	return err
}

// status asks the printer for its status; the first time it answers ready, it is also probed for
// what it answers (GS r), which is kept.
func (p *receiptPrinter) status(ctx context.Context) (escpos.Status, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pr, err := p.open()
	if err != nil {
		return escpos.Status{}, err
	}
	defer pr.Close()
	st, err := pr.Status(ctx)
	if err == nil && st.OK() && pr.Mode() == escpos.StatusAuto {
		if _, err := pr.Probe(ctx); err == nil {
			p.keep(pr)
		}
	}
	return st, err
}

// probe finds out afresh what the printer answers (the self-test), keeps it, and returns it with
// the status when the printer gave one.
func (p *receiptPrinter) probe(ctx context.Context) (escpos.StatusMode, *escpos.Status, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pr, err := escpos.Open(p.device, p.profile)
	if err != nil {
		return escpos.StatusAuto, nil, err
	}
	defer pr.Close()
	if pr.Mode() == escpos.StatusNone {
		return escpos.StatusNone, nil, nil // the address says so: nothing to ask
	}
	st, err := pr.Status(ctx)
	if err != nil {
		if errors.Is(err, escpos.ErrNoReply) && !pr.Forced() {
			p.mode = escpos.StatusNone
		}
		return pr.Mode(), nil, err
	}
	mode := pr.Mode()
	if !pr.Forced() {
		if mode, err = pr.Probe(ctx); err != nil {
			return mode, &st, err
		}
		p.keep(pr)
	}
	return mode, &st, nil
}

// docScanner adapts the document scanner to the session: one tap scans what is on the glass (or
// every sheet in the feeder).
type docScanner struct {
	s    scanner.Scanner
	opts scanner.Options
}

// Scan scans every sheet in the feeder (or the glass), handing each page over as soon as it is
// decoded: a 20-sheet feeder never has 20 full decodes in memory. Decoding is heavy: it runs below
// the touchscreen's priority (lowprio) like the rest of the page work.
func (d docScanner) Scan(ctx context.Context, page func(session.Page) error) error {
	var err error
	lowprio.Run(func() {
		for p, serr := range d.s.Scan(ctx, d.opts) {
			if serr != nil {
				err = serr
				return
			}
			if err = page(session.Page{Image: p.Image, DPI: p.DPI}); err != nil {
				return
			}
		}
	})
	return err
}
