//go:build !nosim

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/tramso/tramso/internal/xvfb"
)

// startSimKioskd starts `kioskd --sim` beside this kioskctl (or from PATH) in a temporary folder.
func startSimKioskd(ctx context.Context, e *env) (stop func(), socket string, err error) {
	bin := "kioskd"
	if self, err := os.Executable(); err == nil {
		if p := filepath.Join(filepath.Dir(self), "kioskd"); fileExists(p) {
			bin = p
		}
	}
	if _, err := exec.LookPath(bin); err != nil {
		return nil, "", fmt.Errorf("không tìm thấy kioskd; chạy make build (kioskd not found: run make build): %w", err)
	}
	dir, err := os.MkdirTemp("", "tdemo")
	if err != nil {
		return nil, "", err
	}
	logf, _ := os.Create(filepath.Join(dir, "kioskd.log"))
	cmd := exec.Command(bin, "--sim", "--sim-dir", dir)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, "", err
	}
	fmt.Fprintf(e.stdout, "• kioskd --sim đang chạy (running), thư mục (folder) %s\n", dir)
	return func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		logf.Close()
		os.RemoveAll(dir)
	}, filepath.Join(dir, "kiosk.sock"), nil
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// startKioskUI runs kiosk-ui on the kiosk's socket: in a window when a display exists (and
// headless is false), otherwise under an Xvfb of its own, writing a screenshot of every screen.
func startKioskUI(ctx context.Context, e *env, socket, shots string, headless bool) (stop func(), err error) {
	bin := "kiosk-ui"
	if self, err := os.Executable(); err == nil {
		if p := filepath.Join(filepath.Dir(self), "kiosk-ui"); fileExists(p) {
			bin = p
		}
	}
	if _, err := exec.LookPath(bin); err != nil {
		return nil, fmt.Errorf("không tìm thấy kiosk-ui; chạy make build (kiosk-ui not found: run make build): %w", err)
	}
	var stops []func()
	stopAll := func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	display := os.Getenv("DISPLAY")
	args := []string{"--socket", socket, "--screenshot-dir", shots}
	if display != "" && !headless {
		args = append(args, "--windowed")
		fmt.Fprintf(e.stdout, "• kiosk-ui trong cửa sổ (in a window) trên %s\n", display)
	} else {
		disp, xvfbStop, err := xvfb.Start(ctx)
		if err != nil {
			return nil, err
		}
		stops = append(stops, xvfbStop)
		display = disp
		// No one listens to a virtual screen: the spoken guidance goes to WAV files beside the pictures.
		args = append(args, "--speech", "--speech-dir", filepath.Join(filepath.Dir(shots), "speech"))
		fmt.Fprintf(e.stdout, "• kiosk-ui trong Xvfb %s, ảnh chụp màn hình vào (screenshots in) %s\n", disp, shots)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	if err := cmd.Start(); err != nil {
		stopAll()
		return nil, err
	}
	stops = append(stops, func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
	time.Sleep(2 * time.Second) // first frame
	return stopAll, nil
}
