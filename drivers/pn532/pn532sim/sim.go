// Package pn532sim is an NXP PN532 NFC reader at the far end of a pseudo-terminal (HSU) or
// behind an i2c.Bus, with a card in its field.
//
// It speaks the PN532 host protocol as the chip does: it sleeps until the HSU wake-up (55h),
// ACKs every good command frame, resends its last answer on NACK, stops a running command
// when the host sends an ACK, answers a syntax error with the application error frame and
// each command with its code + 1. It enforces the chip's limits: frames of at most 265
// bytes with TFI, InDataExchange DataOut of at most 262 bytes (longer APDUs need chaining
// with the MI bit), DataIn of at most 262 bytes (the rest follows with MI set).
//
// Commands: Diagnose (00h line test, 06h card presence), GetFirmwareVersion, SAMConfiguration,
// RFConfiguration, InListPassiveTarget (106 kbps type A and type B), InPSL, InDataExchange,
// InDeselect, InRelease.
//
// The card is anything with Transmit; faults (silence, random bytes, broken checksums),
// slow answers and a card that leaves mid-read are set by Options or while running.
package pn532sim

import (
	"context"
	"errors"
	"os"
	"sync"
	"time"

	"github.com/tramso/tramso/drivers/pn532"
	"github.com/tramso/tramso/drivers/serial"
)

// Simulator is a PN532 on the device end of a pseudo-terminal. Open Link like a serial port.
type Simulator struct {
	*engine
	pty     *serial.PTY
	wmu     sync.Mutex
	cancel  context.CancelFunc
	done    chan struct{}
	closeMu sync.Mutex
	closed  bool
}

// Serve creates a pseudo-terminal whose slave side is reachable at link and runs a PN532 on
// it until ctx ends or Close is called.
func Serve(ctx context.Context, link string, opts Options) (*Simulator, error) {
	pty, err := serial.NewPTY(link)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &Simulator{engine: newEngine(opts), pty: pty, cancel: cancel, done: make(chan struct{})}
	s.emit = s.write
	go s.loop(ctx, opts.Awake)
	context.AfterFunc(ctx, func() { s.Close() })
	return s, nil
}

// Link is the path the host opens.
func (s *Simulator) Link() string { return s.pty.Link }

// Close stops the simulator and closes the pseudo-terminal; the host sees the line vanish.
func (s *Simulator) Close() error {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.cancel()
	err := s.pty.Close()
	<-s.done
	s.engine.wait()
	return err
}

func (s *Simulator) write(b []byte) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.pty.SetWriteDeadline(time.Now().Add(time.Second))
	s.pty.Write(b)
}

func (s *Simulator) loop(ctx context.Context, awake bool) {
	defer close(s.done)
	var dec pn532.Decoder
	buf := make([]byte, 512)
	for ctx.Err() == nil {
		s.pty.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		n, err := s.pty.Read(buf)
		in := buf[:n]
		if !awake {
			// Asleep (power-down after reset): only 55h on the line wakes the chip up;
			// everything before it is lost.
			for i, c := range in {
				if c == 0x55 {
					awake, in = true, in[i+1:]
					break
				}
			}
			if !awake {
				in = nil
			}
		}
		for len(in) > 0 {
			k := dec.Feed(in)
			in = in[k:]
			for {
				f, err := dec.Next()
				if errors.Is(err, pn532.ErrIncomplete) {
					break
				}
				if errors.Is(err, pn532.ErrFrameLength) {
					s.frameError()
					continue
				}
				if err != nil {
					continue // bad checksum: the PN532 ignores the frame
				}
				s.receive(ctx, f)
			}
		}
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			return
		}
	}
}
