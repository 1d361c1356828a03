package daemon

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/drivers/escpos"
	"github.com/tramso/tramso/drivers/escpos/escpossim"
	"github.com/tramso/tramso/internal/errtext"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/selftest"
)

// The daemon prints on printers that answer less than ours, keeps what it learned of them, and
// reports a print nobody could confirm as such, never as printed.
func TestReceiptPrinterStatusModes(t *testing.T) {
	profile, _ := escpos.LookupProfile("generic-80")
	fonts, err := escpos.LoadFonts()
	if err != nil {
		t.Fatal(err)
	}
	job, err := escpos.Compile(escpos.TestPage(profile, nil, time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)), profile, fonts)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		cfg      escpossim.Config
		opts     string
		mode     escpos.StatusMode
		printErr error
		check    string // what the self-test says
		checkOK  bool
	}{
		{"full", escpossim.Config{}, "", escpos.StatusFull, nil, "sẵn sàng (ready)", true},
		{"clone", escpossim.Config{IgnoreGSr: true}, "", escpos.StatusRealtime, nil, "chỉ trả lời DLE EOT", true},
		{"one-way, said so", escpossim.Config{OneWay: true}, "&status=none", escpos.StatusAuto, escpos.ErrUnconfirmed, "không phát hiện được hết giấy", true},
		{"one-way, not said", escpossim.Config{OneWay: true}, "", escpos.StatusNone, escpos.ErrUnconfirmed, "status=none", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			ctx, cancel := context.WithCancel(context.Background())
			sim, err := escpossim.Serve(ctx, filepath.Join(dir, "printer"), c.cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { cancel(); sim.Wait() }()
			p := &receiptPrinter{device: "serial:" + sim.Link() + "?baud=921600" + c.opts, profile: profile, fonts: fonts}
			d := &Daemon{printer: p}
			check := selftest.RunSteps(context.Background(), d.selfTestSteps(wire.DeviceIDPrinter))[0]
			if check.OK != c.checkOK || !strings.Contains(check.Result+" "+check.Fix, c.check) {
				t.Fatalf("self-test: %+v", check)
			}
			if p.mode != c.mode {
				t.Fatalf("kept mode %v, want %v", p.mode, c.mode)
			}
			err = p.printJob(context.Background(), job.Data)
			if !errors.Is(err, c.printErr) || (c.printErr == nil && err != nil) {
				t.Fatalf("print: %v, want %v", err, c.printErr)
			}
			var pe *escpos.PrintError
			if errors.As(err, &pe) {
				t.Fatalf("an unconfirmed print is not a failed one: %v", err)
			}
			// A one-way printer's job may still be in the simulator's buffer when the print
			// returns: wait for the cut (bounded), never for a fixed time.
			rs := sim.Printer().Receipts()
			for deadline := time.Now().Add(5 * time.Second); len(rs) == 0 && time.Now().Before(deadline); rs = sim.Printer().Receipts() {
				time.Sleep(20 * time.Millisecond)
			}
			if len(rs) != 1 || rs[0].Partial {
				t.Fatalf("receipts %d", len(rs))
			}
		})
	}
}

// A receipt that cannot print reads as the printer's own sentence: the daemon adds English
// detail only (one bilingual sentence per chain), and the same sentence never twice.
func TestReceiptPrinterErrorWording(t *testing.T) {
	profile, _ := escpos.LookupProfile("generic-80")
	fonts, err := escpos.LoadFonts()
	if err != nil {
		t.Fatal(err)
	}
	job, err := escpos.Compile(escpos.TestPage(profile, nil, time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)), profile, fonts)
	if err != nil {
		t.Fatal(err)
	}
	for name, fault := range map[string]func(*escpossim.Printer){
		"paper out":  func(p *escpossim.Printer) { p.SetPaperOut(true) },
		"cover open": func(p *escpossim.Printer) { p.SetCoverOpen(true) },
	} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			sim, err := escpossim.Serve(ctx, filepath.Join(t.TempDir(), "printer"), escpossim.Config{})
			if err != nil {
				t.Fatal(err)
			}
			defer func() { cancel(); sim.Wait() }()
			fault(sim.Printer())
			p := &receiptPrinter{device: "serial:" + sim.Link() + "?baud=921600", profile: profile, fonts: fonts}
			err = p.printJob(context.Background(), job.Data)
			var pe *escpos.PrintError
			if !errors.As(err, &pe) {
				t.Fatalf("print with %s: %v", name, err)
			}
			if werr := errtext.NoRepeat(err); werr != nil {
				t.Error(werr)
			}
			// No layer above the printer's "not ready" puts a sentence before it: what follows it
			// is the printer's list of conditions (offline; paper out).
			if s := errtext.Sentences(err.Error()); len(s) == 0 || s[0] != escpos.ErrNotReady.Error() {
				t.Errorf("sentences %q: want the printer's %q first", s, escpos.ErrNotReady)
			}
			t.Logf("%s: %v (%d sentences)", name, err, len(errtext.Sentences(err.Error())))
		})
	}
}
