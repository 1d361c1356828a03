package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// printer print prints on a printer that answers both status requests, on a clone that ignores
// GS r, and on a one-way printer, and says for each what it knows.
func TestPrinterStatusModes(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	bin := filepath.Join(dir, "r.bin")
	if code, out, errs := kioskctl(t, ctx, nil, "receipt", "render", "--in", "../../receipt/testdata/typical.json", "--out", bin); code != 0 {
		t.Fatalf("render: %d %s %s", code, out, errs)
	}
	for _, c := range []struct {
		name, flag, outcome, mode string
	}{
		{"full", "", "đã in (printed)", "full"},
		{"clone", "--ignore-gsr", "đã in (printed)", "realtime"},
		{"one-way", "--one-way", "đã gửi, máy in không xác nhận được", "none"},
	} {
		t.Run(c.name, func(t *testing.T) {
			link := filepath.Join(dir, c.name)
			pngDir := filepath.Join(dir, c.name+"-paper")
			simCtx, stopSim := context.WithCancel(ctx)
			defer stopSim()
			stdinR, stdinW := io.Pipe()
			defer stdinW.Close()
			args := []string{"printer", "simulate", "--link", link, "--out", pngDir}
			if c.flag != "" {
				args = append(args, c.flag)
			}
			simDone := make(chan struct{})
			go func() { kioskctl(t, simCtx, stdinR, args...); close(simDone) }()
			defer func() { stopSim(); <-simDone }()
			waitFor(t, func() bool { _, err := os.Lstat(link); return err == nil })
			device := "serial:" + link + "?baud=921600"
			code, out, errs := kioskctl(t, ctx, nil, "printer", "status", "--device", device)
			if c.mode == "none" {
				if code == 0 || !strings.Contains(errs, "status=none") {
					t.Fatalf("status of a one-way printer: %d %s %s", code, out, errs)
				}
			} else if code != 0 || !strings.Contains(out, "status mode) "+c.mode) {
				t.Fatalf("status: %d %s %s", code, out, errs)
			}
			code, out, errs = kioskctl(t, ctx, nil, "printer", "print", "--device", device, "--in", bin)
			if code != 0 || !strings.Contains(out, c.outcome) || !strings.Contains(out, "status mode) "+c.mode) {
				t.Fatalf("print: %d %s %s", code, out, errs)
			}
			if c.mode == "none" && (strings.Contains(out, "đã in (printed)") || !strings.Contains(errs, "hết giấy")) {
				t.Fatalf("a one-way print must not be called printed, and must warn: %s %s", out, errs)
			}
			waitFor(t, func() bool { _, err := os.Stat(filepath.Join(pngDir, "receipt-0001.png")); return err == nil })
		})
	}
}
