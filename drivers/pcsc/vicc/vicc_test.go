package vicc

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

type echo struct{ resets int }

func (e *echo) Transmit(_ context.Context, b []byte) ([]byte, error) {
	if b[1] == 0xEE {
		return nil, errors.New("gone")
	}
	return append(append([]byte(nil), b...), 0x90, 0x00), nil
}

func (e *echo) Reset() { e.resets++ }

func send(t *testing.T, c net.Conn, payload []byte) {
	t.Helper()
	m, err := frame(payload)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(m); err != nil {
		t.Fatal(err)
	}
}

func recv(t *testing.T, c net.Conn) []byte {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var h [2]byte
	if _, err := io.ReadFull(c, h[:]); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, binary.BigEndian.Uint16(h[:]))
	if _, err := io.ReadFull(c, b); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestProtocol plays vpcd's side of the wire against Insert.
func TestProtocol(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	card := &echo{}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	icc, err := Insert(ctx, l.Addr().String(), card, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	send(t, c, []byte{ctrlOn})
	send(t, c, []byte{ctrlATR})
	if got := recv(t, c); !bytes.Equal(got, DefaultATR()) {
		t.Fatalf("ATR % X", got)
	}
	send(t, c, []byte{ctrlReset})
	cmd := []byte{0x00, 0xB0, 0x00, 0x00, 0x04}
	send(t, c, cmd)
	if got := recv(t, c); !bytes.Equal(got, append(cmd, 0x90, 0x00)) {
		t.Fatalf("answer % X", got)
	}
	if card.resets != 2 {
		t.Errorf("%d resets, want 2 (power on, reset)", card.resets)
	}

	// The card failing drops the line, as a card leaving the field.
	send(t, c, []byte{0x00, 0xEE, 0x00, 0x00})
	select {
	case <-icc.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("ICC still serving after the card failed")
	}
	if icc.Err() == nil {
		t.Error("Err is nil after the card failed")
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("vpcd side read %v, want EOF", err)
	}
	if err := icc.Remove(); err != nil {
		t.Errorf("Remove after the end: %v", err)
	}
}

func TestRemove(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	icc, err := Insert(context.Background(), l.Addr().String(), &echo{}, []byte{0x3B, 0x00})
	if err != nil {
		t.Fatal(err)
	}
	c, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	send(t, c, []byte{ctrlATR})
	if got := recv(t, c); !bytes.Equal(got, []byte{0x3B, 0x00}) {
		t.Fatalf("ATR % X", got)
	}
	if err := icc.Remove(); err != nil {
		t.Fatal(err)
	}
	if icc.Err() != nil {
		t.Errorf("Err after Remove: %v", icc.Err())
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("vpcd side read %v, want EOF", err)
	}
	if _, err := Insert(context.Background(), l.Addr().String(), &echo{}, make([]byte, 40)); err == nil {
		t.Error("40-byte ATR accepted")
	}
}

func FuzzHandle(f *testing.F) {
	f.Add([]byte{ctrlATR})
	f.Add([]byte{ctrlOff})
	f.Add([]byte{0x00, 0xA4, 0x04, 0x0C, 0x02, 0x01, 0x1C})
	f.Add([]byte{0x00, 0xEE, 0x00, 0x00})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, msg []byte) {
		v := &ICC{card: &echo{}, atr: DefaultATR()}
		reply, err := v.handle(context.Background(), msg)
		if err != nil {
			return
		}
		if reply == nil {
			if len(msg) > 1 {
				t.Fatalf("no answer to a %d-byte APDU", len(msg))
			}
			return
		}
		if n := int(binary.BigEndian.Uint16(reply)); n != len(reply)-2 {
			t.Fatalf("frame says %d bytes, carries %d", n, len(reply)-2)
		}
		if len(msg) > 1 && !bytes.Equal(reply[2:], append(append([]byte(nil), msg...), 0x90, 0x00)) {
			t.Fatalf("answer % X to % X", reply, msg)
		}
	})
}
