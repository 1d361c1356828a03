package pades

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"image"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/tramso/tramso/internal/testtool"
	"github.com/tramso/tramso/ocr/pdf"
)

// testPKI is a test CA generated in the test and a signing certificate it issued.
type testPKI struct {
	ca      *x509.Certificate
	key     *ecdsa.PrivateKey // the signer's
	cert    *x509.Certificate
	caKey   *ecdsa.PrivateKey
	caPEM   []byte
	nssOnce sync.Once
	nssDir  string
}

func newPKI(t testing.TB, ekus ...x509.ExtKeyUsage) *testPKI {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tramso test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	if ekus == nil {
		ekus = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageEmailProtection}
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(0x7a3f), Subject: pkix.Name{CommonName: "KIOSK-TEST", Organization: []string{"tramso kiosk"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment, ExtKeyUsage: ekus}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testPKI{ca: ca, caKey: caKey, key: key, cert: cert, caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})}
}

func (p *testPKI) roots() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.ca)
	return pool
}

// vietnamese is the text layer of the test page.
var vietnamese = []string{
	"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
	"Độc lập - Tự do - Hạnh phúc",
	"TỜ KHAI ĐĂNG KÝ KHAI SINH",
	"Họ, chữ đệm, tên người yêu cầu: Nguyễn Thị Hồng Nhung",
	"Nơi cư trú: Số 1 phố Xã Đàn, phường Ô Chợ Dừa, Hà Nội",
}

// textPagePDF writes a one-page A4 scan at 300 dpi (text-like strokes, G4) with the Vietnamese
// text layer, as the kiosk's digitiser does.
func textPagePDF(t testing.TB) []byte {
	t.Helper()
	const w, h = 2480, 3508
	g := image.NewGray(image.Rect(0, 0, w, h))
	for i := range g.Pix {
		g.Pix[i] = 255
	}
	var words []pdf.Word
	y := 300
	for li, line := range vietnamese {
		x := 250
		for _, wd := range strings.Fields(line) {
			ww := 38 * len([]rune(wd))
			// strokes standing for glyphs: a few vertical and horizontal bars per letter
			for k := 0; k < len([]rune(wd)); k++ {
				for yy := y; yy < y+50; yy++ {
					for xx := x + 38*k + 6; xx < x+38*k+12; xx++ {
						g.Pix[yy*g.Stride+xx] = 0
					}
				}
				for xx := x + 38*k + 6; xx < x+38*k+30; xx++ {
					g.Pix[(y+25*(k%2))*g.Stride+xx] = 0
				}
			}
			words = append(words, pdf.Word{Text: wd, Box: image.Rect(x, y, x+ww, y+50), Line: li})
			x += ww + 30
		}
		y += 120
	}
	var buf bytes.Buffer
	err := pdf.Write(&buf, []pdf.Page{{Image: g, Encoding: pdf.G4, DPI: 300, Words: words}},
		pdf.Info{Title: "Tờ khai", Producer: "tramso", Created: time.Date(2026, 12, 6, 10, 0, 0, 0, time.FixedZone("ICT", 7*3600)),
			ICCProfile: pdf.LoadICC(pdf.DefaultICCPath)})
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func needTool(t testing.TB, name string) {
	t.Helper()
	testtool.Program(t, name, "poppler-utils, libnss3-tools", "TRAMSO_REQUIRE_PDFSIG")
}

// nssDB returns an NSS database directory that trusts p's CA, made with certutil.
func (p *testPKI) nssDB(t *testing.T) string {
	t.Helper()
	needTool(t, "certutil")
	p.nssOnce.Do(func() {
		dir := t.TempDir()
		ca := filepath.Join(dir, "ca.pem")
		os.WriteFile(ca, p.caPEM, 0o644)
		for _, args := range [][]string{
			{"-N", "-d", "sql:" + dir, "--empty-password"},
			{"-A", "-d", "sql:" + dir, "-n", "tramso test CA", "-t", "CT,C,C", "-a", "-i", ca},
		} {
			if out, err := exec.Command("certutil", args...).CombinedOutput(); err != nil {
				t.Fatalf("certutil %v: %v %s", args, err, out)
			}
		}
		p.nssDir = dir
	})
	if p.nssDir == "" {
		t.Fatal("no NSS database")
	}
	return p.nssDir
}

// emptyNSSDB is an NSS database that trusts nobody.
func emptyNSSDB(t *testing.T) string {
	needTool(t, "certutil")
	dir := t.TempDir()
	if out, err := exec.Command("certutil", "-N", "-d", "sql:"+dir, "--empty-password").CombinedOutput(); err != nil {
		t.Fatalf("certutil: %v %s", err, out)
	}
	return dir
}

// pdfsig runs poppler's pdfsig on b with the NSS database nss.
func pdfsig(t *testing.T, nss string, b []byte) string {
	t.Helper()
	needTool(t, "pdfsig")
	f := filepath.Join(t.TempDir(), "signed.pdf")
	if err := os.WriteFile(f, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, _ := exec.Command("pdfsig", "-nssdir", nss, f).CombinedOutput() // exit status 1 for invalid signatures
	return string(out)
}

func mustSign(t testing.TB, p *testPKI, in []byte) []byte {
	t.Helper()
	out, err := Sign(in, p.key, []*x509.Certificate{p.cert}, Options{Time: time.Now(), Name: "KIOSK-TEST",
		Reason: "Bản sao điện tử do kiosk tạo (digitised copy made by the kiosk)", Location: "Hà Nội"})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSignedPDFIsValidForPdfsig(t *testing.T) {
	p := newPKI(t)
	orig := textPagePDF(t)
	signed := mustSign(t, p, orig)
	if !bytes.Equal(signed[:len(orig)], orig) {
		t.Fatal("signing changed the original bytes instead of appending an update")
	}
	out := pdfsig(t, p.nssDB(t), signed)
	t.Logf("unsigned %d B, signed %d B (+%d B)\n%s", len(orig), len(signed), len(signed)-len(orig), out)
	for _, want := range []string{
		"Signature #1",
		"Signature Type: ETSI.CAdES.detached",
		"Signing Hash Algorithm: SHA-256",
		"Total document signed",
		"Signature Validation: Signature is Valid.",
		"Certificate Validation: Certificate is Trusted.",
		"Signer Certificate Common Name: KIOSK-TEST",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("pdfsig output lacks %q", want)
		}
	}
	if strings.Contains(out, "Signature #2") {
		t.Error("one signature expected")
	}
	if len(signed)-len(orig) > 12<<10 {
		t.Errorf("signature adds %d bytes, want ≤ 12 KB", len(signed)-len(orig))
	}
	if len(signed) > 100<<10 {
		t.Errorf("signed text page is %d bytes, want ≤ 100 KB", len(signed))
	}
	sigs, err := Verify(signed, VerifyOptions{Roots: p.roots()})
	if err != nil || len(sigs) != 1 || !sigs[0].Signer.Equal(p.cert) {
		t.Fatalf("own verification: %v %v", sigs, err)
	}

	// The text layer survives, in NFC.
	needTool(t, "pdftotext")
	f := filepath.Join(t.TempDir(), "s.pdf")
	os.WriteFile(f, signed, 0o644)
	txt, err := exec.Command("pdftotext", "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(txt)), " ")
	if !norm.NFC.IsNormalString(string(txt)) {
		t.Error("extracted text is not NFC")
	}
	for _, line := range vietnamese {
		if !strings.Contains(text, line) {
			t.Errorf("pdftotext lost %q; got %q", line, text)
		}
	}
}

func TestChangedByteIsDigestMismatch(t *testing.T) {
	p := newPKI(t)
	orig := textPagePDF(t)
	signed := mustSign(t, p, orig)
	sigs, err := Verify(signed, VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	br := sigs[0].ByteRange
	nss := p.nssDB(t)
	for _, at := range []struct {
		name string
		off  int64
	}{
		{"page image", int64(len(orig)) / 2}, // inside the first signed range
		{"signature dictionary", br[2] + 5},  // inside the second signed range: " /M (D:…"
		{"header", 3},                        // %PDF-1.7 → %PDx-…: first range, start
		{"signature field name", int64(bytes.LastIndex(signed, []byte("(Signature")) + 3)}, // first range, in the update
	} {
		t.Run(at.name, func(t *testing.T) {
			bad := bytes.Clone(signed)
			bad[at.off] ^= 0x01
			if _, err := Verify(bad, VerifyOptions{Roots: p.roots()}); !errors.Is(err, ErrDigest) {
				t.Errorf("own verification of a changed byte at %d: %v, want ErrDigest", at.off, err)
			}
			out := pdfsig(t, nss, bad)
			if !strings.Contains(out, "Digest Mismatch") || strings.Contains(out, "Signature is Valid") {
				t.Errorf("pdfsig after one changed byte at %d:\n%s", at.off, out)
			}
		})
	}
	// Bytes appended after the signature are not covered.
	if _, err := Verify(append(bytes.Clone(signed), "\n% added\n"...), VerifyOptions{}); !errors.Is(err, ErrDigest) {
		t.Errorf("appended bytes: %v", err)
	}
}

func TestUntrustedIssuer(t *testing.T) {
	p := newPKI(t)
	signed := mustSign(t, p, textPagePDF(t))
	out := pdfsig(t, emptyNSSDB(t), signed)
	if !strings.Contains(out, "Signature is Valid") || strings.Contains(out, "Certificate is Trusted") {
		t.Errorf("pdfsig without the CA trusted:\n%s", out)
	}
	other := newPKI(t)
	if _, err := Verify(signed, VerifyOptions{Roots: other.roots()}); !errors.Is(err, ErrUntrusted) {
		t.Errorf("verification against another CA: %v", err)
	}
	if _, err := Verify(signed, VerifyOptions{Roots: p.roots(), Time: time.Now().Add(48 * time.Hour)}); !errors.Is(err, ErrUntrusted) {
		t.Errorf("verification after the certificate expired: %v", err)
	}
}

func TestSignTwice(t *testing.T) {
	p := newPKI(t)
	once := mustSign(t, p, textPagePDF(t))
	twice := mustSign(t, p, once)
	sigs, err := Verify(twice, VerifyOptions{Roots: p.roots()})
	if err != nil || len(sigs) != 2 {
		t.Fatalf("two signatures: %d %v", len(sigs), err)
	}
	out := pdfsig(t, p.nssDB(t), twice)
	if strings.Count(out, "Signature is Valid.") != 2 {
		t.Errorf("pdfsig on a twice-signed file:\n%s", out)
	}
}

func TestSignRefuses(t *testing.T) {
	p := newPKI(t)
	orig := textPagePDF(t)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if _, err := Sign(orig, other, []*x509.Certificate{p.cert}, Options{}); !errors.Is(err, ErrKey) {
		t.Errorf("key not matching the certificate: %v", err)
	}
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if _, err := Sign(orig, p384, []*x509.Certificate{p.cert}, Options{}); !errors.Is(err, ErrKey) {
		t.Errorf("P-384 key: %v", err)
	}
	if _, err := Sign(orig, p.key, nil, Options{}); !errors.Is(err, ErrKey) {
		t.Errorf("no certificate: %v", err)
	}
	xrefStream := []byte("%PDF-1.7\n1 0 obj\n<< /Type /XRef /Size 2 /W [1 2 1] /Root 2 0 R /Length 0 >>\nstream\n\nendstream\nendobj\nstartxref\n9\n%%EOF\n")
	encrypted := bytes.Replace(orig, []byte("trailer\n<< "), []byte("trailer\n<< /Encrypt 3 0 R "), 1)
	for name, in := range map[string][]byte{
		"not a PDF":   []byte("GIF89a"),
		"empty":       nil,
		"truncated":   orig[:len(orig)/2],
		"xref stream": xrefStream,
		"encrypted":   encrypted,
	} {
		_, err := Sign(in, p.key, []*x509.Certificate{p.cert}, Options{})
		if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := Sign(orig, p.key, []*x509.Certificate{p.cert}, Options{ContentsSize: 100}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("too little room for the signature: %v", err)
	}
	if _, err := Verify(orig, VerifyOptions{}); !errors.Is(err, ErrNoSignature) {
		t.Errorf("unsigned PDF: %v", err)
	}
}

// smallPDF is a small writer PDF (seed corpus: the fuzzer minimises small inputs quickly).
func smallPDF(t testing.TB) []byte {
	g := image.NewGray(image.Rect(0, 0, 64, 32))
	for i := range g.Pix {
		g.Pix[i] = 255
	}
	var buf bytes.Buffer
	words := []pdf.Word{{Text: "Hồ", Box: image.Rect(2, 2, 20, 14)}, {Text: "sơ", Box: image.Rect(24, 2, 40, 14)}}
	if err := pdf.Write(&buf, []pdf.Page{{Image: g, Encoding: pdf.G4, DPI: 72, Words: words}}, pdf.Info{}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzSign signs arbitrary bytes: it must not panic, must only append, and what it signs must
// verify.
func FuzzSign(f *testing.F) {
	p := newPKI(f)
	orig := smallPDF(f)
	signed, err := Sign(orig, p.key, []*x509.Certificate{p.cert}, Options{ContentsSize: 1024})
	if err != nil {
		f.Fatal(err)
	}
	tampered := bytes.Clone(signed)
	tampered[len(orig)/2] ^= 1
	f.Add(orig)
	f.Add(signed)
	f.Add(tampered)
	f.Add([]byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /Annots [] >> endobj\nxref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n0000000115 00000 n \ntrailer << /Size 4 /Root 1 0 R >>\nstartxref\n170\n%%EOF"))
	f.Add([]byte("xref\n0 1\n0000000000 65535 f \ntrailer << /Size 1 /Prev 0 >>\nstartxref\n0\n%%EOF"))
	f.Fuzz(func(t *testing.T, in []byte) {
		// Without roots: a seed may carry a signature of another run's CA (each fuzz worker makes
		// its own); the signatures themselves must verify.
		_, before := Verify(in, VerifyOptions{})
		out, err := Sign(in, p.key, []*x509.Certificate{p.cert}, Options{ContentsSize: 1024})
		if err != nil {
			return
		}
		if !bytes.HasPrefix(out, in) {
			t.Fatal("signing changed the bytes it was given")
		}
		// A file whose own signatures were valid (or that had none) is valid once signed.
		if _, err := Verify(out, VerifyOptions{}); err != nil && (before == nil || errors.Is(before, ErrNoSignature)) {
			t.Fatalf("signed but does not verify: %v", err)
		}
	})
}

// FuzzVerify checks arbitrary bytes: it must not panic.
func FuzzVerify(f *testing.F) {
	p := newPKI(f)
	signed, err := Sign(smallPDF(f), p.key, []*x509.Certificate{p.cert}, Options{ContentsSize: 1024})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(signed)
	f.Add(signed[len(signed)-3000:])
	f.Add([]byte("%PDF-1.7\ntrailer << /Root 1 0 R >>\nstartxref\n9\n%%EOF"))
	f.Fuzz(func(t *testing.T, in []byte) {
		Verify(in, VerifyOptions{Roots: p.roots()})
	})
}

// TestSignDeterministic: the same document, key, certificate and time give the same bytes (the
// outbox stores copies by their hash, and the writer's output is reproducible too).
func TestSignDeterministic(t *testing.T) {
	p := newPKI(t)
	orig := smallPDF(t)
	at := time.Date(2026, 12, 6, 9, 30, 0, 0, time.FixedZone("ICT", 7*3600))
	a, err1 := Sign(orig, p.key, []*x509.Certificate{p.cert}, Options{Time: at})
	b, err2 := Sign(orig, p.key, []*x509.Certificate{p.cert}, Options{Time: at})
	c, err3 := Sign(orig, p.key, []*x509.Certificate{p.cert}, Options{Time: at.Add(time.Second)})
	if err1 != nil || err2 != nil || err3 != nil {
		t.Fatal(err1, err2, err3)
	}
	if !bytes.Equal(a, b) {
		t.Error("same input, different signed bytes")
	}
	if bytes.Equal(a, c) {
		t.Error("another signing time, same bytes")
	}
	if !bytes.Contains(a, []byte("/M (D:20261206093000+07'00')")) {
		t.Error("signing time not in /M")
	}
}

// BenchmarkSignTextPage signs an A4 text page; it reports the bytes the signature adds.
func BenchmarkSignTextPage(b *testing.B) {
	p := newPKI(b)
	orig := textPagePDF(b)
	var out []byte
	for b.Loop() {
		var err error
		if out, err = Sign(orig, p.key, []*x509.Certificate{p.cert}, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(orig)), "unsigned-B")
	b.ReportMetric(float64(len(out)-len(orig)), "added-B")
}
