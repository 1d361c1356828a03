package codereader

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// scannerVendors are USB vendor IDs of scanner makers whose devices offer a serial (CDC) mode.
var scannerVendors = map[uint16]string{
	0x0536: "Honeywell (Hand Held Products)",
	0x0C2E: "Honeywell (Metrologic)",
	0x05E0: "Zebra (Symbol)",
	0x1EAB: "Newland",
	0x05F9: "Datalogic",
}

// ErrHIDMode is a scanner plugged in as a USB keyboard only (see the package comment).
var ErrHIDMode = errors.New("máy quét QR đang ở chế độ bàn phím (HID), không gõ được chữ tiếng Việt: " +
	"hãy quét mã cấu hình của hãng để chuyển sang chế độ cổng COM ảo (USB-CDC/VCOM) và xuất UTF-8 " +
	"(QR scanner is in keyboard (HID) mode and cannot send Vietnamese letters; switch it to USB serial (CDC/VCOM) mode with UTF-8 output)")

// HIDScanner is a scanner found plugged in as a keyboard-only USB device.
type HIDScanner struct {
	Port      string // the USB port name in sysfs, e.g. "1-1.4"
	VendorID  uint16
	ProductID uint16
	Vendor    string // the maker, from the known vendor list
	Product   string // the product string the device reports, if any
}

// Err returns the error to show the technician: it wraps ErrHIDMode and names the device.
func (h HIDScanner) Err() error {
	name := h.Vendor
	if h.Product != "" {
		name += " " + h.Product
	}
	return fmt.Errorf("%w: %s %04x:%04x, cổng USB (USB port) %s", ErrHIDMode, name, h.VendorID, h.ProductID, h.Port)
}

// DetectHID looks through sysfsRoot (normally "/sys") for USB devices of known scanner makers whose
// interfaces are all HID (class 03), that is scanners set to keyboard mode. A scanner with a CDC or
// vendor-specific interface is in a serial mode and not reported. A system without USB gives none.
func DetectHID(sysfsRoot string) ([]HIDScanner, error) {
	dir := filepath.Join(sysfsRoot, "bus", "usb", "devices")
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("không đọc được danh sách thiết bị USB (cannot list USB devices): %w", err)
	}
	classes := map[string][]string{} // device → its interfaces' classes
	var devices []string
	for _, e := range entries {
		name := e.Name()
		if dev, _, ok := strings.Cut(name, ":"); ok {
			c, err := readAttr(filepath.Join(dir, name), "bInterfaceClass")
			if err == nil {
				classes[dev] = append(classes[dev], strings.ToLower(c))
			}
			continue
		}
		devices = append(devices, name)
	}
	sort.Strings(devices)
	var found []HIDScanner
	for _, dev := range devices {
		vid, err := readHex(filepath.Join(dir, dev), "idVendor")
		if err != nil {
			continue // root hubs and half-removed devices
		}
		vendor, known := scannerVendors[vid]
		cs := classes[dev]
		if !known || len(cs) == 0 || !allHID(cs) {
			continue
		}
		pid, _ := readHex(filepath.Join(dir, dev), "idProduct")
		product, _ := readAttr(filepath.Join(dir, dev), "product")
		found = append(found, HIDScanner{Port: dev, VendorID: vid, ProductID: pid, Vendor: vendor, Product: product})
	}
	return found, nil
}

func allHID(classes []string) bool {
	for _, c := range classes {
		if c != "03" {
			return false
		}
	}
	return true
}

func readAttr(dir, name string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

func readHex(dir, name string) (uint16, error) {
	s, err := readAttr(dir, name)
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseUint(s, 16, 16)
	return uint16(v), err
}
