package errtext_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"image"
	"image/png"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tramso/tramso/drivers/scanner"
	"github.com/tramso/tramso/drivers/scanner/esclsim"
	"github.com/tramso/tramso/internal/errtext"
	"github.com/tramso/tramso/kiosk/central"
)

// The chains of the scanner and of the central server, produced by the real client against a
// simulator or a loopback server, read as one bilingual sentence each. (Card read chains are
// walked in kiosk/identity, printer chains in kiosk/daemon, where their rigs are.)
func TestScannerChainsAreOneSentence(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 80, 100))); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"1.png", "2.png"} {
		if err := os.WriteFile(filepath.Join(dir, n), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, c := range map[string]struct {
		faults esclsim.Faults
		opts   scanner.Options
		want   error
	}{
		"jam":         {esclsim.Faults{JamOnPage: 2}, scanner.Options{Source: scanner.ADF, Resolution: 100}, scanner.ErrJammed},
		"first jams":  {esclsim.Faults{JamOnPage: 1}, scanner.Options{Source: scanner.ADF, Resolution: 100}, scanner.ErrJammed},
		"empty":       {esclsim.Faults{ADFEmpty: true}, scanner.Options{Source: scanner.ADF, Resolution: 100}, scanner.ErrADFEmpty},
		"slow":        {esclsim.Faults{PageDelay: 3 * time.Second}, scanner.Options{Source: scanner.Flatbed, Resolution: 100}, scanner.ErrCancelled},
		"bad options": {esclsim.Faults{}, scanner.Options{Source: scanner.Flatbed, Resolution: 100, Mode: scanner.Mode(99)}, nil},
	} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			srv, err := esclsim.Serve(ctx, "127.0.0.1:0", esclsim.Config{PagesDir: dir, Faults: c.faults})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			sc, err := scanner.Open("escl:" + srv.URL())
			if err != nil {
				t.Fatal(err)
			}
			sctx, scancel := context.WithTimeout(ctx, time.Second)
			defer scancel()
			var scanErr error
			for _, err := range sc.Scan(sctx, c.opts) {
				if err != nil {
					scanErr = err
					break
				}
			}
			if scanErr == nil || (c.want != nil && !errors.Is(scanErr, c.want)) {
				t.Fatalf("scan: %v, want %v", scanErr, c.want)
			}
			t.Logf("%v", scanErr)
			if werr := errtext.Check(scanErr); werr != nil {
				t.Error(werr)
			}
		})
	}
	// Nothing listening.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	sc, err := scanner.Open("escl:http://" + addr + "/eSCL")
	if err == nil {
		for _, serr := range sc.Scan(context.Background(), scanner.Options{Source: scanner.Flatbed, Resolution: 100}) {
			if err = serr; err != nil {
				break
			}
		}
	}
	t.Logf("no scanner: %v", err)
	if !errors.Is(err, scanner.ErrNoDevice) {
		t.Errorf("no scanner: %v", err)
	}
	if werr := errtext.Check(err); werr != nil {
		t.Error(werr)
	}
}

func TestCentralChainsAreOneSentence(t *testing.T) {
	problem := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte(`{"type":"internal","title":"lỗi máy chủ (internal server error)","status":500}`))
	})
	plain := httptest.NewServer(problem)
	defer plain.Close()
	tlsSrv := httptest.NewTLSServer(problem)
	defer tlsSrv.Close()
	hung := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hung:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(hung)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()

	for name, c := range map[string]struct {
		url  string
		opts central.Options
	}{
		"500":         {plain.URL, central.Options{}},
		"refused":     {closed, central.Options{}},
		"timeout":     {slow.URL, central.Options{RequestTimeout: 300 * time.Millisecond}},
		"certificate": {tlsSrv.URL, central.Options{TLS: &tls.Config{RootCAs: x509.NewCertPool()}}}, // pins no CA of this server
	} {
		t.Run(name, func(t *testing.T) {
			cl, err := central.New(c.url, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			_, err = cl.Status(context.Background(), "k-1")
			if err == nil {
				t.Fatal("no error")
			}
			t.Logf("%v", err)
			if werr := errtext.Check(err); werr != nil {
				t.Error(werr)
			}
		})
	}
}
