package daemon

import (
	"context"
	"errors"
	"iter"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/tramso/tramso/drivers/escpos"
	"github.com/tramso/tramso/drivers/scanner"
	"github.com/tramso/tramso/kiosk/api/client"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/config"
	"github.com/tramso/tramso/kiosk/staff"
)

// selfTestDevices are the checks the self-test answers, in order.
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
	k := startKiosk(t, func(c *config.Config) { c.Staff.PINHash = hash })

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
	selfTest := func(t *testing.T) map[string]wire.Check {
		t.Helper()
		checks, err := k.c.SelfTest(k.ctx(30 * time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if len(checks) != len(selfTestDevices) {
			t.Fatalf("%d checks, want %d: %+v", len(checks), len(selfTestDevices), checks)
		}
		byDevice := map[string]wire.Check{}
		for i, c := range checks {
			if c.Device != selfTestDevices[i] {
				t.Errorf("check %d is %q, want %q", i, c.Device, selfTestDevices[i])
			}
			if c.Result == "" || !norm.NFC.IsNormalString(c.Result) || !norm.NFC.IsNormalString(c.Fix) {
				t.Errorf("%s: result %q fix %q: want a worded NFC result", c.Device, c.Result, c.Fix)
			}
			if c.OK != (c.Fix == "") {
				t.Errorf("%s: ok=%v with fix %q: a fix belongs to failures only", c.Device, c.OK, c.Fix)
			}
			byDevice[c.Device] = c
		}
		return byDevice
	}
	allPassBut := func(t *testing.T, checks map[string]wire.Check, failing string) {
		t.Helper()
		for _, c := range checks {
			if c.Device != failing && !c.OK {
				t.Errorf("%s failed on the healthy simulated kiosk: %s (fix: %s)", c.Device, c.Result, c.Fix)
			}
		}
	}

	t.Run("healthy kiosk: every check passes", func(t *testing.T) {
		k.t = t
		checks := selfTest(t)
		allPassBut(t, checks, "")
		for dev, want := range map[string]string{
			"máy in (printer)":                   "sẵn sàng (ready)",
			"kho hồ sơ (dossier store)":          "toàn vẹn",
			"máy chủ trung tâm (central system)": "kết nối được 127.0.0.1:",
			"đầu đọc thẻ (card reader)":          "phản hồi đúng",
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
		card := "đầu đọc thẻ (card reader)"
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
		{"paper-out", "paper-in", "hết giấy (paper out)", "cuộn giấy"},
		{"cover-open", "cover-close", "nắp máy in đang mở (cover open)", "đóng nắp"},
	} {
		t.Run("printer "+tc.fault, func(t *testing.T) {
			k.t = t
			k.control(http.MethodPost, "printer", map[string]any{"fault": tc.fault})
			checks := selfTest(t)
			p := checks["máy in (printer)"]
			if p.OK || !strings.Contains(p.Result, tc.says) || !strings.Contains(p.Result, "chưa sẵn sàng (printer not ready)") ||
				!strings.Contains(p.Fix, tc.fix) {
				t.Errorf("printer with %s: %+v", tc.fault, p)
			}
			t.Logf("%s: %s — %s", p.Device, p.Result, p.Fix)
			allPassBut(t, checks, "máy in (printer)")
			k.control(http.MethodPost, "printer", map[string]any{"fault": tc.clear})
			if p := selfTest(t)["máy in (printer)"]; !p.OK {
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

func TestRunStepsBoundsEachStep(t *testing.T) {
	hung := make(chan struct{})
	defer close(hung)
	steps := []step{
		{"treo (hung)", 50 * time.Millisecond, "fix-hung", func(context.Context) (string, error) {
			<-hung // a device that ignores its context
			return "late", nil
		}},
		{"tốt (good)", time.Second, "fix-good", func(context.Context) (string, error) { return "ổn (fine)", nil }},
		{"lỗi (bad)", time.Second, "fix-general", func(context.Context) (string, error) {
			return "", &fixError{errors.New("hỏng (broken)"), "fix-precise"}
		}},
		{"chậm (slow)", 50 * time.Millisecond, "fix-slow", func(ctx context.Context) (string, error) {
			<-ctx.Done() // a device that gives up with its context
			return "", ctx.Err()
		}},
	}
	got := runSteps(context.Background(), steps)
	want := []wire.Check{
		{Device: "treo (hung)", OK: false, Fix: "fix-hung"},
		{Device: "tốt (good)", OK: true, Result: "ổn (fine)"},
		{Device: "lỗi (bad)", OK: false, Result: "hỏng (broken)", Fix: "fix-precise"},
		{Device: "chậm (slow)", OK: false, Fix: "fix-slow"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d checks, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Device != w.Device || g.OK != w.OK || g.Fix != w.Fix || (w.Result != "" && g.Result != w.Result) {
			t.Errorf("check %d = %+v, want %+v", i, g, w)
		}
	}
	for _, i := range []int{0, 3} {
		if !strings.HasPrefix(got[i].Result, "không trả lời trong 0.05 giây (no answer within 0.05 s)") {
			t.Errorf("timed-out step says %q", got[i].Result)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got = runSteps(ctx, steps[3:])
	if got[0].OK || !strings.HasPrefix(got[0].Result, "kiểm tra bị hủy (check cancelled)") {
		t.Errorf("cancelled self-test: %+v", got[0])
	}
}

func TestPrinterFix(t *testing.T) {
	for _, tc := range []struct {
		st   escpos.Status
		want string
	}{
		{escpos.Status{Online: false}, wire.FixPrinter},
		{escpos.Status{Online: true, Error: true}, wire.FixPrinter},
		{escpos.Status{Online: false, PaperEnd: true}, "lắp cuộn giấy mới, mặt in hướng lên đầu in (load a new paper roll)"},
		{escpos.Status{Online: true, CoverOpen: true, StoppedByEnd: true}, "đóng nắp máy in (close the printer cover); lắp cuộn giấy mới, mặt in hướng lên đầu in (load a new paper roll)"},
		{escpos.Status{Online: true, AutoRecoverable: true}, "chờ đầu in nguội rồi thử lại (let the head cool, then test again)"},
	} {
		if got := printerFix(tc.st); got != tc.want {
			t.Errorf("printerFix(%+v) = %q, want %q", tc.st, got, tc.want)
		}
	}
}

func TestCheckCardReader(t *testing.T) {
	d := &Daemon{card: cardReader{device: "pn532:" + filepath.Join(t.TempDir(), "no-reader"), busy: make(chan struct{}, 1)}}
	ctx := context.Background()
	if _, err := d.checkCardReader(ctx); err == nil {
		t.Fatal("a missing reader passed")
	}
	release, ok := d.card.tryAcquire()
	if !ok {
		t.Fatal("the check did not give the reader back")
	}
	_, err := d.checkCardReader(ctx)
	var fe *fixError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "chưa thử") {
		t.Fatalf("reader held by a session: %v", err)
	}
	release()
}

func TestCheckQR(t *testing.T) {
	cfg := config.Default()
	d := &Daemon{cfg: cfg}
	if r, err := d.checkQR(context.Background()); err != nil || !strings.Contains(r, "chưa cấu hình") {
		t.Errorf("no QR scanner configured: %q, %v", r, err)
	}
	cfg.Devices.QRScanner = "serial:" + filepath.Join(t.TempDir(), "qr") + "?baud=9600"
	if _, err := d.checkQR(context.Background()); err == nil || !strings.Contains(err.Error(), "bị rút ra (QR scanner unplugged)") {
		t.Errorf("unplugged scanner: %v", err)
	}
	d.qrErr = errors.New("EBUSY")
	if _, err := d.checkQR(context.Background()); err == nil || !strings.Contains(err.Error(), "khởi động") {
		t.Errorf("scanner that did not open: %v", err)
	}
}

// fakeScanner reports fixed capabilities.
type fakeScanner struct{ caps scanner.Capabilities }

func (f fakeScanner) Scan(context.Context, scanner.Options) iter.Seq2[scanner.Page, error] {
	return func(func(scanner.Page, error) bool) {}
}

func (f fakeScanner) Capabilities(context.Context) (scanner.Capabilities, error) { return f.caps, nil }

func TestCheckScannerSource(t *testing.T) {
	cfg := config.Default()
	cfg.Devices.ScanSource = "adf"
	flatbed := scanner.Capabilities{MakeAndModel: "Máy thử", Sources: []scanner.SourceCaps{{Source: scanner.Flatbed}}}
	d := &Daemon{cfg: cfg, scanner: fakeScanner{flatbed}}
	_, err := d.checkScanner(context.Background())
	var fe *fixError
	if !errors.As(err, &fe) || !strings.Contains(fe.fix, "devices.scan_source") {
		t.Fatalf("adf configured on a flatbed scanner: %v", err)
	}
	cfg.Devices.ScanSource = "flatbed"
	if r, err := d.checkScanner(context.Background()); err != nil || r != "Máy thử" {
		t.Fatalf("flatbed: %q, %v", r, err)
	}
}

func TestCheckCentral(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	cfg := config.Default()
	d := &Daemon{cfg: cfg}
	ctx := context.Background()
	var fe *fixError
	if _, err := d.checkCentral(ctx); !errors.As(err, &fe) || !strings.Contains(fe.fix, "kioskctl provision") {
		t.Errorf("no central.url: %v", err)
	}
	cfg.Central.URL = "http://" + addr + "/api"
	if r, err := d.checkCentral(ctx); err != nil || r != "kết nối được "+addr+" (reachable)" {
		t.Errorf("listening server: %q, %v", r, err)
	}
	ln.Close()
	if _, err := d.checkCentral(ctx); err == nil || !strings.Contains(err.Error(), "không kết nối được "+addr) {
		t.Errorf("closed port: %v", err)
	}
}

func TestDialAddress(t *testing.T) {
	for in, want := range map[string]string{
		"https://central.example.vn/api": "central.example.vn:443",
		"http://central.example.vn":      "central.example.vn:80",
		"https://10.0.0.5:8443/":         "10.0.0.5:8443",
		"https://[fd00::1]/api":          "[fd00::1]:443",
		"ftp://central.example.vn":       "",
		"://":                            "",
	} {
		got, err := dialAddress(in)
		if got != want || (err == nil) != (want != "") {
			t.Errorf("dialAddress(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestCheckFreeSpace(t *testing.T) {
	dir := t.TempDir()
	if r, err := checkFreeSpace(dir, 1); err != nil || !strings.HasPrefix(r, "còn trống ") {
		t.Errorf("plenty of space: %q, %v", r, err)
	}
	if _, err := checkFreeSpace(dir, 1<<62); err == nil || !strings.HasPrefix(err.Error(), "chỉ còn trống ") {
		t.Errorf("below the minimum: %v", err)
	}
	if _, err := checkFreeSpace(filepath.Join(dir, "missing"), 1); err == nil {
		t.Error("a missing state folder passed")
	}
}

func TestCheckFonts(t *testing.T) {
	dir := t.TempDir()
	if _, err := checkFonts(filepath.Join(dir, "a.ttf"), filepath.Join(dir, "b.ttf")); !errors.Is(err, escpos.ErrNoFont) {
		t.Errorf("missing fonts: %v, want ErrNoFont", err)
	}
	bad := filepath.Join(dir, "bad.ttf")
	os.WriteFile(bad, []byte("not a font"), 0o600)
	if _, err := checkFonts(bad, bad); err == nil {
		t.Error("a damaged font passed")
	}
}

func TestCheckOCRData(t *testing.T) {
	empty, good := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(empty, "vie.traineddata"), nil, 0o600) // a truncated download
	os.WriteFile(filepath.Join(good, "vie.traineddata"), []byte("model"), 0o600)
	if _, err := checkOCRData([]string{empty, filepath.Join(empty, "missing")}); err == nil {
		t.Error("an empty model passed")
	}
	want := "tesseract vie (" + filepath.Join(good, "vie.traineddata") + ")"
	if r, err := checkOCRData([]string{empty, good}); err != nil || r != want {
		t.Errorf("model in the second folder: %q, %v; want %q", r, err, want)
	}
}
