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
// Commands: Diagnose (00h line test, 06h card presence), GetFirmwareVersion, GetGeneralStatus,
// ReadRegister and WriteRegister (values kept, nothing acted on), SetSerialBaudRate,
// SetParameters, SAMConfiguration, PowerDown, RFConfiguration, InListPassiveTarget (106 kbps
// type A and type B), InPSL (up to 848 kbps, as the ATS allows), InDataExchange,
// InCommunicateThru (no answer from the card), InDeselect, InRelease. libnfc's nfc-list
// initialises it and lists its card (TestNFCList).
//
// Speeds: SetSerialBaudRate is answered at the old speed and takes effect on the host's ACK
// to the answer. The simulator reads the speed the host set on its side of the pty, and
// bytes sent or expected at another speed are lost, as on a UART. With Config.LineTiming
// each frame is delayed by its time on the line and each card exchange by its time on the
// air (RFTime); Timing reports the modelled totals.
//
// The card is anything with Transmit; faults (silence, random bytes, broken checksums),
// slow answers, refused speeds and a card that leaves mid-read are set by Config or while
// running.
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
	tx      chan txFrame
	cancel  context.CancelFunc
	done    chan struct{}
	closeMu sync.Mutex
	closed  bool
}

// Serve creates a pseudo-terminal whose slave side is reachable at link and runs a PN532 on
// it until ctx ends or Close is called.
func Serve(ctx context.Context, link string, opts Config) (*Simulator, error) {
	pty, err := serial.NewPTY(link)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &Simulator{engine: newEngine(opts), pty: pty, cancel: cancel, done: make(chan struct{}),
		tx: make(chan txFrame, 64)}
	s.emit = s.write
	txDone := make(chan struct{})
	go s.transmit(ctx, txDone)
	go func() {
		s.loop(ctx, opts.Awake)
		<-txDone
		close(s.done)
	}()
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

// txFrame is a frame on its way to the host and its time on the line.
type txFrame struct {
	b    []byte
	d    time.Duration
	baud int
}

// write queues a frame: the transmitter sends frames in order, each after its line time.
func (s *Simulator) write(b []byte, d time.Duration, baud int) {
	select {
	case s.tx <- txFrame{b, d, baud}:
	default: // a host that reads nothing: the frame is lost, as a UART's would be
	}
}

func (s *Simulator) transmit(ctx context.Context, done chan struct{}) {
	defer close(done)
	for {
		select {
		case <-ctx.Done():
			return
		case f := <-s.tx:
			if f.d > 0 && sleep(ctx, f.d) != nil {
				return
			}
			if hb := s.pty.Baud(); hb != 0 && hb != f.baud {
				// The host listens at another speed: its UART gets framing errors only.
				s.garbled(len(f.b))
				continue
			}
			s.pty.SetWriteDeadline(time.Now().Add(time.Second))
			s.pty.Write(f.b)
		}
	}
}

func (s *Simulator) loop(ctx context.Context, awake bool) {
	var dec pn532.Decoder
	buf := make([]byte, 512)
	for ctx.Err() == nil {
		s.pty.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		n, err := s.pty.Read(buf)
		in := buf[:n]
		if n > 0 && !s.speedOK(s.pty.Baud()) {
			// The host talks at another speed: the UART sees framing errors only.
			s.garbled(n)
			in = nil
		}
		if len(in) > 0 {
			if d := s.received(len(in)); d > 0 && sleep(ctx, d) != nil {
				return
			}
		}
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
