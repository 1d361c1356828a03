package serial

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestPTYRoundTrip(t *testing.T) {
	link := filepath.Join(t.TempDir(), "dev")
	p, err := NewPTY(link)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	port, err := Open(link, Config{Baud: 115200})
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()

	// Every byte value passes unchanged in both directions (raw mode: no CR/LF mapping, no echo).
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	if _, err := port.Write(all); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 256)
	p.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.ReadFull(p, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, all) {
		t.Fatalf("client→sim bytes changed:\n%x", got)
	}
	if _, err := p.Write(all); err != nil {
		t.Fatal(err)
	}
	port.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.ReadFull(port, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, all) {
		t.Fatalf("sim→client bytes changed:\n%x", got)
	}
	if err := port.Drain(); err != nil {
		t.Fatalf("drain: %v", err)
	}
}

func TestReadDeadline(t *testing.T) {
	link := filepath.Join(t.TempDir(), "dev")
	p, err := NewPTY(link)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	port, err := Open(link, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()
	port.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	_, err = port.Read(make([]byte, 1))
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read on a silent line: got %v, want deadline exceeded", err)
	}
}

func TestWriteDeadlineWhenNobodyReads(t *testing.T) {
	link := filepath.Join(t.TempDir(), "dev")
	p, err := NewPTY(link)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	port, err := Open(link, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()
	port.SetWriteDeadline(time.Now().Add(200 * time.Millisecond))
	chunk := make([]byte, 4096)
	var werr error
	for i := 0; i < 1000 && werr == nil; i++ {
		_, werr = port.Write(chunk)
	}
	if !errors.Is(werr, os.ErrDeadlineExceeded) {
		t.Fatalf("write into a full line: got %v, want deadline exceeded", werr)
	}
}

func TestUnplugSeenByClient(t *testing.T) {
	link := filepath.Join(t.TempDir(), "dev")
	p, err := NewPTY(link)
	if err != nil {
		t.Fatal(err)
	}
	port, err := Open(link, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()
	p.Close()
	if _, err := os.Lstat(link); !os.IsNotExist(err) {
		t.Fatalf("link still present after close: %v", err)
	}
	port.SetDeadline(time.Now().Add(time.Second))
	_, rerr := port.Read(make([]byte, 1))
	_, werr := port.Write([]byte{1})
	if rerr == nil && werr == nil {
		t.Fatal("client saw no error after the device went away")
	}
	if errors.Is(rerr, os.ErrDeadlineExceeded) && werr == nil {
		t.Fatal("client only timed out; it must see the hang-up")
	}
}

func TestClientReopen(t *testing.T) {
	link := filepath.Join(t.TempDir(), "dev")
	p, err := NewPTY(link)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for i := 0; i < 3; i++ {
		port, err := Open(link, Config{Baud: 9600})
		if err != nil {
			t.Fatal(err)
		}
		port.Write([]byte{byte(i)})
		port.Close()
		b := make([]byte, 1)
		p.SetReadDeadline(time.Now().Add(time.Second))
		if _, err := p.Read(b); err != nil || b[0] != byte(i) {
			t.Fatalf("reopen %d: %v %x", i, err, b)
		}
	}
}

func TestParseDevice(t *testing.T) {
	for _, c := range []struct {
		in   string
		path string
		cfg  Config
		bad  bool
	}{
		{"serial:/dev/ttyUSB0?baud=115200", "/dev/ttyUSB0", Config{Baud: 115200}, false},
		{"/dev/ttyS0", "/dev/ttyS0", Config{}, false},
		{"serial:/dev/tramso/printer?baud=9600&rtscts=1", "/dev/tramso/printer", Config{Baud: 9600, RTSCTS: true}, false},
		{"serial:/dev/x?baud=12345", "", Config{}, true},
		{"serial:/dev/x?speed=9600", "", Config{}, true},
		{"serial:", "", Config{}, true},
		{"serial:/dev/x?rtscts=maybe", "", Config{}, true},
	} {
		path, cfg, err := ParseDevice(c.in)
		if c.bad {
			if err == nil {
				t.Errorf("%q: want error", c.in)
			}
			continue
		}
		if err != nil || path != c.path || cfg != c.cfg {
			t.Errorf("%q: got %q %+v %v", c.in, path, cfg, err)
		}
	}
}

func TestOpenMissing(t *testing.T) {
	if _, err := Open(filepath.Join(t.TempDir(), "none"), Config{}); err == nil {
		t.Fatal("opening a missing device succeeded")
	}
	if _, err := Open("/dev/null", Config{Baud: 7}); !errors.Is(err, ErrBaud) {
		t.Fatalf("bad baud: %v", err)
	}
}

// SetBaud changes the speed of an open line (tcsetattr); the pty's far end sees it.
func TestSetBaud(t *testing.T) {
	link := filepath.Join(t.TempDir(), "tty")
	pt, err := NewPTY(link)
	if err != nil {
		t.Fatal(err)
	}
	defer pt.Close()
	p, err := Open(link, Config{Baud: 115200})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if b := pt.Baud(); b != 115200 {
		t.Fatalf("far end sees %d baud, want 115200", b)
	}
	if err := p.SetBaud(921600); err != nil {
		t.Fatal(err)
	}
	if b := pt.Baud(); b != 921600 {
		t.Fatalf("far end sees %d baud after SetBaud, want 921600", b)
	}
	if err := p.SetBaud(1288000); !errors.Is(err, ErrBaud) {
		t.Fatalf("SetBaud(1288000) = %v, want ErrBaud", err)
	}
	if b := pt.Baud(); b != 921600 {
		t.Fatalf("a refused speed changed the line to %d", b)
	}
	if !Supported(460800) || Supported(1288000) {
		t.Error("Supported")
	}
}
