// Package vicc puts a simulated card behind a real pcscd: it is a virtual ICC for the vpcd reader
// driver of the vsmartcard project (Debian package vsmartcard-vpcd).
//
// vpcd is an IFD handler that pcscd loads like any reader driver. Each of its reader slots waits on
// a TCP port (35963 for the first slot in Debian's /etc/reader.conf.d/vpcd, the next port for the
// next slot) for a virtual ICC to connect. Connecting is putting a card on the reader; closing the
// connection is taking it away. Over the connection vpcd sends messages of a 2-byte big-endian
// length and a payload: a 1-byte payload is a control (00 power off, 01 power on, 02 reset, 04 send
// the ATR), anything longer is a command APDU. The ICC answers the ATR request and every APDU with a
// message of the same framing, and the controls with nothing.
//
// A program using PC/SC (pcsc.Context) then sees exactly what it sees with a real reader, so the
// code path under test is the production one down to pcscd.
package vicc

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
)

// DefaultAddr is where Debian's vpcd configuration has its first reader slot wait for a card.
const DefaultAddr = "127.0.0.1:35963"

// Control bytes vpcd sends.
const (
	ctrlOff   = 0x00
	ctrlOn    = 0x01
	ctrlReset = 0x02
	ctrlATR   = 0x04
)

// maxMessage is the longest payload the 2-byte length can carry.
const maxMessage = 0xFFFF

// Card answers command APDUs with whole response APDUs (data || SW1 SW2); apdu.Transceiver fits.
// An error means the card stops answering, as if it left the field: the ICC disconnects.
type Card interface {
	Transmit(ctx context.Context, command []byte) ([]byte, error)
}

// Resetter is implemented by cards that keep session state: a power-on, power-off or reset from
// vpcd calls Reset, so the card starts afresh as a real one would.
type Resetter interface {
	Reset()
}

// DefaultATR returns the ATR the ICC presents when none is given: 3B 80 80 01 01, an ATR with no
// historical bytes that offers T=1, as a reader shows an ISO 14443-4 card.
func DefaultATR() []byte { return []byte{0x3B, 0x80, 0x80, 0x01, 0x01} }

// ICC is a card on a vpcd reader slot.
type ICC struct {
	card Card
	atr  []byte
	nc   net.Conn

	ctx    context.Context // ends when the card is removed
	cancel context.CancelFunc
	done   chan struct{}

	mu  sync.Mutex
	err error
}

// Insert connects to the vpcd slot at addr (see DefaultAddr), which puts card on that reader, and
// serves vpcd's requests in the background until Remove, a card error, or vpcd closing the line.
// atr nil means DefaultATR.
func Insert(ctx context.Context, addr string, card Card, atr []byte) (*ICC, error) {
	if atr == nil {
		atr = DefaultATR()
	}
	if len(atr) < 2 || len(atr) > 33 {
		return nil, fmt.Errorf("ATR dài %d byte, cần 2…33 (ATR of %d bytes, need 2…33)", len(atr), len(atr))
	}
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("không kết nối được đầu đọc ảo vpcd tại %s (cannot reach vpcd): %w", addr, err)
	}
	sctx, cancel := context.WithCancel(context.Background())
	v := &ICC{card: card, atr: append([]byte(nil), atr...), nc: nc, ctx: sctx, cancel: cancel, done: make(chan struct{})}
	go v.serve()
	return v, nil
}

// Remove takes the card off the reader: the connection closes and pcscd sees the card gone. An
// exchange in progress fails on the PC/SC side. Remove waits until serving has stopped.
func (v *ICC) Remove() error {
	v.cancel()
	err := v.nc.Close()
	<-v.done
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

// Done is closed when the ICC stopped serving.
func (v *ICC) Done() <-chan struct{} { return v.done }

// Err says why the ICC stopped serving: nil after Remove, io.EOF when vpcd closed the line, the card's
// error when it failed. It is meaningful once Done is closed.
func (v *ICC) Err() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.err
}

func (v *ICC) serve() {
	defer close(v.done)
	defer v.nc.Close()
	err := v.loop()
	if v.ctx.Err() != nil {
		err = nil // removed on purpose
	}
	v.mu.Lock()
	v.err = err
	v.mu.Unlock()
}

func (v *ICC) loop() error {
	var hdr [2]byte
	buf := make([]byte, maxMessage)
	for {
		if _, err := io.ReadFull(v.nc, hdr[:]); err != nil {
			return err
		}
		msg := buf[:binary.BigEndian.Uint16(hdr[:])]
		if _, err := io.ReadFull(v.nc, msg); err != nil {
			return err
		}
		reply, err := v.handle(v.ctx, msg)
		if err != nil {
			return err
		}
		if reply == nil {
			continue
		}
		if _, err := v.nc.Write(reply); err != nil {
			return err
		}
	}
}

// handle answers one message from vpcd; nil means no answer is due. The answer is already framed.
func (v *ICC) handle(ctx context.Context, msg []byte) ([]byte, error) {
	switch {
	case len(msg) == 0:
		return nil, nil
	case len(msg) == 1:
		switch msg[0] {
		case ctrlOff, ctrlOn, ctrlReset:
			if r, ok := v.card.(Resetter); ok {
				r.Reset()
			}
			return nil, nil
		case ctrlATR:
			return frame(v.atr)
		}
		return nil, nil // unknown control: vpcd expects no answer
	}
	resp, err := v.card.Transmit(ctx, msg)
	if err != nil {
		return nil, fmt.Errorf("thẻ ảo ngừng trả lời (virtual card stopped answering): %w", err)
	}
	if len(resp) < 2 {
		return nil, fmt.Errorf("thẻ ảo trả lời %d byte, thiếu SW (virtual card answered %d bytes, no status word)", len(resp), len(resp))
	}
	return frame(resp)
}

func frame(payload []byte) ([]byte, error) {
	if len(payload) > maxMessage {
		return nil, fmt.Errorf("câu trả lời %d byte quá dài cho vpcd (answer of %d bytes too long for vpcd)", len(payload), len(payload))
	}
	b := make([]byte, 2, 2+len(payload))
	binary.BigEndian.PutUint16(b, uint16(len(payload)))
	return append(b, payload...), nil
}
