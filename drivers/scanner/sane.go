package scanner

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// SANE is a scanner driven through SANE's scanimage command (Debian package sane-utils).
type SANE struct {
	device string
	cfg    Config

	// ExtraArgs are backend-specific scanimage options added to every scan, for example
	// []string{"--test-picture", "Grid"} for SANE's test backend.
	ExtraArgs []string

	mu   sync.Mutex
	opts saneOptions // the device's options, read once
}

// SANE returns the SANE device named device (as scanimage -L prints it, e.g. "test" or
// "airscan:e0:Office"). Nothing is opened until the first scan.
func (c Config) SANE(device string) *SANE { return &SANE{device: device, cfg: c} }

// Device returns the device string for Open: "sane:" and the SANE device name.
func (s *SANE) Device() string { return "sane:" + s.device }

// stopGrace is how long scanimage gets to cancel the scan on the device after it is asked
// to stop, before it is killed.
const stopGrace = 3 * time.Second

// command builds a scanimage invocation in its own process group, so that ending ctx stops
// scanimage and anything it started. Messages are kept in English (LC_ALL=C) because they
// are matched to errors.
func (c Config) command(ctx context.Context, args ...string) (*exec.Cmd, chan struct{}) {
	prog := c.Scanimage
	if prog == "" {
		prog = "scanimage"
	}
	cmd := exec.CommandContext(ctx, prog, args...)
	env := os.Environ()
	env = append(env, "LC_ALL=C", "LANGUAGE=C")
	if c.SANEConfigDir != "" {
		env = append(env, "SANE_CONFIG_DIR="+c.SANEConfigDir)
	}
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	exited := make(chan struct{})
	cmd.Cancel = func() error {
		pgid := cmd.Process.Pid
		// SIGTERM lets scanimage cancel the job on the device; the group is killed if it
		// has not gone after stopGrace.
		err := syscall.Kill(-pgid, syscall.SIGTERM)
		go func() {
			select {
			case <-exited:
			case <-time.After(stopGrace):
				syscall.Kill(-pgid, syscall.SIGKILL)
			}
		}()
		return err
	}
	cmd.WaitDelay = stopGrace + 2*time.Second
	return cmd, exited
}

// runScanimage runs scanimage to completion and returns its standard output.
func (c Config) runScanimage(ctx context.Context, args ...string) ([]byte, error) {
	cmd, exited := c.command(ctx, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &limitedBuffer{max: 64 << 10, buf: &stderr}
	err := cmd.Run()
	close(exited)
	if ctx.Err() != nil {
		return nil, fmt.Errorf("máy quét không trả lời kịp (scanner did not answer in time): %w", ctx.Err())
	}
	if err != nil {
		var ee *exec.Error
		if errors.As(err, &ee) || errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("không chạy được scanimage, cài gói sane-utils (cannot run scanimage: install sane-utils): %w", err)
		}
		if serr := saneError(stderr.String(), 0); serr != nil {
			return nil, serr
		}
		return nil, fmt.Errorf("%w: scanimage: %v: %s", ErrIO, err, lastLine(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// ListSANE lists the scanners SANE can see (scanimage -L).
func (c Config) ListSANE(ctx context.Context) ([]Device, error) {
	out, err := c.runScanimage(ctx, "-f", "%d\t%v\t%m\t%t%n")
	if err != nil {
		if errors.Is(err, ErrNoDevice) {
			return nil, nil
		}
		return nil, err
	}
	var devs []Device
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 4 || f[0] == "" {
			continue
		}
		devs = append(devs, Device{Name: "sane:" + f[0], Vendor: f[1], Model: f[2], Type: f[3]})
	}
	return devs, nil
}

// options reads the device's option list once (scanimage -d DEV -A).
func (s *SANE) options(ctx context.Context) (saneOptions, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.opts != nil {
		return s.opts, nil
	}
	out, err := s.cfg.runScanimage(ctx, "-d", s.device, "-A")
	if err != nil {
		return nil, err
	}
	s.opts = parseSANEOptions(string(out))
	return s.opts, nil
}

// Capabilities reports the device's sources, modes and resolutions from its SANE options.
func (s *SANE) Capabilities(ctx context.Context) (Capabilities, error) {
	o, err := s.options(ctx)
	if err != nil {
		return Capabilities{}, err
	}
	return o.capabilities(s.device), nil
}

// scanArgs translates opts into scanimage options for this device.
// binarise is set when the device has no black-and-white mode and the grey pages must be
// thresholded here.
func (s *SANE) scanArgs(o saneOptions, opts Options) (args []string, dpi int, binarise bool, err error) {
	dpi = opts.resolution()
	args = []string{"-d", s.device, "--format=png"}
	if mode, ok := o.usable("--mode"); ok {
		name, found := matchMode(mode.Values, opts.Mode)
		switch {
		case found:
			args = append(args, "--mode", name)
		case opts.Mode == Lineart && o.hasDepth1():
			g, _ := matchMode(mode.Values, Gray)
			if g != "" {
				args = append(args, "--mode", g)
			}
			args = append(args, "--depth", "1")
		case opts.Mode == Lineart:
			// No black-and-white mode: scan grey and threshold here.
			g, ok := matchMode(mode.Values, Gray)
			if !ok {
				return nil, 0, false, fmt.Errorf("%w: mode %v", ErrUnsupported, opts.Mode)
			}
			args = append(args, "--mode", g)
			binarise = true
		default:
			return nil, 0, false, fmt.Errorf("%w: mode %v", ErrUnsupported, opts.Mode)
		}
		if found && opts.Mode != Lineart && o.hasDepth1() {
			args = append(args, "--depth", "8")
		}
	}
	if src, ok := o.usable("--source"); ok {
		name, found := matchSource(src.Values, opts.Source)
		if !found {
			return nil, 0, false, fmt.Errorf("%w: no %v source", ErrUnsupported, opts.Source)
		}
		args = append(args, "--source", name)
	} else if opts.Source == ADF {
		return nil, 0, false, fmt.Errorf("%w: no document feeder", ErrUnsupported)
	}
	if res, ok := o.usable("--resolution"); ok {
		dpi = nearestResolution(res, dpi)
		args = append(args, "--resolution", strconv.Itoa(dpi))
	}
	if !opts.Area.IsZero() {
		for _, a := range []struct {
			name string
			v    float64
		}{{"-l", opts.Area.X}, {"-t", opts.Area.Y}, {"-x", opts.Area.Width}, {"-y", opts.Area.Height}} {
			if _, ok := o.usable(a.name); ok {
				args = append(args, a.name, strconv.FormatFloat(a.v, 'f', 2, 64))
			}
		}
	}
	return args, dpi, binarise, nil
}

// Scan runs scanimage in batch mode: one page from the flatbed, or every sheet in the
// feeder, each yielded as soon as scanimage has written it.
func (s *SANE) Scan(ctx context.Context, opts Options) iter.Seq2[Page, error] {
	if err := opts.validate(); err != nil {
		return fail(err)
	}
	return func(yield func(Page, error) bool) {
		o, err := s.options(ctx)
		if err != nil {
			yield(Page{}, err)
			return
		}
		args, dpi, binarise, err := s.scanArgs(o, opts)
		if err != nil {
			yield(Page{}, err)
			return
		}
		dir, err := os.MkdirTemp("", "tramso-scan-")
		if err != nil {
			yield(Page{}, fmt.Errorf("không tạo được thư mục tạm (cannot create temporary folder): %w", err))
			return
		}
		defer os.RemoveAll(dir)
		count := opts.MaxPages
		if opts.Source == Flatbed {
			count = 1
		}
		args = append(args, "--batch="+filepath.Join(dir, "page-%04d.png"), "--batch-print")
		if count > 0 {
			args = append(args, "--batch-count="+strconv.Itoa(count))
		}
		args = append(args, s.ExtraArgs...)

		jobCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		cmd, exited := s.cfg.command(jobCtx, args...)
		var stderr bytes.Buffer
		cmd.Stderr = &limitedBuffer{max: 64 << 10, buf: &stderr}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			yield(Page{}, err)
			return
		}
		if err := cmd.Start(); err != nil {
			yield(Page{}, fmt.Errorf("không chạy được scanimage, cài gói sane-utils (cannot run scanimage: install sane-utils): %w", err))
			return
		}
		stop := func() {
			cancel()
			cmd.Wait()
			close(exited)
		}
		n := 0
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			name := strings.TrimSpace(lines.Text())
			if name == "" || filepath.Dir(name) != dir {
				continue
			}
			data, err := os.ReadFile(name)
			os.Remove(name)
			if err != nil {
				stop()
				yield(Page{}, fmt.Errorf("%w: %w", ErrIO, err))
				return
			}
			img, pageDPI, err := DecodePage(data, dpi, MaxPagePixels)
			if err != nil {
				stop()
				yield(Page{}, err)
				return
			}
			if binarise {
				img = threshold(img)
			}
			n++
			if !yield(Page{Image: img, DPI: pageDPI, Source: opts.Source, Index: n}, nil) {
				stop()
				return
			}
		}
		werr := cmd.Wait()
		close(exited)
		if ctx.Err() != nil {
			yield(Page{}, fmt.Errorf("%w: scan stopped: %w", ErrCancelled, ctx.Err()))
			return
		}
		if err := saneError(stderr.String(), n); err != nil {
			yield(Page{}, err)
			return
		}
		if werr != nil {
			yield(Page{}, fmt.Errorf("%w: scanimage: %v: %s", ErrIO, werr, lastLine(stderr.String())))
			return
		}
		if n == 0 {
			if opts.Source == ADF {
				yield(Page{}, fmt.Errorf("%w: scanimage", ErrADFEmpty))
			} else {
				yield(Page{}, fmt.Errorf("%w: scanimage returned no page", ErrIO))
			}
		}
	}
}

// saneMessages maps SANE's status texts (sane_strstatus, as scanimage prints them) to errors.
var saneMessages = []struct {
	text string
	err  error
}{
	{"Document feeder out of documents", ErrADFEmpty},
	{"Device busy", ErrBusy},
	{"Document feeder jammed", ErrJammed},
	{"Scanner cover is open", ErrCoverOpen},
	{"Error during device I/O", ErrIO},
	{"Invalid argument", ErrInvalid},
	{"Out of memory", ErrNoMemory},
	{"Access to resource has been denied", ErrAccessDenied},
	{"Operation was canceled", ErrCancelled},
	{"Operation was cancelled", ErrCancelled},
	{"Operation not supported", ErrUnsupported},
}

// saneError finds the failure in scanimage's standard error, given how many pages were
// scanned; nil when the run ended normally. A feeder running out of paper after at least
// one page is the normal end of a batch.
func saneError(stderr string, pages int) error {
	for _, line := range strings.Split(stderr, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "scanimage: no SANE devices found"):
			return fmt.Errorf("%w: %s", ErrNoDevice, line)
		case strings.HasPrefix(line, "scanimage: open of device"):
			return fmt.Errorf("%w: %s", ErrNoDevice, line)
		case strings.HasPrefix(line, "scanimage: sane_start:"), strings.HasPrefix(line, "scanimage: sane_read:"),
			strings.HasPrefix(line, "scanimage: setting of option"), strings.HasPrefix(line, "scanimage: sane_get_parameters:"):
			for _, m := range saneMessages {
				if !strings.Contains(line, m.text) {
					continue
				}
				if m.err == ErrADFEmpty && pages > 0 {
					break
				}
				if m.err == ErrInvalid && strings.HasPrefix(line, "scanimage: setting of option") {
					return fmt.Errorf("%w: %s", ErrInvalid, line)
				}
				return fmt.Errorf("%w: %s", m.err, line)
			}
		}
	}
	return nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// limitedBuffer keeps the first max bytes written to it and discards the rest.
type limitedBuffer struct {
	max int
	buf *bytes.Buffer
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.buf.Len(); room > 0 {
		l.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
