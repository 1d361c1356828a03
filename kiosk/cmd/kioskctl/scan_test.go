package main

import (
	"context"
	"fmt"
	"image"
	"image/draw"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/drivers/scanner"
)

// saneTestBackend makes scanimage see SANE's test backend only, through SANE_CONFIG_DIR.
func saneTestBackend(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("scanimage"); err != nil {
		t.Skip("scanimage not installed (Debian package sane-utils)")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dll.conf"), []byte("test\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SANE_CONFIG_DIR", dir)
}

func readPage(t *testing.T, name string) (image.Image, int) {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	img, dpi, err := scanner.DecodePage(data, 0, scanner.MaxPagePixels)
	if err != nil {
		t.Fatal(err)
	}
	return img, dpi
}

func TestScanFromSANETestBackend(t *testing.T) {
	saneTestBackend(t)
	ctx := context.Background()
	code, out, errs := kioskctl(t, ctx, nil, "scan", "list")
	if code != 0 || !strings.Contains(out, "sane:test:0") {
		t.Fatalf("scan list: %d %q %q", code, out, errs)
	}
	code, out, errs = kioskctl(t, ctx, nil, "scan", "list", "--scanner", "sane:test")
	if code != 0 || !strings.Contains(out, "adf") || !strings.Contains(out, "1..1200") {
		t.Fatalf("scan list --scanner: %d %q %q", code, out, errs)
	}

	dir := filepath.Join(t.TempDir(), "pages")
	code, out, errs = kioskctl(t, ctx, nil, "scan", "--scanner", "sane:test", "--resolution", "150", "--source", "adf", "--max-pages", "2", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 || !strings.Contains(lines[1], "page-002.png") {
		t.Fatalf("output %q", out)
	}
	img, dpi := readPage(t, filepath.Join(dir, "page-002.png"))
	if dpi != 150 || img.Bounds().Dx() != 472 {
		t.Errorf("page-002.png: %v at %d dpi", img.Bounds(), dpi)
	}
	if _, err := os.Stat(filepath.Join(dir, "page-003.png")); !os.IsNotExist(err) {
		t.Error("a third page was written")
	}

	// A scanner that is not there ends in the worded error, exit 1.
	code, _, errs = kioskctl(t, ctx, nil, "scan", "--scanner", "sane:nosuch", "--out", dir)
	if code != 1 || !strings.Contains(errs, "không tìm thấy máy quét") {
		t.Fatalf("missing scanner: %d %q", code, errs)
	}
}

func TestScanUsage(t *testing.T) {
	ctx := context.Background()
	for _, args := range [][]string{
		{"scan"},
		{"scan", "--scanner", "sane:test"},
		{"scan", "--scanner", "sane:test", "--out", "x", "--mode", "sepia"},
		{"scan", "--scanner", "sane:test", "--out", "x", "--source", "tray"},
		{"scan", "--scanner", "usb:1", "--out", "x"},
		{"scan", "frobnicate"},
		{"scan", "simulate"},
		{"scan", "simulate", "--pages", "x", "--jam-on-page", "-1"},
	} {
		if code, _, errs := kioskctl(t, ctx, nil, args...); code != 2 {
			t.Errorf("%q: exit %d, %q", args, code, errs)
		}
	}
	if code, out, _ := kioskctl(t, ctx, nil, "scan", "--help"); code != 0 || !strings.Contains(out, "simulate") || !strings.Contains(out, "--resolution") {
		t.Errorf("scan --help: %d %q", code, out)
	}
	if code, out, _ := kioskctl(t, ctx, nil, "scan", "simulate", "--help"); code != 0 || !strings.Contains(out, "--jam-on-page") {
		t.Errorf("scan simulate --help: %d %q", code, out)
	}
}

// TestScanFromSimulator runs "scan simulate" and scans from it over eSCL, as a technician
// would with two terminals.
func TestScanFromSimulator(t *testing.T) {
	pages := t.TempDir()
	for i := 1; i <= 2; i++ {
		img := image.NewGray(image.Rect(0, 0, 300, 400))
		draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
		f, _ := os.Create(filepath.Join(pages, fmt.Sprintf("%d.png", i)))
		scanner.EncodePNG(f, img, 100)
		f.Close()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		code, _, _ := kioskctl(t, ctx, nil, "scan", "simulate", "--listen", addr, "--pages", pages, "--busy-first", "1")
		done <- code
	}()
	url := "http://" + addr + "/eSCL"
	for i := 0; ; i++ {
		resp, err := http.Get(url + "/ScannerStatus")
		if err == nil {
			resp.Body.Close()
			break
		}
		if i > 100 {
			t.Fatal("simulator did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}

	out := t.TempDir()
	code, stdout, errs := kioskctl(t, context.Background(), nil, "scan", "--scanner", "escl:"+url, "--source", "adf", "--mode", "color", "--resolution", "200", "--out", out)
	if code != 0 || strings.Count(stdout, "\n") != 2 {
		t.Fatalf("exit %d: %q %q", code, stdout, errs)
	}
	if _, dpi := readPage(t, filepath.Join(out, "page-002.png")); dpi != 200 {
		t.Errorf("dpi %d", dpi)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("simulate exit %d", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("simulate did not stop on interrupt")
	}
}
