package pn532_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/drivers/pn532"
	"github.com/tramso/tramso/drivers/pn532/pn532sim"
	"github.com/tramso/tramso/drivers/serial"
)

// echoCard answers READ BINARY with Ne bytes of a counting pattern and echoes the data of
// any other command, always with 9000.
type echoCard struct{}

func (echoCard) Transmit(_ context.Context, b []byte) ([]byte, error) {
	c, err := apdu.ParseCommand(b)
	if err != nil {
		return []byte{0x67, 0x00}, nil
	}
	if c.INS == 0xB0 {
		return append(pattern(c.Ne), 0x90, 0x00), nil
	}
	return append(append([]byte(nil), c.Data...), 0x90, 0x00), nil
}

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*31 + 7)
	}
	return b
}

func readBinary(t testing.TB, ne int) []byte {
	t.Helper()
	b, err := apdu.Command{CLA: 0x00, INS: 0xB0, Ne: ne}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// setup starts a simulated PN532 on a pty and opens it like a real serial device.
func setup(t testing.TB, opts pn532sim.Config) (*pn532sim.Simulator, *pn532.Device) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	sim, err := pn532sim.Serve(context.Background(), filepath.Join(t.TempDir(), "pn532"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	// A generous ACK timeout keeps retry counts exact on a loaded machine.
	d, err := pn532.OpenHSU(ctx, sim.Link(), serial.Config{Baud: 115200}, &pn532.Options{ACKTimeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return sim, d
}

func waitCard(t testing.TB, d *pn532.Device) *pn532.Card {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := d.WaitForCard(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestFirmwareVersion(t *testing.T) {
	sim, d := setup(t, pn532sim.Config{})
	want := pn532.Version{IC: 0x32, Ver: 1, Rev: 6, Support: 7}
	if d.Version() != want {
		t.Errorf("Version() = %v, want %v", d.Version(), want)
	}
	v, err := d.FirmwareVersion(context.Background())
	if err != nil || v != want {
		t.Fatalf("FirmwareVersion = %v, %v", v, err)
	}
	// Opening woke the chip up and put it in normal mode.
	if n := sim.Count(pn532.CmdSAMConfiguration); n != 1 {
		t.Errorf("SAMConfiguration sent %d times", n)
	}
	if n := sim.Count(pn532.CmdGetFirmwareVersion); n != 2 {
		t.Errorf("GetFirmwareVersion sent %d times", n)
	}
}

func TestSAMConfiguration(t *testing.T) {
	_, d := setup(t, pn532sim.Config{})
	ctx := context.Background()
	if err := d.SAMConfiguration(ctx, 0x01, 0x14, true); err != nil {
		t.Fatal(err)
	}
	// Mode 0 does not exist: the PN532 answers with its error frame.
	if err := d.SAMConfiguration(ctx, 0x00, 0, false); !errors.Is(err, pn532.ErrRejected) {
		t.Fatalf("mode 0: %v", err)
	}
	if err := d.SetMaxRetries(ctx, 0xFF, 0x01, 0x05); err != nil {
		t.Fatal(err)
	}
	if err := d.SetTimeouts(ctx, 0x0B, 0x0A); err != nil {
		t.Fatal(err)
	}
	if err := d.SetField(ctx, true); err != nil {
		t.Fatal(err)
	}
}

func TestCardDetect(t *testing.T) {
	sim, d := setup(t, pn532sim.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := d.WaitForCard(ctx)
	if !errors.Is(err, apdu.ErrNoCard) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("no card: %v", err)
	}

	go func() {
		time.Sleep(100 * time.Millisecond)
		sim.Place(echoCard{})
	}()
	c := waitCard(t, d)
	if c.Type != pn532.TypeA || !bytes.Equal(c.UID, []byte{0x04, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66}) {
		t.Errorf("card %v UID % X", c.Type, c.UID)
	}
	if c.SAK&0x20 == 0 || !bytes.Equal(c.ATS, []byte{0x05, 0x78, 0x77, 0x81, 0x02}) {
		t.Errorf("SAK %02X ATS % X", c.SAK, c.ATS)
	}
	// TA(1) 77h: 212, 424 and 848 kbps both ways.
	if c.BitRate() != 848 || sim.BitRate() != 848 {
		t.Errorf("bit rate host %d, reader %d; want 848", c.BitRate(), sim.BitRate())
	}
	if ok, err := c.Present(context.Background()); !ok || err != nil {
		t.Errorf("Present = %v, %v", ok, err)
	}
	if c.MaxResponse() != 252 {
		t.Errorf("MaxResponse = %d", c.MaxResponse())
	}
}

func TestCardTypeB(t *testing.T) {
	_, d := setup(t, pn532sim.Config{Card: echoCard{}, TypeB: true})
	c := waitCard(t, d)
	if c.Type != pn532.TypeB || !bytes.Equal(c.UID, []byte{0x1A, 0x2B, 0x3C, 0x4D}) || len(c.ATQB) != 12 {
		t.Fatalf("card %v UID % X ATQB % X", c.Type, c.UID, c.ATQB)
	}
	r, err := c.Transmit(context.Background(), readBinary(t, 16))
	if err != nil || !bytes.Equal(r[:16], pattern(16)) {
		t.Fatalf("Transmit: % X, %v", r, err)
	}
}

func TestAPDURoundTrip(t *testing.T) {
	sim, d := setup(t, pn532sim.Config{Card: echoCard{}})
	c := waitCard(t, d)
	ctx := context.Background()
	var _ apdu.Transceiver = c

	sel := []byte{0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01}
	r, err := c.Transmit(ctx, sel)
	if err != nil || !bytes.Equal(r, append(sel[5:], 0x90, 0x00)) {
		t.Fatalf("SELECT: % X, %v", r, err)
	}

	for _, ne := range []int{240, 0xDF, 250, 256, 1000, 4000} {
		r, err := c.Transmit(ctx, readBinary(t, ne))
		if err != nil {
			t.Fatalf("READ BINARY %d: %v", ne, err)
		}
		if len(r) != ne+2 || !bytes.Equal(r[:ne], pattern(ne)) || r[ne] != 0x90 || r[ne+1] != 0x00 {
			t.Fatalf("READ BINARY %d: %d bytes", ne, len(r))
		}
	}

	// A command longer than one InDataExchange goes out in chunks with MI set.
	big, err := apdu.Command{CLA: 0x00, INS: 0xD6, Data: pattern(700)}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	r, err = c.Transmit(ctx, big)
	if err != nil || !bytes.Equal(r[:len(r)-2], pattern(700)) {
		t.Fatalf("UPDATE BINARY 700: %d bytes, %v", len(r), err)
	}
	if n := sim.APDUs(); n != 8 {
		t.Errorf("card saw %d APDUs, want 8", n)
	}
	st := d.Stats()
	if st.APDUs != 8 || st.FramesSent == 0 || st.BytesReceived == 0 || st.LineTime(115200) <= 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestInPSLFallback(t *testing.T) {
	sim, d := setup(t, pn532sim.Config{Card: echoCard{}, NoHighSpeed: true})
	c := waitCard(t, d)
	// 848 kbps refused, then 424 kbps refused: the card stays at 106.
	if sim.Count(pn532.CmdInPSL) != 2 {
		t.Errorf("InPSL sent %d times, want 2", sim.Count(pn532.CmdInPSL))
	}
	if c.BitRate() != 106 || sim.BitRate() != 106 {
		t.Errorf("bit rate host %d, reader %d; want 106", c.BitRate(), sim.BitRate())
	}
	err := c.SetBitRate(context.Background(), pn532.Rate424)
	var se *pn532.StatusError
	if !errors.As(err, &se) || se.Code() != 0x01 {
		t.Errorf("SetBitRate: %v", err)
	}
	r, err := c.Transmit(context.Background(), readBinary(t, 240))
	if err != nil || len(r) != 242 {
		t.Fatalf("Transmit at 106 kbps: %d bytes, %v", len(r), err)
	}
}

func TestCardRemoved(t *testing.T) {
	for _, status := range []byte{0x2B, 0x01} {
		t.Run(fmt.Sprintf("status%02X", status), func(t *testing.T) {
			_, d := setup(t, pn532sim.Config{Card: echoCard{}, RemoveAfter: 2, RemoveStatus: status})
			c := waitCard(t, d)
			ctx := context.Background()
			for i := 0; i < 2; i++ {
				if _, err := c.Transmit(ctx, readBinary(t, 200)); err != nil {
					t.Fatalf("APDU %d: %v", i, err)
				}
			}
			_, err := c.Transmit(ctx, readBinary(t, 200))
			if !errors.Is(err, apdu.ErrCardRemoved) || !errors.Is(err, pn532.ErrCardRemoved) {
				t.Fatalf("third APDU: %v", err)
			}
			if _, err := c.Transmit(ctx, readBinary(t, 1)); !errors.Is(err, apdu.ErrCardRemoved) {
				t.Fatalf("after removal: %v", err)
			}
			if ok, _ := c.Present(ctx); ok {
				t.Fatal("removed card still present")
			}
		})
	}
}

func TestCardPulledOut(t *testing.T) {
	sim, d := setup(t, pn532sim.Config{Card: echoCard{}})
	c := waitCard(t, d)
	ctx := context.Background()
	if _, err := c.Transmit(ctx, readBinary(t, 10)); err != nil {
		t.Fatal(err)
	}
	sim.Remove()
	if ok, err := c.Present(ctx); ok || err != nil {
		t.Fatalf("Present after removal = %v, %v", ok, err)
	}
	if _, err := c.Transmit(ctx, readBinary(t, 10)); !errors.Is(err, apdu.ErrCardRemoved) {
		t.Fatalf("Transmit: %v", err)
	}
	// The reader is fine; a new card is found.
	sim.Place(echoCard{})
	c = waitCard(t, d)
	if _, err := c.Transmit(ctx, readBinary(t, 10)); err != nil {
		t.Fatal(err)
	}
}

func TestCardSlowOrFailing(t *testing.T) {
	sim, d := setup(t, pn532sim.Config{Card: failingCard{}})
	c := waitCard(t, d)
	_, err := c.Transmit(context.Background(), readBinary(t, 10))
	// The card stays in the field but does not answer: a timeout, not a removal.
	if !errors.Is(err, apdu.ErrTimeout) || errors.Is(err, apdu.ErrCardRemoved) {
		t.Fatalf("Transmit: %v", err)
	}
	sim.Place(echoCard{})
}

type failingCard struct{}

func (failingCard) Transmit(context.Context, []byte) ([]byte, error) {
	return nil, errors.New("no answer")
}

func TestSilentReader(t *testing.T) {
	sim, d := setup(t, pn532sim.Config{})
	sim.SetFault(pn532sim.FaultSilent)
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := d.FirmwareVersion(ctx)
	if !errors.Is(err, apdu.ErrTimeout) || !errors.Is(err, pn532.ErrNoAnswer) {
		t.Fatalf("silent reader: %v", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("returned after %v", el)
	}

	// Silent from power-up: opening fails with a timeout too, without a context deadline.
	silent, err := pn532sim.Serve(context.Background(), filepath.Join(t.TempDir(), "dead"), pn532sim.Config{Fault: pn532sim.FaultSilent})
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	if _, err := pn532.OpenHSU(context.Background(), silent.Link(), serial.Config{}, nil); !errors.Is(err, apdu.ErrTimeout) {
		t.Fatalf("OpenHSU on a silent reader: %v", err)
	}
}

func TestLostCommand(t *testing.T) {
	sim, d := setup(t, pn532sim.Config{})
	sim.SetFault(pn532sim.FaultLoseOnce)
	before := d.Stats()
	if _, err := d.FirmwareVersion(context.Background()); err != nil {
		t.Fatalf("after a lost command: %v", err)
	}
	// The command, an ACK to abort it after the ACK timeout, the command again.
	if n := d.Stats().FramesSent - before.FramesSent; n != 3 {
		t.Errorf("%d frames sent, want 3", n)
	}
}

func TestSlowReader(t *testing.T) {
	sim, d := setup(t, pn532sim.Config{Card: echoCard{}})
	c := waitCard(t, d)
	sim.SetDelay(50 * time.Millisecond)
	if _, err := c.Transmit(context.Background(), readBinary(t, 100)); err != nil {
		t.Fatalf("slow answer: %v", err)
	}
	sim.SetDelay(time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := c.Transmit(ctx, readBinary(t, 100)); !errors.Is(err, apdu.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("too slow: %v", err)
	}
	// The aborted command leaves the line usable.
	sim.SetDelay(0)
	if _, err := c.Transmit(context.Background(), readBinary(t, 100)); err != nil {
		t.Fatalf("after abort: %v", err)
	}
}

func TestGarbage(t *testing.T) {
	sim, d := setup(t, pn532sim.Config{Card: echoCard{}})
	c := waitCard(t, d)
	ctx := context.Background()

	// One broken response: a NACK gets a good copy.
	sim.SetFault(pn532sim.FaultChecksumOnce)
	if r, err := c.Transmit(ctx, readBinary(t, 240)); err != nil || len(r) != 242 {
		t.Fatalf("after one bad checksum: %d bytes, %v", len(r), err)
	}
	if sim.NACKs() != 1 {
		t.Errorf("%d NACKs, want 1", sim.NACKs())
	}

	sim.SetFault(pn532sim.FaultChecksum)
	if _, err := d.FirmwareVersion(ctx); !errors.Is(err, pn532.ErrGarbled) {
		t.Fatalf("broken checksums: %v", err)
	}
	if sim.NACKs() != 3 {
		t.Errorf("%d NACKs, want 3", sim.NACKs())
	}

	sim.SetFault(pn532sim.FaultRandom)
	tctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	_, err := d.FirmwareVersion(tctx)
	if !errors.Is(err, pn532.ErrGarbled) {
		t.Fatalf("random bytes: %v", err)
	}

	sim.SetFault(pn532sim.FaultRefuseCommand)
	if _, err := d.FirmwareVersion(ctx); !errors.Is(err, pn532.ErrRejected) {
		t.Fatalf("error frame: %v", err)
	}

	sim.SetFault(pn532sim.FaultNone)
	if _, err := d.FirmwareVersion(ctx); err != nil {
		t.Fatalf("line did not recover: %v", err)
	}
}

func TestReaderGone(t *testing.T) {
	sim, d := setup(t, pn532sim.Config{Card: echoCard{}})
	c := waitCard(t, d)
	sim.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := c.Transmit(ctx, readBinary(t, 10)); !errors.Is(err, apdu.ErrReaderGone) {
		t.Fatalf("Transmit after the pty closed: %v", err)
	}
	if _, err := d.FirmwareVersion(ctx); !errors.Is(err, apdu.ErrReaderGone) {
		t.Fatalf("FirmwareVersion after the pty closed: %v", err)
	}
}

func TestOpenDeviceString(t *testing.T) {
	sim, err := pn532sim.Serve(context.Background(), filepath.Join(t.TempDir(), "nfc"), pn532sim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d, err := pn532.Open(ctx, "pn532:"+sim.Link()+"?baud=115200")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.Baud() != 115200 || d.Version().IC != 0x32 {
		t.Errorf("baud %d version %v", d.Baud(), d.Version())
	}
	for _, s := range []string{"pcsc:0", "pn532:", "pn532:/x?baud=12", "pn532-i2c:", "pn532-i2c:1:0x400"} {
		if _, err := pn532.Open(ctx, s); err == nil {
			t.Errorf("Open(%q) succeeded", s)
		}
	}
}

// BenchmarkExchange reads 223-byte chunks (Le DFh, the largest that fits SM responses in a
// normal frame) over a pty and reports the line bytes per APDU and what they cost at 115200 baud.
func BenchmarkExchange(b *testing.B) {
	_, d := setup(b, pn532sim.Config{Card: echoCard{}})
	c := waitCard(b, d)
	cmd := readBinary(b, 0xDF)
	ctx := context.Background()
	before := d.Stats()
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.Transmit(ctx, cmd); err != nil {
			b.Fatal(err)
		}
	}
	st := d.Stats()
	n := float64(st.APDUs - before.APDUs)
	bytes := float64(st.BytesSent + st.BytesReceived - before.BytesSent - before.BytesReceived)
	b.ReportMetric(bytes/n, "linebytes/APDU")
	lt := pn532.Stats{BytesSent: st.BytesSent - before.BytesSent, BytesReceived: st.BytesReceived - before.BytesReceived}.LineTime(115200)
	b.ReportMetric(lt.Seconds()*1000/n, "ms@115200/APDU")
}
