package devserver_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/central/devserver"
)

// TestServeShape: like every simulator, the development server starts with Serve, says where it is
// (URL) and stops with Close, which returns once it no longer answers; ending ctx also stops it,
// and an address in use is refused.
func TestServeShape(t *testing.T) {
	get := func(url string) error {
		c := &http.Client{Timeout: 2 * time.Second}
		resp, err := c.Get(url + central.PathProcedures)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}

	srv, err := devserver.Serve(context.Background(), "127.0.0.1:0", devserver.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(srv.URL(), "http://127.0.0.1:") {
		t.Fatalf("URL %q", srv.URL())
	}
	if err := get(srv.URL()); err != nil {
		t.Fatalf("serving: %v", err)
	}
	addr := strings.TrimPrefix(srv.URL(), "http://")
	if other, err := devserver.Serve(context.Background(), addr, devserver.Config{Dir: t.TempDir()}); err == nil {
		other.Close()
		t.Fatalf("a second server started on %s, which is in use", addr)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := get(srv.URL()); err == nil {
		t.Fatal("still answering after Close")
	}
	if err := srv.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	srv, err = devserver.Serve(ctx, "127.0.0.1:0", devserver.Config{Dir: t.TempDir(), TLSDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if !strings.HasPrefix(srv.URL(), "https://127.0.0.1:") {
		t.Fatalf("URL with a TLS directory %q", srv.URL())
	}
	cancel()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if err := get(strings.Replace(srv.URL(), "https://", "http://", 1)); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("still answering after its context ended")
		}
	}
}
