package escpossim

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tramso/tramso/drivers/serial"
)

// readN reads exactly n bytes from the port within a second.
func readN(t *testing.T, port *serial.Port, n int) []byte {
	t.Helper()
	port.SetReadDeadline(time.Now().Add(time.Second))
	buf := make([]byte, n)
	if _, err := io.ReadFull(port, buf); err != nil {
		t.Fatalf("reading %d status bytes: %v", n, err)
	}
	return buf
}

func TestServeOverPTY(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "printer")
	out := filepath.Join(dir, "receipts")
	sim, err := Serve(context.Background(), link, Config{OutDir: out, Fonts: testFonts(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Unplug()
	port, err := serial.Open(link, serial.Config{Baud: 115200})
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()

	// Status before the job, the job, then GS r 1 as the "done" marker.
	port.Write(dleEOT[3])
	if got := readN(t, port, 1); got[0] != 0x12 {
		t.Fatalf("DLE EOT 4 = %#02x, want 12", got[0])
	}
	job := new(job).init().line("Xin chào").qr(testURL, 4, '1').raw('\n').cut()
	job.raw(0x1D, 'r', 1)
	if _, err := port.Write(job.b); err != nil {
		t.Fatal(err)
	}
	if got := readN(t, port, 1); got[0] != 0x00 {
		t.Fatalf("GS r 1 = %#02x, want 00", got[0])
	}
	rs := sim.Printer().Receipts()
	if len(rs) != 1 || rs[0].Text[0] != "Xin chào" {
		t.Fatalf("receipts %+v", rs)
	}
	if _, err := os.Stat(filepath.Join(out, "receipt-0001.png")); err != nil {
		t.Fatal(err)
	}

	// Paper out: DLE EOT still answers, GS r does not.
	sim.Printer().SetPaperOut(true)
	port.Write([]byte{0x1D, 'r', 1})
	port.Write(dleEOT[3])
	if got := readN(t, port, 1); got[0] != 0x72 {
		t.Fatalf("DLE EOT 4 with paper out = %#02x, want 72", got[0])
	}
	port.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if n, _ := port.Read(make([]byte, 4)); n != 0 {
		t.Fatal("a stopped printer answered GS r")
	}
	sim.Printer().SetPaperOut(false)
	if got := readN(t, port, 1); got[0] != 0x00 {
		t.Fatalf("queued GS r 1 after new paper = %#02x, want 00", got[0])
	}

	// Unplug: the host's line fails and the link is gone.
	if err := sim.Unplug(); err != nil {
		t.Fatalf("unplug: %v", err)
	}
	if err := sim.Wait(); err != nil {
		t.Fatalf("wait: %v", err)
	}
	if _, err := os.Lstat(link); !os.IsNotExist(err) {
		t.Fatalf("link still there after unplug: %v", err)
	}
	port.SetDeadline(time.Now().Add(time.Second))
	_, werr := port.Write(dleEOT[3])
	_, rerr := port.Read(make([]byte, 1))
	if werr == nil && rerr == nil {
		t.Fatal("host saw no error after unplug")
	}
	if werr == nil && errors.Is(rerr, os.ErrDeadlineExceeded) {
		t.Fatal("host only timed out after unplug; it must see the hang-up")
	}
}

func TestServeStopsWithContextAndTearsOff(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "printer")
	ctx, cancel := context.WithCancel(context.Background())
	sim, err := Serve(ctx, link, Config{OutDir: dir, Fonts: testFonts(t), PaperOutAfterDots: 40})
	if err != nil {
		t.Fatal(err)
	}
	port, err := serial.Open(link, serial.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()
	port.Write(new(job).init().line("một").line("hai").cut().b)
	waitFor(t, "paper end", func() bool { return sim.Printer().Status().PaperOut })
	cancel()
	if err := sim.Wait(); err != nil {
		t.Fatalf("wait: %v", err)
	}
	rs := sim.Printer().Receipts()
	if len(rs) != 1 || !rs[0].Partial || filepath.Base(rs[0].Path) != "receipt-0001-partial.png" {
		t.Fatalf("receipts %+v", rs)
	}
	if _, err := os.Stat(rs[0].Path); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains([]byte(rs[0].Text[0]), []byte("một")) {
		t.Errorf("text %q", rs[0].Text)
	}
}
