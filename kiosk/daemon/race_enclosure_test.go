//go:build !nosim

package daemon

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tramso/tramso/drivers/escpos"
	"github.com/tramso/tramso/kiosk/catalog"
	"github.com/tramso/tramso/kiosk/session"
)

// The metrics poller starts before the cabinet's lines are opened: the printer's status it polls
// must see the paper near-end wire the enclosure wires in later without a data race (go test
// -race fails this test when the wiring is a plain write), and, once wired, must report the wire.
func TestRacePrinterStatusWhileEnclosureStarts(t *testing.T) {
	_, sim, cfg := simulated(t)
	profile, err := escpos.LookupProfile(cfg.Devices.PrinterProfile)
	if err != nil {
		t.Fatal(err)
	}
	d := &Daemon{cfg: cfg, log: slog.New(slog.DiscardHandler),
		printer: &receiptPrinter{device: cfg.Devices.Printer, profile: profile},
		machine: session.New(session.Config{}, session.Devices{}, func() *catalog.Catalogue { return nil })}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// The poller's part that reads the wiring: the printer's status, again and again. It only
	// signals the test (polls), the test never signals it until the end, so no synchronisation
	// hides an unguarded write.
	var polls atomic.Int64
	var sawNearEnd atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			st, err := d.printer.status(ctx)
			if err == nil && st.PaperNearEnd {
				sawNearEnd.Store(true)
			}
			polls.Add(1)
		}
	}()
	for polls.Load() < 2 {
		time.Sleep(time.Millisecond)
	}
	sim.enclosure.set(simPaperNearEnd, true)
	// fault=true: the enclosure does not look at the devices itself (that look would order the
	// accesses through the printer's lock and hide the race).
	stop := d.startEnclosure(ctx, sim, true)
	defer stop()
	for start := polls.Load(); polls.Load() < start+5; {
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	if !sawNearEnd.Load() {
		t.Fatal("the printer's status never reported the paper near-end wire")
	}
}
