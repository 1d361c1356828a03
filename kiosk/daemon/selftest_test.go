package daemon

import (
	"context"
	"errors"
	"iter"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/tramso/tramso/drivers/scanner"
	"github.com/tramso/tramso/kiosk/api/client"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/config"
	"github.com/tramso/tramso/kiosk/selftest"
	"github.com/tramso/tramso/kiosk/staff"
)

// selfTestDevices are the checks the self-test answers, in order.
// selfTestIDs are their IDs.
var selfTestIDs = []wire.DeviceID{"printer", "card_reader", "qr_scanner", "scanner", "store", "central", "disk", "fonts", "ocr_data"}

var selfTestDevices = []string{
	"máy in (printer)", "đầu đọc thẻ (card reader)", "máy quét QR (QR scanner)",
	"máy quét giấy tờ (document scanner)", "kho hồ sơ (dossier store)", "máy chủ trung tâm (central system)",
	"bộ nhớ trống (free disk space)", "phông chữ tiếng Việt (Vietnamese fonts)", "dữ liệu nhận dạng chữ (OCR data)",
}

func TestSelfTestThroughTheLocalAPI(t *testing.T) {
	pin := "135790"
	hash, err := staff.HashPIN(pin)
	if err != nil {
		t.Fatal(err)
	}
	// The self-test is a technician's function: the technician's PIN.
	k := startKiosk(t, func(c *config.Config) { c.Staff.TechnicianPINHash = hash })

	t.Run("no staff session: 401", func(t *testing.T) {
		k.t = t
		_, err := k.c.SelfTest(k.ctx(10 * time.Second))
		var p *client.Problem
		if !errors.As(err, &p) || p.Status != http.StatusUnauthorized {
			t.Fatalf("without a token: %v, want 401", err)
		}
		if code := postWithToken(t, k.cfg.Paths.Socket, "not-a-token"); code != http.StatusUnauthorized {
			t.Fatalf("with a made-up token: %d, want 401", code)
		}
	})

	k.t = t
	if err := k.c.StaffLogin(k.ctx(10*time.Second), pin); err != nil {
		t.Fatal(err)
	}
	selfTest := func(t *testing.T) map[wire.DeviceID]wire.Check {
		t.Helper()
		checks, err := k.c.SelfTest(k.ctx(30 * time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if len(checks) != len(selfTestDevices) {
			t.Fatalf("%d checks, want %d: %+v", len(checks), len(selfTestDevices), checks)
		}
		byDevice := map[wire.DeviceID]wire.Check{}
		for i, c := range checks {
			if c.Device != selfTestDevices[i] || c.ID != selfTestIDs[i] {
				t.Errorf("check %d is %q (%s), want %q (%s)", i, c.Device, c.ID, selfTestDevices[i], selfTestIDs[i])
			}
			if c.Result == "" || !norm.NFC.IsNormalString(c.Result) || !norm.NFC.IsNormalString(c.Fix) {
				t.Errorf("%s: result %q fix %q: want a worded NFC result", c.Device, c.Result, c.Fix)
			}
			if c.OK != (c.Fix == "") {
				t.Errorf("%s: ok=%v with fix %q: a fix belongs to failures only", c.Device, c.OK, c.Fix)
			}
			byDevice[c.ID] = c
		}
		return byDevice
	}
	allPassBut := func(t *testing.T, checks map[wire.DeviceID]wire.Check, failing wire.DeviceID) {
		t.Helper()
		for _, c := range checks {
			if c.ID != failing && !c.OK {
				t.Errorf("%s failed on the healthy simulated kiosk: %s (fix: %s)", c.Device, c.Result, c.Fix)
			}
		}
	}

	t.Run("healthy kiosk: every check passes", func(t *testing.T) {
		k.t = t
		checks := selfTest(t)
		allPassBut(t, checks, "")
		for dev, want := range map[wire.DeviceID]string{
			wire.DeviceIDPrinter:    "sẵn sàng (ready)",
			wire.DeviceIDStore:      "toàn vẹn",
			wire.DeviceIDCentral:    "kết nối được 127.0.0.1:",
			wire.DeviceIDCardReader: "phản hồi đúng",
		} {
			if !strings.Contains(checks[dev].Result, want) {
				t.Errorf("%s: %q, want it to say %q", dev, checks[dev].Result, want)
			}
		}
	})

	t.Run("card reader serving a citizen is left alone", func(t *testing.T) {
		k.t = t
		k.control(http.MethodPost, "qr", map[string]any{"citizen": citizen})
		k.waitFor("card step", 10*time.Second, func(v wire.View) bool { return v.State == wire.Identify && v.Step == wire.StepCard })
		card := wire.DeviceIDCardReader
		if c := selfTest(t)[card]; c.OK || !strings.Contains(c.Result, "chưa thử") {
			t.Errorf("reader waiting for a citizen's card: %+v", c)
		}
		k.act(wire.ActCancel, "")
		k.waitFor("attract", 5*time.Second, func(v wire.View) bool { return v.State == wire.Attract })
		deadline := time.Now().Add(10 * time.Second)
		for c := selfTest(t)[card]; !c.OK; c = selfTest(t)[card] {
			if time.Now().After(deadline) {
				t.Fatalf("reader after the session ended: %+v", c)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})

	for _, tc := range []struct{ fault, clear, says, fix string }{
		{"paper-out", "paper-in", "paper out", "cuộn giấy"}, // the conditions are ErrNotReady's English detail
		{"cover-open", "cover-close", "cover open", "đóng nắp"},
	} {
		t.Run("printer "+tc.fault, func(t *testing.T) {
			k.t = t
			k.control(http.MethodPost, "printer", map[string]any{"fault": tc.fault})
			checks := selfTest(t)
			p := checks[wire.DeviceIDPrinter]
			if p.OK || !strings.Contains(p.Result, tc.says) || !strings.Contains(p.Result, "chưa sẵn sàng (printer not ready)") ||
				!strings.Contains(p.Fix, tc.fix) {
				t.Errorf("printer with %s: %+v", tc.fault, p)
			}
			t.Logf("%s: %s — %s", p.Device, p.Result, p.Fix)
			allPassBut(t, checks, wire.DeviceIDPrinter)
			k.control(http.MethodPost, "printer", map[string]any{"fault": tc.clear})
			if p := selfTest(t)[wire.DeviceIDPrinter]; !p.OK {
				t.Errorf("printer after %s: %+v", tc.clear, p)
			}
		})
	}
}

// postWithToken posts to the self-test route with the given bearer token and returns the status.
func postWithToken(t *testing.T, socket, token string) int {
	t.Helper()
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", socket)
	}}}
	req, _ := http.NewRequest(http.MethodPost, "http://kioskd/v1/staff/selftest", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// The adapters of the devices kioskd holds; the checks themselves are tested in kiosk/selftest.

func TestHeldCardReader(t *testing.T) {
	d := &Daemon{card: cardReader{device: "pn532:" + filepath.Join(t.TempDir(), "no-reader"), busy: make(chan struct{}, 1)}}
	ctx := context.Background()
	h := heldDevices{d}
	if err := h.OpenCardReader(ctx); err == nil || errors.Is(err, selftest.ErrReaderBusy) {
		t.Fatalf("a missing reader: %v", err)
	}
	release, ok := d.card.tryAcquire()
	if !ok {
		t.Fatal("the check did not give the reader back")
	}
	if err := h.OpenCardReader(ctx); !errors.Is(err, selftest.ErrReaderBusy) {
		t.Fatalf("reader held by a session: %v", err)
	}
	release()
}

func TestHeldQR(t *testing.T) {
	d := &Daemon{cfg: config.Default()}
	if err := (heldDevices{d}).OpenQR(); err != nil {
		t.Errorf("scanner that opened at start: %v", err)
	}
	d.qrErr = errors.New("EBUSY")
	if err := (heldDevices{d}).OpenQR(); err == nil || !strings.Contains(err.Error(), "khởi động") {
		t.Errorf("scanner that did not open: %v", err)
	}
}

// fakeScanner reports fixed capabilities.
type fakeScanner struct{ caps scanner.Capabilities }

func (f fakeScanner) Scan(context.Context, scanner.Options) iter.Seq2[scanner.Page, error] {
	return func(func(scanner.Page, error) bool) {}
}

func (f fakeScanner) Capabilities(context.Context) (scanner.Capabilities, error) { return f.caps, nil }

// TestSelfTestOfHeldDevices runs the whole self-test on a daemon's devices: the scanner kioskd
// holds is asked (its source checked against the configuration), the QR scanner that failed at
// start is reported so.
func TestSelfTestOfHeldDevices(t *testing.T) {
	cfg := config.Default()
	cfg.Devices.ScanSource = "adf"
	cfg.Devices.QRScanner = "serial:" + filepath.Join(t.TempDir(), "qr") + "?baud=9600"
	flatbed := scanner.Capabilities{MakeAndModel: "Máy thử", Sources: []scanner.SourceCaps{{Source: scanner.Flatbed}}}
	d := &Daemon{cfg: cfg, scanner: fakeScanner{flatbed}, qrErr: errors.New("EBUSY"),
		card: cardReader{device: "pn532:" + filepath.Join(t.TempDir(), "no-reader"), busy: make(chan struct{}, 1)}}
	steps := selftest.Steps(cfg, heldDevices{d}, selftest.Options{})
	var checks []wire.Check
	for _, s := range steps {
		if s.ID == wire.DeviceIDScanner || s.ID == wire.DeviceIDQRScanner {
			checks = append(checks, selftest.RunSteps(context.Background(), []selftest.Step{s})...)
		}
	}
	if len(checks) != 2 {
		t.Fatalf("%+v", checks)
	}
	if qr := checks[0]; qr.OK || !strings.Contains(qr.Result, "khởi động") {
		t.Errorf("QR scanner that did not open at start: %+v", qr)
	}
	if sc := checks[1]; sc.OK || !strings.Contains(sc.Fix, "devices.scan_source") {
		t.Errorf("adf configured on a flatbed scanner: %+v", sc)
	}
}
