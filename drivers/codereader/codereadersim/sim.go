// Package codereadersim is a QR/barcode scanner in serial (CDC-ACM) mode at the far end of a
// pseudo-terminal, for tests and the simulated kiosk: the program under test opens its link as it
// would open /dev/ttyACM0, and each scan arrives there as a real scanner sends it. Like every
// simulator in tramso, it starts with Serve, says where to reach it (Link) and stops with Close.
package codereadersim

import (
	"context"
	"fmt"
	"time"

	"github.com/tramso/tramso/drivers/serial"
)

// Config configures a simulated scanner.
type Config struct {
	// Terminator follows each payload; empty means CR LF. Set "\r" or "\n" to act like scanners
	// configured that way.
	Terminator string
}

// Simulator is a scanner in serial mode at the far end of a pseudo-terminal.
type Simulator struct {
	terminator string
	pty        *serial.PTY
	stop       func() bool
}

// Serve creates the pseudo-terminal and a symlink to it at link. The scanner stays plugged in
// until ctx ends or Close is called.
func Serve(ctx context.Context, link string, cfg Config) (*Simulator, error) {
	p, err := serial.NewPTY(link)
	if err != nil {
		return nil, fmt.Errorf("không khởi động được máy quét mã giả lập (cannot start code scanner simulator): %w", err)
	}
	if cfg.Terminator == "" {
		cfg.Terminator = "\r\n"
	}
	s := &Simulator{terminator: cfg.Terminator, pty: p}
	s.stop = context.AfterFunc(ctx, func() { p.Close() })
	return s, nil
}

// Link returns the path the program under test opens.
func (s *Simulator) Link() string { return s.pty.Link }

// Scan sends payload and the terminator, as if a code holding payload were scanned. Bytes go out
// as they are, so a test can send invalid UTF-8.
func (s *Simulator) Scan(ctx context.Context, payload string) error {
	return s.Send(ctx, []byte(payload+s.terminator))
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
func (s *Simulator) Close() error {
	s.stop()
	return s.pty.Close()
}
