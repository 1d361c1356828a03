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
			res, err := d.checkPrinter(context.Background())
			if (err == nil) != c.checkOK || !strings.Contains(res+errText(err), c.check) {
				t.Fatalf("self-test: %q %v", res, err)
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
			if rs := sim.Printer().Receipts(); len(rs) != 1 || rs[0].Partial {
				t.Fatalf("receipts %d", len(rs))
			}
		})
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	var fe *fixError
	if errors.As(err, &fe) {
		return err.Error() + " " + fe.fix
	}
	return err.Error()
}
