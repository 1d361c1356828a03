// Package daemon is kioskd: it opens the configured devices (or starts their simulators), runs the
// citizen session machine, the outbox uploader and the local API, and reports to systemd.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tramso/tramso/drivers/codereader"
	"github.com/tramso/tramso/drivers/escpos"
	"github.com/tramso/tramso/drivers/mrtd/lds"
	"github.com/tramso/tramso/drivers/scanner"
	"github.com/tramso/tramso/internal/lowprio"
	"github.com/tramso/tramso/kiosk/catalog"
	"github.com/tramso/tramso/kiosk/identity"
	"github.com/tramso/tramso/kiosk/outbox"
	"github.com/tramso/tramso/kiosk/receipt"
	"github.com/tramso/tramso/kiosk/selftest"
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
	// nearEnd reads the paper near-end wire of a printer that reports it only that way (the
	// enclosure's paper_near_end line); nil: none. The enclosure wires it after the metrics
	// poller started asking for the status: hence atomic (wireNearEnd).
	nearEnd atomic.Pointer[func() bool]
}

// wireNearEnd has the status read the paper near-end from wire (the enclosure's line); safe while
// status runs in another goroutine.
func (p *receiptPrinter) wireNearEnd(read func() bool) { p.nearEnd.Store(&read) }

// KioskInfo is what receipts say about the kiosk.
type KioskInfo struct {
	ID, UnitCode, UnitName, LookupURL, Hotline string
	Location                                   *time.Location // receipts are written in the kiosk's zone
}

// lookupURL fills {code} in the configured template.
func (k KioskInfo) lookupURL(code string) string { return k.slips().Lookup(code) }

// slips is what the printed slips say about the kiosk.
func (k KioskInfo) slips() receipt.Kiosk {
	return receipt.Kiosk{LookupURL: k.LookupURL, Hotline: k.Hotline, Location: k.Location}
}

// committedReceipt builds the receipt of outbox dossier id from its manifest as committed, for the
// first print and every reprint alike (receipt.Build). provisional keeps the receipt number even if
// the official code has come meanwhile, so the first print says what the screen says.
func committedReceipt(ctx context.Context, store *outbox.Store, cat *catalog.Catalogue, k KioskInfo, id int64, provisional bool) (*receipt.Receipt, error) {
	data, err := store.Reprint(ctx, id)
	if err != nil {
		return nil, err
	}
	st := receipt.Standing{Code: data.Entry.DossierCode}
	if provisional {
		st.Code = ""
	}
	proc, _ := cat.Get(data.Dossier.Procedure.Code) // nil: no longer in the catalogue
	return receipt.Build(data.Dossier, st, proc, k.slips())
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
		return fmt.Errorf("cannot open the printer: %w", err) // escpos.Open's error carries the sentence
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
	if nearEnd := p.nearEnd.Load(); err == nil && nearEnd != nil && (*nearEnd)() {
		st.PaperNearEnd = true
	}
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
	mode, st, err := selftest.Probe(ctx, pr)
	switch {
	case pr.Forced():
	case st == nil && errors.Is(err, escpos.ErrNoReply):
		p.mode = escpos.StatusNone // no answer to the status: treat it as one-way
	case st != nil && err == nil:
		p.keep(pr)
	}
	return mode, st, err
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
