package packaging_test

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// noSimMessage is what a build without simulators answers to whoever asks for them.
const noSimMessage = "bản cài đặt này không có thiết bị giả lập (this build has no simulators)"

// simCode names code that only the simulated kiosk needs: the device simulators, the virtual
// chip and pcscd card, the development central server, the simulated citizen's card and its test
// PKI, the simulated cabinet and sample sheets. Function names stay in a stripped Go binary (the
// runtime's own table, for stack traces), so each is looked for in the bytes of the shipped program.
var simCode = []string{
	"tramso/drivers/escpos/escpossim.",
	"tramso/drivers/pn532/pn532sim.",
	"tramso/drivers/mrtd/mrtdsim.",
	"tramso/drivers/pcsc/vicc.",
	"tramso/drivers/scanner/esclsim.",
	"tramso/drivers/codereader/codereadersim.",
	"tramso/kiosk/central/devserver.",
	"tramso/kiosk/identity.NewSimCard",
	"tramso/drivers/cccd.NewTestPKI",
	"tramso/drivers/cccd.BuildChip",
	"tramso/kiosk/daemon.writeSampleSheets",
	"tramso/kiosk/daemon.writeSimPINs",
	"periph.io/x/conn/v3/gpio/gpiotest.",
}

// pemBlock is a PEM certificate or key (a header line followed by base64), such as a test CSCA.
var pemBlock = regexp.MustCompile(`-----BEGIN [A-Z0-9 ]+-----\r?\n[A-Za-z0-9+/=]{40}`)

// TestPackagedProgramsHaveNoSimulators builds kioskd and kioskctl as the Debian package does
// (go-build.sh) and checks that the shipped programs contain no simulator, no development central
// server, no test certificate or key and no simulated citizen, and that they refuse the simulated
// kiosk with exit status 2 and a message saying why.
func TestPackagedProgramsHaveNoSimulators(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the kiosk programs (-short)")
	}
	bin := t.TempDir()
	cmd := exec.Command("./go-build.sh", bin, "../kiosk/cmd/kioskd", "../kiosk/cmd/kioskctl")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go-build.sh: %v\n%s", err, out)
	}
	citizen := simCitizen(t)
	for _, name := range []string{"kioskd", "kioskctl"} {
		path := filepath.Join(bin, name)
		info, err := buildinfo.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		tags := ""
		for _, s := range info.Settings {
			if s.Key == "-tags" {
				tags = s.Value
			}
		}
		if !strings.Contains(","+tags+",", ",nosim,") {
			t.Errorf("%s built with tags %q, want nosim", name, tags)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, code := range simCode {
			if bytes.Contains(data, []byte(code)) {
				t.Errorf("%s contains %s", name, code)
			}
		}
		if m := pemBlock.Find(data); m != nil {
			t.Errorf("%s contains a PEM block: %.40q", name, m)
		}
		for _, b := range citizen {
			if bytes.Contains(data, b) {
				t.Errorf("%s contains the simulated citizen's data %.40q", name, b)
			}
		}
	}
	for _, args := range [][]string{
		{"kioskd", "--sim"},
		{"kioskd", "--sim", "--sim-dir", t.TempDir()},
		{"kioskctl", "demo"},
		{"kioskctl", "central-dev", "--listen", "127.0.0.1:0", "--data", t.TempDir()},
		{"kioskctl", "card", "simulate", "--link", filepath.Join(t.TempDir(), "nfc"), "--citizen", "x.json"},
		{"kioskctl", "printer", "simulate"},
		{"kioskctl", "qr", "simulate"},
		{"kioskctl", "scan", "simulate", "--pages", t.TempDir()},
	} {
		// A build with simulators would start them and run until stopped.
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		cmd := exec.CommandContext(ctx, filepath.Join(bin, args[0]), args[1:]...)
		cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
		cmd.Dir = t.TempDir()                                                 // a build that does run the demo writes its demo-out/ there, not in the tree
		cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) } // lets it clean up
		cmd.WaitDelay = 10 * time.Second
		out, err := cmd.CombinedOutput()
		timedOut := ctx.Err() != nil
		cancel()
		var ee *exec.ExitError
		if timedOut {
			t.Errorf("%s: still running after a minute (it started the simulators?)\n%s", strings.Join(args, " "), out)
			continue
		}
		if !errors.As(err, &ee) || ee.ExitCode() != 2 {
			t.Errorf("%s: %v, want exit status 2\n%s", strings.Join(args, " "), err, out)
			continue
		}
		if !bytes.Contains(out, []byte(noSimMessage)) {
			t.Errorf("%s: output lacks %q:\n%s", strings.Join(args, " "), noSimMessage, out)
		}
	}
}

// simCitizen returns byte strings that identify the simulated citizens of kiosk/daemon/simdata:
// their names, ID numbers and a stretch of each photo.
func simCitizen(t *testing.T) [][]byte {
	t.Helper()
	files, err := filepath.Glob("../kiosk/daemon/simdata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no simulated citizens in kiosk/daemon/simdata: %v", err)
	}
	var out [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c struct {
			FullName string `json:"fullName"`
			ID       string `json:"idNumber"`
			Photo    string `json:"photo"`
		}
		if err := json.Unmarshal(b, &c); err != nil || c.FullName == "" || c.ID == "" {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, []byte(c.FullName), []byte(c.ID))
		if c.Photo != "" {
			p, err := os.ReadFile(filepath.Join(filepath.Dir(f), c.Photo))
			if err != nil {
				t.Fatal(err)
			}
			// The end of the entropy-coded data (before the EOI marker) is this picture's own; the
			// headers and Huffman tables are shared by every JPEG.
			if len(p) > 100 {
				out = append(out, p[len(p)-50:len(p)-2])
			}
		}
	}
	return out
}
