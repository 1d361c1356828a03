// Package xvfb starts a virtual X server (Xvfb) for the touchscreen where no display exists: the
// headless demo and the touchscreen benchmarks.
package xvfb

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Start runs Xvfb with one 1920×1080 24-bit screen on a free display (Xvfb picks it and reports
// it on a pipe: -displayfd) and returns the display name (":N") and a function that stops it.
func Start(ctx context.Context) (display string, stop func(), err error) {
	r, w, err := os.Pipe()
	if err != nil {
		return "", nil, err
	}
	defer r.Close()
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1920x1080x24", "-nolisten", "tcp", "-noreset")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		w.Close()
		return "", nil, fmt.Errorf("không chạy được Xvfb; cài gói xvfb (cannot start Xvfb: install xvfb): %w", err)
	}
	w.Close()
	line := make(chan string, 1)
	go func() {
		// Xvfb writes the number and the newline in two writes and dies if the second fails:
		// read the whole line before the pipe is closed.
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	kill := func() { cmd.Process.Kill(); cmd.Wait() }
	select {
	case n := <-line:
		if n == "" {
			kill()
			return "", nil, errors.New("không khởi động được Xvfb (Xvfb did not start)")
		}
		// Xvfb reports the display when it listens; make sure its socket answers before handing
		// it out, as a client started at once must not find it missing.
		sock := "/tmp/.X11-unix/X" + n
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			c, err := net.Dial("unix", sock)
			if err == nil {
				c.Close()
				break
			}
			if time.Now().After(deadline) {
				kill()
				return "", nil, fmt.Errorf("màn hình ảo Xvfb :%s không nhận kết nối (Xvfb does not accept connections): %w", n, err)
			}
		}
		return ":" + n, func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }, nil
	case <-time.After(15 * time.Second):
		kill()
		return "", nil, errors.New("màn hình ảo Xvfb không trả lời (Xvfb did not answer)")
	case <-ctx.Done():
		kill()
		return "", nil, ctx.Err()
	}
}
