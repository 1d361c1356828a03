package codereader

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeSysfs writes the tree described in testdata/usb-devices.txt and returns its root and the
// expected findings.
func fakeSysfs(t *testing.T) (root string, want []string) {
	t.Helper()
	f, err := os.Open("testdata/usb-devices.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	root = t.TempDir()
	devices := filepath.Join(root, "bus", "usb", "devices")
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		text := sc.Text()
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		path, value, _ := strings.Cut(text, " ")
		if path == "want" {
			want = append(want, value)
			continue
		}
		p := filepath.Join(devices, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(value+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root, want
}

func TestDetectHID(t *testing.T) {
	root, want := fakeSysfs(t)
	found, err := DetectHID(root)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range found {
		got = append(got, fmt.Sprintf("%s %04x:%04x", h.Port, h.VendorID, h.ProductID))
	}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Fatalf("DetectHID found %q, want %q", got, want)
	}
	if found[0].Vendor != "Honeywell (Metrologic)" || found[0].Product != "Honeywell Scanning and Mobility Scanner" {
		t.Errorf("first finding %+v", found[0])
	}
	err = found[0].Err()
	if !errors.Is(err, ErrHIDMode) {
		t.Fatalf("Err() = %v, want ErrHIDMode", err)
	}
	for _, s := range []string{"máy quét QR đang ở chế độ bàn phím (HID)", "0c2e:0b61", "1-1"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("message %q lacks %q", err, s)
		}
	}
}

func TestDetectHIDNoUSB(t *testing.T) {
	found, err := DetectHID(t.TempDir())
	if err != nil || found != nil {
		t.Fatalf("no USB: %v, %v", found, err)
	}
}
