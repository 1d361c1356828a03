package scanner

import (
	"context"
	"errors"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testBackend returns a Config whose SANE sees only SANE's test backend. Debian's
// /etc/sane.d/dll.conf has it commented out, so a private SANE_CONFIG_DIR enables it
// without touching system files.
func testBackend(t *testing.T) Config {
	t.Helper()
	if _, err := exec.LookPath("scanimage"); err != nil {
		t.Skip("scanimage not installed (Debian package sane-utils)")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dll.conf"), []byte("test\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return Config{SANEConfigDir: dir}
}

func TestSANEListsTestBackend(t *testing.T) {
	cfg := testBackend(t)
	devs, err := cfg.ListSANE(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(devs) != 2 || devs[0].Name != "sane:test:0" || devs[0].Type != "virtual device" {
		t.Fatalf("devices %+v", devs)
	}
	// With no backend at all, the list is empty rather than an error.
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "dll.conf"), nil, 0o644)
	devs, err = Config{SANEConfigDir: empty}.ListSANE(context.Background())
	if err != nil || len(devs) != 0 {
		t.Fatalf("no backends: %+v %v", devs, err)
	}
}

func TestSANEFlatbedModes(t *testing.T) {
	cfg := testBackend(t)
	ctx := context.Background()
	s := cfg.SANE("test")
	s.ExtraArgs = []string{"--test-picture", "Color pattern"}

	pages, err := ScanAll(ctx, s, Options{Resolution: 150, Mode: Gray})
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 1 {
		t.Fatalf("%d pages from the flatbed", len(pages))
	}
	p := pages[0]
	// The test backend scans 80×100 mm by default.
	if b := p.Image.Bounds(); b.Dx() != 472 || b.Dy() != 590 || p.DPI != 150 || p.Index != 1 || p.Source != Flatbed {
		t.Fatalf("page %v dpi %d index %d source %v", b, p.DPI, p.Index, p.Source)
	}
	if _, ok := p.Image.(*image.Gray); !ok {
		t.Errorf("grey page is %T", p.Image)
	}

	pages, err = ScanAll(ctx, s, Options{Resolution: 75, Mode: Color})
	if err != nil {
		t.Fatal(err)
	}
	coloured := false
	img := pages[0].Image
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y && !coloured; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if r != g || g != b {
				coloured = true
				break
			}
		}
	}
	if !coloured || pages[0].DPI != 75 {
		t.Errorf("colour scan has no colour (%T) or wrong dpi %d", img, pages[0].DPI)
	}

	pages, err = ScanAll(ctx, s, Options{Resolution: 100, Mode: Lineart, Area: Area{X: 5, Y: 5, Width: 50, Height: 40}})
	if err != nil {
		t.Fatal(err)
	}
	img = pages[0].Image
	if b := img.Bounds(); b.Dx() != 196 || b.Dy() != 157 {
		t.Errorf("50×40 mm at 100 dpi gave %v", b)
	}
	for y := 0; y < img.Bounds().Dy(); y++ {
		for x := 0; x < img.Bounds().Dx(); x++ {
			if v, _, _, _ := img.At(x, y).RGBA(); v != 0 && v != 0xffff {
				t.Fatalf("lineart pixel (%d,%d) = %#x", x, y, v)
			}
		}
	}
}

func TestSANEFeeder(t *testing.T) {
	cfg := testBackend(t)
	ctx := context.Background()
	s := cfg.SANE("test")

	// The test backend's feeder holds 10 sheets.
	pages, err := ScanAll(ctx, s, Options{Resolution: 25, Source: ADF})
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 10 {
		t.Fatalf("%d pages, want the 10 in the test feeder", len(pages))
	}
	for i, p := range pages {
		if p.Index != i+1 || p.Source != ADF || p.DPI != 25 {
			t.Errorf("page %d: %+v", i+1, p)
		}
	}

	pages, err = ScanAll(ctx, s, Options{Resolution: 25, Source: ADF, MaxPages: 3})
	if err != nil || len(pages) != 3 {
		t.Fatalf("page limit: %d pages, %v", len(pages), err)
	}

	// Stopping after the first page stops scanimage.
	start := time.Now()
	for p, err := range s.Scan(ctx, Options{Resolution: 25, Source: ADF}) {
		if err != nil || p.Index != 1 {
			t.Fatal(p.Index, err)
		}
		break
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("stopping took %v", d)
	}
}

func TestSANEFaults(t *testing.T) {
	cfg := testBackend(t)
	ctx := context.Background()
	for _, tc := range []struct {
		status string
		source Source
		want   error
		words  string
	}{
		{"SANE_STATUS_NO_DOCS", ADF, ErrADFEmpty, "khay nạp giấy trống"},
		{"SANE_STATUS_JAMMED", ADF, ErrJammed, "kẹt giấy"},
		{"SANE_STATUS_COVER_OPEN", Flatbed, ErrCoverOpen, "nắp máy quét"},
		{"SANE_STATUS_IO_ERROR", Flatbed, ErrIO, "lỗi truyền dữ liệu"},
		{"SANE_STATUS_DEVICE_BUSY", Flatbed, ErrBusy, "đang bận"},
		{"SANE_STATUS_ACCESS_DENIED", Flatbed, ErrAccessDenied, "không có quyền"},
	} {
		t.Run(tc.status, func(t *testing.T) {
			s := cfg.SANE("test")
			s.ExtraArgs = []string{"--read-return-value", tc.status}
			pages, err := ScanAll(ctx, s, Options{Resolution: 25, Source: tc.source})
			if !errors.Is(err, tc.want) || len(pages) != 0 {
				t.Fatalf("%d pages, err %v; want %v", len(pages), err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.words) || !strings.Contains(err.Error(), "scanimage: sane_read:") {
				t.Errorf("message %q", err)
			}
		})
	}

	t.Run("no device", func(t *testing.T) {
		_, err := ScanAll(ctx, cfg.SANE("nosuch:scanner"), Options{})
		if !errors.Is(err, ErrNoDevice) {
			t.Fatalf("err %v", err)
		}
	})

	t.Run("no scanimage", func(t *testing.T) {
		c := cfg
		c.Scanimage = filepath.Join(t.TempDir(), "scanimage")
		_, err := ScanAll(ctx, c.SANE("test"), Options{})
		if err == nil || !strings.Contains(err.Error(), "sane-utils") {
			t.Fatalf("err %v", err)
		}
	})

	t.Run("timeout kills scanimage", func(t *testing.T) {
		s := cfg.SANE("test")
		if _, err := s.Capabilities(ctx); err != nil {
			t.Fatal(err)
		}
		// Each 32 KB buffer takes 0.2 s: a 600 dpi colour page takes minutes.
		s.ExtraArgs = []string{"--read-delay=yes", "--read-delay-duration", "200000"}
		tctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := ScanAll(tctx, s, Options{Resolution: 600, Mode: Color})
		if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrCancelled) {
			t.Fatalf("err %v", err)
		}
		if d := time.Since(start); d > stopGrace+2*time.Second {
			t.Errorf("took %v to stop", d)
		}
	})

	t.Run("options checked before scanning", func(t *testing.T) {
		_, err := ScanAll(ctx, cfg.SANE("test"), Options{Resolution: -1})
		if !errors.Is(err, ErrInvalid) {
			t.Fatalf("err %v", err)
		}
	})
}

func TestSaneErrorMapping(t *testing.T) {
	for _, tc := range []struct {
		stderr string
		pages  int
		want   error
	}{
		{"scanimage: open of device epson2:net:10.0.0.9 failed: Invalid argument\n", 0, ErrNoDevice},
		{"scanimage: no SANE devices found\n", 0, ErrNoDevice},
		{"Scanning page 11\nscanimage: sane_start: Document feeder out of documents\nBatch terminated, 10 pages scanned\n", 10, nil},
		{"scanimage: sane_start: Document feeder out of documents\n", 0, ErrADFEmpty},
		{"scanimage: sane_start: Device busy\n", 0, ErrBusy},
		{"scanimage: sane_read: Document feeder jammed\nScanned page 3. (scanner status = 6)\n", 2, ErrJammed},
		{"scanimage: sane_start: Scanner cover is open\n", 0, ErrCoverOpen},
		{"scanimage: sane_read: Error during device I/O\n", 0, ErrIO},
		{"scanimage: setting of option --mode failed (Invalid argument)\n", 0, ErrInvalid},
		{"Scanning page 1\nScanned page 1. (scanner status = 5)\n", 1, nil},
	} {
		err := saneError(tc.stderr, tc.pages)
		if (tc.want == nil) != (err == nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Errorf("%q: %v, want %v", tc.stderr, err, tc.want)
		}
	}
}

func TestParseSANEOptionsGolden(t *testing.T) {
	for _, tc := range []struct {
		file       string
		sources    []Source
		modes      []Mode
		res        []int
		minR, maxR int
		maxW       float64
	}{
		{"airscan-options.txt", []Source{Flatbed, ADF}, []Mode{Gray, Color, Lineart}, []int{75, 100, 150, 200, 300, 600}, 0, 0, 215.9},
		{"test-options.txt", []Source{Flatbed, ADF}, []Mode{Gray, Color, Lineart}, nil, 1, 1200, 200},
	} {
		data, err := os.ReadFile(filepath.Join("testdata", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		o := parseSANEOptions(string(data))
		caps := o.capabilities("x")
		if len(caps.Sources) != len(tc.sources) {
			t.Fatalf("%s: sources %+v", tc.file, caps.Sources)
		}
		for i, sc := range caps.Sources {
			if sc.Source != tc.sources[i] || len(sc.Modes) != len(tc.modes) || sc.MaxWidth != tc.maxW ||
				len(sc.Resolutions) != len(tc.res) || sc.MinResolution != tc.minR || sc.MaxResolution != tc.maxR {
				t.Errorf("%s: %+v", tc.file, sc)
			}
		}
		if o["--resolution"].Current == "" {
			t.Errorf("%s: current resolution not read", tc.file)
		}
	}
	o := parseSANEOptions(mustRead(t, "testdata/airscan-options.txt"))
	if got := nearestResolution(o["--resolution"], 250); got != 200 && got != 300 {
		t.Errorf("nearest to 250: %d", got)
	}
	if got := nearestResolution(o["--resolution"], 1200); got != 600 {
		t.Errorf("nearest to 1200: %d", got)
	}
	if v, ok := matchSource(o["--source"].Values, ADF); !ok || v != "ADF" {
		t.Errorf("ADF source %q", v)
	}
	o = parseSANEOptions(mustRead(t, "testdata/test-options.txt"))
	if v, ok := matchSource(o["--source"].Values, ADF); !ok || v != "Automatic Document Feeder" {
		t.Errorf("ADF source %q", v)
	}
}

func mustRead(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestOpenDeviceStrings(t *testing.T) {
	for _, tc := range []struct {
		dev  string
		want string
		err  error
	}{
		{"sane:test", "sane:test", nil},
		{"sane:airscan:e0:Office", "sane:airscan:e0:Office", nil},
		{"escl:http://127.0.0.1:8080/eSCL/", "escl:http://127.0.0.1:8080/eSCL", nil},
		{"escl:ftp://x/eSCL", "", ErrInvalid},
		{"usb:/dev/x", "", ErrInvalid},
		{"sane:", "", ErrInvalid},
		{"test", "", ErrInvalid},
	} {
		s, err := Open(tc.dev)
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("%q: %v", tc.dev, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.dev, err)
			continue
		}
		if got := s.(interface{ Device() string }).Device(); got != tc.want {
			t.Errorf("%q opened as %q", tc.dev, got)
		}
	}
}
