package scanner

import (
	"bytes"
	"context"
	"errors"
	"image"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/tramso/tramso/drivers/scanner/escl"
)

// oddScanner is an eSCL device with the habits of real ones: its Location names a host
// the kiosk cannot resolve, and it asks for a retry with an HTTP date.
type oddScanner struct {
	mu       sync.Mutex
	busy     int
	pages    int
	deleted  int
	postCode int
	adfState string
}

func (o *oddScanner) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	defer o.mu.Unlock()
	switch {
	case r.URL.Path == "/scan/eSCL/ScannerCapabilities":
		caps := escl.Capabilities{MakeAndModel: "Odd", Adf: &escl.InputCaps{MaxWidth: 600, MaxHeight: 600,
			ColorModes: []string{escl.ColorGray8}, DocumentFormats: []string{"image/png"}, Resolutions: []int{100, 200}}}
		w.Write(caps.Encode())
	case r.URL.Path == "/scan/eSCL/ScannerStatus":
		st := escl.Status{State: escl.StateIdle, AdfState: o.adfState}
		w.Write(st.Encode())
	case r.Method == http.MethodPost && r.URL.Path == "/scan/eSCL/ScanJobs":
		if o.postCode != 0 {
			w.WriteHeader(o.postCode)
			return
		}
		w.Header().Set("Location", "http://scanner.invalid/scan/eSCL/ScanJobs/7/")
		w.WriteHeader(http.StatusCreated)
	case r.Method == http.MethodGet && r.URL.Path == "/scan/eSCL/ScanJobs/7/NextDocument":
		if o.busy > 0 {
			o.busy--
			w.Header().Set("Retry-After", time.Now().Add(-time.Second).UTC().Format(http.TimeFormat))
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if o.pages == 0 {
			http.NotFound(w, r)
			return
		}
		o.pages--
		var buf bytes.Buffer
		EncodePNG(&buf, image.NewGray(image.Rect(0, 0, 20, 20)), 0)
		w.Write(buf.Bytes())
	case r.Method == http.MethodDelete && r.URL.Path == "/scan/eSCL/ScanJobs/7":
		o.deleted++
	default:
		http.NotFound(w, r)
	}
}

func TestESCLClientWithOddDevice(t *testing.T) {
	dev := &oddScanner{busy: 2, pages: 2}
	srv := httptest.NewServer(dev)
	defer srv.Close()
	e, err := Config{}.ESCL(srv.URL + "/scan/eSCL/")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	pages, err := ScanAll(ctx, e, Options{Resolution: 300, Source: ADF})
	if err != nil || len(pages) != 2 {
		t.Fatalf("%d pages, %v", len(pages), err)
	}
	// 300 dpi is not offered: the nearest, 200, is asked for and recorded (the PNG has none).
	if pages[0].DPI != 200 {
		t.Errorf("dpi %d", pages[0].DPI)
	}
	if _, err := ScanAll(ctx, e, Options{Source: Flatbed}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("no platen: %v", err)
	}
	if _, err := ScanAll(ctx, e, Options{Source: ADF, Mode: Color}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("no colour: %v", err)
	}

	dev.mu.Lock()
	dev.postCode, dev.adfState = http.StatusConflict, escl.AdfEmpty
	dev.mu.Unlock()
	if _, err := ScanAll(ctx, e, Options{Source: ADF}); !errors.Is(err, ErrADFEmpty) {
		t.Errorf("409 with an empty feeder: %v", err)
	}
	dev.mu.Lock()
	dev.postCode, dev.adfState = http.StatusBadRequest, ""
	dev.mu.Unlock()
	if _, err := ScanAll(ctx, e, Options{Source: ADF}); !errors.Is(err, ErrInvalid) {
		t.Errorf("400: %v", err)
	}
}

func TestESCLNotAScanner(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	e, _ := Config{}.ESCL(srv.URL + "/eSCL")
	if _, err := e.Capabilities(context.Background()); !errors.Is(err, ErrNoDevice) {
		t.Fatalf("%v", err)
	}
}
