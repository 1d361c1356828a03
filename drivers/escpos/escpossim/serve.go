package escpossim

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/tramso/tramso/drivers/serial"
)

// Simulator is a Printer at the far end of a pseudo-terminal: the program under test opens
// Link like a real serial printer.
type Simulator struct {
	p      *Printer
	t      *serial.PTY
	cancel context.CancelFunc
	done   chan struct{}

	mu       sync.Mutex
	err      error // first unexpected line error
	closeErr error
	stop     sync.Once
}

// Serve runs a printer at the far end of a pseudo-terminal whose symlink is link
// (serial.NewPTY), until ctx ends or Unplug is called. Bytes the host writes go to the printer;
// its replies go back down the line. When it stops, an unfinished piece of paper is torn off as
// a partial receipt and the link disappears, which the host sees as an unplugged device.
func Serve(ctx context.Context, link string, cfg Config) (*Simulator, error) {
	t, err := serial.NewPTY(link)
	if err != nil {
		return nil, fmt.Errorf("không khởi động được máy in giả lập (cannot start printer simulator): %w", err)
	}
	if cfg.OutDir != "" {
		if err := os.MkdirAll(cfg.OutDir, 0o755); err != nil {
			t.Close()
			return nil, fmt.Errorf("không tạo được thư mục hóa đơn (cannot create receipt folder): %w", err)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &Simulator{p: NewPrinter(cfg), t: t, cancel: cancel, done: make(chan struct{})}
	s.p.filesCut = make(chan struct{}, 1)
	s.p.log.Info("printer simulator started", "link", link, "pty", t.SlavePath(), "paper_dots", s.p.cfg.PaperDots)
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); s.receive(ctx) }()
	go func() { defer wg.Done(); s.send(ctx) }()
	go func() { defer wg.Done(); s.writeFiles(ctx) }()
	go func() {
		<-ctx.Done()
		s.shutdown()
		wg.Wait()
		s.p.TearOff()
		s.p.writeFiles()
		s.p.log.Info("printer simulator stopped", "link", link)
		close(s.done)
	}()
	return s, nil
}

// Printer returns the simulated printer, to inject faults and read receipts. Its Replies
// channel belongs to the simulator.
func (s *Simulator) Printer() *Printer { return s.p }

// Link returns the path the host opens.
func (s *Simulator) Link() string { return s.t.Link }

// Close stops the simulator as Unplug does and returns once it has stopped: every simulator in
// tramso starts with Serve, says where to reach it (Link or URL) and stops with Close.
func (s *Simulator) Close() error { return s.Unplug() }

// Unplug pulls the cable: the pseudo-terminal closes, the host's reads and writes fail, and
// the simulator stops. It returns once the simulator has stopped.
func (s *Simulator) Unplug() error {
	s.cancel()
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closeErr
}

// Wait blocks until the simulator has stopped and returns the line error that stopped it, if
// any (nil after ctx ended or Unplug).
func (s *Simulator) Wait() error {
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *Simulator) shutdown() {
	s.stop.Do(func() {
		err := s.t.Close()
		s.mu.Lock()
		s.closeErr = err
		s.mu.Unlock()
	})
}

func (s *Simulator) fail(ctx context.Context, err error) {
	if ctx.Err() != nil || errors.Is(err, os.ErrClosed) {
		s.cancel()
		return
	}
	s.mu.Lock()
	if s.err == nil {
		s.err = fmt.Errorf("đường truyền máy in giả lập lỗi (printer simulator line failed): %w", err)
	}
	s.mu.Unlock()
	s.cancel()
}

// writeFiles writes receipt PNG files as receipts are cut, apart from the goroutine that receives
// the host's bytes.
func (s *Simulator) writeFiles(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.p.filesCut:
			s.p.writeFiles()
		}
	}
}

// receive copies what the host writes into the printer.
func (s *Simulator) receive(ctx context.Context) {
	buf := make([]byte, 4096)
	for ctx.Err() == nil {
		n, err := s.t.Read(buf)
		if n > 0 {
			s.p.Write(buf[:n])
		}
		if err != nil {
			s.fail(ctx, err)
			return
		}
	}
}

// send copies the printer's replies down the line. A host that does not read for a second
// loses them, as it would on a real line.
func (s *Simulator) send(ctx context.Context) {
	out := make([]byte, 0, 64)
	for {
		select {
		case <-ctx.Done():
			return
		case b := <-s.p.rx.replies:
			out = append(out[:0], b)
		drain:
			for len(out) < cap(out) {
				select {
				case b := <-s.p.rx.replies:
					out = append(out, b)
				default:
					break drain
				}
			}
			s.t.SetWriteDeadline(time.Now().Add(time.Second))
			if _, err := s.t.Write(out); err != nil {
				if errors.Is(err, os.ErrDeadlineExceeded) {
					s.p.addRepliesLost(len(out))
					continue
				}
				s.fail(ctx, err)
				return
			}
		}
	}
}
