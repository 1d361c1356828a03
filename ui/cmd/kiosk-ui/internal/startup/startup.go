// Package startup holds kiosk-ui's command line and the checks that must run before Ebiten starts.
//
// Ebiten opens the display while its packages are initialised, before main runs, and panics when
// there is none. This package imports nothing from Ebiten and sorts before it in Go's
// initialisation order, so its init answers --help and refuses a missing display with a worded
// message instead of a stack trace.
package startup

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Options are kiosk-ui's command-line settings.
type Options struct {
	Socket     string
	Portrait   bool
	Shots      string
	Large      bool
	Contrast   bool
	Windowed   bool
	Regular    string
	Bold       string
	CPUProfile string
	Speak      bool
	SpeechDir  string
	FrameLog   string
}

// Define declares kiosk-ui's flags on fs; regular and bold are the default font files.
func Define(fs *flag.FlagSet, regular, bold string) *Options {
	o := &Options{}
	fs.StringVar(&o.Socket, "socket", "/run/tramso/kiosk.sock", "kioskd's local API socket")
	fs.BoolVar(&o.Portrait, "portrait", false, "portrait screen (1080×1920)")
	fs.StringVar(&o.Shots, "screenshot-dir", "", "write a PNG of every distinct screen shown into this directory")
	fs.BoolVar(&o.Large, "large-text", false, "text 1.3× larger")
	fs.BoolVar(&o.Contrast, "high-contrast", false, "black, white and yellow")
	fs.BoolVar(&o.Windowed, "windowed", false, "a window instead of full screen (development)")
	fs.StringVar(&o.Regular, "font", regular, "Noto Sans Regular (fonts-noto-core)")
	fs.StringVar(&o.Bold, "font-bold", bold, "Noto Sans Bold (fonts-noto-core)")
	fs.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile to this file until exit (diagnostics)")
	fs.BoolVar(&o.Speak, "speech", false, "spoken guidance in Vietnamese for each screen (espeak-ng, voice vi)")
	fs.StringVar(&o.SpeechDir, "speech-dir", "", "with --speech: write the guidance as WAV files into this folder instead of playing it (no sound device, tests)")
	fs.StringVar(&o.FrameLog, "frame-log", "", "write a line per frame to this file: milliseconds since start, since the last frame, and spent drawing (diagnostics, benchmarks)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Cách dùng (usage): kiosk-ui [cờ (flags)]\n")
		fs.PrintDefaults()
	}
	return o
}

// Default font files, the same as ui/theme's (this package must not import Ebiten, so it cannot
// import theme).
const (
	regularFont = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"
	boldFont    = "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"
)

// ErrNoDisplay is returned by CheckDisplay when no display is named in the environment.
var ErrNoDisplay = errors.New("kiosk-ui: không có màn hình, biến DISPLAY hoặc WAYLAND_DISPLAY chưa đặt (no display: neither DISPLAY nor WAYLAND_DISPLAY is set)")

// CheckDisplay reports whether the environment names a display Ebiten can open (Linux and the
// BSDs; other systems always have one). A local X display (":N") must also answer on its socket.
func CheckDisplay(getenv func(string) string) error {
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly":
	default:
		return nil
	}
	x, wl := getenv("DISPLAY"), getenv("WAYLAND_DISPLAY")
	if x == "" && wl == "" {
		return ErrNoDisplay
	}
	if wl != "" || !strings.HasPrefix(x, ":") {
		return nil
	}
	n, _, _ := strings.Cut(x[1:], ".")
	sock := "/tmp/.X11-unix/X" + n
	for _, addr := range []string{sock, "@" + sock} {
		if c, err := net.DialTimeout("unix", addr, 2*time.Second); err == nil {
			c.Close()
			return nil
		}
	}
	return fmt.Errorf("kiosk-ui: màn hình %s không trả lời (display %s does not answer on %s): %w", x, x, sock, errDisplayGone)
}

var errDisplayGone = errors.New("no X server")

// Early parses args (without the program name) the way main will, and says what to do before
// Ebiten starts: print help and exit 0, refuse a missing display and exit 1, or go on (-1).
func Early(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kiosk-ui", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	Define(fs, regularFont, boldFont)
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stdout)
		fs.Usage()
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "kiosk-ui: cờ không hợp lệ (invalid flag): %v\n", err)
		fs.SetOutput(stderr)
		fs.Usage()
		return 2
	}
	if err := CheckDisplay(getenv); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return -1
}

func init() {
	if testing.Testing() {
		return // a test binary's arguments are the test's
	}
	if code := Early(os.Args[1:], os.Getenv, os.Stdout, os.Stderr); code >= 0 {
		os.Exit(code)
	}
}
