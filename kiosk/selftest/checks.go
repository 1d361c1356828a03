package selftest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/tramso/tramso/drivers/codereader"
	"github.com/tramso/tramso/drivers/escpos"
	"github.com/tramso/tramso/drivers/scanner"
	"github.com/tramso/tramso/kiosk/api/wire"
)

// ProbePrinter opens the printer at device and probes it (see Probe).
func ProbePrinter(ctx context.Context, device string, profile escpos.Profile) (escpos.StatusMode, *escpos.Status, error) {
	pr, err := escpos.Open(device, profile)
	if err != nil {
		return escpos.StatusAuto, nil, err
	}
	defer pr.Close()
	return Probe(ctx, pr)
}

// Probe finds out afresh what an open printer answers (DLE EOT, GS r): its status mode and, when
// it gave one, its status. A printer whose address says it has no back channel (status=none) is
// not asked; one whose mode the address forces is not probed for another.
func Probe(ctx context.Context, pr *escpos.Printer) (escpos.StatusMode, *escpos.Status, error) {
	if pr.Mode() == escpos.StatusNone {
		return escpos.StatusNone, nil, nil
	}
	st, err := pr.Status(ctx)
	if err != nil {
		return pr.Mode(), nil, err
	}
	mode := pr.Mode()
	if !pr.Forced() {
		if mode, err = pr.Probe(ctx); err != nil {
			return mode, &st, err
		}
	}
	return mode, &st, nil
}

// checkPrinter fails unless the printer can print a receipt now. A printer with no back channel
// passes with a warning that paper-out cannot be detected on it.
func checkPrinter(ctx context.Context, probe func(context.Context) (escpos.StatusMode, *escpos.Status, error)) (string, error) {
	mode, st, err := probe(ctx)
	switch {
	case err == nil && st == nil:
		return "cảnh báo (warning): " + mode.Describe(), nil
	case errors.Is(err, escpos.ErrNoReply):
		return "", &FixError{fmt.Errorf("cannot read the printer's status: %w", err), fixPrinterSilent}
	case err != nil:
		return "", fmt.Errorf("cannot read the printer's status: %w", err)
	case !st.OK():
		return "", &FixError{escpos.NotReady(*st), PrinterFix(*st)}
	}
	return st.String() + "; " + mode.Describe(), nil
}

// fixPrinterSilent is what to do about a printer that answers nothing.
const fixPrinterSilent = "bật máy in, kiểm tra cáp và tốc độ baud; máy in không có đường trả lời (USB không có đầu đọc, cáp chỉ có TX) thì thêm status=none vào địa chỉ thiết bị, khi đó không phát hiện được hết giấy (power the printer on, check the cable and baud rate; a printer with no back channel needs status=none in its device address, and then paper-out cannot be detected)"

// PrinterFix says what to do about what the printer reports.
func PrinterFix(st escpos.Status) string {
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

// checkCardReader opens the reader and closes it again. No card is needed.
func checkCardReader(ctx context.Context, open func(context.Context) error) (string, error) {
	if err := open(ctx); err != nil {
		if errors.Is(err, ErrReaderBusy) {
			return "", &FixError{err, "chạy lại khi không có công dân dùng kiosk (test again when no citizen is using the kiosk)"}
		}
		return "", err
	}
	return "mở được, phản hồi đúng (opens and answers)", nil
}

// checkQR reports whether the QR scanner opens, is still plugged in and is in serial mode. A
// scanner in serial mode sends nothing until a code is shown, so there is nothing to ask it.
func checkQR(dev string, open func() error, sysfs string) (string, error) {
	if dev == "" {
		return "chưa cấu hình: công dân nhập số định danh (not configured: citizens type the ID number)", nil
	}
	if err := open(); err != nil {
		return "", err
	}
	path, _, _, err := codereader.ParseDevice(dev)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(path); err != nil {
		return "", &FixError{
			fmt.Errorf("máy quét QR đã bị rút ra (QR scanner unplugged): %w", err),
			"cắm lại máy quét rồi khởi động lại kioskd: systemctl restart kioskd (plug the scanner back in, then restart kioskd)"}
	}
	if hids, _ := codereader.DetectHID(sysfs); len(hids) > 0 {
		return "", hids[0].Err()
	}
	return "mở được (opens)", nil
}

// checkScanner asks the document scanner what it can do and whether it has the configured source.
func checkScanner(ctx context.Context, capabilities func(context.Context) (scanner.Capabilities, error), source string) (string, error) {
	caps, err := capabilities(ctx)
	if err != nil {
		return "", err
	}
	if want, err := scanner.ParseSource(source); err == nil && len(caps.Sources) > 0 &&
		!slices.ContainsFunc(caps.Sources, func(s scanner.SourceCaps) bool { return s.Source == want }) {
		return "", &FixError{
			fmt.Errorf("máy quét %s không có nguồn giấy %s đã cấu hình (the scanner has no %s source)", caps.MakeAndModel, want, want),
			"sửa devices.scan_source cho khớp máy quét: flatbed hoặc adf (set devices.scan_source to what the scanner has)"}
	}
	if caps.MakeAndModel == "" {
		return "sẵn sàng (ready)", nil
	}
	return caps.MakeAndModel, nil
}

// checkStore runs the store's quick integrity check, counts the dossiers waiting and checks the
// signing certificate: copies are signed at capture, so without one the kiosk takes no dossiers.
func checkStore(ctx context.Context, get func(context.Context) (Store, func(), error)) (string, error) {
	s, done, err := get(ctx)
	if err != nil {
		return "", err
	}
	defer done()
	if err := s.QuickCheck(ctx); err != nil {
		return "", err
	}
	n, err := s.Pending(ctx)
	if err != nil {
		return "", fmt.Errorf("không đọc được kho hồ sơ (cannot read the dossier store): %w", err)
	}
	if err := s.SigningReady(); err != nil {
		return "", err
	}
	return fmt.Sprintf("toàn vẹn, %d hồ sơ chờ gửi, chứng thư ký số hợp lệ (intact, %d waiting, signing certificate valid)", n, n), nil
}

// checkCentral opens a TCP connection to the central system's host.
func checkCentral(ctx context.Context, centralURL string) (string, error) {
	if centralURL == "" {
		return "", &FixError{
			errors.New("chưa cấu hình central.url: hồ sơ chỉ được lưu trên kiosk (central.url not set: dossiers stay on the kiosk)"),
			"cấp phép kiosk: kioskctl provision (provision the kiosk)"}
	}
	host, err := dialAddress(centralURL)
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

// statfsFree is the free space of the file system holding dir, as unprivileged programs see it.
func statfsFree(dir string) (uint64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return st.Bavail * uint64(st.Bsize), nil
}

// checkFreeSpace fails when the file system holding dir has less than need bytes free.
func checkFreeSpace(dir string, need uint64, freeSpace func(string) (uint64, error)) (string, error) {
	free, err := freeSpace(dir)
	if err != nil {
		return "", fmt.Errorf("không đọc được dung lượng %s (cannot read free space): %w", dir, err)
	}
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

// OCRDataDirs are the folders where Tesseract's Vietnamese model is looked for: $TESSDATA_PREFIX
// when set, then where Debian's tesseract-ocr-vie puts it, newest first.
func OCRDataDirs() []string {
	dirs := []string{"/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata"}
	if p := os.Getenv("TESSDATA_PREFIX"); p != "" {
		dirs = append([]string{p}, dirs...)
	}
	return dirs
}

// checkOCRData looks for Tesseract's Vietnamese model in dirs; an empty file (a cut download)
// does not count.
func checkOCRData(dirs []string) (string, error) {
	for _, dir := range dirs {
		p := filepath.Join(dir, "vie.traineddata")
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Size() > 0 {
			return "tesseract vie (" + p + ")", nil
		}
	}
	return "", fmt.Errorf("không có vie.traineddata trong (no vie.traineddata in) %s", strings.Join(dirs, ", "))
}
