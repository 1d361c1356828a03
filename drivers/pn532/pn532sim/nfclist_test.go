package pn532sim_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/drivers/pn532"
	"github.com/tramso/tramso/drivers/pn532/pn532sim"
	"github.com/tramso/tramso/internal/testtool"
)

// silentCard answers every APDU with 9000; nfc-list only activates it.
type silentCard struct{}

func (silentCard) Transmit(context.Context, []byte) ([]byte, error) { return []byte{0x90, 0x00}, nil }

// A client we did not write, libnfc's nfc-list (Debian libnfc-bin), initialises the simulated
// PN532 over its pty (SetParameters, register reads and writes, RFConfiguration, PowerDown…)
// and lists the card as an ISO/IEC 14443A target with its UID and ATS. Without nfc-list the
// test skips, unless TRAMSO_REQUIRE_NFCLIST=1 (make test, CI), where it fails.
func TestNFCList(t *testing.T) {
	bin := testtool.Program(t, "nfc-list", "libnfc-bin", "TRAMSO_REQUIRE_NFCLIST")
	uid := []byte{0x04, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6}
	ats := []byte{0x06, 0x78, 0x77, 0x81, 0x02, 0x80}
	sim, err := pn532sim.Serve(context.Background(), filepath.Join(t.TempDir(), "pn532"),
		pn532sim.Config{Card: silentCard{}, UID: uid, ATS: ats})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	tty, err := os.Readlink(sim.Link())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-v")
	// libnfc 1.8 takes the device from LIBNFC_DEVICE; LIBNFC_AUTO_SCAN=false keeps any other
	// reader of the machine out of the test.
	cmd.Env = append(os.Environ(), "LIBNFC_DEVICE=pn532_uart:"+tty, "LIBNFC_AUTO_SCAN=false", "LIBNFC_LOG_LEVEL=1")
	out, err := cmd.CombinedOutput()
	text := strings.Join(strings.Fields(string(out)), " ")
	if err != nil {
		t.Fatalf("nfc-list: %v\n%s", err, out)
	}
	for _, want := range []string{
		"1 ISO14443A passive target(s) found",
		"ISO/IEC 14443A (106 kbps) target",
		"UID (NFCID1): 04 a1 b2 c3 d4 e5 f6",
		"Compliant with ISO/IEC 14443-4",
		"ATS: 78 77 81 02 80",
	} {
		if !strings.Contains(strings.ToLower(text), strings.ToLower(want)) {
			t.Errorf("nfc-list output lacks %q:\n%s", want, out)
		}
	}
	if regexp.MustCompile(`(?i)error|failed|unable`).MatchString(string(out)) {
		t.Errorf("nfc-list reports an error:\n%s", out)
	}
	// What a real PN532 accepts and today's libnfc sends: SetParameters 14h/10h, CIU
	// register reads and writes, RFConfiguration items, PowerDown on close.
	for _, c := range []byte{0x12, 0x06, 0x08, pn532.CmdRFConfiguration, pn532.CmdInListPassiveTarget, 0x16} {
		if sim.Count(c) == 0 {
			t.Errorf("nfc-list never sent command %02Xh: the test no longer covers it", c)
		}
	}
}
