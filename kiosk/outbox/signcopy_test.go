package outbox_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/internal/errtext"
	"github.com/tramso/tramso/internal/testtool"
	"github.com/tramso/tramso/kiosk/central/devserver"
	"github.com/tramso/tramso/kiosk/dossier"
	"github.com/tramso/tramso/kiosk/outbox"
	"github.com/tramso/tramso/ocr/pdf"
	"github.com/tramso/tramso/ocr/pdf/pades"
)

const scanText = "Tờ khai đăng ký khai sinh của trẻ"

// scannedPDF is a one-page PDF from the kiosk's writer: a bilevel scan with a Vietnamese text layer.
func scannedPDF(t *testing.T) []byte {
	t.Helper()
	g := image.NewGray(image.Rect(0, 0, 1240, 1754))
	for i := range g.Pix {
		g.Pix[i] = 255
	}
	var words []pdf.Word
	x := 100
	for _, w := range strings.Fields(scanText) {
		n := 30 * len([]rune(w))
		for yy := 200; yy < 240; yy++ {
			for xx := x; xx < x+n; xx += 3 {
				g.Pix[yy*g.Stride+xx] = 0
			}
		}
		words = append(words, pdf.Word{Text: w, Box: image.Rect(x, 200, x+n, 240)})
		x += n + 20
	}
	var b bytes.Buffer
	if err := pdf.Write(&b, []pdf.Page{{Image: g, Encoding: pdf.G4, DPI: 150, Words: words}}, pdf.Info{Title: "Tờ khai"}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func requireTool(t *testing.T, name string) {
	t.Helper()
	testtool.Program(t, name, "poppler-utils, libnss3-tools", "TRAMSO_REQUIRE_PDFSIG")
}

// pdfsigTrusting runs pdfsig on file with an NSS database that trusts the CA in caPEM.
func pdfsigTrusting(t *testing.T, caPEM []byte, file string) string {
	t.Helper()
	requireTool(t, "certutil")
	requireTool(t, "pdfsig")
	nss := t.TempDir()
	ca := filepath.Join(nss, "ca.pem")
	os.WriteFile(ca, caPEM, 0o644)
	for _, args := range [][]string{
		{"-N", "-d", "sql:" + nss, "--empty-password"},
		{"-A", "-d", "sql:" + nss, "-n", "central dev CA", "-t", "CT,C,C", "-a", "-i", ca},
	} {
		if out, err := exec.Command("certutil", args...).CombinedOutput(); err != nil {
			t.Fatalf("certutil %v: %v %s", args, err, out)
		}
	}
	out, _ := exec.Command("pdfsig", "-nssdir", nss, file).CombinedOutput()
	return string(out)
}

// TestCapturedCopiesAreSigned follows a scanned PDF from capture to the central server: the kiosk
// enrols with the development server (which issues its certificate), the capture signs the copy,
// the manifest's SHA-256 and size are the signed copy's, and the copy the server receives is
// valid for pdfsig and for our own check against the server's CA.
func TestCapturedCopiesAreSigned(t *testing.T) {
	srv, url := startServer(t, devserver.Config{})
	s := open(t, t.TempDir(), outbox.Options{KioskID: "HN-OCD-07"})
	var log bytes.Buffer
	drain(t, s, url, &log) // enrols: the certificate issued by the server replaces the test one
	ctx := context.Background()
	scan := scannedPDF(t)
	files := []outbox.File{{Type: "to-khai", Name: "Tờ khai", Data: scan}, newFiles(1000)[1]}
	e, err := s.Capture(ctx, newDossier(), files, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(files[0].Data, scan) {
		t.Fatal("Capture changed the caller's bytes")
	}
	rp, err := s.Reprint(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	drain(t, s, url, &log)
	caPEM, err := os.ReadFile(filepath.Join(srv.Dir(), devserver.SigningCADir, devserver.CAFile))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(caPEM)
	ca, _ := x509.ParseCertificate(block.Bytes)
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	for i, a := range rp.Dossier.Attachments {
		got, err := os.ReadFile(filepath.Join(srv.Dir(), "blobs", a.SHA256))
		if err != nil {
			t.Fatalf("attachment %d not on the server: %v", i, err)
		}
		sum := sha256.Sum256(got)
		if hex.EncodeToString(sum[:]) != a.SHA256 || int64(len(got)) != a.Size {
			t.Fatalf("attachment %d: manifest %s/%d, server bytes %x/%d", i, a.SHA256, a.Size, sum, len(got))
		}
		if !bytes.HasPrefix(got, files[i].Data) || len(got)-len(files[i].Data) > 24<<10 {
			t.Fatalf("attachment %d: not the PDF plus a small signature update (%d → %d bytes)", i, len(files[i].Data), len(got))
		}
		if a.Pages != 1 {
			t.Fatalf("attachment %d: %d pages, want 1 (counted before the update rewrote page 1)", i, a.Pages)
		}
		sigs, err := pades.Verify(got, pades.VerifyOptions{Roots: roots})
		if err != nil || len(sigs) != 1 || sigs[0].Signer.Subject.CommonName != "HN-OCD-07" {
			t.Fatalf("attachment %d: own verification: %v", i, err)
		}
		if !s.DeviceKey().PublicKey.Equal(sigs[0].Signer.PublicKey) {
			t.Fatalf("attachment %d: not signed with the device key", i)
		}
	}
	// The independent judge, on the scanned copy as the server holds it.
	f := filepath.Join(srv.Dir(), "blobs", rp.Dossier.Attachments[0].SHA256)
	out := pdfsigTrusting(t, caPEM, f)
	t.Logf("scanned page %d B, signed copy %d B\n%s", len(scan), rp.Dossier.Attachments[0].Size, out)
	for _, want := range []string{"Signature Validation: Signature is Valid.", "Certificate Validation: Certificate is Trusted.",
		"Signature Type: ETSI.CAdES.detached", "Total document signed", "Common Name: HN-OCD-07"} {
		if !strings.Contains(out, want) {
			t.Errorf("pdfsig lacks %q", want)
		}
	}
	txt, err := exec.Command("pdftotext", "-enc", "UTF-8", f, "-").Output()
	if err != nil || !strings.Contains(strings.Join(strings.Fields(string(txt)), " "), scanText) {
		t.Errorf("text layer of the signed copy: %q %v", txt, err)
	}
}

// TestCaptureWithoutCertificateRefused: a kiosk never enrolled takes no dossier and stores
// nothing, and says why for the technician.
func TestCaptureWithoutCertificateRefused(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := outbox.Open(ctx, dir, outbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.SigningReady(); !errors.Is(err, outbox.ErrNoSigningCertificate) {
		t.Fatalf("SigningReady without a certificate: %v", err)
	}
	_, err = s.Capture(ctx, newDossier(), newFiles(1000), nil)
	if !errors.Is(err, outbox.ErrNoSigningCertificate) || !strings.Contains(err.Error(), "kỹ thuật viên") || !strings.Contains(err.Error(), "technician") {
		t.Fatalf("capture without a certificate: %v", err)
	}
	if l := mustList(t, s); len(l) != 0 {
		t.Fatalf("dossier stored anyway: %+v", l)
	}
	if ents, _ := os.ReadDir(filepath.Join(dir, "blobs")); len(ents) != 0 {
		t.Fatalf("%d attachment files written", len(ents))
	}

	// An expired certificate is refused too.
	ca, caKey, err := newTestCA()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveClientCertificate(issue(ca, caKey, s, time.Now().Add(-48*time.Hour), time.Now().Add(-time.Hour))); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Capture(ctx, newDossier(), newFiles(1000), nil); !errors.Is(err, outbox.ErrSigningCertificate) {
		t.Fatalf("capture with an expired certificate: %v", err)
	}
	// With a valid one it captures.
	if err := s.SaveClientCertificate(issue(ca, caKey, s, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	if err := s.SigningReady(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Capture(ctx, newDossier(), newFiles(1000), nil); err != nil {
		t.Fatal(err)
	}
}

// TestUnsignablePDFRefused: a file that is not a PDF the signer can update is refused, not stored
// unsigned.
func TestUnsignablePDFRefused(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, outbox.Options{})
	bad := []byte("%PDF-1.4\n<</Type /Page>>\n%%EOF")
	_, err := s.Capture(context.Background(), newDossier(), []outbox.File{{Type: "to-khai", Name: "x", Data: bad}}, nil)
	if !errors.Is(err, pades.ErrMalformed) || !strings.Contains(err.Error(), "giấy tờ 1") {
		t.Fatalf("unsignable PDF: %v", err)
	}
	t.Log(err)
	if werr := errtext.Check(err); werr != nil {
		t.Errorf("unsignable PDF: %v", werr)
	}
	_, err = s.Capture(context.Background(), newDossier(), []outbox.File{{Type: "to-khai", Name: "x", Data: []byte("GIF89a")}}, nil)
	if !errors.Is(err, dossier.ErrNotPDF) {
		t.Fatalf("not a PDF: %v", err)
	}
	if werr := errtext.Check(err); werr != nil {
		t.Errorf("not a PDF: %v", werr)
	}
	if l := mustList(t, s); len(l) != 0 {
		t.Fatalf("stored: %+v", l)
	}
}
