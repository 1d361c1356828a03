package outbox_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/tramso/tramso/internal/errtext"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/central/devserver"
	"github.com/tramso/tramso/kiosk/dossier"
	"github.com/tramso/tramso/kiosk/outbox"
)

// The test citizen: these strings must never appear in the outbox files or in logs.
const (
	citizenName = "Nguyễn Thị Hồng Nhung"
	citizenID   = "001189012345"
)

// TestMain doubles as the helper process of the crash tests: with OUTBOX_HELPER set, the test binary
// runs one outbox operation (as kioskctl would) instead of the tests, so that it can be SIGKILLed.
func TestMain(m *testing.M) {
	if h := os.Getenv("OUTBOX_HELPER"); h != "" {
		os.Exit(helper(h))
	}
	os.Exit(m.Run())
}

func helper(kind string) int {
	ctx := context.Background()
	dir := os.Getenv("OUTBOX_DATA")
	opts := outbox.Options{CrashAt: os.Getenv("OUTBOX_CRASH_AT")}
	switch kind {
	case "drain":
		s, err := openSigned(ctx, dir, opts)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		c, err := outbox.Connect(ctx, s, os.Getenv("OUTBOX_URL"), nil, central.Options{RequestTimeout: time.Second, ChunkSize: 64 << 10})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		log := newLogger(os.Stderr)
		u := outbox.NewUploader(s, c, outbox.UploaderOptions{UntilEmpty: true, BaseDelay: 20 * time.Millisecond, MaxDelay: 200 * time.Millisecond, Logger: log})
		if err := u.Run(ctx); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return 0
	case "capture":
		s, err := openSigned(ctx, dir, opts)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if _, err := s.Capture(ctx, newDossier(), newFiles(200<<10), nil); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		time.Sleep(time.Second) // a racing crash timer fires here at the latest
		return 0
	case "efbig":
		return helperEFBIG(ctx, dir)
	}
	return 2
}

// helperEFBIG captures under RLIMIT_FSIZE, so that writing the attachment fails with EFBIG as a
// full disk would, and checks that the store is intact afterwards.
func helperEFBIG(ctx context.Context, dir string) int {
	signal.Ignore(syscall.SIGXFSZ)
	s, err := openSigned(ctx, dir, outbox.Options{})
	if err != nil {
		fmt.Println("open:", err)
		return 1
	}
	first, err := s.Capture(ctx, newDossier(), newFiles(10<<10), nil)
	if err != nil {
		fmt.Println("first capture:", err)
		return 1
	}
	lim := syscall.Rlimit{Cur: 2 << 20, Max: 2 << 20}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		fmt.Println("setrlimit:", err)
		return 1
	}
	_, err = s.Capture(ctx, newDossier(), newFiles(3<<20), nil)
	if !errorsIs(err, outbox.ErrDiskFull) || !errorsIs(err, syscall.EFBIG) {
		fmt.Println("big capture: want ErrDiskFull wrapping EFBIG, got", err)
		return 1
	}
	if werr := errtext.Check(err); werr != nil { // the full disk's sentence, not also "cannot write"
		fmt.Println("big capture:", werr)
		return 1
	}
	s.Close()
	s, err = openSigned(ctx, dir, outbox.Options{})
	if err != nil {
		fmt.Println("reopen:", err)
		return 1
	}
	list, _ := s.List(ctx)
	if len(list) != 1 || list[0].ID != first.ID {
		fmt.Println("store changed:", list)
		return 1
	}
	if _, err := s.Reprint(ctx, first.ID); err != nil {
		fmt.Println("first dossier unreadable:", err)
		return 1
	}
	fmt.Println("OK")
	return 0
}

// runHelper starts the test binary as a helper process.
func runHelper(t *testing.T, kind string, env ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append([]string{"OUTBOX_HELPER=" + kind}, env...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &out
}

func killedBySignal(err error) bool {
	ee, ok := err.(*exec.ExitError)
	if !ok {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

func newDossier() *dossier.Dossier {
	return &dossier.Dossier{
		Procedure: dossier.Procedure{Code: "1.001193", Name: "Đăng ký khai sinh"},
		Unit:      dossier.Unit{Code: "000.00.21.H26", Name: "Ủy ban nhân dân phường Ô Chợ Dừa"},
		Applicant: dossier.Applicant{IDNumber: citizenID, FullName: citizenName, DateOfBirth: "1989-03-02",
			Phone: "0912345678", Address: "Số 1 phố Xã Đàn", PassiveAuth: wire.PassiveValid},
		Fields:  map[string]string{"hoTenTre": citizenName + " con", "noiSinh": "Bệnh viện Phụ sản Hà Nội"},
		Consent: dossier.Consent{Given: true, At: time.Now(), Text: "dong-y-v1"},
	}
}

// newFiles returns a small PDF naming the citizen and a PDF of about bigSize bytes, random inside.
func newFiles(bigSize int) []outbox.File {
	small := minimalPDF([]byte("BT (TO KHAI " + citizenName + " " + citizenID + ") Tj ET"))
	big := make([]byte, max(0, bigSize-400))
	rand.Read(big)
	copy(big[len(big)/2:], citizenID+" "+citizenName)
	return []outbox.File{{Type: "to-khai", Name: "Tờ khai", Data: small}, {Type: "giay-chung-sinh", Name: "Giấy chứng sinh", Data: minimalPDF(big)}}
}

// minimalPDF is a well-formed one-page PDF (classic cross-reference table) whose page content is
// content.
func minimalPDF(content []byte) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	var offs []int
	obj := func(body string, stream []byte) {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s", len(offs), body)
		if stream != nil {
			b.WriteString("\nstream\n")
			b.Write(stream)
			b.WriteString("\nendstream")
		}
		b.WriteString("\nendobj\n")
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>", nil)
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>", nil)
	obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>", nil)
	obj(fmt.Sprintf("<< /Length %d >>", len(content)), content)
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref)
	return b.Bytes()
}

// openSigned opens the outbox in dir and, when the kiosk has no certificate yet, gives it one from
// a test CA (as enrolment would), so that it can capture.
func openSigned(ctx context.Context, dir string, opts outbox.Options) (*outbox.Store, error) {
	s, err := outbox.Open(ctx, dir, opts)
	if err != nil {
		return nil, err
	}
	if s.SigningReady() == nil {
		return s, nil
	}
	ca, caKey, err := newTestCA()
	if err != nil {
		s.Close()
		return nil, err
	}
	// Valid for years either way: some tests run the store on a clock of their own.
	if err := s.SaveClientCertificate(issue(ca, caKey, s, time.Now().AddDate(-5, 0, 0), time.Now().AddDate(5, 0, 0))); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// newTestCA makes a certification authority for a test.
func newTestCA() (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "outbox test CA"},
		NotBefore: time.Now().AddDate(-5, 0, 0), NotAfter: time.Now().AddDate(5, 0, 0), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	ca, err := x509.ParseCertificate(der)
	return ca, key, err
}

// issue returns a PEM certificate for the kiosk of s, valid from notBefore to notAfter.
func issue(ca *x509.Certificate, caKey *ecdsa.PrivateKey, s *outbox.Store, notBefore, notAfter time.Time) []byte {
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: s.KioskID()},
		NotBefore: notBefore, NotAfter: notAfter, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageEmailProtection}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &s.DeviceKey().PublicKey, caKey)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// startServer runs a development server on loopback until the test ends.
func startServer(t testing.TB, cfg devserver.Config) (*devserver.Server, string) {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	srv, err := devserver.Serve(context.Background(), "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, srv.URL()
}

// assertNoPlaintext fails if any file under dir contains the test citizen's name or ID number.
func assertNoPlaintext(t *testing.T, dir string) {
	t.Helper()
	out, err := exec.Command("grep", "-rlaF", "-e", citizenID, "-e", citizenName, "-e", norm.NFD.String(citizenName), dir).Output()
	if s := strings.TrimSpace(string(out)); s != "" {
		t.Fatalf("personal data in plain text in: %s", s)
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 { // grep: 1 = searched, nothing found
		t.Fatalf("grep did not run: %v", err)
	}
}

func assertNoPersonalData(t *testing.T, what, text string) {
	t.Helper()
	for _, s := range []string{citizenID, citizenName, "1989-03-02", "0912345678", "Xã Đàn"} {
		if strings.Contains(text, s) {
			t.Fatalf("%s contains personal data %q", what, s)
		}
	}
}
