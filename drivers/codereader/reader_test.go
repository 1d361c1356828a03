package codereader

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/tramso/tramso/drivers/codereader/codereadersim"
)

// A synthetic CCCD QR payload (not a real person).
const cccdQR = "001090123456|012345678|Nguyễn Văn An|01011990|Nam|Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh|15042021"

// simAndReader starts a simulator on a pty and opens it as the kiosk opens a scanner.
func simAndReader(t *testing.T, query string) (*codereadersim.Simulator, *Reader) {
	t.Helper()
	link := filepath.Join(t.TempDir(), "qr")
	sim, err := codereadersim.Serve(context.Background(), link, codereadersim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	r, err := Open("serial:" + link + query)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return sim, r
}

func next(t *testing.T, r *Reader) (Scan, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return r.Next(ctx)
}

func TestReaderOverPTY(t *testing.T) {
	sim, r := simAndReader(t, "?baud=9600")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	// Decomposed diacritics (NFD) come out composed (NFC).
	before := time.Now()
	if err := sim.Scan(ctx, norm.NFD.String(cccdQR)); err != nil {
		t.Fatal(err)
	}
	s, err := next(t, r)
	if err != nil {
		t.Fatal(err)
	}
	if s.Payload != cccdQR {
		t.Fatalf("payload %q, want %q", s.Payload, cccdQR)
	}
	if s.At.Before(before) {
		t.Errorf("At %v before the scan", s.At)
	}

	// CR only, LF only, and a line split in the middle of a letter over several writes.
	sim.Send(ctx, []byte("mã một\r"))
	sim.Send(ctx, []byte("mã hai\n"))
	raw := []byte("Phường ba\r\n")
	for i := range raw {
		if err := sim.Send(ctx, raw[i:i+1]); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)
	}
	for _, want := range []string{"mã một", "mã hai", "Phường ba"} {
		s, err := next(t, r)
		if err != nil {
			t.Fatal(err)
		}
		if s.Payload != want {
			t.Errorf("payload %q, want %q", s.Payload, want)
		}
	}
}

func TestReaderBadLines(t *testing.T) {
	sim, r := simAndReader(t, "?maxline=64")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// "Nguyễn" in Windows-1258 is not UTF-8.
	sim.Send(ctx, []byte("Nguy\xd4n\r\n"))
	sim.Scan(ctx, strings.Repeat("9", 65))
	sim.Scan(ctx, "sau đó")

	_, err := next(t, r)
	if !errors.Is(err, ErrNotUTF8) {
		t.Fatalf("legacy code page: %v, want ErrNotUTF8", err)
	}
	if strings.Contains(err.Error(), "Nguy") {
		t.Errorf("error carries the payload: %v", err)
	}
	if _, err := next(t, r); !errors.Is(err, ErrTooLong) {
		t.Fatalf("65-byte line: %v, want ErrTooLong", err)
	}
	s, err := next(t, r)
	if err != nil || s.Payload != "sau đó" {
		t.Fatalf("after bad lines: %q, %v", s.Payload, err)
	}
}

func TestReaderDedupAndAffixes(t *testing.T) {
	sim, r := simAndReader(t, "?prefix=%02&suffix=%03&dedup=500ms")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for range 3 {
		sim.Scan(ctx, "\x02"+cccdQR+"\x03") // a code held under the scanner
	}
	sim.Scan(ctx, "\x02khác\x03")
	sim.Scan(ctx, "\x02"+cccdQR+"\x03") // after another code: counts again
	for _, want := range []string{cccdQR, "khác", cccdQR} {
		s, err := next(t, r)
		if err != nil {
			t.Fatal(err)
		}
		if s.Payload != want {
			t.Fatalf("payload %q, want %q", s.Payload, want)
		}
	}
	// Past the window the same code is a new scan; Forget makes it one at once.
	time.Sleep(600 * time.Millisecond)
	sim.Scan(ctx, "\x02"+cccdQR+"\x03")
	if s, err := next(t, r); err != nil || s.Payload != cccdQR {
		t.Fatalf("after the window: %q, %v", s.Payload, err)
	}
	r.Forget()
	sim.Scan(ctx, "\x02"+cccdQR+"\x03")
	if s, err := next(t, r); err != nil || s.Payload != cccdQR {
		t.Fatalf("after Forget: %q, %v", s.Payload, err)
	}
	// Within the window, a repeat is not delivered.
	sim.Scan(ctx, "\x02"+cccdQR+"\x03")
	short, cancelShort := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancelShort()
	if s, err := r.Next(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("repeat within the window: %q, %v", s.Payload, err)
	}
}

func TestReaderCancelAndUnplug(t *testing.T) {
	sim, r := simAndReader(t, "")
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := r.Next(ctx)
		errc <- err
	}()
	time.Sleep(100 * time.Millisecond)
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled Next: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Next did not return after cancel")
	}

	// The reader still works after a cancelled Next.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	sim.Scan(ctx2, "còn dùng được")
	if s, err := r.Next(ctx2); err != nil || s.Payload != "còn dùng được" {
		t.Fatalf("after cancel: %q, %v", s.Payload, err)
	}

	go func() {
		_, err := r.Next(ctx2)
		errc <- err
	}()
	time.Sleep(100 * time.Millisecond)
	sim.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, ErrGone) {
			t.Fatalf("unplugged: %v, want ErrGone", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Next did not notice the scanner was unplugged")
	}
}

func TestSimulatorStopsWithItsContext(t *testing.T) {
	link := filepath.Join(t.TempDir(), "qr")
	ctx, cancel := context.WithCancel(context.Background())
	sim, err := codereadersim.Serve(ctx, link, codereadersim.Config{Terminator: "\n"})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	r, err := Open(link)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer scancel()
	if err := sim.Scan(sctx, cccdQR); err != nil {
		t.Fatal(err)
	}
	if s, err := r.Next(sctx); err != nil || s.Payload != cccdQR {
		t.Fatalf("simulated scan: %q, %v", s.Payload, err)
	}
	cancel()
	if _, err := r.Next(sctx); err == nil || sctx.Err() != nil {
		t.Fatalf("after the simulator's context ended, Next = %v (want the scanner unplugged, at once)", err)
	}
	if _, err := os.Lstat(link); !os.IsNotExist(err) {
		t.Errorf("the link is still there after the simulator stopped: %v", err)
	}
}

func TestParseDevice(t *testing.T) {
	path, cfg, opt, err := ParseDevice("serial:/dev/ttyACM0?baud=115200&suffix=%0D&prefix=%5DQ1&dedup=0&maxline=1000")
	if err != nil {
		t.Fatal(err)
	}
	if path != "/dev/ttyACM0" || cfg.Baud != 115200 || opt.Suffix != "\r" || opt.Prefix != "]Q1" || opt.Dedup >= 0 || opt.MaxLine != 1000 {
		t.Errorf("got %q %+v %+v", path, cfg, opt)
	}
	for _, bad := range []string{"serial:/dev/ttyACM0?dedup=soon", "serial:/dev/ttyACM0?maxline=-1", "serial:/dev/ttyACM0?parity=odd", "serial:?baud=9600"} {
		if _, _, _, err := ParseDevice(bad); err == nil {
			t.Errorf("ParseDevice(%q) accepted", bad)
		}
	}
}
