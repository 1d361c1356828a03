package escpos_test

import (
	"context"
	"errors"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/drivers/escpos"
	"github.com/tramso/tramso/drivers/escpos/escpossim"
	"github.com/tramso/tramso/drivers/serial"
	"github.com/tramso/tramso/internal/errtext"
)

// sampleJob is a long receipt-like job: Vietnamese raster text, ASCII lines, a QR code, a cut.
func sampleJob(t testing.TB, p escpos.Profile) []byte {
	t.Helper()
	f, err := escpos.LoadFonts()
	if err != nil {
		t.Fatal(err)
	}
	d := new(escpos.Document)
	d.Text("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", escpos.Style{Size: escpos.Large, Bold: true, Align: escpos.Center})
	d.Text("000.00.21.H26-251124-0417", escpos.Style{Size: escpos.Huge, Align: escpos.Center})
	for i := 0; i < 25; i++ {
		d.Columns("Giấy chứng nhận kết hôn của cha mẹ, bản sao", "1 BS", escpos.Style{})
	}
	d.QR("https://dichvucong.gov.vn/tra-cuu?ma=000.00.21.H26-251124-0417")
	job, err := escpos.Compile(d, p, f)
	if err != nil {
		t.Fatal(err)
	}
	return job.Data
}

type rig struct {
	sim *escpossim.Simulator
	pr  *escpos.Printer
	dir string
}

func newRig(t *testing.T, cfg escpossim.Config) *rig {
	t.Helper()
	return newRigAt(t, cfg, "baud=115200")
}

// newRigAt is newRig with the device address's options (e.g. "baud=921600&status=none"). Tests
// of the paced modes use the fastest line: pacing waits for the line time a pty does not have.
func newRigAt(t *testing.T, cfg escpossim.Config, opts string) *rig {
	t.Helper()
	dir := t.TempDir()
	cfg.OutDir = filepath.Join(dir, "out")
	if cfg.PaperDots == 0 {
		cfg.PaperDots = 576
	}
	ctx, cancel := context.WithCancel(context.Background())
	sim, err := escpossim.Serve(ctx, filepath.Join(dir, "printer"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := escpos.LookupProfile("generic-80")
	pr, err := escpos.Open("serial:"+filepath.Join(dir, "printer")+"?"+opts, p)
	if err != nil {
		t.Fatal(err)
	}
	pr.StallTimeout = 700 * time.Millisecond
	pr.ReplyTimeout = 300 * time.Millisecond
	t.Cleanup(func() { pr.Close(); cancel(); sim.Wait() })
	return &rig{sim: sim, pr: pr, dir: dir}
}

func samePixels(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, _, _, _ := a.At(x, y).RGBA()
			r2, _, _, _ := b.At(x, y).RGBA()
			if (r1 < 0x8000) != (r2 < 0x8000) {
				return false
			}
		}
	}
	return true
}

func TestPrintThroughSimulator(t *testing.T) {
	r := newRig(t, escpossim.Config{})
	p, _ := escpos.LookupProfile("generic-80")
	job := sampleJob(t, p)
	res, err := r.pr.Print(context.Background(), job)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != escpos.Printed || res.Confirmed != len(job) || res.Sent != len(job) {
		t.Fatalf("%+v", res)
	}
	rs := r.sim.Printer().Receipts()
	if len(rs) != 1 || rs[0].Partial || rs[0].Path == "" {
		t.Fatalf("receipts: %+v", rs)
	}
	if _, err := os.Stat(rs[0].Path); err != nil {
		t.Fatal(err)
	}
	// What came out over the line is what the same bytes give offline: pacing lost nothing.
	off, err := escpossim.Emulate(job, 576)
	if err != nil || len(off.Pages) != 1 {
		t.Fatalf("emulate: %v %d", err, len(off.Pages))
	}
	if !samePixels(off.Pages[0], rs[0].Image) {
		t.Fatal("the paper printed through the line differs from the job decoded offline")
	}
	if st := r.sim.Printer().Status(); st.LostBytes != 0 || st.Unknown != 0 {
		t.Fatalf("printer lost %d bytes, saw %d unknown commands", st.LostBytes, st.Unknown)
	}
	if got := rs[0].QR; len(got) != 1 || !strings.HasSuffix(got[0], "0417") {
		t.Fatalf("QR payloads %q", got)
	}
}

func TestPaperOutMidway(t *testing.T) {
	r := newRig(t, escpossim.Config{PaperOutAfterDots: 600})
	p, _ := escpos.LookupProfile("generic-80")
	job := sampleJob(t, p)
	res, err := r.pr.Print(context.Background(), job)
	var pe *escpos.PrintError
	if !errors.As(err, &pe) || !errors.Is(err, escpos.ErrStalled) {
		t.Fatalf("want a PrintError wrapping ErrStalled, got %v", err)
	}
	if res.Outcome != escpos.PartlyPrinted || res.Confirmed == 0 || res.Confirmed >= res.Total {
		t.Fatalf("partial print must say how far it got: %+v", res)
	}
	if res.After == nil || !res.After.PaperEnd {
		t.Fatalf("status after the failure should say paper out: %+v", res.After)
	}
	if !strings.Contains(err.Error(), "paper out") || !strings.Contains(err.Error(), "in lại") {
		t.Fatalf("message should say paper out and reprint: %v", err)
	}
	if werr := errtext.Check(err); werr != nil {
		t.Error(werr)
	}
	// Pacing: the printer stopped with the job half sent, yet its receive buffer never overflowed.
	if lost := r.sim.Printer().Status().LostBytes; lost != 0 {
		t.Fatalf("paced printing overran the stopped printer's buffer: %d bytes lost", lost)
	}
	// A new roll: the rest of the stale job must not come out on its own (the buffer was cleared),
	// and the reprint gives one whole receipt.
	r.sim.Printer().SetPaperOut(false)
	time.Sleep(100 * time.Millisecond)
	before := len(r.sim.Printer().Receipts())
	res, err = r.pr.Print(context.Background(), job)
	if err != nil || res.Outcome != escpos.Printed {
		t.Fatalf("reprint after reloading paper: %v %+v", err, res)
	}
	rs := r.sim.Printer().Receipts()
	if len(rs) != before+1 || rs[len(rs)-1].Partial {
		t.Fatalf("after the reprint: %d receipts (had %d), last %+v", len(rs), before, rs[len(rs)-1].Reason)
	}
	off, _ := escpossim.Emulate(job, 576)
	if !samePixels(off.Pages[0], rs[len(rs)-1].Image) {
		t.Fatal("the reprint is not the whole receipt: leftovers of the failed job were printed")
	}
}

// The same job written without pacing to a printer that runs out of paper overflows its buffer:
// this is what the paced sender prevents.
func TestUnpacedWriteOverruns(t *testing.T) {
	r := newRig(t, escpossim.Config{PaperOutAfterDots: 600})
	p, _ := escpos.LookupProfile("generic-80")
	job := sampleJob(t, p)
	port, err := serial.Open(r.sim.Link(), serial.Config{Baud: 115200})
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()
	port.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := port.Write(job); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool { return r.sim.Printer().Status().ReceivedBytes >= int64(len(job)) })
	if lost := r.sim.Printer().Status().LostBytes; lost == 0 {
		t.Fatal("an unpaced job to a stopped printer lost nothing: the overrun model is not working")
	}
}

func waitUntil(t *testing.T, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !ok(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}

func TestRefusesWhenNotReady(t *testing.T) {
	for name, fault := range map[string]func(p *escpossim.Printer){
		"cover open": func(p *escpossim.Printer) { p.SetCoverOpen(true) },
		"offline":    func(p *escpossim.Printer) { p.SetOffline(true) },
		"paper out":  func(p *escpossim.Printer) { p.SetPaperOut(true) },
	} {
		t.Run(name, func(t *testing.T) {
			r := newRig(t, escpossim.Config{})
			fault(r.sim.Printer())
			res, err := r.pr.Print(context.Background(), []byte("x\n"))
			if !errors.Is(err, escpos.ErrNotReady) || res.Outcome != escpos.NotPrinted || res.Sent != 0 {
				t.Fatalf("%v %+v", err, res)
			}
		})
	}
}

func TestNearEndWarnsButPrints(t *testing.T) {
	r := newRig(t, escpossim.Config{})
	r.sim.Printer().SetNearEnd(true)
	res, err := r.pr.Print(context.Background(), []byte("\x1b@abc\n\x1dVA\x00"))
	if err != nil || res.Outcome != escpos.Printed {
		t.Fatal(err, res)
	}
	if len(res.Warnings) == 0 || !strings.Contains(res.Warnings[0], "sắp hết giấy") {
		t.Fatalf("warnings %q", res.Warnings)
	}
}

func TestUnplugMidJob(t *testing.T) {
	r := newRig(t, escpossim.Config{})
	p, _ := escpos.LookupProfile("generic-80")
	job := sampleJob(t, p)
	// Stop the printer so the job stalls, then pull the cable while the host waits.
	r.sim.Printer().SetPaperOutAfter(300)
	go func() {
		for r.sim.Printer().Status().ReceivedBytes < 2000 {
			time.Sleep(5 * time.Millisecond)
		}
		r.sim.Unplug()
	}()
	res, err := r.pr.Print(context.Background(), job)
	if err == nil || res.Outcome == escpos.Printed {
		t.Fatalf("unplugged mid-job but reported %v %+v", err, res)
	}
	if !errors.Is(err, escpos.ErrDisconnect) && !errors.Is(err, escpos.ErrStalled) {
		t.Fatalf("want disconnect or stall, got %v", err)
	}
	if _, err := r.pr.Status(context.Background()); err == nil {
		t.Fatal("status on an unplugged printer succeeded")
	}
}

func TestSilentAndGarbageLines(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "dev")
	pty, err := serial.NewPTY(link)
	if err != nil {
		t.Fatal(err)
	}
	defer pty.Close()
	p, _ := escpos.LookupProfile("generic-80")
	pr, err := escpos.Open("serial:"+link, p)
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	pr.ReplyTimeout = 200 * time.Millisecond
	// Nobody answers: no reply is its own state, never "paper OK".
	start := time.Now()
	if _, err := pr.Status(context.Background()); !errors.Is(err, escpos.ErrNoReply) {
		t.Fatalf("silent line: %v", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatal("status on a silent line took too long")
	}
	// A printer said to answer (status=full) that does not is not printed on.
	full, err := escpos.Open("serial:"+link+"?status=full", p)
	if err != nil {
		t.Fatal(err)
	}
	defer full.Close()
	full.ReplyTimeout = 200 * time.Millisecond
	res, err := full.Print(context.Background(), []byte("abc\n"))
	if res.Outcome != escpos.NotPrinted || !errors.Is(err, escpos.ErrNoReply) || res.Sent != 0 {
		t.Fatalf("print on a silent line: %v %+v", err, res)
	}
	// Learning what it answers, silence means one-way: the job is sent, and said to be no more.
	res, err = pr.Print(context.Background(), []byte("abc\n"))
	if err != nil || res.Outcome != escpos.SentUnconfirmed || res.Mode != escpos.StatusNone || res.Confirmed != 0 {
		t.Fatalf("print on a silent line, status learned: %v %+v", err, res)
	}
	// Something answers garbage: a wrong baud rate looks like this.
	go func() {
		buf := make([]byte, 64)
		for {
			n, err := pty.Read(buf)
			if err != nil {
				return
			}
			for i := 0; i < n; i++ {
				pty.Write([]byte{0xFF})
			}
		}
	}()
	if _, err := pr.Status(context.Background()); !errors.Is(err, escpos.ErrBadStatus) {
		t.Fatalf("garbage line: %v", err)
	}
}

// printsAsOffline checks that the receipt that came out is the job decoded offline.
func printsAsOffline(t *testing.T, r *rig, job []byte) {
	t.Helper()
	rs := r.sim.Printer().Receipts()
	if len(rs) != 1 || rs[0].Partial {
		t.Fatalf("receipts: %d, want 1 whole", len(rs))
	}
	off, err := escpossim.Emulate(job, 576)
	if err != nil || len(off.Pages) != 1 || !samePixels(off.Pages[0], rs[0].Image) {
		t.Fatalf("the receipt differs from the job decoded offline (%v)", err)
	}
	if st := r.sim.Printer().Status(); st.LostBytes != 0 {
		t.Fatalf("printer lost %d bytes", st.LostBytes)
	}
}

// Printers that answer less than ours still print, and the result says what is known.
func TestStatusModes(t *testing.T) {
	p, _ := escpos.LookupProfile("generic-80")
	job := sampleJob(t, p)
	for _, c := range []struct {
		name    string
		cfg     escpossim.Config
		opts    string
		mode    escpos.StatusMode
		outcome escpos.Outcome
	}{
		{"full, learned", escpossim.Config{}, "baud=921600", escpos.StatusFull, escpos.Printed},
		{"full, from the address", escpossim.Config{}, "baud=921600&status=full", escpos.StatusFull, escpos.Printed},
		{"clone ignoring GS r, learned", escpossim.Config{IgnoreGSr: true}, "baud=921600", escpos.StatusRealtime, escpos.Printed},
		{"clone ignoring GS r, from the address", escpossim.Config{IgnoreGSr: true}, "baud=921600&status=realtime", escpos.StatusRealtime, escpos.Printed},
		{"one-way, learned", escpossim.Config{OneWay: true}, "baud=921600", escpos.StatusNone, escpos.SentUnconfirmed},
		{"one-way, from the address", escpossim.Config{OneWay: true}, "baud=921600&status=none", escpos.StatusNone, escpos.SentUnconfirmed},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRigAt(t, c.cfg, c.opts)
			res, err := r.pr.Print(context.Background(), job)
			if err != nil || res.Outcome != c.outcome || res.Mode != c.mode || res.Sent != len(job) {
				t.Fatalf("%v %+v", err, res)
			}
			if r.pr.Mode() != c.mode {
				t.Fatalf("mode kept: %v, want %v", r.pr.Mode(), c.mode)
			}
			switch c.mode {
			case escpos.StatusNone:
				if res.Confirmed != 0 || len(res.Warnings) == 0 || !strings.Contains(res.Warnings[0], "hết giấy") {
					t.Fatalf("a print without status must confirm nothing and warn: %+v", res)
				}
			default:
				if res.Confirmed != len(job) || res.After == nil {
					t.Fatalf("%+v", res)
				}
			}
			printsAsOffline(t, r, job)
		})
	}
}

// A clone that ignores GS r and runs out of paper mid-job: the pacing and the DLE EOT polls
// catch it before its buffer overflows, the rest is cleared, and the reprint is whole.
func TestRealtimePaperOutMidway(t *testing.T) {
	r := newRigAt(t, escpossim.Config{IgnoreGSr: true, PaperOutAfterDots: 600}, "baud=921600")
	p, _ := escpos.LookupProfile("generic-80")
	job := sampleJob(t, p)
	res, err := r.pr.Print(context.Background(), job)
	var pe *escpos.PrintError
	if !errors.As(err, &pe) || !errors.Is(err, escpos.ErrStalled) || res.Mode != escpos.StatusRealtime {
		t.Fatalf("want a PrintError wrapping ErrStalled in realtime mode, got %v %+v", err, res)
	}
	if res.Outcome != escpos.PartlyPrinted || res.Sent >= res.Total || res.Confirmed != 0 {
		t.Fatalf("partial print: %+v", res)
	}
	if res.After == nil || !res.After.PaperEnd || !strings.Contains(err.Error(), "paper out") {
		t.Fatalf("status after the failure should say paper out: %v %+v", err, res.After)
	}
	if werr := errtext.Check(err); werr != nil {
		t.Error(werr)
	}
	if lost := r.sim.Printer().Status().LostBytes; lost != 0 {
		t.Fatalf("paced printing overran the stopped printer's buffer: %d bytes lost", lost)
	}
	r.sim.Printer().SetPaperOut(false)
	before := len(r.sim.Printer().Receipts())
	res, err = r.pr.Print(context.Background(), job)
	if err != nil || res.Outcome != escpos.Printed {
		t.Fatalf("reprint after reloading paper: %v %+v", err, res)
	}
	rs := r.sim.Printer().Receipts()
	if len(rs) != before+1 || rs[len(rs)-1].Partial {
		t.Fatalf("after the reprint: %d receipts (had %d)", len(rs), before)
	}
	off, _ := escpossim.Emulate(job, 576)
	if !samePixels(off.Pages[0], rs[len(rs)-1].Image) {
		t.Fatal("the reprint is not the whole receipt: leftovers of the failed job were printed")
	}
}

// Without a back channel a paper-out goes unnoticed: the result must not say printed.
func TestOneWayPaperOutIsNotPrinted(t *testing.T) {
	r := newRigAt(t, escpossim.Config{OneWay: true, PaperOutAfterDots: 600}, "baud=921600&status=none")
	p, _ := escpos.LookupProfile("generic-80")
	res, err := r.pr.Print(context.Background(), sampleJob(t, p))
	if err != nil || res.Outcome != escpos.SentUnconfirmed || res.Outcome == escpos.Printed {
		t.Fatalf("%v %+v", err, res)
	}
	if !r.sim.Printer().Status().PaperOut {
		t.Fatal("the simulated roll should have ended")
	}
	if _, err := r.pr.Status(context.Background()); !errors.Is(err, escpos.ErrNoStatus) {
		t.Fatalf("status of a one-way printer: %v", err)
	}
}

func TestProbe(t *testing.T) {
	for _, c := range []struct {
		cfg  escpossim.Config
		want escpos.StatusMode
	}{
		{escpossim.Config{}, escpos.StatusFull},
		{escpossim.Config{IgnoreGSr: true}, escpos.StatusRealtime},
		{escpossim.Config{OneWay: true}, escpos.StatusNone},
	} {
		r := newRig(t, c.cfg)
		if got, err := r.pr.Probe(context.Background()); err != nil || got != c.want || r.pr.Mode() != c.want {
			t.Errorf("%+v: probe %v %v, mode %v; want %v", c.cfg, got, err, r.pr.Mode(), c.want)
		}
	}
	// A stopped printer cannot answer GS r: the probe does not call it a clone, and the first
	// print after the fault learns the truth.
	r := newRig(t, escpossim.Config{})
	r.sim.Printer().SetPaperOut(true)
	if got, err := r.pr.Probe(context.Background()); err != nil || got != escpos.StatusRealtime || r.pr.Mode() != escpos.StatusAuto {
		t.Fatalf("probe with paper out: %v %v, mode %v", got, err, r.pr.Mode())
	}
	r.sim.Printer().SetPaperOut(false)
	if res, err := r.pr.Print(context.Background(), []byte("\x1b@abc\n")); err != nil || res.Mode != escpos.StatusFull || res.Outcome != escpos.Printed {
		t.Fatalf("%v %+v", err, res)
	}
}

func TestStatusOption(t *testing.T) {
	p, _ := escpos.LookupProfile("generic-80")
	for _, dev := range []string{"serial:/nonexistent?baud=9600&status=maybe", "usblp:/dev/usb/lp9?status=", "usblp:/dev/usb/lp9?baud=9600"} {
		if _, err := escpos.Open(dev, p); err == nil || !strings.Contains(err.Error(), "status") && !strings.Contains(err.Error(), "baud") {
			t.Errorf("%s: %v", dev, err)
		}
	}
	if _, err := escpos.Open("serial:/nonexistent?baud=9600&status=maybe", p); !errors.Is(err, escpos.ErrBadStatusMode) {
		t.Errorf("bad status value: %v", err)
	}
	for _, s := range []string{"auto", "full", "realtime", "none"} {
		if m, err := escpos.ParseStatusMode(s); err != nil || m.String() != s {
			t.Errorf("%s: %v %v", s, m, err)
		}
	}
	// The option leaves the serial options alone.
	r := newRigAt(t, escpossim.Config{}, "baud=115200&status=realtime&rtscts=0")
	if r.pr.Mode() != escpos.StatusRealtime || !r.pr.Forced() {
		t.Fatalf("mode %v", r.pr.Mode())
	}
}
