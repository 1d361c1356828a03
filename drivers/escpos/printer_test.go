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
	pr, err := escpos.Open("serial:"+filepath.Join(dir, "printer")+"?baud=115200", p)
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
	if !strings.Contains(err.Error(), "hết giấy") || !strings.Contains(err.Error(), "in lại") {
		t.Fatalf("message should say paper out and reprint: %v", err)
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
	res, err := pr.Print(context.Background(), []byte("abc\n"))
	if res.Outcome != escpos.NotPrinted || !errors.Is(err, escpos.ErrNoReply) {
		t.Fatalf("print on a silent line: %v %+v", err, res)
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
