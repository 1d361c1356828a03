package apdu

import (
	"bytes"
	"errors"
	"testing"
)

func TestCommandCases(t *testing.T) {
	for _, c := range []struct {
		cmd  Command
		want []byte
	}{
		{Command{CLA: 0, INS: 0x84, Ne: 8}, []byte{0, 0x84, 0, 0, 8}},                                      // GET CHALLENGE
		{Command{INS: 0xA4, P1: 2, P2: 0x0C, Data: []byte{1, 0x1E}}, []byte{0, 0xA4, 2, 0x0C, 2, 1, 0x1E}}, // case 3
		{Command{INS: 0xB0, Ne: 256}, []byte{0, 0xB0, 0, 0, 0}},                                            // Le 00 = 256
		{Command{INS: 0xB0, Ne: 0x0100 + 1}, []byte{0, 0xB0, 0, 0, 0, 0x01, 0x01}},                         // extended case 2
		{Command{INS: 0x86, Data: []byte{9}, Ne: 65536}, []byte{0, 0x86, 0, 0, 0, 0, 1, 9, 0, 0}},          // extended case 4
	} {
		got, err := c.cmd.Bytes()
		if err != nil || !bytes.Equal(got, c.want) {
			t.Errorf("%+v: got %x want %x (%v)", c.cmd, got, c.want, err)
			continue
		}
		back, err := ParseCommand(got)
		if err != nil || back.INS != c.cmd.INS || back.Ne != c.cmd.Ne || !bytes.Equal(back.Data, c.cmd.Data) {
			t.Errorf("round trip of %x: %+v %v", got, back, err)
		}
	}
}

func TestParseCommandMalformed(t *testing.T) {
	for _, b := range [][]byte{{0, 0xB0}, {0, 0xA4, 0, 0, 5, 1}, {0, 0xA4, 0, 0, 0, 0}, {0, 0xA4, 0, 0, 0, 0, 2, 1}} {
		if _, err := ParseCommand(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("%x: %v", b, err)
		}
	}
}

func TestResponse(t *testing.T) {
	r, err := ParseResponse([]byte{1, 2, 0x90, 0x00})
	if err != nil || !r.OK() || !bytes.Equal(r.Data, []byte{1, 2}) {
		t.Fatal(r, err)
	}
	if _, err := ParseResponse([]byte{0x90}); !errors.Is(err, ErrMalformed) {
		t.Fatal(err)
	}
	e := &StatusError{SW: 0x6982, Op: "READ BINARY DG3"}
	if !bytes.Contains([]byte(e.Error()), []byte("security status not satisfied")) {
		t.Fatal(e.Error())
	}
}

func FuzzParseCommand(f *testing.F) {
	f.Add([]byte{0, 0xA4, 2, 0x0C, 2, 1, 0x1E})
	f.Add([]byte{0, 0xB0, 0, 0, 0, 0x01, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseCommand(b)
		if err != nil {
			return
		}
		enc, err := c.Bytes()
		if err != nil {
			t.Fatalf("parsed command does not encode: %v", err)
		}
		back, err := ParseCommand(enc)
		if err != nil || back.Ne != c.Ne || !bytes.Equal(back.Data, c.Data) {
			t.Fatalf("re-parse of %x differs", enc)
		}
	})
}
