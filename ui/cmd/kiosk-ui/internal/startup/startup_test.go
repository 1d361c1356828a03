package startup

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// build compiles kiosk-ui itself, so the test sees what Ebiten's initialisation does.
func build(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is not on PATH: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "kiosk-ui")
	cmd := exec.Command(goBin, "build", "-o", bin, "github.com/tramso/tramso/ui/cmd/kiosk-ui")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// noDisplayEnv is the test's environment without any display.
func noDisplayEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "DISPLAY=") || strings.HasPrefix(kv, "WAYLAND_DISPLAY=") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

var stackTrace = regexp.MustCompile(`goroutine \d+|panic:|\.go:\d+`)

func TestBinaryWithoutDisplay(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("display check is for X11/Wayland systems")
	}
	bin := build(t)
	run := func(env []string, args ...string) (string, string, int) {
		var stdout, stderr bytes.Buffer
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return stdout.String(), stderr.String(), code
	}
	for _, arg := range []string{"--help", "-h", "-help"} {
		out, errOut, code := run(noDisplayEnv(), arg)
		if code != 0 || !strings.Contains(out, "-socket") || stackTrace.MatchString(out+errOut) {
			t.Errorf("%s without display: exit %d\nstdout: %s\nstderr: %s", arg, code, out, errOut)
		}
	}
	out, errOut, code := run(noDisplayEnv(), "--windowed")
	if code != 1 || stackTrace.MatchString(out+errOut) || !strings.Contains(errOut, "không có màn hình") {
		t.Errorf("start without display: exit %d, want 1 and a worded error\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	// A display that names no running X server is refused the same way.
	out, errOut, code = run(append(noDisplayEnv(), "DISPLAY=:4711"), "--windowed")
	if code != 1 || stackTrace.MatchString(out+errOut) || !strings.Contains(errOut, "không trả lời") {
		t.Errorf("start with a dead display: exit %d, want 1 and a worded error\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	out, errOut, code = run(noDisplayEnv(), "--no-such-flag")
	if code != 2 || stackTrace.MatchString(out+errOut) {
		t.Errorf("bad flag: exit %d, want 2\nstdout: %s\nstderr: %s", code, out, errOut)
	}
}

func TestCheckDisplay(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("display check is for X11/Wayland systems")
	}
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if err := CheckDisplay(env(nil)); err != ErrNoDisplay {
		t.Errorf("no display: %v", err)
	}
	if err := CheckDisplay(env(map[string]string{"WAYLAND_DISPLAY": "wayland-0"})); err != nil {
		t.Errorf("wayland: %v", err)
	}
}
