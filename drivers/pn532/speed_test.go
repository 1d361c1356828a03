package pn532_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/tramso/tramso/drivers/pn532"
	"github.com/tramso/tramso/drivers/pn532/pn532sim"
	"github.com/tramso/tramso/drivers/serial"
)

// serve starts a simulated PN532 without opening it.
func serve(t testing.TB, opts pn532sim.Config) *pn532sim.Simulator {
	t.Helper()
	sim, err := pn532sim.Serve(context.Background(), filepath.Join(t.TempDir(), "pn532"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	return sim
}

func openAt(t testing.TB, sim *pn532sim.Simulator, opts pn532.Options) (*pn532.Device, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if opts.ACKTimeout == 0 {
		opts.ACKTimeout = 300 * time.Millisecond
	}
	d, err := pn532.OpenHSU(ctx, sim.Link(), serial.Config{Baud: 115200}, &opts)
	if err == nil {
		t.Cleanup(func() { d.Close() })
	}
	return d, err
}

// transmitOK checks that the card still answers a full-size read.
func transmitOK(t *testing.T, c *pn532.Card) {
	t.Helper()
	r, err := c.Transmit(context.Background(), readBinary(t, 240))
	if err != nil || len(r) != 242 {
		t.Fatalf("Transmit: %d bytes, %v", len(r), err)
	}
}

func TestRaiseBaud(t *testing.T) {
	sim := serve(t, pn532sim.Config{Card: echoCard{}})
	d, err := openAt(t, sim, pn532.Options{MaxBaud: 921600})
	if err != nil {
		t.Fatal(err)
	}
	if d.Baud() != 921600 || sim.Baud() != 921600 {
		t.Fatalf("baud host %d, reader %d; want 921600", d.Baud(), sim.Baud())
	}
	if sim.Count(pn532.CmdSetSerialBaudRate) != 1 {
		t.Errorf("SetSerialBaudRate sent %d times", sim.Count(pn532.CmdSetSerialBaudRate))
	}
	transmitOK(t, waitCard(t, d))
	if g := sim.Timing().Garbled; g != 0 {
		t.Errorf("%d bytes at a mismatched speed", g)
	}
	// Close sets the PN532 back to the configured speed for the next opener.
	d.Close()
	if sim.Baud() != 115200 {
		t.Fatalf("after Close the reader is at %d baud", sim.Baud())
	}
	d2, err := openAt(t, sim, pn532.Options{})
	if err != nil {
		t.Fatalf("reopen at 115200: %v", err)
	}
	transmitOK(t, waitCard(t, d2))
}

// A PN532 (or a line) that refuses the fast speeds: the driver steps down to the fastest that
// works, and to the opening speed when none does.
func TestRaiseBaudRefused(t *testing.T) {
	sim := serve(t, pn532sim.Config{Card: echoCard{}, MaxBaud: 230400})
	d, err := openAt(t, sim, pn532.Options{MaxBaud: 921600})
	if err != nil {
		t.Fatal(err)
	}
	if d.Baud() != 230400 || sim.Baud() != 230400 {
		t.Fatalf("baud host %d, reader %d; want 230400", d.Baud(), sim.Baud())
	}
	transmitOK(t, waitCard(t, d))

	sim2 := serve(t, pn532sim.Config{Card: echoCard{}, MaxBaud: 115200})
	d2, err := openAt(t, sim2, pn532.Options{MaxBaud: 921600})
	if err != nil {
		t.Fatal(err)
	}
	if d2.Baud() != 115200 || sim2.Baud() != 115200 {
		t.Fatalf("baud host %d, reader %d; want 115200", d2.Baud(), sim2.Baud())
	}
	if n := sim2.Count(pn532.CmdSetSerialBaudRate); n != 3 {
		t.Errorf("SetSerialBaudRate sent %d times, want 3 (921600, 460800, 230400)", n)
	}
	transmitOK(t, waitCard(t, d2))
}

// A PN532 that answers SetSerialBaudRate but keeps its speed (the host's ACK lost): the line
// test at the new speed fails, the host goes back, and the selected card is not lost.
func TestSetBaudFallbackKeepsCard(t *testing.T) {
	sim := serve(t, pn532sim.Config{Card: echoCard{}, BaudNoSwitch: true})
	d, err := openAt(t, sim, pn532.Options{ACKTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	c := waitCard(t, d)
	transmitOK(t, c)
	err = d.SetBaud(context.Background(), 921600)
	if !errors.Is(err, pn532.ErrSpeed) {
		t.Fatalf("SetBaud = %v, want ErrSpeed", err)
	}
	if d.Baud() != 115200 || sim.Baud() != 115200 {
		t.Fatalf("baud host %d, reader %d; want 115200", d.Baud(), sim.Baud())
	}
	if sim.Timing().Garbled == 0 {
		t.Error("the line test at 921600 never reached the line")
	}
	transmitOK(t, c)
	if ok, err := c.Present(context.Background()); !ok || err != nil {
		t.Errorf("card lost after the fallback: %v, %v", ok, err)
	}
}

// A PN532 left at a higher speed by an earlier run is found by probing up to MaxBaud; without
// MaxBaud it does not answer.
func TestProbeBaud(t *testing.T) {
	sim := serve(t, pn532sim.Config{Card: echoCard{}, Baud: 460800})
	if _, err := openAt(t, sim, pn532.Options{ACKTimeout: 50 * time.Millisecond}); !errors.Is(err, pn532.ErrNoAnswer) {
		t.Fatalf("open at 115200 without probing: %v", err)
	}
	d, err := openAt(t, sim, pn532.Options{ACKTimeout: 50 * time.Millisecond, MaxBaud: 921600})
	if err != nil {
		t.Fatal(err)
	}
	if d.Baud() != 921600 {
		t.Fatalf("baud %d after probing, want 921600", d.Baud())
	}
	transmitOK(t, waitCard(t, d))
}

func TestDeviceStringSpeeds(t *testing.T) {
	sim := serve(t, pn532sim.Config{Card: echoCard{}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := pn532.Open(ctx, "pn532:"+sim.Link()+"?baud=115200&max=460800&rf=424")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.Baud() != 460800 {
		t.Errorf("baud %d, want 460800", d.Baud())
	}
	c := waitCard(t, d)
	if c.BitRate() != 424 {
		t.Errorf("bit rate %d, want 424 (rf=424)", c.BitRate())
	}
	for _, s := range []string{"?max=12", "?max=1288000", "?rf=300", "?baud=115200&max=x"} {
		if _, err := pn532.Open(ctx, "pn532:"+sim.Link()+s); err == nil {
			t.Errorf("%s accepted", s)
		}
	}
}

// The ATS decides the bit rate: no TA(1) or one without higher rates means no InPSL at all.
func TestBitRateFromATS(t *testing.T) {
	for _, c := range []struct {
		ats   []byte
		limit int
		want  int
		psl   int
	}{
		{[]byte{0x05, 0x78, 0x00, 0x81, 0x02}, 0, 106, 0}, // TA(1) 00h: 106 only
		{[]byte{0x04, 0x68, 0x81, 0x02}, 0, 106, 0},       // no TA(1)
		{[]byte{0x05, 0x78, 0x33, 0x81, 0x02}, 0, 424, 1}, // up to 424 both ways
		{[]byte{0x05, 0x78, 0x77, 0x81, 0x02}, 424, 424, 1},
		{[]byte{0x05, 0x78, 0x77, 0x81, 0x02}, 0, 848, 1},
	} {
		sim := serve(t, pn532sim.Config{Card: echoCard{}, ATS: c.ats})
		d, err := openAt(t, sim, pn532.Options{MaxBitRate: c.limit})
		if err != nil {
			t.Fatal(err)
		}
		card := waitCard(t, d)
		if card.BitRate() != c.want || sim.BitRate() != c.want || sim.Count(pn532.CmdInPSL) != c.psl {
			t.Errorf("ATS % X limit %d: host %d, reader %d kbps, %d InPSL; want %d kbps, %d InPSL",
				c.ats, c.limit, card.BitRate(), sim.BitRate(), sim.Count(pn532.CmdInPSL), c.want, c.psl)
		}
		transmitOK(t, card)
	}
}

// A card whose ATS announces 848 kbps but refuses it: the driver falls back to 424.
func TestBitRateFallbackTo424(t *testing.T) {
	sim := serve(t, pn532sim.Config{Card: echoCard{}, MaxRate: 424})
	d, err := openAt(t, sim, pn532.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := waitCard(t, d)
	if c.BitRate() != 424 || sim.BitRate() != 424 || sim.Count(pn532.CmdInPSL) != 2 {
		t.Fatalf("host %d, reader %d kbps after %d InPSL; want 424 after 2", c.BitRate(), sim.BitRate(), sim.Count(pn532.CmdInPSL))
	}
	transmitOK(t, c)
}

// With line timing on, the simulator's modelled line time matches the bytes the driver counted
// and the wall time is at least the modelled time.
func TestLineTiming(t *testing.T) {
	sim := serve(t, pn532sim.Config{Card: echoCard{}, LineTiming: true})
	d, err := openAt(t, sim, pn532.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := waitCard(t, d)
	s0, t0 := d.Stats(), sim.Timing()
	start := time.Now()
	for range 5 {
		transmitOK(t, c)
	}
	wall := time.Since(start)
	s1, t1 := d.Stats(), sim.Timing()
	lineBytes := s1.BytesSent + s1.BytesReceived - s0.BytesSent - s0.BytesReceived
	if got := t1.LineBytes - t0.LineBytes; got != lineBytes {
		t.Errorf("simulator counted %d line bytes, driver %d", got, lineBytes)
	}
	model := t1.Line - t0.Line + t1.RF - t0.RF
	// The simulator adds frame by frame (each rounded down to the nanosecond).
	if want, got := pn532sim.LineTime(int(lineBytes), 115200), t1.Line-t0.Line; got > want || want-got > time.Microsecond {
		t.Errorf("line time %v, want %v", got, want)
	}
	if t1.RF-t0.RF <= 0 {
		t.Error("no RF time modelled")
	}
	if wall < model {
		t.Errorf("wall time %v shorter than the modelled %v", wall, model)
	}
}

// Rates reads TA(1) of an ATS from the card: whatever the bytes, the rates chosen are ones the
// card announced, within the limit, and the same both ways when it asks for that.
func FuzzCardRates(f *testing.F) {
	for _, ats := range [][]byte{
		{0x05, 0x78, 0x77, 0x81, 0x02}, {0x05, 0x78, 0x00, 0x81, 0x02}, {0x04, 0x68, 0x81, 0x02},
		{0x05, 0x78, 0x91, 0x81, 0x02}, {0x05, 0x78, 0xB3, 0x81, 0x02}, {0x01}, {}, {0x03, 0x10, 0x44},
	} {
		f.Add(ats, false, byte(pn532.Rate848))
	}
	f.Add([]byte{0x50, 1, 2, 3, 4, 0, 0, 0, 0, 0x77, 0x81, 0x71}, true, byte(pn532.Rate424))
	f.Fuzz(func(t *testing.T, b []byte, typeB bool, limit byte) {
		c := &pn532.Card{Type: pn532.TypeA, ATS: b}
		if typeB {
			c = &pn532.Card{Type: pn532.TypeB, ATQB: b}
		}
		dr, ds := c.Rates(limit)
		if dr > min(limit, pn532.Rate848) && dr != pn532.Rate106 || ds > min(limit, pn532.Rate848) && ds != pn532.Rate106 {
			t.Fatalf("rates %d/%d above the limit %d", dr, ds, limit)
		}
		var ta byte
		switch {
		case !typeB && len(b) >= 3 && b[1]&0x10 != 0:
			ta = b[2]
		case typeB && len(b) >= 11:
			ta = b[9]
		}
		if dr != 0 && ta&(1<<(dr-1)) == 0 || ds != 0 && ta>>4&(1<<(ds-1)) == 0 {
			t.Fatalf("TA %02X: rates %d/%d not announced", ta, dr, ds)
		}
		if ta&0x80 != 0 && dr != ds {
			t.Fatalf("TA %02X asks for one rate, got %d/%d", ta, dr, ds)
		}
	})
}
