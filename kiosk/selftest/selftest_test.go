package selftest

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/tramso/tramso/drivers/escpos"
	"github.com/tramso/tramso/drivers/scanner"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/config"
	"github.com/tramso/tramso/kiosk/outbox"
)

// viThenEn reports whether s reads Vietnamese first and English second: a Vietnamese letter
// before the first " (", and plain English inside the parentheses that follow.
func viThenEn(s string) bool {
	i := strings.Index(s, " (")
	if i <= 0 {
		return false
	}
	j := strings.Index(s[i:], ")")
	if j < 0 {
		return false
	}
	vi, en := s[:i], s[i+2:i+j]
	viLetter := strings.ContainsFunc(vi, func(r rune) bool { return r > unicode.MaxASCII && unicode.IsLetter(r) })
	enPlain := en != "" && !strings.ContainsFunc(en, func(r rune) bool { return r > unicode.MaxASCII })
	return viLetter && enPlain
}

func TestViThenEn(t *testing.T) {
	for s, want := range map[string]bool{
		"còn trống 5 MB (5 MB free)":     true,
		"only 5 MB free (còn trống)":     false,
		"còn trống 5 MB":                 false,
		"còn trống (còn trống) 5 MB":     false,
		"tesseract vie (/usr/share/x)":   false,
		"máy in (printer) chưa sẵn sàng": true,
	} {
		if got := viThenEn(s); got != want {
			t.Errorf("viThenEn(%q) = %v", s, got)
		}
	}
}

// brokenKiosk is a kiosk whose every device fails to open.
type brokenKiosk struct{}

var errGone = errors.New("không có thiết bị (no such device)")

func (brokenKiosk) ProbePrinter(context.Context) (escpos.StatusMode, *escpos.Status, error) {
	return escpos.StatusAuto, nil, errGone
}
func (brokenKiosk) OpenCardReader(context.Context) error { return errGone }
func (brokenKiosk) OpenQR() error                        { return errGone }
func (brokenKiosk) ScannerCapabilities(context.Context) (scanner.Capabilities, error) {
	return scanner.Capabilities{}, errGone
}
func (brokenKiosk) Store(context.Context) (Store, func(), error) { return nil, nil, errGone }

// TestFailuresWordedViThenEn: on a kiosk with no OCR model and a full disk, those two checks fail
// worded Vietnamese then English, with their fixes, in the order every self-test reports.
func TestFailuresWordedViThenEn(t *testing.T) {
	cfg := config.Default()
	cfg.Paths.StateDir = t.TempDir()
	cfg.Devices.QRScanner = "serial:/dev/null-qr"
	need := uint64(max(outbox.DefaultMinFree, MinFreeFloor))
	var asked string
	opt := Options{
		FreeSpace:   func(dir string) (uint64, error) { asked = dir; return need - 1, nil },
		OCRDataDirs: []string{filepath.Join(t.TempDir(), "tessdata")},
	}
	checks := Run(context.Background(), cfg, brokenKiosk{}, opt)
	want := []string{wire.DevicePrinter, wire.DeviceCard, wire.DeviceQR, wire.DeviceScanner, wire.DeviceStore,
		wire.DeviceCentral, wire.DeviceDisk, wire.DeviceFonts, wire.DeviceOCRData}
	if len(checks) != len(want) {
		t.Fatalf("%d checks, want %d", len(checks), len(want))
	}
	wantIDs := []wire.DeviceID{wire.DeviceIDPrinter, wire.DeviceIDCardReader, wire.DeviceIDQRScanner, wire.DeviceIDScanner,
		wire.DeviceIDStore, wire.DeviceIDCentral, wire.DeviceIDDisk, wire.DeviceIDFonts, wire.DeviceIDOCRData}
	byDevice := map[string]wire.Check{}
	for i, c := range checks {
		if c.Device != want[i] || c.ID != wantIDs[i] {
			t.Errorf("check %d is %q (%s), want %q (%s)", i, c.Device, c.ID, want[i], wantIDs[i])
		}
		byDevice[c.Device] = c
	}
	if asked != cfg.Paths.StateDir {
		t.Errorf("free space asked of %q, want the state folder", asked)
	}
	for dev, fix := range map[string]string{wire.DeviceDisk: wire.FixDisk, wire.DeviceOCRData: wire.FixOCRData} {
		c := byDevice[dev]
		if c.OK || c.Fix != fix || !viThenEn(c.Result) {
			t.Errorf("%s: %+v, want a failure worded Vietnamese (English) with fix %q", dev, c, fix)
		}
		t.Logf("%s: %s — %s", c.Device, c.Result, c.Fix)
	}
	if r := byDevice[wire.DeviceDisk].Result; !strings.HasPrefix(r, "chỉ còn trống 268 MB, cần ít nhất 268 MB (only 268 MB free") {
		t.Errorf("disk: %q", r)
	}
	if r := byDevice[wire.DeviceOCRData].Result; !strings.Contains(r, opt.OCRDataDirs[0]) {
		t.Errorf("OCR data: %q does not name the folder looked in", r)
	}
	for _, c := range checks {
		if c.OK != (c.Fix == "") {
			t.Errorf("%s: ok=%v with fix %q", c.Device, c.OK, c.Fix)
		}
	}
	// At the boundary: exactly what is needed passes.
	opt.FreeSpace = func(string) (uint64, error) { return need, nil }
	opt.OCRDataDirs = []string{t.TempDir()}
	os.WriteFile(filepath.Join(opt.OCRDataDirs[0], "vie.traineddata"), []byte("model"), 0o600)
	for _, c := range Run(context.Background(), cfg, brokenKiosk{}, opt) {
		if (c.Device == wire.DeviceDisk || c.Device == wire.DeviceOCRData) && !c.OK {
			t.Errorf("%s: %+v, want a pass", c.Device, c)
		}
	}
}

// TestFullTmpfs checks a real, nearly full file system: a 1 MiB tmpfs (needs mount rights).
func TestFullTmpfs(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s); the statfs boundary is covered by TestFailuresWordedViThenEn", err, out)
	}
	defer exec.Command("umount", dir).Run()
	r, err := checkFreeSpace(dir, 2_000_000, statfsFree)
	if err == nil || !viThenEn(err.Error()) || !strings.HasPrefix(err.Error(), "chỉ còn trống 1 MB, cần ít nhất 2 MB") {
		t.Fatalf("1 MiB tmpfs, 2 MB needed: %q, %v", r, err)
	}
	if r, err := checkFreeSpace(dir, 500_000, statfsFree); err != nil || !viThenEn(r) {
		t.Fatalf("1 MiB tmpfs, 0.5 MB needed: %q, %v", r, err)
	}
}

func TestRunStepsBoundsEachStep(t *testing.T) {
	hung := make(chan struct{})
	defer close(hung)
	steps := []Step{
		{"hung", "treo (hung)", 50 * time.Millisecond, "fix-hung", func(context.Context) (string, error) {
			<-hung // a device that ignores its context
			return "late", nil
		}},
		{"good", "tốt (good)", time.Second, "fix-good", func(context.Context) (string, error) { return "ổn (fine)", nil }},
		{"bad", "lỗi (bad)", time.Second, "fix-general", func(context.Context) (string, error) {
			return "", &FixError{errors.New("hỏng (broken)"), "fix-precise"}
		}},
		{"slow", "chậm (slow)", 50 * time.Millisecond, "fix-slow", func(ctx context.Context) (string, error) {
			<-ctx.Done() // a device that gives up with its context
			return "", ctx.Err()
		}},
	}
	got := RunSteps(context.Background(), steps)
	want := []wire.Check{
		{ID: "hung", Device: "treo (hung)", OK: false, Fix: "fix-hung"},
		{ID: "good", Device: "tốt (good)", OK: true, Result: "ổn (fine)"},
		{ID: "bad", Device: "lỗi (bad)", OK: false, Result: "hỏng (broken)", Fix: "fix-precise"},
		{ID: "slow", Device: "chậm (slow)", OK: false, Fix: "fix-slow"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d checks, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.ID != w.ID || g.Device != w.Device || g.OK != w.OK || g.Fix != w.Fix || (w.Result != "" && g.Result != w.Result) {
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
	got = RunSteps(ctx, steps[3:])
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
		if got := PrinterFix(tc.st); got != tc.want {
			t.Errorf("PrinterFix(%+v) = %q, want %q", tc.st, got, tc.want)
		}
	}
}

func TestCheckPrinter(t *testing.T) {
	ctx := context.Background()
	probe := func(m escpos.StatusMode, st *escpos.Status, err error) func(context.Context) (escpos.StatusMode, *escpos.Status, error) {
		return func(context.Context) (escpos.StatusMode, *escpos.Status, error) { return m, st, err }
	}
	if r, err := checkPrinter(ctx, probe(escpos.StatusNone, nil, nil)); err != nil || !strings.HasPrefix(r, "cảnh báo (warning)") {
		t.Errorf("one-way printer: %q, %v; want a pass with a warning", r, err)
	}
	var fe *FixError
	if _, err := checkPrinter(ctx, probe(escpos.StatusAuto, nil, escpos.ErrNoReply)); !errors.As(err, &fe) || !strings.Contains(fe.Fix, "status=none") {
		t.Errorf("silent printer: %v", err)
	}
	if _, err := checkPrinter(ctx, probe(escpos.StatusAuto, &escpos.Status{Online: true, CoverOpen: true}, nil)); !errors.Is(err, escpos.ErrNotReady) || !errors.As(err, &fe) || !strings.Contains(fe.Fix, "đóng nắp") {
		t.Errorf("cover open: %v", err)
	}
	// A printer that is not there: escpos.Open's own error, the general fix (it names the baud).
	_, _, err := ProbePrinter(ctx, "serial:"+filepath.Join(t.TempDir(), "no-printer"), escpos.Profile{})
	if err == nil {
		t.Fatal("a missing printer opened")
	}
	c := RunSteps(ctx, []Step{{wire.DeviceIDPrinter, wire.DevicePrinter, time.Second, wire.FixPrinter, func(ctx context.Context) (string, error) {
		return checkPrinter(ctx, probe(escpos.StatusAuto, nil, err))
	}}})[0]
	if c.OK || !strings.Contains(c.Fix, "baud") || !viThenEn(c.Result) {
		t.Errorf("missing printer: %+v", c)
	}
}

func TestCheckCardReader(t *testing.T) {
	ctx := context.Background()
	r, err := checkCardReader(ctx, func(context.Context) error { return nil })
	if err != nil || !strings.Contains(r, "phản hồi đúng") {
		t.Errorf("a reader that opens: %q, %v", r, err)
	}
	var fe *FixError
	_, err = checkCardReader(ctx, func(context.Context) error { return ErrReaderBusy })
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "chưa thử") || !strings.Contains(fe.Fix, "chạy lại") {
		t.Errorf("reader held by a session: %v", err)
	}
	if _, err := checkCardReader(ctx, func(context.Context) error { return errGone }); !errors.Is(err, errGone) || errors.As(err, &fe) {
		t.Errorf("missing reader: %v", err)
	}
}

func TestCheckQR(t *testing.T) {
	opens := func() error { return nil }
	if r, err := checkQR("", opens, t.TempDir()); err != nil || !strings.Contains(r, "chưa cấu hình") {
		t.Errorf("no QR scanner configured: %q, %v", r, err)
	}
	dev := "serial:" + filepath.Join(t.TempDir(), "qr") + "?baud=9600"
	var fe *FixError
	if _, err := checkQR(dev, opens, t.TempDir()); !errors.As(err, &fe) || !strings.Contains(err.Error(), "bị rút ra (QR scanner unplugged)") {
		t.Errorf("unplugged scanner: %v", err)
	}
	if _, err := checkQR(dev, func() error { return errGone }, t.TempDir()); !errors.Is(err, errGone) {
		t.Errorf("scanner that does not open: %v", err)
	}
	present := filepath.Join(t.TempDir(), "qr")
	os.WriteFile(present, nil, 0o600)
	if r, err := checkQR("serial:"+present+"?baud=9600", opens, t.TempDir()); err != nil || r != "mở được (opens)" {
		t.Errorf("scanner present: %q, %v", r, err)
	}
}

func TestCheckScannerSource(t *testing.T) {
	flatbed := scanner.Capabilities{MakeAndModel: "Máy thử", Sources: []scanner.SourceCaps{{Source: scanner.Flatbed}}}
	caps := func(context.Context) (scanner.Capabilities, error) { return flatbed, nil }
	_, err := checkScanner(context.Background(), caps, "adf")
	var fe *FixError
	if !errors.As(err, &fe) || !strings.Contains(fe.Fix, "devices.scan_source") {
		t.Fatalf("adf configured on a flatbed scanner: %v", err)
	}
	if r, err := checkScanner(context.Background(), caps, "flatbed"); err != nil || r != "Máy thử" {
		t.Fatalf("flatbed: %q, %v", r, err)
	}
}

// TestCheckStore runs the store check on a real outbox: intact, but without a signing certificate
// it fails (the kiosk takes no dossiers without one).
func TestCheckStore(t *testing.T) {
	ctx := context.Background()
	s, err := outbox.Open(ctx, t.TempDir(), outbox.Options{KioskID: "KIOSK-T"})
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	_, err = checkStore(ctx, func(context.Context) (Store, func(), error) { return s, func() { closed = true; s.Close() }, nil })
	if err == nil {
		t.Error("a store without a signing certificate passed")
	}
	if !closed {
		t.Error("the store was not handed back")
	}
}

func TestCheckCentral(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ctx := context.Background()
	var fe *FixError
	if _, err := checkCentral(ctx, ""); !errors.As(err, &fe) || !strings.Contains(fe.Fix, "kioskctl provision") {
		t.Errorf("no central.url: %v", err)
	}
	if r, err := checkCentral(ctx, "http://"+addr+"/api"); err != nil || r != "kết nối được "+addr+" (reachable)" {
		t.Errorf("listening server: %q, %v", r, err)
	}
	ln.Close()
	if _, err := checkCentral(ctx, "http://"+addr+"/api"); err == nil || !strings.Contains(err.Error(), "không kết nối được "+addr) {
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
	if r, err := checkFreeSpace(dir, 1, statfsFree); err != nil || !strings.HasPrefix(r, "còn trống ") {
		t.Errorf("plenty of space: %q, %v", r, err)
	}
	if _, err := checkFreeSpace(dir, 1<<62, statfsFree); err == nil || !strings.HasPrefix(err.Error(), "chỉ còn trống ") {
		t.Errorf("below the minimum: %v", err)
	}
	if _, err := checkFreeSpace(filepath.Join(dir, "missing"), 1, statfsFree); err == nil || !viThenEn(err.Error()) {
		t.Errorf("a missing state folder: %v", err)
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
	if _, err := checkOCRData([]string{empty, filepath.Join(empty, "missing")}); err == nil || !viThenEn(err.Error()) {
		t.Errorf("an empty model: %v", err)
	}
	want := "tesseract vie (" + filepath.Join(good, "vie.traineddata") + ")"
	if r, err := checkOCRData([]string{empty, good}); err != nil || r != want {
		t.Errorf("model in the second folder: %q, %v; want %q", r, err, want)
	}
	t.Setenv("TESSDATA_PREFIX", good)
	if dirs := OCRDataDirs(); dirs[0] != good || len(dirs) != 3 {
		t.Errorf("OCRDataDirs with TESSDATA_PREFIX: %v", dirs)
	}
}
