package escpossim

// The simulator judged by a client we did not write: receiptio (npm receiptio 2.1.2, pinned in
// tools/escpos, installed by make deps), a print and status tool for real receipt printers. It
// asks DLE EOT 2 (with its auto-detection, ESC ACK SOH and ESC @ too), identifies the printer
// with GS I 66 and 67, enables Automatic Status Back with ESC @ GS a 0xFF and waits for the 4-byte
// message, sends the receipt (receiptline's ESC/POS, ending with GS r 1) and waits for the GS r
// answer. Its verdict is a word and an exit code. It talks to TCP port 9100 only (a pty is no
// serial port it can list), so the test bridges a random 127.x.y.z:9100 to the simulator's
// pseudo-terminal, a transparent byte copy. TRAMSO_REQUIRE_RECEIPTIO=1 (make test) makes a
// missing receiptio a failure instead of a skip.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tramso/tramso/drivers/escpos"
	"github.com/tramso/tramso/drivers/serial"
	"github.com/tramso/tramso/internal/testtool"
)

// receiptio's results and exit codes (its bin/cli.js).
var receiptioCodes = map[string]int{
	"success": 0, "online": 100, "coveropen": 101, "paperempty": 102, "error": 103,
	"offline": 104, "disconnect": 105, "timeout": 106,
}

// testReceipt is receiptline markdown: a title, two lines, a ruled line, a two-column row; the
// receipt is cut at its end (receiptio's default).
const testReceipt = `^^TRAMSO KIOSK
Receipt test
---
|Fee| 10,000|
`

// receiptioBin finds receiptio as make deps installs it, from the repository root above this
// package: a skip on a developer's machine without it, a failure under make test.
func receiptioBin(t *testing.T) string {
	t.Helper()
	const require = "TRAMSO_REQUIRE_RECEIPTIO"
	testtool.Program(t, "node", "nodejs", require)
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("repository root (go.mod) not found above the test")
		}
		dir = parent
	}
	bin := filepath.Join(dir, "tools", "escpos", "node_modules", ".bin", "receiptio")
	if _, err := os.Stat(bin); err != nil {
		testtool.Missing(t, "receiptio (npm; make deps runs npm ci --prefix tools/escpos)", require, err)
	}
	return bin
}

// bridge is a TCP listener on 127.a.b.c:9100 whose connections are copied byte for byte to and
// from a serial line. It keeps what the host sent.
type bridge struct {
	ln   net.Listener
	port *serial.Port
	wg   sync.WaitGroup

	mu   sync.Mutex
	sent bytes.Buffer
	conn net.Conn
}

// newBridge opens the simulator's line and listens on a random loopback address, port 9100.
func newBridge(t *testing.T, link string) *bridge {
	t.Helper()
	port, err := serial.Open(link, serial.Config{Baud: 115200})
	if err != nil {
		t.Fatal(err)
	}
	var ln net.Listener
	for range 20 {
		addr := fmt.Sprintf("127.%d.%d.%d:9100", 1+rand.IntN(254), rand.IntN(256), 1+rand.IntN(254))
		if ln, err = net.Listen("tcp4", addr); err == nil {
			break
		}
	}
	if err != nil {
		port.Close()
		t.Fatalf("no free loopback address for port 9100: %v", err)
	}
	b := &bridge{ln: ln, port: port}
	b.wg.Add(2)
	go b.accept()
	go b.toHost()
	t.Cleanup(b.close)
	return b
}

// host is the address receiptio is given (-d).
func (b *bridge) host() string { return b.ln.Addr().(*net.TCPAddr).IP.String() }

// accept takes one host at a time and copies what it sends down the line.
func (b *bridge) accept() {
	defer b.wg.Done()
	for {
		c, err := b.ln.Accept()
		if err != nil {
			return
		}
		b.mu.Lock()
		b.conn = c
		b.mu.Unlock()
		buf := make([]byte, 4096)
		for {
			n, err := c.Read(buf)
			if n > 0 {
				b.mu.Lock()
				b.sent.Write(buf[:n])
				b.mu.Unlock()
				if _, werr := b.port.Write(buf[:n]); werr != nil {
					err = werr
				}
			}
			if err != nil {
				break
			}
		}
		b.mu.Lock()
		b.conn = nil
		b.mu.Unlock()
		c.Close()
	}
}

// toHost copies the printer's replies to the connected host; replies with no host are dropped,
// as a printer's are when nobody listens.
func (b *bridge) toHost() {
	defer b.wg.Done()
	buf := make([]byte, 256)
	for {
		n, err := b.port.Read(buf)
		if n > 0 {
			b.mu.Lock()
			c := b.conn
			b.mu.Unlock()
			if c != nil {
				c.Write(buf[:n])
			}
		}
		if err != nil {
			return
		}
	}
}

// hostSent returns a copy of everything hosts sent.
func (b *bridge) hostSent() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.sent.Bytes())
}

func (b *bridge) close() {
	b.ln.Close()
	b.mu.Lock()
	if b.conn != nil {
		b.conn.Close()
	}
	b.mu.Unlock()
	b.port.Close()
	b.wg.Wait()
}

// runReceiptio runs receiptio with args within a bounded time (its whole process group is killed
// at the end) and returns its result word, checked against its exit code.
func runReceiptio(t *testing.T, bin string, stdin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	cmd.Stdin = strings.NewReader(stdin)
	var stderr, stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	if cmd.Process != nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // anything it left behind
	}
	code := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("receiptio %v: %v\n%s", args, err, stderr.String())
	}
	if ctx.Err() != nil {
		t.Fatalf("receiptio %v did not finish in time\n%s", args, stderr.String())
	}
	word := strings.TrimSpace(stderr.String())
	if want, ok := receiptioCodes[word]; !ok || want != code {
		t.Fatalf("receiptio %v: result %q with exit code %d\n%s", args, word, code, stdout.String())
	}
	t.Logf("receiptio %s → %s (%d) in %v", strings.Join(args, " "), word, code, time.Since(start).Round(10*time.Millisecond))
	return word
}

// rioRig is a simulated printer on a pty, bridged to TCP for receiptio.
type rioRig struct {
	sim *Simulator
	br  *bridge
	bin string
}

func newRioRig(t *testing.T, cfg Config) *rioRig {
	t.Helper()
	bin := receiptioBin(t)
	cfg.Fonts = testFonts(t)
	link := filepath.Join(t.TempDir(), "printer")
	sim, err := Serve(context.Background(), link, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	return &rioRig{sim: sim, br: newBridge(t, link), bin: bin}
}

// query asks receiptio for the printer's status (-q).
func (r *rioRig) query(t *testing.T) string {
	t.Helper()
	return runReceiptio(t, r.bin, "", "-d", r.br.host(), "-q")
}

// print has receiptio print testReceipt, waiting timeout seconds at most for the printer to
// confirm it.
func (r *rioRig) print(t *testing.T, timeout int) string {
	t.Helper()
	return runReceiptio(t, r.bin, testReceipt, "-d", r.br.host(), "-l", "en", "-t", fmt.Sprint(timeout))
}

// What the simulator records as unknown when receiptio prints, and why that is right:
var receiptioUnknownOK = []struct{ reason, why string }{
	// Auto-detection sends ESC ACK SOH, StarPRNT's "automatic status" request, to find out
	// whether a Star printer is listening. ESC/POS has no such command; an ESC/POS printer
	// prints nothing for it, and neither does the simulator.
	{"unknown command ESC 0x06", "Star's ESC ACK SOH from receiptio's auto-detection"},
	{"unknown control byte 0x06", "Star's ESC ACK SOH from receiptio's auto-detection"},
	{"unknown control byte 0x01", "Star's ESC ACK SOH from receiptio's auto-detection"},
	// receiptline draws rules with the box-drawing characters of code table 1 (Katakana,
	// ESC t 1). The simulator's code pages (package codepage) hold only the tables tramso
	// prints with (437, 1252, TCVN-3), so the rule prints as replacement marks, visibly.
	{"code table 1 not known to the simulator: its characters print as replacement marks", "receiptline's ruled lines (ESC t 1)"},
}

// checkUnknown fails on any unknown command other than the justified ones.
func checkUnknown(t *testing.T, p *Printer) {
	t.Helper()
	for _, u := range p.Unknown() {
		ok := false
		for _, j := range receiptioUnknownOK {
			ok = ok || u.Reason == j.reason
		}
		if !ok {
			t.Errorf("receiptline sent a command the simulator does not know: %v", u)
		}
	}
}

// inked counts the black dots of a receipt.
func inked(img *image.Gray) int {
	n := 0
	for _, v := range img.Pix {
		if v < 0x80 {
			n++
		}
	}
	return n
}

// waitReceipts waits until the printer has n receipts, or fails.
func waitReceipts(t *testing.T, p *Printer, n int) []Receipt {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d receipt(s)", n), func() bool { return p.Status().Receipts >= n })
	return p.Receipts()
}

// probeMode is what our own driver learns about the printer on the same line: its status mode.
func probeMode(t *testing.T, link string) escpos.StatusMode {
	t.Helper()
	prof, err := escpos.LookupProfile("generic-80")
	if err != nil {
		t.Fatal(err)
	}
	pr, err := escpos.Open("serial:"+link+"?baud=115200", prof)
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	pr.ReplyTimeout = 500 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := pr.Probe(ctx)
	if err != nil {
		t.Fatalf("probe: %v", err)
	}
	return m
}

// receiptioMode is what receiptio's verdicts say the printer answers: nothing (offline: no reply
// to DLE EOT), DLE EOT but no GS r (its print times out), or both (its print succeeds).
func receiptioMode(query, print string) escpos.StatusMode {
	switch {
	case query == "offline":
		return escpos.StatusNone
	case print == "timeout":
		return escpos.StatusRealtime
	case print == "success":
		return escpos.StatusFull
	}
	return escpos.StatusAuto
}

// TestReceiptioStatus: receiptio's status inquiry (-q) reads the simulator's DLE EOT 2 answer
// the way it reads a real printer's.
func TestReceiptioStatus(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		fault func(p *Printer)
		want  string
	}{
		{"ready", func(*Printer) {}, "online"},
		{"paper out", func(p *Printer) { p.SetPaperOut(true) }, "paperempty"},
		{"cover open", func(p *Printer) { p.SetCoverOpen(true) }, "coveropen"},
		{"cover open and paper out", func(p *Printer) { p.SetPaperOut(true); p.SetCoverOpen(true) }, "coveropen"},
		// Near end alone does not stop an Epson printer: receiptio calls it online.
		{"near end", func(p *Printer) { p.SetNearEnd(true) }, "online"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := newRioRig(t, Config{})
			c.fault(r.sim.Printer())
			if got := r.query(t); got != c.want {
				t.Errorf("receiptio -q = %s, want %s", got, c.want)
			}
			// Its DLE EOT 2 came through the bridge, and nothing was printed.
			if sent := r.br.hostSent(); !bytes.HasPrefix(sent, []byte{0x10, 0x04, 0x02}) {
				t.Errorf("receiptio sent % X, want DLE EOT 2 first", sent[:min(len(sent), 8)])
			}
			if n := r.sim.Printer().Status().Receipts; n != 0 {
				t.Errorf("a status inquiry printed %d receipts", n)
			}
		})
	}
}

// TestReceiptioPrints: receiptio identifies the printer (GS I), enables ASB, prints and is told
// by GS r that the receipt is done; the simulator shows one cut receipt with the text. As "EPSON"
// the printer gets receiptline's Epson commands (FS ( A among them), as a real Epson would.
func TestReceiptioPrints(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name        string
		cfg         Config
		epsonStream bool
	}{
		{"tramso", Config{}, false},
		{"as epson", Config{Maker: "EPSON", Model: "TM-T20III"}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := newRioRig(t, c.cfg)
			if got := r.print(t, 10); got != "success" {
				t.Fatalf("receiptio print = %s, want success", got)
			}
			p := r.sim.Printer()
			rs := waitReceipts(t, p, 1)
			if len(rs) != 1 || rs[0].Partial || !strings.Contains(rs[0].Reason, "cut") {
				t.Fatalf("receipts %+v, want one cut receipt", rs)
			}
			if rs[0].Image.Rect.Dy() < 48 || inked(rs[0].Image) < 200 {
				t.Errorf("receipt page %v with %d black dots: not the receipt", rs[0].Image.Rect, inked(rs[0].Image))
			}
			text := strings.Join(rs[0].Text, "\n")
			for _, w := range []string{"TRAMSO KIOSK", "Receipt test", "Fee", "10,000"} {
				if !strings.Contains(text, w) {
					t.Errorf("receipt text %q lacks %q", text, w)
				}
			}
			sent := r.br.hostSent()
			for _, q := range [][]byte{{0x1D, 'I', 0x42}, {0x1B, '@', 0x1D, 'a', 0xFF}} {
				if !bytes.Contains(sent, q) {
					t.Errorf("receiptio never sent % X", q)
				}
			}
			// The job ends with GS r 1 (generic) or GS r '1' (Epson): the answer receiptio waited for.
			if !bytes.HasSuffix(sent, []byte{0x1D, 'r', 1}) && !bytes.HasSuffix(sent, []byte{0x1D, 'r', '1'}) {
				t.Errorf("the job does not end with GS r 1: % X", sent[max(0, len(sent)-8):])
			}
			if got := bytes.Contains(sent, []byte{0x1C, '(', 'A'}); got != c.epsonStream {
				t.Errorf("receiptline's Epson commands (FS ( A) sent: %v, want %v: GS I not read as expected", got, c.epsonStream)
			}
			checkUnknown(t, p)
			if st := p.Status(); st.LostBytes != 0 || st.Buffered != 0 {
				t.Errorf("after the job: %d bytes lost, %d still buffered", st.LostBytes, st.Buffered)
			}
		})
	}
}

// TestReceiptioRefusesStoppedPrinter: with the paper out receiptio does not print. Offline, the
// printer answers DLE EOT at once but GS I only when it is back online (GS I is not a real-time
// command), so receiptio retries for 12 s and calls it offline; it never sends the receipt, and
// nothing prints when the printer comes back.
func TestReceiptioRefusesStoppedPrinter(t *testing.T) {
	t.Parallel()
	t.Run("paper out", func(t *testing.T) {
		t.Parallel()
		r := newRioRig(t, Config{})
		r.sim.Printer().SetPaperOut(true)
		if got := r.print(t, 10); got != "paperempty" {
			t.Errorf("receiptio print = %s, want paperempty", got)
		}
		if bytes.Contains(r.br.hostSent(), []byte("TRAMSO KIOSK")) {
			t.Error("receiptio sent the receipt to a printer without paper")
		}
	})
	// An autocutter error: receiptio says error and does not print. It then sends DLE ENQ 2, which
	// recovers the printer only once the jam is cleared; after that it is online again.
	t.Run("cutter error", func(t *testing.T) {
		t.Parallel()
		r := newRioRig(t, Config{})
		p := r.sim.Printer()
		p.SetCutterJam(true)
		if got := r.print(t, 3); got != "error" {
			t.Errorf("receiptio print = %s, want error", got)
		}
		if bytes.Contains(r.br.hostSent(), []byte("TRAMSO KIOSK")) {
			t.Error("receiptio sent the receipt to a printer in error")
		}
		if got := r.query(t); got != "error" || !p.Status().CutterError {
			t.Errorf("still jammed: receiptio -q = %s, printer %+v", got, p.Status())
		}
		p.SetCutterJam(false)
		if got := r.query(t); got != "error" {
			t.Errorf("jam cleared, error not yet recovered: receiptio -q = %s, want error", got)
		}
		waitFor(t, "recovery by receiptio's DLE ENQ 2", func() bool { return !p.Status().CutterError })
		if st := p.Status(); st.Stopped || st.Receipts != 0 {
			t.Errorf("after recovery: %+v", st)
		}
		if got := r.query(t); got != "online" {
			t.Errorf("after recovery: receiptio -q = %s, want online", got)
		}
	})
	t.Run("offline", func(t *testing.T) {
		t.Parallel()
		r := newRioRig(t, Config{})
		p := r.sim.Printer()
		p.SetOffline(true)
		if got := r.print(t, 3); got != "offline" {
			t.Errorf("receiptio print = %s, want offline", got)
		}
		if bytes.Contains(r.br.hostSent(), []byte("TRAMSO KIOSK")) {
			t.Error("receiptio sent the receipt to an offline printer")
		}
		if st := p.Status(); st.LostBytes == 0 || st.Receipts != 0 {
			t.Errorf("offline: %d bytes lost (receiptio's 8 KB retries must overflow the buffer), %d receipts", st.LostBytes, st.Receipts)
		}
		r.br.close()
		p.SetOffline(false) // what was buffered is processed now, synchronously
		if st := p.Status(); st.Receipts != 0 || st.Buffered != 0 {
			t.Errorf("back online: %d receipts, %d bytes still buffered", st.Receipts, st.Buffered)
		}
	})
}

// TestReceiptioLessTalkativePrinters: the clone that ignores GS r and the one-way printer, as
// receiptio sees them, and as our own driver's probe sees them: both must agree on what the
// printer answers (full, DLE EOT only, nothing).
func TestReceiptioLessTalkativePrinters(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name         string
		cfg          Config
		query, print string
		receipts     int
	}{
		{"answers both", Config{}, "online", "success", 1},
		// The clone prints, but receiptio never hears GS r: the independent tool cannot confirm.
		{"ignores GS r", Config{IgnoreGSr: true}, "online", "timeout", 1},
		// No back channel: receiptio retries its hello for 12 s, then says offline. It never
		// sends the receipt, so nothing prints.
		{"one-way", Config{OneWay: true}, "offline", "", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := newRioRig(t, c.cfg)
			q := r.query(t)
			if q != c.query {
				t.Errorf("receiptio -q = %s, want %s", q, c.query)
			}
			pr := ""
			if c.print != "" {
				if pr = r.print(t, 3); pr != c.print {
					t.Errorf("receiptio print = %s, want %s", pr, c.print)
				}
				waitReceipts(t, r.sim.Printer(), c.receipts)
			}
			if n := r.sim.Printer().Status().Receipts; n != c.receipts {
				t.Errorf("%d receipts, want %d", n, c.receipts)
			}
			// Cross-check: our driver, on the same line once receiptio has let go of it.
			r.br.close()
			want := receiptioMode(q, pr)
			if got := probeMode(t, r.sim.Link()); got != want {
				t.Errorf("our probe says %s, receiptio's verdicts (%s, %s) say %s", got, q, pr, want)
			}
		})
	}
}
