package pn532sim

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"periph.io/x/conn/v3/physic"

	"github.com/tramso/tramso/drivers/pn532"
)

// I2C is a PN532 on an I²C bus at address 24h. It implements i2c.Bus: a write transaction
// carries a host frame, and a read transaction returns the status byte (01h when a frame
// is ready) followed by that frame, which a read of more than one byte consumes.
type I2C struct {
	*engine
	ctx    context.Context
	cancel context.CancelFunc

	qmu   sync.Mutex
	queue [][]byte
}

// maxQueue bounds the frames waiting to be read by the host.
const maxQueue = 4

// NewI2C starts a PN532 behind an I²C bus. It runs until ctx ends or Close is called.
func NewI2C(ctx context.Context, opts Config) *I2C {
	ctx, cancel := context.WithCancel(ctx)
	b := &I2C{engine: newEngine(opts), ctx: ctx, cancel: cancel}
	b.emit = b.push
	return b
}

// push queues a frame for the host; the bus has no line time of its own here.
func (b *I2C) push(f []byte, _ time.Duration, _ int) {
	b.qmu.Lock()
	defer b.qmu.Unlock()
	if len(b.queue) == maxQueue {
		b.queue = b.queue[1:]
	}
	b.queue = append(b.queue, append([]byte(nil), f...))
}

// String names the bus.
func (b *I2C) String() string { return "pn532sim" }

// SetSpeed accepts any speed.
func (b *I2C) SetSpeed(physic.Frequency) error { return nil }

// Tx writes w (a host frame) and then reads r (status byte and the pending frame).
func (b *I2C) Tx(addr uint16, w, r []byte) error {
	if b.ctx.Err() != nil {
		return errors.New("pn532sim: bus closed")
	}
	if addr != pn532.DefaultAddr {
		return fmt.Errorf("pn532sim: no device at address %#x", addr)
	}
	for len(w) > 0 {
		f, n, err := pn532.DecodeFrame(w)
		switch {
		case err == nil:
			b.receive(b.ctx, f)
		case errors.Is(err, pn532.ErrFrameLength):
			b.frameError()
		}
		if n == 0 || errors.Is(err, pn532.ErrIncomplete) {
			break
		}
		w = w[n:]
	}
	if len(r) == 0 {
		return nil
	}
	clear(r)
	b.qmu.Lock()
	defer b.qmu.Unlock()
	if len(b.queue) == 0 {
		return nil
	}
	r[0] = 0x01
	if len(r) > 1 {
		copy(r[1:], b.queue[0])
		b.queue = b.queue[1:]
	}
	return nil
}

// Close stops the simulator; later transactions fail.
func (b *I2C) Close() error {
	b.cancel()
	b.engine.wait()
	return nil
}
