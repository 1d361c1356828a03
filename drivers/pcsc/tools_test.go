package pcsc_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/drivers/mrtd"
	"github.com/tramso/tramso/drivers/mrtd/mrtdsim"
	"github.com/tramso/tramso/drivers/pcsc/pcsctest"
	"github.com/tramso/tramso/drivers/pcsc/vicc"
	"github.com/tramso/tramso/internal/testtool"
)

// otherTool finds a PC/SC client we did not write, and fails instead of skipping when
// TRAMSO_REQUIRE_PCSCD is set (make test), since CI installs it.
func otherTool(t *testing.T, name, pkg string) string {
	t.Helper()
	return testtool.Program(t, name, pkg, "TRAMSO_REQUIRE_PCSCD")
}

// runTool runs a libpcsclite client against the test's private pcscd.
func runTool(t *testing.T, d *pcsctest.Daemon, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "PCSCLITE_CSOCK_NAME="+d.Socket)
	out, err := cmd.CombinedOutput()
	if err != nil && ctx.Err() != nil {
		t.Fatalf("%s %v hung:\n%s", name, args, out)
	}
	return string(out)
}

// received parses opensc-tool's answer to --send-apdu: the status word and the data bytes.
func received(t *testing.T, out string) (sw string, data []byte) {
	t.Helper()
	m := regexp.MustCompile(`Received \(SW1=0x([0-9A-Fa-f]{2}), SW2=0x([0-9A-Fa-f]{2})\)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no answer in opensc-tool's output:\n%s", out)
	}
	sw = strings.ToUpper(m[1] + m[2])
	rest := out[strings.Index(out, m[0])+len(m[0]):]
	// Data lines as opensc-tool prints them: up to 16 bytes as "XX " (48 columns, padded), then the
	// same bytes as ASCII.
	for _, line := range strings.Split(strings.TrimLeft(rest, ":\r\n"), "\n") {
		if len(line) > 48 {
			line = line[:48]
		}
		for _, f := range strings.Fields(line) {
			b, err := hex.DecodeString(f)
			if err != nil || len(b) != 1 {
				return sw, data
			}
			data = append(data, b...)
		}
	}
	return sw, data
}

// TestOtherClientsDriveTheSimulatedChip drives the simulated CCCD chip, inserted into pcscd's
// virtual reader, with OpenSC's opensc-tool and pcsc-tools' pcsc_scan: clients of libpcsclite that
// tramso did not write. They see the reader and the card, read EF.CardAccess as the chip stores it,
// select the eMRTD application, and are refused a data group without authentication.
func TestOtherClientsDriveTheSimulatedChip(t *testing.T) {
	opensc := otherTool(t, "opensc-tool", "opensc")
	scan := otherTool(t, "pcsc_scan", "pcsc-tools")
	d := pcsctest.Start(t)
	cardAccess := mrtdsim.GenerateCardAccess(13)
	chip := mrtdsim.New(mrtdsim.Config{
		Files: map[uint16][]byte{
			0x011C: cardAccess,
			0x011E: {0x60, 0x05, 0x5F, 0x01, 0x02, 0x30, 0x31},
		},
		CAN: "012345",
		MRZ: mrtd.MRZKey{DocumentNumber: "203012345", DateOfBirth: "030520", DateOfExpiry: "280520"},
	})

	// No card yet: the reader is there, and empty.
	if out := runTool(t, d, scan, "-r"); !strings.Contains(out, "0: ") {
		t.Fatalf("pcsc_scan -r lists no reader:\n%s", out)
	}
	if out := runTool(t, d, opensc, "-r", "0", "-a"); regexp.MustCompile(`(?m)^[0-9a-f]{2}(:[0-9a-f]{2})+$`).MatchString(out) {
		t.Fatalf("opensc-tool printed an ATR with no card inserted:\n%s", out)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	icc, err := vicc.Insert(ctx, d.VPCDAddr, chip, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { icc.Remove() })

	// The ATR as the virtual card gives it, seen through pcscd by both tools (pcscd notices the card
	// on its next poll).
	var atr []string
	var out string
	for try := 0; try < 20 && atr == nil; try++ {
		out = runTool(t, d, opensc, "-r", "0", "-a")
		atr = regexp.MustCompile(`(?m)^([0-9a-f]{2}(:[0-9a-f]{2})+)$`).FindStringSubmatch(out)
		if atr == nil {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if atr == nil {
		t.Fatalf("opensc-tool -a printed no ATR for the inserted chip:\n%s", out)
	}
	spaced := strings.ToUpper(strings.ReplaceAll(atr[1], ":", " "))
	if out := runTool(t, d, scan, "-n", "-t", "3"); !strings.Contains(out, spaced) {
		t.Errorf("pcsc_scan does not show the ATR %s:\n%s", spaced, out)
	}

	// EF.CardAccess by its short identifier, outside the application: the bytes the chip stores.
	sw, data := received(t, runTool(t, d, opensc, "-r", "0", "-c", "default", "-s", "00:B0:9C:00:00"))
	if sw != "9000" && sw != "6282" {
		t.Errorf("READ BINARY EF.CardAccess: SW %s", sw)
	}
	if !bytes.Equal(data, cardAccess) {
		t.Errorf("EF.CardAccess through opensc-tool\n got % X\nwant % X", data, cardAccess)
	}

	// The eMRTD application is selected, and EF.COM is refused without BAC or PACE (6982), in the
	// same connection.
	out = runTool(t, d, opensc, "-r", "0", "-c", "default",
		"-s", "00:A4:04:0C:07:A0:00:00:02:47:10:01",
		"-s", "00:A4:02:0C:02:01:1E")
	answers := regexp.MustCompile(`SW1=0x([0-9A-Fa-f]{2}), SW2=0x([0-9A-Fa-f]{2})`).FindAllStringSubmatch(out, -1)
	if len(answers) != 2 {
		t.Fatalf("want two answers from opensc-tool:\n%s", out)
	}
	if got := strings.ToUpper(answers[0][1] + answers[0][2]); got != "9000" {
		t.Errorf("SELECT eMRTD application: SW %s, want 9000", got)
	}
	if got := strings.ToUpper(answers[1][1] + answers[1][2]); got != "6982" {
		t.Errorf("SELECT EF.COM without authentication: SW %s, want 6982 (security status not satisfied)", got)
	}
}
