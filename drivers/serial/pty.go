package serial

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// PTY is the device end of a pseudo-terminal pair, for simulators. The program under test opens Link
// (a symlink to the slave side, in raw mode) exactly as it would open a real serial device, and the
// simulator reads and writes the master side through PTY.
//
// PTY keeps its own handle on the slave, so the master does not see EIO when a client closes and
// reopens the line. Close removes the link and closes both sides, which a client sees as an
// unplugged device.
type PTY struct {
	Link   string
	master *os.File
	slave  *os.File
}

// NewPTY creates a pseudo-terminal pair in raw mode and a symlink at link pointing to its slave side.
// An existing symlink at link is replaced; any other file there is an error.
func NewPTY(link string) (*PTY, error) {
	master, slave, err := pty.Open()
	if err != nil {
		return nil, fmt.Errorf("không tạo được pty (cannot create pseudo-terminal): %w", err)
	}
	cleanup := func() { master.Close(); slave.Close() }
	if err := rawFd(int(slave.Fd())); err != nil {
		cleanup()
		return nil, fmt.Errorf("không đặt được chế độ raw (cannot set raw mode): %w", err)
	}
	// Hand the master to the runtime poller so deadlines work on it.
	mfd, err := unix.Dup(int(master.Fd()))
	if err != nil {
		cleanup()
		return nil, err
	}
	master.Close()
	unix.CloseOnExec(mfd)
	if err := unix.SetNonblock(mfd, true); err != nil {
		unix.Close(mfd)
		slave.Close()
		return nil, err
	}
	t := &PTY{Link: link, master: os.NewFile(uintptr(mfd), "ptmx"), slave: slave}
	if fi, err := os.Lstat(link); err == nil {
		if fi.Mode()&os.ModeSymlink == 0 {
			t.closeFiles()
			return nil, fmt.Errorf("%s đã tồn tại và không phải liên kết (exists and is not a symlink)", link)
		}
		os.Remove(link)
	}
	if err := os.Symlink(slave.Name(), link); err != nil {
		t.closeFiles()
		return nil, fmt.Errorf("không tạo được liên kết %s (cannot create link): %w", link, err)
	}
	return t, nil
}

func rawFd(fd int) error {
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return err
	}
	makeRaw(t)
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8 | unix.CREAD | unix.CLOCAL
	return unix.IoctlSetTermios(fd, unix.TCSETS, t)
}

// SlavePath returns the path of the slave side, e.g. /dev/pts/7.
func (t *PTY) SlavePath() string { return t.slave.Name() }

// Read reads what the client wrote to the line.
func (t *PTY) Read(b []byte) (int, error) {
	n, err := t.master.Read(b)
	if err != nil && errors.Is(err, unix.EIO) {
		// Only happens once Close has released the slave.
		return n, fmt.Errorf("pty đã đóng (pseudo-terminal closed): %w", os.ErrClosed)
	}
	return n, err
}

// Write sends b to the client.
func (t *PTY) Write(b []byte) (int, error) { return t.master.Write(b) }

// Baud is the line speed the host last set on the terminal side (tcsetattr on the slave shows
// on the master): a simulated device compares it with the speed it agreed, as a UART would
// see framing errors at the wrong speed. 0 when unknown.
func (t *PTY) Baud() int {
	rc, err := t.master.SyscallConn()
	if err != nil {
		return 0
	}
	var b int
	rc.Control(func(fd uintptr) {
		if tio, err := unix.IoctlGetTermios(int(fd), unix.TCGETS); err == nil {
			b = speedBaud(tio.Cflag & unix.CBAUD)
		}
	})
	return b
}

// SetReadDeadline sets the deadline for Read.
func (t *PTY) SetReadDeadline(tm time.Time) error { return t.master.SetReadDeadline(tm) }

// SetWriteDeadline sets the deadline for Write.
func (t *PTY) SetWriteDeadline(tm time.Time) error { return t.master.SetWriteDeadline(tm) }

func (t *PTY) closeFiles() error {
	err1 := t.master.Close()
	err2 := t.slave.Close()
	return errors.Join(err1, err2)
}

// Close removes the link and closes both sides of the pair: the client sees a hang-up, as when a
// device is unplugged.
func (t *PTY) Close() error {
	if target, err := os.Readlink(t.Link); err == nil && target == t.slave.Name() {
		os.Remove(t.Link)
	}
	return t.closeFiles()
}
