package codereader

import (
	"context"
	"fmt"
	"time"

	"github.com/tramso/tramso/drivers/serial"
)

// Simulator is a scanner in serial mode at the far end of a pseudo-terminal: the program under
// test opens Link as it would open /dev/ttyACM0, and each Scan arrives there as the scanner would
// send it.
type Simulator struct {
	// Terminator follows each payload; NewSimulator sets CR LF. Set "\r" or "\n" to act like
	// scanners configured that way.
	Terminator string
	pty        *serial.PTY
}

// NewSimulator creates the pseudo-terminal and a symlink to it at link.
func NewSimulator(link string) (*Simulator, error) {
	p, err := serial.NewPTY(link)
	if err != nil {
		return nil, err
	}
	return &Simulator{Terminator: "\r\n", pty: p}, nil
}

// Link returns the path the program under test opens.
func (s *Simulator) Link() string { return s.pty.Link }

// Scan sends payload and the terminator, as if a code holding payload were scanned. Bytes go out
// as they are, so a test can send invalid UTF-8.
func (s *Simulator) Scan(ctx context.Context, payload string) error {
	return s.Send(ctx, []byte(payload+s.Terminator))
}

// Send writes raw bytes to the line, for tests that split a line across writes.
func (s *Simulator) Send(ctx context.Context, b []byte) error {
	dl, _ := ctx.Deadline()
	s.pty.SetWriteDeadline(dl)
	stop := context.AfterFunc(ctx, func() { s.pty.SetWriteDeadline(time.Unix(1, 0)) })
	defer stop()
	if _, err := s.pty.Write(b); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("máy quét giả lập (scanner simulator): %w", ctx.Err())
		}
		return fmt.Errorf("máy quét giả lập không gửi được (scanner simulator cannot send): %w", err)
	}
	return nil
}

// Close removes the link and closes the pseudo-terminal: the reader sees the scanner unplugged.
func (s *Simulator) Close() error { return s.pty.Close() }

// Simulate runs a simulated scanner at link until ctx ends or scans is closed, scanning each
// payload received (kioskctl qr simulate feeds it lines from stdin).
func Simulate(ctx context.Context, link string, scans <-chan string) error {
	s, err := NewSimulator(link)
	if err != nil {
		return err
	}
	defer s.Close()
	for {
		select {
		case <-ctx.Done():
			return nil
		case p, ok := <-scans:
			if !ok {
				return nil
			}
			if err := s.Scan(ctx, p); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
		}
	}
}
