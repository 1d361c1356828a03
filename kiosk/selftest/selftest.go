// Package selftest is the kiosk's one self-test. kioskd runs it for the staff (POST
// /v1/staff/selftest) with the devices it holds; `kioskctl selftest` runs it with kioskd stopped,
// opening each device from the configuration. Both exercise the same things in the same order —
// the printer's real status, the card reader, the QR scanner, the document scanner, the dossier
// store's integrity and signing certificate, the central system's reachability, free space in the
// state folder, the Vietnamese fonts and the OCR data — and answer the same wire.Check lines,
// worded Vietnamese (English), with a fix for each failure and no personal data.
package selftest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/tramso/tramso/drivers/escpos"
	"github.com/tramso/tramso/drivers/scanner"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/config"
	"github.com/tramso/tramso/kiosk/outbox"
)

// Limits of the self-test.
const (
	// StepTimeout bounds each step, so a hung device cannot hold up the rest of the test.
	StepTimeout = 10 * time.Second
	// CentralTimeout bounds the connection attempt to the central system.
	CentralTimeout = 5 * time.Second
	// MinFreeFloor is the least free space the self-test accepts in the state folder, whatever
	// the outbox keeps (outbox.DefaultMinFree).
	MinFreeFloor = 200_000_000
)

// The Vietnamese font the kiosk draws and prints with (Debian fonts-noto-core).
const (
	NotoRegular = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"
	NotoBold    = "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"
)

// Kiosk is what the self-test exercises: kioskd answers with the devices it holds, kioskctl by
// opening each from the configuration.
type Kiosk interface {
	// ProbePrinter finds out what the printer answers: its status mode and, when it gave one,
	// its status (see ProbePrinter).
	ProbePrinter(ctx context.Context) (escpos.StatusMode, *escpos.Status, error)
	// OpenCardReader opens the card reader, which wakes it and asks for its firmware, and closes
	// it again; ErrReaderBusy when a citizen's session holds it.
	OpenCardReader(ctx context.Context) error
	// OpenQR says whether the configured QR scanner opens (kioskd: whether it opened at start),
	// with the error worded by the caller.
	OpenQR() error
	// ScannerCapabilities asks the document scanner what it can do.
	ScannerCapabilities(ctx context.Context) (scanner.Capabilities, error)
	// Store gives the dossier store and what to call once done with it.
	Store(ctx context.Context) (Store, func(), error)
}

// Store is what the self-test asks of the dossier store; *outbox.Store has it.
type Store interface {
	QuickCheck(ctx context.Context) error
	Pending(ctx context.Context) (int, error)
	SigningReady() error
}

// ErrReaderBusy is the answer of Kiosk.OpenCardReader while a citizen's session holds the reader:
// the check fails without touching it, and says to test again later.
var ErrReaderBusy = errors.New("đầu đọc thẻ đang đọc thẻ của công dân, chưa thử (the reader is serving a citizen; not exercised)")

// Options adjusts where the self-test looks; the zero value is what a kiosk uses.
type Options struct {
	// FreeSpace reports the free bytes of the file system holding dir. Default: statfs.
	FreeSpace func(dir string) (uint64, error)
	// FontRegular and FontBold are the font pair checked. Default: NotoRegular, NotoBold.
	FontRegular, FontBold string
	// OCRDataDirs are the folders searched for vie.traineddata. Default: OCRDataDirs().
	OCRDataDirs []string
	// SysFS is where sysfs is mounted, to find QR scanners left in keyboard mode. Default /sys.
	SysFS string
}

// Step is one check of the self-test.
type Step struct {
	ID      wire.DeviceID // what is checked, for code to match on
	Device  string        // what is checked, Vietnamese (English): a wire.Device… name
	Timeout time.Duration // the step's own limit
	Fix     string        // what to try when it fails (a FixError's fix takes precedence)
	// Run exercises the device and says what it found; an error is a failure.
	Run func(ctx context.Context) (string, error)
}

// FixError is a failure that knows a more precise fix than its step's general one.
type FixError struct {
	Err error
	Fix string
}

func (e *FixError) Error() string { return e.Err.Error() }
func (e *FixError) Unwrap() error { return e.Err }

// Run exercises the kiosk: every step of Steps, side by side, each within its own time limit, so
// the whole test takes as long as its slowest step (at most StepTimeout).
func Run(ctx context.Context, cfg *config.Config, k Kiosk, opt Options) []wire.Check {
	return RunSteps(ctx, Steps(cfg, k, opt))
}

// Steps are the checks of the self-test, in the order they are reported.
func Steps(cfg *config.Config, k Kiosk, opt Options) []Step {
	if opt.FreeSpace == nil {
		opt.FreeSpace = statfsFree
	}
	if opt.FontRegular == "" || opt.FontBold == "" {
		opt.FontRegular, opt.FontBold = NotoRegular, NotoBold
	}
	if opt.OCRDataDirs == nil {
		opt.OCRDataDirs = OCRDataDirs()
	}
	if opt.SysFS == "" {
		opt.SysFS = "/sys"
	}
	minFree := uint64(max(outbox.DefaultMinFree, MinFreeFloor))
	return []Step{
		{wire.DeviceIDPrinter, wire.DevicePrinter, StepTimeout, wire.FixPrinter, func(ctx context.Context) (string, error) {
			return checkPrinter(ctx, k.ProbePrinter)
		}},
		{wire.DeviceIDCardReader, wire.DeviceCard, StepTimeout, wire.FixCard, func(ctx context.Context) (string, error) {
			return checkCardReader(ctx, k.OpenCardReader)
		}},
		{wire.DeviceIDQRScanner, wire.DeviceQR, StepTimeout, wire.FixQR, func(context.Context) (string, error) {
			return checkQR(cfg.Devices.QRScanner, k.OpenQR, opt.SysFS)
		}},
		{wire.DeviceIDScanner, wire.DeviceScanner, StepTimeout, wire.FixScanner, func(ctx context.Context) (string, error) {
			return checkScanner(ctx, k.ScannerCapabilities, cfg.Devices.ScanSource)
		}},
		{wire.DeviceIDStore, wire.DeviceStore, StepTimeout, wire.FixStore, func(ctx context.Context) (string, error) {
			return checkStore(ctx, k.Store)
		}},
		{wire.DeviceIDCentral, wire.DeviceCentral, CentralTimeout, wire.FixCentral, func(ctx context.Context) (string, error) {
			return checkCentral(ctx, cfg.Central.URL)
		}},
		{wire.DeviceIDDisk, wire.DeviceDisk, StepTimeout, wire.FixDisk, func(context.Context) (string, error) {
			return checkFreeSpace(cfg.Paths.StateDir, minFree, opt.FreeSpace)
		}},
		{wire.DeviceIDFonts, wire.DeviceFonts, StepTimeout, wire.FixFonts, func(context.Context) (string, error) {
			return checkFonts(opt.FontRegular, opt.FontBold)
		}},
		{wire.DeviceIDOCRData, wire.DeviceOCRData, StepTimeout, wire.FixOCRData, func(context.Context) (string, error) {
			return checkOCRData(opt.OCRDataDirs)
		}},
	}
}

// RunSteps runs the steps side by side and returns their checks in the steps' order.
func RunSteps(ctx context.Context, steps []Step) []wire.Check {
	out := make([]wire.Check, len(steps))
	var wg sync.WaitGroup
	for i, s := range steps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = runStep(ctx, s)
		}()
	}
	wg.Wait()
	return out
}

// runStep runs one step within its time limit. A device that ignores the limit is left behind:
// its answer, when it comes, is dropped.
func runStep(ctx context.Context, s Step) wire.Check {
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	type answer struct {
		result string
		err    error
	}
	done := make(chan answer, 1) // buffered: a late answer does not block its goroutine
	go func() {
		r, err := s.Run(ctx)
		done <- answer{r, err}
	}()
	var a answer
	select {
	case a = <-done:
	case <-ctx.Done():
		a.err = ctx.Err()
	}
	if a.err != nil && ctx.Err() != nil {
		secs := s.Timeout.Seconds()
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			a.err = fmt.Errorf("không trả lời trong %g giây (no answer within %g s): %w", secs, secs, a.err)
		} else {
			a.err = fmt.Errorf("kiểm tra bị hủy (check cancelled): %w", a.err)
		}
	}
	c := wire.Check{ID: s.ID, Device: s.Device, OK: a.err == nil, Result: a.result}
	if a.err != nil {
		c.Result, c.Fix = a.err.Error(), s.Fix
		if fe := (*FixError)(nil); errors.As(a.err, &fe) {
			c.Fix = fe.Fix
		}
	}
	c.Result, c.Fix = norm.NFC.String(c.Result), norm.NFC.String(c.Fix)
	return c
}
