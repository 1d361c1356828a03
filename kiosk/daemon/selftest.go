package daemon

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/tramso/tramso/drivers/escpos"
	"github.com/tramso/tramso/drivers/scanner"
	"github.com/tramso/tramso/internal/errtext"
	"github.com/tramso/tramso/kiosk/api"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/identity"
	"github.com/tramso/tramso/kiosk/selftest"
)

// SelfTest exercises what kioskd holds with the kiosk's one self-test (package selftest), as
// kioskctl selftest does with kioskd stopped: the printer's real status, the card reader, the QR
// scanner, the document scanner, the dossier store's integrity, the central system's
// reachability, free space in the state folder, the Vietnamese fonts and the OCR data. Steps run
// side by side, each within its own time limit (at most 10 s). Results are worded Vietnamese
// (English), with a fix for each failure, and hold no personal data.
func (d *Daemon) SelfTest(ctx context.Context) []wire.Check {
	checks := selftest.Run(ctx, d.cfg, heldDevices{d}, selftest.Options{})
	d.recordSelfTest(checks) // exported in the metrics (metrics.go)
	return checks
}

// staffSelfTest answers POST /v1/staff/selftest: 200 with every check, failed ones included.
func (d *Daemon) staffSelfTest(w http.ResponseWriter, r *http.Request) {
	api.WriteJSON(w, http.StatusOK, d.SelfTest(r.Context()))
}

// heldDevices are the devices kioskd holds, as the self-test exercises them.
type heldDevices struct{ d *Daemon }

// ProbePrinter probes the printer afresh and keeps what it learned for the prints that follow.
func (h heldDevices) ProbePrinter(ctx context.Context) (escpos.StatusMode, *escpos.Status, error) {
	return h.d.printer.probe(ctx)
}

// OpenCardReader opens the reader unless a citizen's session holds it, which is not touched.
func (h heldDevices) OpenCardReader(ctx context.Context) error {
	release, ok := h.d.card.tryAcquire()
	if !ok {
		return selftest.ErrReaderBusy
	}
	defer release()
	rd, err := identity.OpenReader(ctx, h.d.card.device)
	if err != nil {
		return err
	}
	rd.Close()
	return nil
}

// OpenQR reports whether the QR scanner opened when kioskd started.
func (h heldDevices) OpenQR() error {
	if h.d.qrErr != nil {
		if len(errtext.Sentences(h.d.qrErr.Error())) > 0 { // the driver's sentence names the cause
			return fmt.Errorf("did not open when kioskd started: %w", h.d.qrErr)
		}
		return fmt.Errorf("không mở được lúc kioskd khởi động (did not open when kioskd started): %w", h.d.qrErr)
	}
	return nil
}

// ScannerCapabilities asks the document scanner kioskd holds.
func (h heldDevices) ScannerCapabilities(ctx context.Context) (scanner.Capabilities, error) {
	return h.d.scanner.Capabilities(ctx)
}

// Store is kioskd's open dossier store; it stays open.
func (h heldDevices) Store(context.Context) (selftest.Store, func(), error) {
	return h.d.store, func() {}, nil
}

// selfTestSteps are the self-test's steps of the devices ids, in the self-test's order.
func (d *Daemon) selfTestSteps(ids ...wire.DeviceID) []selftest.Step {
	var out []selftest.Step
	for _, s := range selftest.Steps(d.cfg, heldDevices{d}, selftest.Options{}) {
		if slices.Contains(ids, s.ID) {
			out = append(out, s)
		}
	}
	return out
}
