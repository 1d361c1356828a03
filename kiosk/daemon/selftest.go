package daemon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
	"golang.org/x/text/unicode/norm"

	"github.com/tramso/tramso/drivers/codereader"
	"github.com/tramso/tramso/drivers/escpos"
	"github.com/tramso/tramso/drivers/scanner"
	"github.com/tramso/tramso/kiosk/api"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/identity"
	"github.com/tramso/tramso/kiosk/outbox"
)

// Self-test limits.
const (
	// stepTimeout bounds each step, so a hung device cannot hold up the rest of the test.
	stepTimeout = 10 * time.Second
	// centralTimeout bounds the connection attempt to the central system.
	centralTimeout = 5 * time.Second
	// minFreeFloor is the least free space the self-test accepts in the state folder, whatever the
	// outbox keeps.
	minFreeFloor = 200_000_000
)

// The Vietnamese font the kiosk draws and prints with (Debian fonts-noto-core).
const (
	notoRegular = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"
	notoBold    = "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"
)

// tessdataDirs are where Debian's tesseract-ocr-vie puts the Vietnamese model, newest first.
var tessdataDirs = []string{"/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata"}

// step is one check of the self-test.
type step struct {
	device  string        // what is checked, Vietnamese (English)
	timeout time.Duration // the step's own limit
	fix     string        // what to try when it fails
	// run exercises the device and says what it found; an error is a failure.
	run func(ctx context.Context) (string, error)
}

// fixError is a failure that knows a more precise fix than its step's general one.
type fixError struct {
	err error
	fix string
}

func (e *fixError) Error() string { return e.err.Error() }
func (e *fixError) Unwrap() error { return e.err }

// SelfTest exercises what kioskd holds, as kioskctl selftest does with kioskd stopped: the printer's
// real status, the card reader, the QR scanner, the document scanner, the dossier store's
// integrity, the central system's reachability, free space in the state folder, the Vietnamese
// fonts and the OCR data. Steps run side by side, each within its own time limit, so the whole
// test takes as long as its slowest step (at most 10 s). Results are worded Vietnamese (English),
// with a fix for each failure, and hold no personal data.
func (d *Daemon) SelfTest(ctx context.Context) []wire.Check {
	minFree := uint64(max(outbox.DefaultMinFree, minFreeFloor))
	steps := []step{
		{wire.DevicePrinter, stepTimeout, wire.FixPrinter, d.checkPrinter},
		{wire.DeviceCard, stepTimeout, wire.FixCard, d.checkCardReader},
		{wire.DeviceQR, stepTimeout, wire.FixQR, d.checkQR},
		{wire.DeviceScanner, stepTimeout, wire.FixScanner, d.checkScanner},
		{wire.DeviceStore, stepTimeout, wire.FixStore, d.checkStore},
		{wire.DeviceCentral, centralTimeout, wire.FixCentral, d.checkCentral},
		{wire.DeviceDisk, stepTimeout, wire.FixDisk, func(context.Context) (string, error) {
			return checkFreeSpace(d.cfg.Paths.StateDir, minFree)
		}},
		{wire.DeviceFonts, stepTimeout, wire.FixFonts, func(context.Context) (string, error) {
			return checkFonts(notoRegular, notoBold)
		}},
		{wire.DeviceOCRData, stepTimeout, wire.FixOCRData, func(context.Context) (string, error) {
			dirs := tessdataDirs
			if p := os.Getenv("TESSDATA_PREFIX"); p != "" {
				dirs = append([]string{p}, dirs...)
			}
			return checkOCRData(dirs)
		}},
	}
	return runSteps(ctx, steps)
}

// staffSelfTest answers POST /v1/staff/selftest: 200 with every check, failed ones included.
func (d *Daemon) staffSelfTest(w http.ResponseWriter, r *http.Request) {
	api.WriteJSON(w, http.StatusOK, d.SelfTest(r.Context()))
}

// runSteps runs the steps side by side and returns their checks in the steps' order.
func runSteps(ctx context.Context, steps []step) []wire.Check {
	out := make([]wire.Check, len(steps))
	var wg sync.WaitGroup
	for i, s := range steps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = runStep(ctx, s)
		}()
	}
	wg.Wait()
	return out
}

// runStep runs one step within its time limit. A device that ignores the limit is left behind:
// its answer, when it comes, is dropped.
func runStep(ctx context.Context, s step) wire.Check {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	type answer struct {
		result string
		err    error
	}
	done := make(chan answer, 1) // buffered: a late answer does not block its goroutine
	go func() {
		r, err := s.run(ctx)
		done <- answer{r, err}
	}()
	var a answer
	select {
	case a = <-done:
	case <-ctx.Done():
		a.err = ctx.Err()
	}
	if a.err != nil && ctx.Err() != nil {
		secs := s.timeout.Seconds()
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			a.err = fmt.Errorf("không trả lời trong %g giây (no answer within %g s): %w", secs, secs, a.err)
		} else {
			a.err = fmt.Errorf("kiểm tra bị hủy (check cancelled): %w", a.err)
		}
	}
	c := wire.Check{Device: s.device, OK: a.err == nil, Result: a.result}
	if a.err != nil {
		c.Result, c.Fix = a.err.Error(), s.fix
		if fe := (*fixError)(nil); errors.As(a.err, &fe) {
			c.Fix = fe.fix
		}
	}
	c.Result, c.Fix = norm.NFC.String(c.Result), norm.NFC.String(c.Fix)
	return c
}

// checkPrinter probes what the printer answers (DLE EOT, GS r), keeps it for the prints that
// follow, and fails unless it can print a receipt now. A printer whose address says it has no back
// channel (status=none) passes with a warning that paper-out cannot be detected on it.
func (d *Daemon) checkPrinter(ctx context.Context) (string, error) {
	mode, st, err := d.printer.probe(ctx)
	switch {
	case err == nil && st == nil:
		return "cảnh báo (warning): " + mode.Describe(), nil
	case errors.Is(err, escpos.ErrNoReply):
		return "", &fixError{fmt.Errorf("không đọc được trạng thái máy in (cannot read the printer's status): %w", err), fixPrinterSilent}
	case err != nil:
		return "", fmt.Errorf("không đọc được trạng thái máy in (cannot read the printer's status): %w", err)
	case !st.OK():
		return "", &fixError{fmt.Errorf("%w: %s", escpos.ErrNotReady, st), printerFix(*st)}
	}
	return st.String() + "; " + mode.Describe(), nil
}

// fixPrinterSilent is what to do about a printer that answers nothing.
const fixPrinterSilent = "bật máy in, kiểm tra cáp và tốc độ baud; máy in không có đường trả lời (USB không có đầu đọc, cáp chỉ có TX) thì thêm status=none vào địa chỉ thiết bị, khi đó không phát hiện được hết giấy (power the printer on, check the cable and baud rate; a printer with no back channel needs status=none in its device address, and then paper-out cannot be detected)"

// printerFix says what to do about what the printer reports.
func printerFix(st escpos.Status) string {
	var fix []string
	if st.CoverOpen {
		fix = append(fix, "đóng nắp máy in (close the printer cover)")
	}
	if st.PaperEnd || st.StoppedByEnd {
		fix = append(fix, "lắp cuộn giấy mới, mặt in hướng lên đầu in (load a new paper roll)")
	}
	if st.CutterError {
		fix = append(fix, "gỡ giấy kẹt ở dao cắt rồi tắt bật máy in (clear the cutter, then power-cycle the printer)")
	}
	if st.Unrecoverable {
		fix = append(fix, "tắt bật máy in (power-cycle the printer)")
	}
	if st.AutoRecoverable {
		fix = append(fix, "chờ đầu in nguội rồi thử lại (let the head cool, then test again)")
	}
	if len(fix) == 0 {
		return wire.FixPrinter // offline or an unnamed error
	}
	return strings.Join(fix, "; ")
}

// checkCardReader opens the reader, which wakes it and asks for its firmware, and closes it again.
// No card is needed. A reader a citizen's session holds is not touched.
func (d *Daemon) checkCardReader(ctx context.Context) (string, error) {
	release, ok := d.card.tryAcquire()
	if !ok {
		return "", &fixError{
			errors.New("đầu đọc thẻ đang đọc thẻ của công dân, chưa thử (the reader is serving a citizen; not exercised)"),
			"chạy lại khi không có công dân dùng kiosk (test again when no citizen is using the kiosk)"}
	}
	defer release()
	rd, err := identity.OpenReader(ctx, d.card.device)
	if err != nil {
		return "", err
	}
	rd.Close()
	return "mở được, phản hồi đúng (opens and answers)", nil
}

// checkQR reports whether the QR scanner kioskd opened at start is still plugged in and in serial
// mode. A scanner in serial mode sends nothing until a code is shown, so there is nothing to ask it.
func (d *Daemon) checkQR(context.Context) (string, error) {
	dev := d.cfg.Devices.QRScanner
	if dev == "" {
		return "chưa cấu hình: công dân nhập số định danh (not configured: citizens type the ID number)", nil
	}
	if d.qrErr != nil {
		return "", fmt.Errorf("không mở được lúc kioskd khởi động (did not open when kioskd started): %w", d.qrErr)
	}
	path, _, _, err := codereader.ParseDevice(dev)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(path); err != nil {
		return "", &fixError{
			fmt.Errorf("máy quét QR đã bị rút ra (QR scanner unplugged): %w", err),
			"cắm lại máy quét rồi khởi động lại kioskd: systemctl restart kioskd (plug the scanner back in, then restart kioskd)"}
	}
	if hids, _ := codereader.DetectHID("/sys"); len(hids) > 0 {
		return "", hids[0].Err()
	}
	return "mở được (opens)", nil
}

// checkScanner asks the document scanner what it can do and whether it has the configured source.
func (d *Daemon) checkScanner(ctx context.Context) (string, error) {
	caps, err := d.scanner.Capabilities(ctx)
	if err != nil {
		return "", err
	}
	if want, err := scanner.ParseSource(d.cfg.Devices.ScanSource); err == nil && len(caps.Sources) > 0 &&
		!slices.ContainsFunc(caps.Sources, func(s scanner.SourceCaps) bool { return s.Source == want }) {
		return "", &fixError{
			fmt.Errorf("máy quét %s không có nguồn giấy %s đã cấu hình (the scanner has no %s source)", caps.MakeAndModel, want, want),
			"sửa devices.scan_source cho khớp máy quét: flatbed hoặc adf (set devices.scan_source to what the scanner has)"}
	}
	if caps.MakeAndModel == "" {
		return "sẵn sàng (ready)", nil
	}
	return caps.MakeAndModel, nil
}

// checkStore runs the store's quick integrity check and counts the dossiers waiting.
func (d *Daemon) checkStore(ctx context.Context) (string, error) {
	if err := d.store.QuickCheck(ctx); err != nil {
		return "", err
	}
	n, err := d.store.Pending(ctx)
	if err != nil {
		return "", fmt.Errorf("không đọc được kho hồ sơ (cannot read the dossier store): %w", err)
	}
	// Copies are signed at capture: without a valid certificate the kiosk takes no dossiers.
	if err := d.store.SigningReady(); err != nil {
		return "", err
	}
	return fmt.Sprintf("toàn vẹn, %d hồ sơ chờ gửi, chứng thư ký số hợp lệ (intact, %d waiting, signing certificate valid)", n, n), nil
}

// checkCentral opens a TCP connection to the central system's host.
func (d *Daemon) checkCentral(ctx context.Context) (string, error) {
	if d.cfg.Central.URL == "" {
		return "", &fixError{
			errors.New("chưa cấu hình central.url: hồ sơ chỉ được lưu trên kiosk (central.url not set: dossiers stay on the kiosk)"),
			"cấp phép kiosk: kioskctl provision (provision the kiosk)"}
	}
	host, err := dialAddress(d.cfg.Central.URL)
	if err != nil {
		return "", err
	}
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", host)
	if err != nil {
		return "", fmt.Errorf("không kết nối được %s (unreachable): %w", host, err)
	}
	conn.Close()
	return "kết nối được " + host + " (reachable)", nil
}

// dialAddress is the host:port of an http(s) URL.
func dialAddress(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Hostname() == "" {
		return "", fmt.Errorf("central.url không hợp lệ (bad central.url): %q", rawURL)
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	if port == "" {
		return "", fmt.Errorf("central.url không phải http(s) (central.url is not http(s)): %q", rawURL)
	}
	return net.JoinHostPort(u.Hostname(), port), nil
}

// checkFreeSpace fails when the file system holding dir has less than need bytes free for kioskd.
func checkFreeSpace(dir string, need uint64) (string, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return "", fmt.Errorf("không đọc được dung lượng %s (cannot read free space): %w", dir, err)
	}
	free := st.Bavail * uint64(st.Bsize)
	const mb = 1_000_000
	if free < need {
		return "", fmt.Errorf("chỉ còn trống %d MB, cần ít nhất %d MB (only %d MB free, need %d MB)", free/mb, need/mb, free/mb, need/mb)
	}
	return fmt.Sprintf("còn trống %d MB (%d MB free)", free/mb, free/mb), nil
}

// checkFonts loads the Vietnamese font pair receipts are printed with.
func checkFonts(regular, bold string) (string, error) {
	if _, err := escpos.LoadFonts(regular, bold); err != nil {
		return "", err
	}
	return "Noto Sans", nil
}

// checkOCRData looks for Tesseract's Vietnamese model in dirs.
func checkOCRData(dirs []string) (string, error) {
	for _, dir := range dirs {
		p := filepath.Join(dir, "vie.traineddata")
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Size() > 0 {
			return "tesseract vie (" + p + ")", nil
		}
	}
	return "", fmt.Errorf("không có vie.traineddata trong (no vie.traineddata in) %s", strings.Join(dirs, ", "))
}
