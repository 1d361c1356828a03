package pn532

import (
	"context"
	"errors"
	"github.com/tramso/tramso/internal/errtext"
	"io"
	"os"
	"time"

	"periph.io/x/conn/v3/i2c"
)

// Line is what the HSU transport needs from a serial line. *serial.Port implements it.
type Line interface {
	io.ReadWriteCloser
	SetReadDeadline(t time.Time) error
	SetWriteDeadline(t time.Time) error
	DiscardInput() error
}

// Stats counts what went over the line, for benchmarks and for modelling line time.
type Stats struct {
	FramesSent     int64 // frames written, ACK and NACK included
	FramesReceived int64 // frames decoded, ACK included
	BytesSent      int64 // bytes written, wake-up bytes included
	BytesReceived  int64 // bytes read, noise and I²C status bytes included
	Commands       int64 // commands completed
	APDUs          int64 // APDUs exchanged with a card
}

// LineTime is how long the counted bytes take on a UART at baud bits per second (8N1: ten bits
// a byte), both directions added up.
func (s Stats) LineTime(baud int) time.Duration {
	if baud <= 0 {
		return 0
	}
	bits := 10 * (s.BytesSent + s.BytesReceived)
	return time.Duration(bits * int64(time.Second) / int64(baud))
}

// Internal results of a receive that did not give a frame.
var (
	errSilence = errors.New("no frame before the deadline")
	errNoise   = errors.New("bytes that form no frame")
)

// transport moves frames to and from the PN532.
type transport interface {
	// send writes the wire bytes of one or more frames.
	send(b []byte, deadline time.Time) error
	// recv returns the next frame. size is how many bytes a frame may take (for I²C reads).
	// Errors: errSilence at the deadline, errNoise, ErrChecksum/ErrFrameLength, ctx.Err(), ErrGone.
	recv(ctx context.Context, deadline time.Time, size int) (Frame, error)
	// flush drops input that arrived before a command.
	flush()
	close() error
}

// pollStep bounds each blocking wait so that a cancelled context is noticed quickly.
const pollStep = 50 * time.Millisecond

// frameGap is the idle time after which received bytes that form no frame count as noise.
const frameGap = 40 * time.Millisecond

// hsu is the high-speed UART transport.
type hsu struct {
	line  Line
	dec   Decoder
	stats *Stats
}

func (h *hsu) send(b []byte, deadline time.Time) error {
	if err := h.line.SetWriteDeadline(deadline); err != nil {
		return errtext.Wrap(ErrGone, err)
	}
	n, err := h.line.Write(b)
	h.stats.BytesSent += int64(n)
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return errSilence
		}
		return errtext.Wrap(ErrGone, err)
	}
	return nil
}

func (h *hsu) recv(ctx context.Context, deadline time.Time, _ int) (Frame, error) {
	var noise, final bool
	var last time.Time
	for {
		f, err := h.dec.Next()
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, ErrIncomplete) {
			return Frame{}, err
		}
		if err := ctx.Err(); err != nil {
			return Frame{}, err
		}
		now := time.Now()
		if noise && now.Sub(last) >= frameGap {
			return Frame{}, errNoise
		}
		if !now.Before(deadline) {
			if !final {
				// A host that was not scheduled until after the deadline (a loaded machine)
				// first takes what already arrived: a frame on time must not count as late.
				final, deadline = true, now.Add(time.Millisecond)
			} else if noise {
				return Frame{}, errNoise
			} else {
				return Frame{}, errSilence
			}
		}
		step := now.Add(pollStep)
		if noise && last.Add(frameGap).Before(step) {
			step = last.Add(frameGap)
		}
		if deadline.Before(step) {
			step = deadline
		}
		if err := h.line.SetReadDeadline(step); err != nil {
			return Frame{}, errtext.Wrap(ErrGone, err)
		}
		n, err := h.dec.Fill(h.line)
		if n > 0 {
			h.stats.BytesReceived += int64(n)
			noise, last = true, time.Now()
		}
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			return Frame{}, errtext.Wrap(ErrGone, err)
		}
	}
}

func (h *hsu) flush() {
	h.line.DiscardInput()
	h.dec.Reset()
}

func (h *hsu) close() error { return h.line.Close() }

// i2cPoll is the interval between polls of the PN532's ready byte.
const i2cPoll = 2 * time.Millisecond

// i2cLink is the I²C transport: frames are written as one transaction; reads start with a
// status byte whose bit 0 tells whether a frame is ready.
type i2cLink struct {
	dev    i2c.Dev
	closer io.Closer // the bus when the driver opened it
	stats  *Stats
}

func (l *i2cLink) send(b []byte, _ time.Time) error {
	l.stats.BytesSent += int64(len(b))
	if err := l.dev.Tx(b, nil); err != nil {
		return errtext.Wrap(ErrGone, err)
	}
	return nil
}

func (l *i2cLink) recv(ctx context.Context, deadline time.Time, size int) (Frame, error) {
	var st [1]byte
	for {
		if err := ctx.Err(); err != nil {
			return Frame{}, err
		}
		if err := l.dev.Tx(nil, st[:]); err != nil {
			return Frame{}, errtext.Wrap(ErrGone, err)
		}
		l.stats.BytesReceived++
		if st[0]&0x01 != 0 {
			break
		}
		if !time.Now().Before(deadline) {
			return Frame{}, errSilence
		}
		if err := sleep(ctx, min(i2cPoll, time.Until(deadline))); err != nil {
			return Frame{}, err
		}
	}
	size = min(max(size, len(ACKFrame)), MaxWireLen)
	buf := make([]byte, 1+size)
	if err := l.dev.Tx(nil, buf); err != nil {
		return Frame{}, errtext.Wrap(ErrGone, err)
	}
	l.stats.BytesReceived += int64(len(buf))
	if buf[0]&0x01 == 0 {
		return Frame{}, errNoise
	}
	f, _, err := DecodeFrame(buf[1:])
	if errors.Is(err, ErrIncomplete) {
		return Frame{}, errNoise
	}
	return f, err
}

func (l *i2cLink) flush() {}

func (l *i2cLink) close() error {
	if l.closer != nil {
		return l.closer.Close()
	}
	return nil
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
