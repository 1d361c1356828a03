//go:build !nosim

package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tramso/tramso/kiosk/daemon"
)

// Staff see every device, the card reader and the QR scanner included, each with what it answered.
func TestStaffDevicesListsReaders(t *testing.T) {
	socket, dir := simKiosk(t)
	pin, err := os.ReadFile(filepath.Join(dir, daemon.SimStaffPINFile))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	code, out, errs := kioskctl(t, ctx, strings.NewReader(string(pin)), "staff", "devices", "--socket", socket)
	if code != 0 {
		t.Fatalf("staff devices: exit %d\n%s\n%s", code, out, errs)
	}
	lines := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(l, " "); ok {
			lines[k] = strings.TrimSpace(v)
		}
	}
	for _, k := range []string{"printer", "scanner", "cardReader", "qrScanner"} {
		v, ok := lines[k]
		if !ok || v == "" {
			t.Errorf("staff devices leaves out %s:\n%s", k, out)
		} else if strings.HasPrefix(v, "lỗi") {
			t.Errorf("simulated %s reported failing: %s", k, v)
		}
	}
	// A wrong PIN reads nothing.
	if code, out, _ := kioskctl(t, ctx, strings.NewReader("000000\n"), "staff", "devices", "--socket", socket); code == 0 || strings.Contains(out, "cardReader") {
		t.Fatalf("wrong PIN: exit %d\n%s", code, out)
	}
}
