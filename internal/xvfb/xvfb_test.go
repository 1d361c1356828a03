package xvfb

import (
	"context"
	"net"
	"os/exec"
	"strings"
	"testing"
)

func TestStartServesADisplay(t *testing.T) {
	if _, err := exec.LookPath("Xvfb"); err != nil {
		t.Skip("Xvfb not installed")
	}
	display, stop, err := Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := strings.TrimPrefix(display, ":")
	c, err := net.Dial("unix", "/tmp/.X11-unix/X"+n)
	if err != nil {
		stop()
		t.Fatalf("display %s has no X socket: %v", display, err)
	}
	c.Close()
	stop()
	if c, err := net.Dial("unix", "/tmp/.X11-unix/X"+n); err == nil {
		c.Close()
		t.Errorf("display %s still served after stop", display)
	}
}
