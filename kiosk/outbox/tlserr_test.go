package outbox_test

import (
	"context"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/central/devserver"
	"github.com/tramso/tramso/kiosk/outbox"
)

// otherCA is the PEM of a CA the development server's certificate does not chain to.
func otherCA(t *testing.T) []byte {
	t.Helper()
	ca, _, err := newTestCA()
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw})
}

// Enrolment against a server whose certificate does not chain to the pinned CA stops at once with
// "chứng thư bị từ chối (certificate refused)", instead of retrying until "context deadline exceeded".
func TestEnrolWrongCACertificateRefused(t *testing.T) {
	tlsDir := t.TempDir()
	_, url := startServer(t, devserver.Config{TLSDir: tlsDir})
	s, err := outbox.Open(context.Background(), t.TempDir(), outbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	t0 := time.Now()
	_, err = outbox.Connect(ctx, s, url, otherCA(t), central.Options{})
	if !errors.Is(err, outbox.ErrCertificateRefused) || !strings.Contains(err.Error(), "chứng thư bị từ chối (certificate refused): ") ||
		strings.Contains(err.Error(), "deadline") {
		t.Fatalf("enrolment with the wrong CA: %v", err)
	}
	if ctx.Err() != nil || time.Since(t0) > 10*time.Second {
		t.Fatalf("enrolment kept retrying a certificate failure (%v)", time.Since(t0))
	}
}

// A delivery refused at the TLS handshake (the server does not chain to the pinned CA) is recorded
// as a certificate refusal, not as an unreachable server or a timeout.
func TestDeliveryCertificateRefusedRecorded(t *testing.T) {
	tlsDir := t.TempDir()
	_, url := startServer(t, devserver.Config{TLSDir: tlsDir})
	s := open(t, t.TempDir(), outbox.Options{}) // has a client certificate: Connect does not enrol
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := s.Capture(ctx, newDossier(), newFiles(8<<10), nil); err != nil {
		t.Fatal(err)
	}
	c, err := outbox.Connect(ctx, s, url, otherCA(t), central.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	clock := &sleepLog{virtualClock: virtualClock{now: time.Now()}}
	runCtx, stop := context.WithTimeout(ctx, 2*time.Second)
	defer stop()
	outbox.NewUploader(s, c, outbox.UploaderOptions{Clock: clock}).Run(runCtx)
	e := mustList(t, s)[0]
	if e.Attempts == 0 || !strings.HasPrefix(e.LastError, "chứng thư bị từ chối (certificate refused): ") {
		t.Fatalf("after %d attempts, last error %q", e.Attempts, e.LastError)
	}
}

// With a CA path configured, the pinned CA must be there and hold a CA certificate: the uploader does
// not start otherwise.
func TestReadPinnedCA(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "ca.pem")
	os.WriteFile(good, otherCA(t), 0o644)
	if b, err := outbox.ReadPinnedCA(good); err != nil || len(b) == 0 {
		t.Fatalf("good CA: %v", err)
	}
	os.Mkdir(filepath.Join(dir, "dir.pem"), 0o755)
	os.WriteFile(filepath.Join(dir, "empty.pem"), nil, 0o644)
	os.WriteFile(filepath.Join(dir, "junk.pem"), []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), 0o644)
	for _, name := range []string{"missing.pem", "dir.pem", "empty.pem", "junk.pem"} {
		if _, err := outbox.ReadPinnedCA(filepath.Join(dir, name)); err == nil || !strings.Contains(err.Error(), "does not start") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
