package pn532sim

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/drivers/pn532"
	"github.com/tramso/tramso/drivers/serial"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// open starts a simulator and opens its line raw, as a host would.
func open(t *testing.T, opts Config) (*Simulator, *serial.Port) {
	t.Helper()
	s, err := Serve(context.Background(), filepath.Join(t.TempDir(), "pn532"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	p, err := serial.Open(s.Link(), serial.Config{Baud: 115200})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return s, p
}

// send writes w to the reader.
func send(t *testing.T, p *serial.Port, w []byte) {
	t.Helper()
	if _, err := p.Write(w); err != nil {
		t.Fatal(err)
	}
}

// frames writes w and reads until n frames (or errors) have come back, for at most 3 s.
func frames(t *testing.T, p *serial.Port, w []byte, n int) []pn532.Frame {
	t.Helper()
	send(t, p, w)
	var dec pn532.Decoder
	var got []pn532.Frame
	deadline := time.Now().Add(3 * time.Second)
	for len(got) < n {
		f, err := dec.Next()
		if err == nil {
			got = append(got, f)
			continue
		}
		if !errors.Is(err, pn532.ErrIncomplete) {
			t.Fatalf("bad frame from the reader: %v", err)
		}
		p.SetReadDeadline(deadline)
		if _, err := dec.Fill(p); err != nil {
			t.Fatalf("%d of %d frames: %v", len(got), n, err)
		}
	}
	return got
}

// quiet checks that nothing comes back for d after writing w.
func quiet(t *testing.T, p *serial.Port, w []byte, d time.Duration) {
	t.Helper()
	if len(w) > 0 {
		send(t, p, w)
	}
	buf := make([]byte, 64)
	p.SetReadDeadline(time.Now().Add(d))
	if n, _ := p.Read(buf); n > 0 {
		t.Fatalf("unexpected answer % X", buf[:n])
	}
}

// answer writes a command and returns the response data after the ACK.
func answer(t *testing.T, p *serial.Port, w []byte) pn532.Frame {
	t.Helper()
	got := frames(t, p, w, 2)
	if got[0].Type != pn532.FrameACK {
		t.Fatalf("first frame %v, want ACK", got[0].Type)
	}
	return got[1]
}

func frame(t *testing.T, data string) []byte {
	t.Helper()
	b, err := pn532.AppendFrame(nil, pn532.TFIHost, unhex(t, data))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWakeUp(t *testing.T) {
	_, p := open(t, Config{})
	getFW := unhex(t, "00 00 FF 02 FE D4 02 2A 00")
	quiet(t, p, getFW, 150*time.Millisecond) // asleep
	f := answer(t, p, append(unhex(t, "55 55 00 00 00 00 00 00 00 00"), getFW...))
	if f.Type != pn532.FrameInfo || f.TFI != pn532.TFIReader || !bytes.Equal(f.Data, unhex(t, "03 32 01 06 07")) {
		t.Fatalf("after wake-up: %+v", f)
	}
	// NACK: the same response again, without an ACK.
	if g := frames(t, p, []byte(pn532.NACKFrame), 1)[0]; g.Type != pn532.FrameInfo || !bytes.Equal(g.Data, f.Data) {
		t.Fatalf("after NACK: %+v", g)
	}
	// A frame with a broken checksum is ignored.
	bad := append([]byte(nil), getFW...)
	bad[7] ^= 1
	quiet(t, p, bad, 100*time.Millisecond)
}

func TestLimits(t *testing.T) {
	_, p := open(t, Config{Awake: true})

	// Unknown command and bad parameters: ACK, then the application error frame.
	for _, cmd := range []string{"60", "14 00", "4A 05 00", "32 05 FF"} {
		if f := answer(t, p, frame(t, cmd)); f.Type != pn532.FrameError {
			t.Errorf("%s: %+v", cmd, f)
		}
	}

	// The largest InDataExchange (DataOut 262, LEN 265) is taken; no target is selected.
	data := append([]byte{pn532.CmdInDataExchange, 0x01}, make([]byte, pn532.MaxDataOut)...)
	w, err := pn532.AppendFrame(nil, pn532.TFIHost, data)
	if err != nil {
		t.Fatal(err)
	}
	if f := answer(t, p, w); !bytes.Equal(f.Data, []byte{0x41, 0x27}) {
		t.Errorf("InDataExchange 262: %+v", f)
	}

	// One byte more (LEN 266) is beyond the PN532's buffer: error frame, no ACK.
	data = append(data, 0x00)
	n := 1 + len(data)
	w = []byte{0x00, 0x00, 0xFF, 0xFF, 0xFF, byte(n >> 8), byte(n), -byte(n>>8) - byte(n), pn532.TFIHost}
	sum := byte(pn532.TFIHost)
	for _, c := range data {
		sum += c
	}
	w = append(append(w, data...), -sum, 0x00)
	if f := frames(t, p, w, 1)[0]; f.Type != pn532.FrameError {
		t.Errorf("InDataExchange 263: %+v", f)
	}
}

func TestAbortByACK(t *testing.T) {
	s, p := open(t, Config{Awake: true})
	// Power-up MxRtyPassiveActivation is FFh: with no card the command waits.
	if f := frames(t, p, frame(t, "4A 01 00"), 1)[0]; f.Type != pn532.FrameACK {
		t.Fatalf("InListPassiveTarget: %+v", f)
	}
	quiet(t, p, nil, 100*time.Millisecond)
	// The host's ACK aborts it; the next command gets its own answer.
	quiet(t, p, []byte(pn532.ACKFrame), 50*time.Millisecond)
	s.Place(nil) // wakes the aborted poll, which must stay quiet
	if f := answer(t, p, frame(t, "02")); !bytes.Equal(f.Data, unhex(t, "03 32 01 06 07")) {
		t.Fatalf("after abort: %+v", f)
	}
}

type fixedCard []byte

func (c fixedCard) Transmit(context.Context, []byte) ([]byte, error) { return c, nil }

func TestDataExchangeChaining(t *testing.T) {
	long := make([]byte, 300)
	for i := range long {
		long[i] = byte(i)
	}
	s, p := open(t, Config{Awake: true, Card: fixedCard(long)})
	answer(t, p, frame(t, "32 05 FF 01 02"))
	if f := answer(t, p, frame(t, "4A 01 00")); len(f.Data) < 2 || f.Data[1] != 1 {
		t.Fatalf("no target: %+v", f)
	}
	// A chunk with MI set gets a bare status; the card sees nothing yet.
	if f := answer(t, p, frame(t, "40 41 00 B0")); !bytes.Equal(f.Data, []byte{0x41, 0x00}) {
		t.Fatalf("MI chunk: %+v", f)
	}
	if s.APDUs() != 0 {
		t.Fatal("card saw a partial APDU")
	}
	// The last chunk: the 300-byte response comes as 262 bytes with MI, then the rest.
	f := answer(t, p, frame(t, "40 01 00 00 00"))
	if len(f.Data) < 2 || f.Data[1] != 0x40 || !bytes.Equal(f.Data[2:], long[:262]) {
		t.Fatalf("first part: %d bytes", len(f.Data))
	}
	f = answer(t, p, frame(t, "40 01"))
	if len(f.Data) < 2 || f.Data[1] != 0x00 || !bytes.Equal(f.Data[2:], long[262:]) {
		t.Fatalf("second part: %d bytes", len(f.Data))
	}
	if s.APDUs() != 1 {
		t.Fatalf("card saw %d APDUs", s.APDUs())
	}
}

// SetSerialBaudRate: the answer comes at the old speed, the speed changes only on the host's ACK,
// and from then on bytes at the old speed are lost while the new speed works.
func TestSetSerialBaudRate(t *testing.T) {
	s, p := open(t, Config{Awake: true, MaxBaud: 921600})
	if f := answer(t, p, frame(t, "10 08")); f.Type != pn532.FrameError {
		t.Fatalf("1 288 000 baud above MaxBaud: %v % X, want the error frame", f.Type, f.Data)
	}
	if f := answer(t, p, frame(t, "10 09")); f.Type != pn532.FrameError {
		t.Fatalf("BR 09h: %v, want the error frame", f.Type)
	}
	if f := answer(t, p, frame(t, "10 07")); f.Type != pn532.FrameInfo || string(f.Data) != "\x11" {
		t.Fatalf("answer %v % X", f.Type, f.Data)
	}
	if s.Baud() != 115200 {
		t.Fatalf("speed changed to %d before the host's ACK", s.Baud())
	}
	send(t, p, []byte(pn532.ACKFrame))
	deadline := time.Now().Add(2 * time.Second)
	for s.Baud() != 921600 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if s.Baud() != 921600 {
		t.Fatalf("speed %d after the ACK", s.Baud())
	}
	// The host still at 115200: nothing gets through.
	quiet(t, p, frame(t, "02"), 200*time.Millisecond)
	if s.Timing().Garbled == 0 {
		t.Error("bytes at the old speed were not counted as lost")
	}
	if err := p.SetBaud(921600); err != nil {
		t.Fatal(err)
	}
	if f := answer(t, p, frame(t, "02")); string(f.Data) != "\x03"+version {
		t.Fatalf("GetFirmwareVersion at 921600: % X", f.Data)
	}
}

// A command instead of the ACK cancels the change.
func TestSetSerialBaudRateCancelled(t *testing.T) {
	s, p := open(t, Config{Awake: true})
	answer(t, p, frame(t, "10 06"))
	answer(t, p, frame(t, "02"))
	send(t, p, []byte(pn532.ACKFrame))
	time.Sleep(50 * time.Millisecond)
	if s.Baud() != 115200 {
		t.Fatalf("speed %d after a cancelled change", s.Baud())
	}
}
