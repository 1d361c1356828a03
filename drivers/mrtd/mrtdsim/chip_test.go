package mrtdsim

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/drivers/mrtd"
)

func hx(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// The CCCD's EF.CardAccess as Vietnamese apps hard-code it (idcard.md §2.3).
func TestGenerateCardAccessMatchesCCCD(t *testing.T) {
	want := hx("3134300d060804007f0007020202020101300f060a04007f000702020302020201013012060a04007f0007020204020202010202010d")
	if got := GenerateCardAccess(13); !bytes.Equal(got, want) {
		t.Fatalf("got %X", got)
	}
	infos, err := mrtd.ParseSecurityInfos(GenerateCardAccessSuite(4, 17))
	if err != nil {
		t.Fatal(err)
	}
	p, ok := mrtd.ChoosePACE(infos)
	if !ok || p.ParameterID != 17 || p.PACEName() != "PACE-ECDH-GM-AES-256" {
		t.Errorf("%+v", p)
	}
}

func testChip(cfg Config) *Chip {
	cfg.Files = map[uint16][]byte{
		0x011C: GenerateCardAccess(13),
		0x0101: append([]byte{0x61, 0x08}, []byte("ABCDEFGH")...),
	}
	cfg.CAN = "123456"
	return New(cfg)
}

func send(t *testing.T, c *Chip, cmd string) []byte {
	t.Helper()
	r, err := c.Transmit(context.Background(), hx(cmd))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestUnauthenticatedBehaviour(t *testing.T) {
	c := testChip(Config{})
	for _, step := range [][2]string{
		{"00A4000C023F00", "6D00"},                         // SELECT MF: not supported by the CCCD
		{"00A4020C02011C", "9000"},                         // EF.CardAccess without authentication
		{"00B0000004", "3134300D9000"},                     // first 4 bytes
		{"00B0003500", "0D6282"},                           // last byte, then end of file
		{"00B0003700", "6B00"},                             // beyond the end
		{"00B0000000" + "0101", "6700"},                    // malformed APDU
		{"00A4040C07A0000002471001", "9000"},               // eMRTD application
		{"00A4020C020101", "6982"},                         // DG1 before authentication
		{"00A4020C020103", "6982"},                         // DG3 always needs EAC
		{"00A4020C02010B", "6A82"},                         // DG11 absent
		{"0084000004", "6700"},                             // GET CHALLENGE wants 8
		{"0088000008" + "0102030405060708" + "00", "6D00"}, // no AA key
		{"00CA000000", "6D00"},                             // unknown instruction
		{"002241A40C800A04007F00070202030202", "6982"},     // Chip Authentication needs a session
		{"008600000C7C0A8008000102030405060700", "6985"},   // GENERAL AUTHENTICATE out of sequence
	} {
		if got := send(t, c, step[0]); !bytes.Equal(got, hx(step[1])) {
			t.Errorf("%s: got %X want %s", step[0], got, step[1])
		}
	}
}

func TestReadBinaryLimits(t *testing.T) {
	c := testChip(Config{})
	send(t, c, "00A4020C02011C")
	if got := send(t, c, "00B00000000200"); !bytes.Equal(got, hx("6700")) { // extended Le not enabled
		t.Errorf("extended Le: %X", got)
	}
	c = testChip(Config{ExtendedLength: true})
	send(t, c, "00A4020C02011C")
	if got := send(t, c, "00B00000000200"); len(got) != 0x36+2 || !bytes.Equal(got[len(got)-2:], hx("6282")) {
		t.Errorf("extended read: %X", got)
	}
	c = testChip(Config{LimitLe: 0x10, ShortRead: 0x08})
	send(t, c, "00A4020C02011C")
	if got := send(t, c, "00B0000011"); !bytes.Equal(got, hx("6700")) {
		t.Errorf("LimitLe: %X", got)
	}
	if got := send(t, c, "00B0000010"); len(got) != 10 || !bytes.Equal(got[8:], hx("6282")) {
		t.Errorf("ShortRead: %X", got)
	}
	// odd INS: offset in DO'54', data in DO'53'
	if got := send(t, c, "00B10000035401080A"); !bytes.Equal(got, hx("5308 7F00070202020201 9000")) {
		t.Errorf("B1: %X", got)
	}
}

func TestRemovalAndReset(t *testing.T) {
	c := testChip(Config{RemoveAfterAPDUs: 2})
	send(t, c, "00A4020C02011C")
	if _, err := c.Transmit(context.Background(), hx("00B0000004")); !errors.Is(err, apdu.ErrCardRemoved) {
		t.Fatalf("got %v", err)
	}
	if _, err := c.Transmit(context.Background(), hx("00B0000004")); !errors.Is(err, apdu.ErrCardRemoved) {
		t.Fatalf("card came back by itself: %v", err)
	}
	c.Reset()
	if got := send(t, c, "00A4020C02011C"); !bytes.Equal(got, hx("9000")) {
		t.Errorf("after reset: %X", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Transmit(ctx, hx("00A4020C02011C")); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}

func TestPACEStateMachine(t *testing.T) {
	c := testChip(Config{})
	// GENERAL AUTHENTICATE without MSE:Set AT.
	if got := send(t, c, "10860000027C0000"); !bytes.Equal(got, hx("6985")) {
		t.Errorf("GA without MSE: %X", got)
	}
	// Unsupported parameter id and unknown password reference.
	if got := send(t, c, "0022C1A412800A04007F0007020204020283010284010B"); !bytes.Equal(got, hx("6A80")) {
		t.Errorf("param 11: %X", got)
	}
	if got := send(t, c, "0022C1A412800A04007F0007020204020283010184010D"); !bytes.Equal(got, hx("6A88")) {
		t.Errorf("MRZ password on a chip without MRZ: %X", got)
	}
	if got := send(t, c, "0022C1A412800A04007F0007020204020283010284010D"); !bytes.Equal(got, hx("9000")) {
		t.Fatalf("MSE: %X", got)
	}
	got := send(t, c, "10860000027C0000")
	if len(got) != 2+2+16+2 || !bytes.Equal(got[:4], hx("7C128010")) {
		t.Fatalf("nonce: %X", got)
	}
	// A bad mapping point aborts the protocol.
	if got := send(t, c, "10860000057C038101FF00"); !bytes.Equal(got, hx("6985")) {
		t.Errorf("bad point: %X", got)
	}
}

func FuzzChipTransmit(f *testing.F) {
	f.Add(hx("00A4020C02011C"), hx("00B0000004"))
	f.Add(hx("0022C1A412800A04007F0007020204020283010284010D"), hx("10860000027C0000"))
	f.Add(hx("00A4040C07A0000002471001"), hx("0084000008"))
	f.Add(hx("002241A40C800A04007F00070202030202"), hx("008600000C7C0A8008000102030405060700"))
	f.Add(hx("0CB000000D9701048E08ED6705417E96BA5500"), hx("00B10000035401300A"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		c := testChip(Config{})
		for _, cmd := range [][]byte{a, b, a} {
			r, err := c.Transmit(context.Background(), cmd)
			if err != nil || len(r) < 2 {
				t.Fatalf("answer %X, %v", r, err)
			}
		}
	})
}

// Hide answers 6A82 for a file the chip has; a plain chip (no session) is unaffected by
// PlainErrors.
func TestHide(t *testing.T) {
	c := testChip(Config{Hide: []uint16{0x011C}})
	if got := send(t, c, "00A4020C02011C"); !bytes.Equal(got, hx("6A82")) {
		t.Errorf("hidden EF.CardAccess: %X", got)
	}
	c = testChip(Config{Hide: []uint16{0x0101}})
	send(t, c, "00A4040C07A0000002471001")
	if got := send(t, c, "00A4020C020101"); !bytes.Equal(got, hx("6A82")) {
		t.Errorf("hidden DG1: %X", got)
	}
	if st := c.Stats(); len(st.Selected) != 1 || st.Selected[0] != 0x0101 {
		t.Errorf("selected %X", st.Selected)
	}
}
