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
	profile, fonts, job := testPageJob(t)
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
			if err != nil && errtext.Check(err) != nil {
				t.Error(errtext.Check(err))
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

// A receipt that cannot print reads as one bilingual sentence, the printer's own (or the partial
// print's, which says to reprint): the daemon adds English detail only, and the printer's list of
// conditions follows in English. errors.Is and errors.As still find what callers map.
func TestReceiptPrinterErrorWording(t *testing.T) {
	profile, fonts, job := testPageJob(t)
	for _, c := range []struct {
		name    string
		cfg     escpossim.Config
		fault   func(*escpossim.Printer)
		want    error    // the sentinel errors.Is finds
		first   error    // whose sentence the message holds; nil: the partial print's
		detail  []string // English detail the message holds
		outcome escpos.Outcome
	}{
		{"paper out", escpossim.Config{}, func(p *escpossim.Printer) { p.SetPaperOut(true) }, escpos.ErrNotReady, escpos.ErrNotReady, []string{"paper out"}, escpos.NotPrinted},
		{"offline", escpossim.Config{}, func(p *escpossim.Printer) { p.SetOffline(true) }, escpos.ErrNotReady, escpos.ErrNotReady, []string{"printer offline"}, escpos.NotPrinted},
		{"cover open", escpossim.Config{}, func(p *escpossim.Printer) { p.SetCoverOpen(true) }, escpos.ErrNotReady, escpos.ErrNotReady, []string{"cover open"}, escpos.NotPrinted},
		{"offline, paper out", escpossim.Config{}, func(p *escpossim.Printer) { p.SetOffline(true); p.SetPaperOut(true) }, escpos.ErrNotReady, escpos.ErrNotReady, []string{"printer offline", "paper out"}, escpos.NotPrinted},
		{"stopped mid-job", escpossim.Config{PaperOutAfterDots: 300}, nil, escpos.ErrStalled, nil, []string{"printer stopped mid-job", "paper out"}, escpos.PartlyPrinted},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			sim, err := escpossim.Serve(ctx, filepath.Join(t.TempDir(), "printer"), c.cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { cancel(); sim.Wait() }()
			if c.fault != nil {
				c.fault(sim.Printer())
			}
			p := &receiptPrinter{device: "serial:" + sim.Link() + "?baud=921600", profile: profile, fonts: fonts}
			err = p.printJob(context.Background(), job.Data)
			var pe *escpos.PrintError
			if !errors.As(err, &pe) || pe.Result.Outcome != c.outcome || !errors.Is(err, c.want) {
				t.Fatalf("print with %s: %v", c.name, err)
			}
			t.Logf("%s: %v", c.name, err)
			if werr := errtext.Check(err); werr != nil {
				t.Error(werr)
			}
			s := errtext.Sentences(err.Error())
			if c.first != nil && (len(s) == 0 || s[0] != c.first.Error()) {
				t.Errorf("sentences %q: want the printer's %q", s, c.first)
			}
			for _, d := range c.detail {
				if !strings.Contains(err.Error(), d) {
					t.Errorf("%q does not say %q", err, d)
				}
			}
		})
	}
	// A printer that cannot be opened, or is named wrongly: the opening layer's sentence only.
	for _, dev := range []string{"serial:" + filepath.Join(t.TempDir(), "none"), "lpt:1", "serial:/dev/null?status=maybe"} {
		p := &receiptPrinter{device: dev, profile: profile, fonts: fonts}
		err := p.printJob(context.Background(), job.Data)
		if err == nil {
			t.Fatalf("%s: printed", dev)
		}
		t.Logf("%s: %v", dev, err)
		if werr := errtext.Check(err); werr != nil {
			t.Errorf("%s: %v", dev, werr)
		}
	}
}

// testPageJob compiles the printer's test page for an 80 mm generic printer.
func testPageJob(t *testing.T) (escpos.Profile, *escpos.Fonts, *escpos.Compiled) {
	t.Helper()
	profile, _ := escpos.LookupProfile("generic-80")
	fonts, err := escpos.LoadFonts()
	if err != nil {
		t.Fatal(err)
	}
	job, err := escpos.Compile(escpos.TestPage(profile, nil, time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)), profile, fonts)
	if err != nil {
		t.Fatal(err)
	}
	return profile, fonts, job
}
