package outbox_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

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
		s, err := outbox.Open(ctx, dir, opts)
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
		s, err := outbox.Open(ctx, dir, opts)
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
	s, err := outbox.Open(ctx, dir, outbox.Options{})
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
	s.Close()
	s, err = outbox.Open(ctx, dir, outbox.Options{})
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
			Phone: "0912345678", Address: "Số 1 phố Xã Đàn", PassiveAuth: dossier.PassiveAuthPassed},
		Fields:  map[string]string{"hoTenTre": citizenName + " con", "noiSinh": "Bệnh viện Phụ sản Hà Nội"},
		Consent: dossier.Consent{Given: true, At: time.Now(), Text: "dong-y-v1"},
	}
}

// newFiles returns a small PDF naming the citizen and a random PDF of bigSize bytes.
func newFiles(bigSize int) []outbox.File {
	small := []byte("%PDF-1.4\n1 0 obj <</Type /Page>> endobj\n(TO KHAI " + citizenName + " " + citizenID + ")\n%%EOF\n")
	big := make([]byte, bigSize)
	rand.Read(big)
	copy(big, "%PDF-1.4\n<</Type /Page>>\n")
	copy(big[len(big)/2:], citizenID+" "+citizenName)
	return []outbox.File{{Type: "to-khai", Name: "Tờ khai", Data: small}, {Type: "giay-chung-sinh", Name: "Giấy chứng sinh", Data: big}}
}

// startServer runs a development server on loopback until the test ends.
func startServer(t testing.TB, cfg devserver.Config) (*devserver.Server, string) {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv, url, wait, err := devserver.Start(ctx, cfg, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); wait(); srv.Close() })
	return srv, url
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
