package pcsc

import (
	"bytes"
	"errors"
	"testing"

	"github.com/tramso/tramso/drivers/apdu"
)

// table builds a reader state table as pcscd sends it.
func table(states ...readerState) []byte {
	b := make([]byte, readerTableSize)
	for i, r := range states {
		s := b[i*readerStateSize:]
		copy(s, r.Name)
		p := s[maxReaderName:]
		ne.PutUint32(p[0:], r.Events)
		ne.PutUint32(p[4:], r.State)
		ne.PutUint32(p[8:], uint32(r.Sharing))
		copy(p[12:], r.ATR)
		q := p[12+maxATRSize+3:]
		ne.PutUint32(q[0:], r.ATRLen)
		ne.PutUint32(q[4:], r.Protocol)
	}
	return b
}

func TestParseReaderStates(t *testing.T) {
	if readerStateSize != 184 {
		t.Fatalf("reader state is %d bytes, pcscd's READER_STATE is 184", readerStateSize)
	}
	atr := []byte{0x3B, 0x8F, 0x80, 0x01}
	in := table(
		readerState{Name: "ACS ACR122U PICC Interface 00 00", Events: 3, State: statePresent | statePowered, ATR: atr, ATRLen: 4, Protocol: 2},
		readerState{Name: "Virtual PCD 00 01", State: stateAbsent},
		readerState{Name: "Powering 00 00", State: statePresent, ATRLen: readerNotInitialized},
	)
	got, err := parseReaderStates(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d readers, want 3", len(got))
	}
	if got[0].Name != "ACS ACR122U PICC Interface 00 00" || got[0].Events != 3 || !bytes.Equal(got[0].ATR, atr) || got[0].Protocol != 2 {
		t.Errorf("first reader %+v", got[0])
	}
	if !got[0].cardReady() || got[1].cardReady() || got[2].cardReady() {
		t.Errorf("cardReady: %v %v %v, want true false false", got[0].cardReady(), got[1].cardReady(), got[2].cardReady())
	}

	if _, err := parseReaderStates(in[:100]); !errors.Is(err, errStateTable) {
		t.Errorf("short table: %v", err)
	}
	bad := table(readerState{Name: "x", ATRLen: 99})
	if _, err := parseReaderStates(bad); !errors.Is(err, errStateTable) {
		t.Errorf("ATR length 99: %v", err)
	}
	noNUL := table()
	for i := 0; i < maxReaderName; i++ {
		noNUL[i] = 'A'
	}
	if _, err := parseReaderStates(noNUL); !errors.Is(err, errStateTable) {
		t.Errorf("unterminated name: %v", err)
	}
}

func FuzzParseReaderStates(f *testing.F) {
	f.Add(table(readerState{Name: "Virtual PCD 00 00", State: statePresent, ATR: []byte{0x3B, 0}, ATRLen: 2}))
	f.Add(table())
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < readerTableSize && len(b)%2 == 0 {
			// Mostly fuzz whole tables: pad the input to the table's size.
			b = append(b, make([]byte, readerTableSize-len(b))...)
		}
		states, err := parseReaderStates(b)
		if err != nil {
			return
		}
		if len(states) > maxReaders {
			t.Fatalf("%d readers", len(states))
		}
		for _, s := range states {
			if s.Name == "" || len(s.Name) >= maxReaderName || len(s.ATR) > maxATRSize {
				t.Fatalf("bad state %+v", s)
			}
		}
		// Re-encoding what was parsed gives a table that parses the same.
		again, err := parseReaderStates(table(states...))
		if err != nil || len(again) != len(states) {
			t.Fatalf("round trip: %v, %d readers", err, len(again))
		}
	})
}

func TestMessages(t *testing.T) {
	m := connectMessage(7, "Reader 00 00")
	if len(m) != headerSize+connectSize {
		t.Fatalf("connect message of %d bytes", len(m))
	}
	if ne.Uint32(m[0:]) != connectSize || ne.Uint32(m[4:]) != cmdConnect {
		t.Errorf("connect header % X", m[:8])
	}
	long := connectMessage(7, string(bytes.Repeat([]byte{'r'}, 300)))
	if len(long) != headerSize+connectSize || long[headerSize+4+maxReaderName-1] != 0 {
		t.Error("long reader name not cut and terminated")
	}
	tx := transmitMessage(9, protocolT1, []byte{0, 0xA4, 4, 0x0C})
	if len(tx) != headerSize+transmitSize+4 || ne.Uint32(tx[0:]) != transmitSize {
		t.Errorf("transmit message % X", tx)
	}
	if w := words(tx[headerSize : headerSize+transmitSize]); w[0] != 9 || w[1] != protocolT1 || w[3] != 4 || w[6] != maxBufferExtend {
		t.Errorf("transmit fields %v", w)
	}
}

func TestErrorMapping(t *testing.T) {
	tests := []struct {
		op   string
		code uint32
		want error
	}{
		{"Transmit", rvRemovedCard, apdu.ErrCardRemoved},
		{"Transmit", rvNoSmartcard, apdu.ErrCardRemoved},
		{"Transmit", rvNotTransacted, apdu.ErrCardRemoved},
		{"Connect", rvNoSmartcard, apdu.ErrNoCard},
		{"Connect", rvUnresponsiveCard, apdu.ErrNoCard},
		{"Connect", rvReaderUnavailable, apdu.ErrReaderGone},
		{"Transmit", rvNoService, apdu.ErrReaderGone},
		{"Transmit", rvTimeout, apdu.ErrTimeout},
		{"Connect", rvSharingViolation, nil},
	}
	for _, tt := range tests {
		err := &Error{Op: tt.op, Code: tt.code}
		for _, s := range []error{apdu.ErrCardRemoved, apdu.ErrNoCard, apdu.ErrReaderGone, apdu.ErrTimeout} {
			if got := errors.Is(err, s); got != (s == tt.want) {
				t.Errorf("%s 0x%08X: errors.Is(%v) = %v", tt.op, tt.code, s, got)
			}
		}
	}
	msg := (&Error{Op: "Transmit", Code: rvRemovedCard}).Error()
	if msg != "Transmit: thẻ đã rời khỏi đầu đọc, xin đặt lại thẻ và giữ yên (Transmit: SCARD_W_REMOVED_CARD 0x80100069)" {
		t.Errorf("message %q", msg)
	}
}

func TestMatchReaders(t *testing.T) {
	states := []readerState{{Name: "ACS ACR1252 1S CL Reader PICC 00 00"}, {Name: "ACS ACR1252 1S CL Reader SAM 00 01"}, {Name: "ACS"}}
	names := func(s []readerState) []string {
		var out []string
		for _, r := range s {
			out = append(out, r.Name)
		}
		return out
	}
	for _, tt := range []struct {
		name string
		want int
	}{{"", 3}, {"ACS", 1}, {"acs acr1252", 2}, {"ACS ACR1252 1S CL Reader SAM", 1}, {"Gemalto", 0}} {
		if got := matchReaders(states, tt.name); len(got) != tt.want {
			t.Errorf("match %q: %q", tt.name, names(got))
		}
	}
}

func TestParseDevice(t *testing.T) {
	t.Setenv("PCSCLITE_CSOCK_NAME", "")
	for _, tt := range []struct {
		in, name, socket string
		ok               bool
	}{
		{"pcsc", "", DefaultSocket, true},
		{"pcsc:", "", DefaultSocket, true},
		{"pcsc:ACS ACR122U", "ACS ACR122U", DefaultSocket, true},
		{"pcsc:ACS%20ACR122U?socket=/tmp/p.comm", "ACS ACR122U", "/tmp/p.comm", true},
		{"pcsc?socket=/tmp/p.comm", "", "/tmp/p.comm", true},
		{"pcsc:x?baud=9600", "", "", false},
		{"serial:/dev/ttyUSB0", "", "", false},
		{"pcscd", "", "", false},
	} {
		name, socket, err := ParseDevice(tt.in)
		if (err == nil) != tt.ok || (tt.ok && (name != tt.name || socket != tt.socket)) {
			t.Errorf("ParseDevice(%q) = %q, %q, %v", tt.in, name, socket, err)
		}
	}
	t.Setenv("PCSCLITE_CSOCK_NAME", "/srv/pcscd.comm")
	if _, socket, _ := ParseDevice("pcsc"); socket != "/srv/pcscd.comm" {
		t.Errorf("socket %q ignores PCSCLITE_CSOCK_NAME", socket)
	}
}
