package esclsim

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/drivers/scanner"
	"github.com/tramso/tramso/drivers/scanner/escl"
)

// Sheets are drawn at sheetDPI, sheetW×sheetH pixels (about 85×110 mm). Sheet n carries n
// black bars across its top, so a scan shows which sheet it is.
const (
	sheetDPI = 150
	sheetW   = 500
	sheetH   = 650
)

func writeSheets(t testing.TB, n int) string {
	t.Helper()
	dir := t.TempDir()
	for i := 1; i <= n; i++ {
		img := image.NewGray(image.Rect(0, 0, sheetW, sheetH))
		draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
		for b := 0; b < i; b++ {
			x := 50 + b*80
			draw.Draw(img, image.Rect(x, 50, x+50, 200), image.Black, image.Point{}, draw.Src)
		}
		// A grey block lower down, to tell grey from black and white.
		draw.Draw(img, image.Rect(50, 400, 450, 550), image.NewUniform(color.Gray{Y: 0x60}), image.Point{}, draw.Src)
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("sheet-%02d.png", i)))
		if err != nil {
			t.Fatal(err)
		}
		if err := scanner.EncodePNG(f, img, sheetDPI); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	return dir
}

// bars counts the black bars across the top of a scanned sheet at dpi.
func bars(img image.Image, dpi int) int {
	y := img.Bounds().Min.Y + 125*dpi/sheetDPI
	n, inBar := 0, false
	for x := img.Bounds().Min.X; x < img.Bounds().Min.X+sheetW*dpi/sheetDPI; x++ {
		r, g, b, _ := img.At(x, y).RGBA()
		dark := r+g+b < 3*0x4000
		if dark && !inBar {
			n++
		}
		inBar = dark
	}
	return n
}

func startSim(t *testing.T, sheets int, f Faults) (*Simulator, *scanner.ESCL) {
	t.Helper()
	sim, err := New(Config{PagesDir: writeSheets(t, sheets), Faults: f})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	e, err := scanner.Config{}.ESCL(srv.URL + "/eSCL")
	if err != nil {
		t.Fatal(err)
	}
	e.RetryMin, e.RetryMax = 5*time.Millisecond, 20*time.Millisecond
	return sim, e
}

func TestFeederScanAllPages(t *testing.T) {
	_, e := startSim(t, 3, Faults{})
	ctx := context.Background()
	pages, err := scanner.ScanAll(ctx, e, scanner.Options{Resolution: 300, Mode: scanner.Gray, Source: scanner.ADF})
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 3 {
		t.Fatalf("%d pages, want 3", len(pages))
	}
	for i, p := range pages {
		if p.Index != i+1 || p.DPI != 300 || p.Source != scanner.ADF {
			t.Errorf("page %d: index %d dpi %d source %v", i+1, p.Index, p.DPI, p.Source)
		}
		if got := bars(p.Image, 300); got != i+1 {
			t.Errorf("page %d shows %d bars: pages out of order or mangled", i+1, got)
		}
		if _, ok := p.Image.(*image.Gray); !ok {
			t.Errorf("page %d is %T, want grey", i+1, p.Image)
		}
		// The whole glass (A4) is scanned at 300 dpi.
		if b := p.Image.Bounds(); b.Dx() != 2550 || b.Dy() != 3508 {
			t.Errorf("page %d is %v, want the A4 glass 2550×3508", i+1, b)
		}
	}
}

func TestPlatenGivesNextSheetEachTime(t *testing.T) {
	sim, e := startSim(t, 2, Faults{})
	ctx := context.Background()
	opts := scanner.Options{Resolution: 150, Mode: scanner.Color, Area: scanner.Area{Width: 100, Height: 120}}
	for want := 1; want <= 3; want++ {
		pages, err := scanner.ScanAll(ctx, e, opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(pages) != 1 {
			t.Fatalf("%d pages from the glass", len(pages))
		}
		p := pages[0]
		if exp := (want-1)%2 + 1; bars(p.Image, 150) != exp {
			t.Errorf("scan %d shows %d bars, want %d", want, bars(p.Image, 150), exp)
		}
		// 100×120 mm at 150 dpi (1181×1417 three-hundredths of an inch).
		if b := p.Image.Bounds(); b.Dx() != 590 || b.Dy() != 708 {
			t.Errorf("page is %v, want 590×708", b)
		}
		if p.DPI != 150 {
			t.Errorf("dpi %d", p.DPI)
		}
	}
	st := sim.Stats()
	if st.LastSettings.InputSource != escl.SourcePlaten || st.LastSettings.ColorMode != escl.ColorRGB24 || st.LastSettings.Format() != "image/png" {
		t.Errorf("settings sent: %+v", st.LastSettings)
	}
}

func TestFaults(t *testing.T) {
	ctx := context.Background()
	feeder := scanner.Options{Resolution: 150, Source: scanner.ADF}

	t.Run("feeder empty", func(t *testing.T) {
		_, e := startSim(t, 2, Faults{ADFEmpty: true})
		pages, err := scanner.ScanAll(ctx, e, feeder)
		if !errors.Is(err, scanner.ErrADFEmpty) || len(pages) != 0 {
			t.Fatalf("%d pages, err %v", len(pages), err)
		}
		if !strings.Contains(err.Error(), "khay nạp giấy trống") {
			t.Errorf("error not worded for the person: %v", err)
		}
		// The glass still works.
		if _, err := scanner.ScanAll(ctx, e, scanner.Options{Resolution: 150}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("jam on page 3", func(t *testing.T) {
		_, e := startSim(t, 4, Faults{JamOnPage: 3})
		pages, err := scanner.ScanAll(ctx, e, feeder)
		if !errors.Is(err, scanner.ErrJammed) || len(pages) != 2 {
			t.Fatalf("%d pages, err %v; want 2 pages then a jam", len(pages), err)
		}
		st, err := e.Status(ctx)
		if err != nil || st.AdfState != escl.AdfJam {
			t.Fatalf("status %+v %v", st, err)
		}
	})

	t.Run("busy then pages", func(t *testing.T) {
		sim, e := startSim(t, 2, Faults{BusyFirst: 3})
		pages, err := scanner.ScanAll(ctx, e, feeder)
		if err != nil || len(pages) != 2 {
			t.Fatalf("%d pages, err %v", len(pages), err)
		}
		if got := sim.Stats().BusyAnswers; got != 3 {
			t.Errorf("busy answers %d, want 3", got)
		}
	})

	t.Run("busy honours Retry-After", func(t *testing.T) {
		_, e := startSim(t, 1, Faults{BusyFirst: 1, RetryAfter: 1})
		start := time.Now()
		if _, err := scanner.ScanAll(ctx, e, feeder); err != nil {
			t.Fatal(err)
		}
		if waited := time.Since(start); waited < 900*time.Millisecond {
			t.Errorf("retried after %v, before the 1 s the scanner asked for", waited)
		}
	})

	t.Run("busy for ever", func(t *testing.T) {
		_, e := startSim(t, 1, Faults{BusyFirst: 1000})
		e.MaxRetries = 4
		_, err := scanner.ScanAll(ctx, e, feeder)
		if !errors.Is(err, scanner.ErrBusy) {
			t.Fatalf("err %v, want ErrBusy", err)
		}
	})

	t.Run("slow scanner and deadline", func(t *testing.T) {
		sim, e := startSim(t, 3, Faults{PageDelay: 2 * time.Second})
		tctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		_, err := scanner.ScanAll(tctx, e, feeder)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err %v, want the deadline", err)
		}
		// The job was cancelled on the scanner, so the next one is accepted at once.
		if got := sim.Stats().JobsCancelled; got != 1 {
			t.Errorf("jobs cancelled %d, want 1", got)
		}
		sim.SetFaults(Faults{})
		if pages, err := scanner.ScanAll(ctx, e, feeder); err != nil || len(pages) != 3 {
			t.Fatalf("after cancel: %d pages, %v", len(pages), err)
		}
	})

	t.Run("stop early cancels the job", func(t *testing.T) {
		sim, e := startSim(t, 3, Faults{})
		for p, err := range e.Scan(ctx, feeder) {
			if err != nil || p.Index != 1 {
				t.Fatal(p.Index, err)
			}
			break
		}
		if got := sim.Stats(); got.JobsCancelled != 1 || got.PagesSent != 1 {
			t.Errorf("stats %+v", got)
		}
	})

	t.Run("page limit", func(t *testing.T) {
		_, e := startSim(t, 3, Faults{})
		o := feeder
		o.MaxPages = 2
		pages, err := scanner.ScanAll(ctx, e, o)
		if err != nil || len(pages) != 2 {
			t.Fatalf("%d pages, %v", len(pages), err)
		}
	})
}

func TestModesAndFormats(t *testing.T) {
	sim, e := startSim(t, 1, Faults{})
	ctx := context.Background()
	pages, err := scanner.ScanAll(ctx, e, scanner.Options{Resolution: 100, Mode: scanner.Lineart})
	if err != nil {
		t.Fatal(err)
	}
	if sim.Stats().LastSettings.ColorMode != escl.ColorBlackWhite {
		t.Errorf("colour mode sent %q", sim.Stats().LastSettings.ColorMode)
	}
	// The grey block becomes black or white, nothing in between.
	img := pages[0].Image
	r, _, _, _ := img.At(200*100/sheetDPI, 450*100/sheetDPI).RGBA()
	if r != 0 && r != 0xffff {
		t.Errorf("lineart pixel %#x is grey", r)
	}

	// A JPEG page from a raw request, with its resolution in the JFIF header.
	settings := escl.ScanSettings{InputSource: escl.SourcePlaten, ColorMode: escl.ColorGray8, XResolution: 75, YResolution: 75, DocumentFormat: "image/jpeg"}
	srv := httptest.NewServer(sim)
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/eSCL/ScanJobs", "text/xml", strings.NewReader(string(settings.Encode())))
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("%v %v", resp, err)
	}
	resp, err = http.Get(srv.URL + resp.Header.Get("Location") + "/NextDocument")
	if err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("%v %v", resp, err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	img, dpi, err := scanner.DecodePage(data, 0, scanner.MaxPagePixels)
	if err != nil || dpi != 75 {
		t.Fatalf("jpeg page: dpi %d, %v", dpi, err)
	}
	if bars(img, 75) != 1 {
		t.Errorf("jpeg page shows %d bars", bars(img, 75))
	}

	// Settings the scanner cannot do are refused.
	settings.XResolution, settings.YResolution = 123, 123
	resp, err = http.Post(srv.URL+"/eSCL/ScanJobs", "text/xml", strings.NewReader(string(settings.Encode())))
	if err != nil || resp.StatusCode != http.StatusConflict {
		t.Fatalf("odd resolution accepted: %v %v", resp, err)
	}
}

func TestServeStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := Serve(ctx, "127.0.0.1:0", Config{PagesDir: writeSheets(t, 1)})
	if err != nil {
		t.Fatal(err)
	}
	e, _ := scanner.Config{}.ESCL(srv.URL())
	caps, err := e.Capabilities(ctx)
	if err != nil || len(caps.Sources) != 2 || caps.MakeAndModel == "" {
		t.Fatalf("caps %+v %v", caps, err)
	}
	cancel()
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
	e2, _ := scanner.Config{}.ESCL(srv.URL())
	if _, err := e2.Capabilities(context.Background()); !errors.Is(err, scanner.ErrNoDevice) {
		t.Fatalf("stopped simulator: %v, want ErrNoDevice", err)
	}
	if _, err := Serve(ctx, "127.0.0.1:0", Config{PagesDir: t.TempDir()}); err == nil {
		t.Fatal("a folder without pages was accepted")
	}
}

// TestSaneAirscanScansFromSimulator points Debian's sane-airscan backend at the simulator
// and scans through scanimage with the kiosk's SANE driver: the simulator is good enough
// for a real eSCL client, and the SANE driver reads a feeder through a real backend.
func TestSaneAirscanScansFromSimulator(t *testing.T) {
	if _, err := exec.LookPath("scanimage"); err != nil {
		t.Skip("scanimage not installed (Debian package sane-utils)")
	}
	if !airscanInstalled() {
		t.Skip("sane-airscan not installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	srv, err := Serve(ctx, "127.0.0.1:0", Config{PagesDir: writeSheets(t, 3)})
	if err != nil {
		t.Fatal(err)
	}
	conf := t.TempDir()
	os.WriteFile(filepath.Join(conf, "dll.conf"), []byte("airscan\n"), 0o644)
	os.WriteFile(filepath.Join(conf, "airscan.conf"), []byte(fmt.Sprintf(`[devices]
"tramso" = %s, eSCL
[options]
discovery = disable
ws-discovery = off
`, srv.URL())), 0o644)
	cfg := scanner.Config{SANEConfigDir: conf}

	devs, err := cfg.ListSANE(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range devs {
		found = found || d.Name == "sane:airscan:e0:tramso"
	}
	if !found {
		t.Fatalf("scanimage -L does not list the simulator: %+v", devs)
	}

	s, err := cfg.Open("sane:airscan:e0:tramso")
	if err != nil {
		t.Fatal(err)
	}
	caps, err := s.Capabilities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := caps.Source(scanner.ADF); !ok {
		t.Fatalf("no feeder in %+v", caps)
	}
	pages, err := scanner.ScanAll(ctx, s, scanner.Options{Resolution: 150, Mode: scanner.Gray, Source: scanner.ADF})
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 3 {
		t.Fatalf("%d pages through sane-airscan, want 3", len(pages))
	}
	for i, p := range pages {
		if p.DPI != 150 || bars(p.Image, 150) != i+1 {
			t.Errorf("page %d: dpi %d, %d bars", i+1, p.DPI, bars(p.Image, 150))
		}
	}

	pages, err = scanner.ScanAll(ctx, s, scanner.Options{Resolution: 300, Mode: scanner.Color, Source: scanner.Flatbed})
	if err != nil || len(pages) != 1 {
		t.Fatalf("flatbed: %d pages, %v", len(pages), err)
	}
	if pages[0].DPI != 300 {
		t.Errorf("flatbed dpi %d", pages[0].DPI)
	}

	// Faults come through sane-airscan as SANE statuses, and back as the kiosk's errors.
	srv.Sim.SetFaults(Faults{ADFEmpty: true})
	_, err = scanner.ScanAll(ctx, s, scanner.Options{Resolution: 150, Source: scanner.ADF})
	if !errors.Is(err, scanner.ErrADFEmpty) {
		t.Errorf("feeder empty through sane-airscan: %v", err)
	}
	srv.Sim.SetFaults(Faults{JamOnPage: 2})
	pages, err = scanner.ScanAll(ctx, s, scanner.Options{Resolution: 150, Source: scanner.ADF})
	if !errors.Is(err, scanner.ErrJammed) || len(pages) != 1 {
		t.Errorf("jam through sane-airscan: %d pages, %v", len(pages), err)
	}
}

func airscanInstalled() bool {
	for _, dir := range []string{"/usr/lib/x86_64-linux-gnu/sane", "/usr/lib/aarch64-linux-gnu/sane", "/usr/lib/sane"} {
		if m, _ := filepath.Glob(filepath.Join(dir, "libsane-airscan.so*")); len(m) > 0 {
			return true
		}
	}
	return false
}
