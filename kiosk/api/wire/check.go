package wire

// Check is one line of the kiosk self-test: a device or resource, whether it passed, what was found
// and, when it failed, what the technician should try. kioskd's POST /v1/staff/selftest answers a
// list of them, in the shape kioskctl selftest --json prints.
type Check struct {
	// ID identifies what was checked, for code to match on (DeviceIDPrinter, …); Device is
	// only its name for people.
	ID DeviceID `json:"id"`
	// Device names what was checked, Vietnamese (English), e.g. "máy in (printer)".
	Device string `json:"device"`
	// OK is true when the device passed.
	OK bool `json:"ok"`
	// Result is what was found: the device's answer when it passed, the error when it failed.
	Result string `json:"result"`
	// Fix is what to try, Vietnamese (English); set only when the check failed.
	Fix string `json:"fix,omitempty"`
}

// The devices both self-tests (kioskd's and kioskctl selftest) check, as Check.Device names them.
const (
	DevicePrinter = "máy in (printer)"
	DeviceCard    = "đầu đọc thẻ (card reader)"
	DeviceQR      = "máy quét QR (QR scanner)"
	DeviceScanner = "máy quét giấy tờ (document scanner)"
	DeviceStore   = "kho hồ sơ (dossier store)"
	DeviceCentral = "máy chủ trung tâm (central system)"
	DeviceDisk    = "bộ nhớ trống (free disk space)"
	DeviceFonts   = "phông chữ tiếng Việt (Vietnamese fonts)"
	DeviceOCRData = "dữ liệu nhận dạng chữ (OCR data)"
)

// DeviceID is the stable identifier of a device or resource the self-tests check (Check.ID),
// separate from the name people read (Check.Device): match devices on it, never on the name.
type DeviceID string

// Device IDs, one per Device… name above (also the kiosk_selftest_ok metric's check label).
const (
	DeviceIDPrinter    DeviceID = "printer"
	DeviceIDCardReader DeviceID = "card_reader"
	DeviceIDQRScanner  DeviceID = "qr_scanner"
	DeviceIDScanner    DeviceID = "scanner"
	DeviceIDStore      DeviceID = "store"
	DeviceIDCentral    DeviceID = "central"
	DeviceIDDisk       DeviceID = "disk"
	DeviceIDFonts      DeviceID = "fonts"
	DeviceIDOCRData    DeviceID = "ocr_data"
)

// The fixes the self-tests suggest when a device fails, Vietnamese (English).
const (
	FixPrinter = "kiểm tra nguồn, cáp, nắp và giấy; tốc độ baud trong devices.printer khớp với máy in (check power, cable, cover, paper, baud)"
	FixCard    = "kiểm tra cáp USB/nối tiếp và devices.card_reader; với PC/SC: systemctl status pcscd (check cable, config, pcscd)"
	FixQR      = "đặt máy quét ở chế độ cổng nối tiếp USB-CDC/VCOM (set the scanner to serial mode); kiểm tra devices.qr_scanner"
	FixScanner = "kiểm tra nguồn, cáp/mạng và devices.scanner; scanimage -L liệt kê máy quét SANE (check power, link, config)"
	FixStore   = "không xóa tệp; gọi kỹ thuật cấp tỉnh với kioskctl logs bundle (do not delete files; send a support bundle)"
	FixCentral = "kiểm tra mạng và central.url; hồ sơ vẫn được lưu và gửi sau (check the network; dossiers wait in the outbox)"
	FixDisk    = "kiểm tra máy chủ trung tâm để hồ sơ chờ được gửi đi, dọn nhật ký: journalctl --vacuum-size=100M; không xóa tệp trong thư mục dữ liệu (let waiting dossiers upload, trim the journal; never delete files in the state folder)"
	FixFonts   = "apt-get install fonts-noto-core"
	FixOCRData = "apt-get install tesseract-ocr-vie"
)
