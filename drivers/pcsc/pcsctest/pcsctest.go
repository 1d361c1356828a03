// Package pcsctest runs a private pcscd with the vpcd virtual reader driver, so tests can put
// simulated cards (package vicc) on a real PC/SC stack without touching the system's pcscd.
//
// pcscd 1.9 always creates its socket at /run/pcscd/pcscd.comm, so the daemon is started in a
// mount namespace of its own (unshare(1)) in which a temporary directory is bind-mounted over /run;
// the socket then appears in that directory for the test to connect to. Its configuration
// directory holds a single vpcd reader whose slots wait on two free TCP ports.
//
// Needs the Debian packages pcscd and vsmartcard-vpcd, util-linux (unshare) and mount, and root or
// unprivileged user namespaces. Without them the test is skipped with the reason, unless
// TRAMSO_REQUIRE_PCSCD=1 is set (as in CI), which makes it fail instead.
package pcsctest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tramso/tramso/drivers/pcsc"
)

// Paths of what the daemon needs, as Debian installs them.
const (
	VPCDDriver = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"
	readerName = "tramso vpcd"
)

// Daemon is a running private pcscd.
type Daemon struct {
	Socket   string // the unix socket for pcsc.OpenSocket
	VPCDAddr string // where the first virtual reader slot waits for a card (vicc.Insert)
	Reader   string // the name pcscd gives that reader
	Reader2  string // the second slot's reader, waiting on the next port

	cmd  *exec.Cmd
	log  *syncBuffer
	done chan struct{}
}

// Start starts a private pcscd for the test and stops it when the test ends. It skips the test
// when the machine cannot run one (see the package comment).
func Start(t testing.TB) *Daemon {
	t.Helper()
	pcscd, err := requirements()
	if err != nil {
		if os.Getenv("TRAMSO_REQUIRE_PCSCD") == "1" {
			t.Fatalf("pcscd thử nghiệm không chạy được (cannot run a test pcscd): %v", err)
		}
		t.Skipf("bỏ qua: không chạy được pcscd thử nghiệm (skipped: cannot run a test pcscd): %v", err)
	}
	var lastErr error
	for range 3 {
		d, err := start(t, pcscd)
		if err == nil {
			return d
		}
		lastErr = err
	}
	t.Fatalf("không khởi động được pcscd thử nghiệm (cannot start test pcscd): %v", lastErr)
	return nil
}

func requirements() (string, error) {
	pcscd, err := exec.LookPath("pcscd")
	if err != nil {
		pcscd = "/usr/sbin/pcscd"
		if _, err := os.Stat(pcscd); err != nil {
			return "", fmt.Errorf("pcscd not installed (apt-get install pcscd)")
		}
	}
	if _, err := os.Stat(VPCDDriver); err != nil {
		return "", fmt.Errorf("vpcd driver not installed (apt-get install vsmartcard-vpcd)")
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		return "", fmt.Errorf("unshare not found (util-linux)")
	}
	if _, err := exec.LookPath("mount"); err != nil {
		return "", fmt.Errorf("mount not found")
	}
	return pcscd, nil
}

// freePortPair finds a port p such that p and p+1 are free on all addresses, as vpcd binds them.
func freePortPair() (int, error) {
	for range 50 {
		p := 20000 + rand.IntN(40000)
		var ls []net.Listener
		ok := true
		for _, port := range []int{p, p + 1} {
			l, err := net.Listen("tcp4", ":"+strconv.Itoa(port))
			if err != nil {
				ok = false
				break
			}
			ls = append(ls, l)
		}
		for _, l := range ls {
			l.Close()
		}
		if ok {
			return p, nil
		}
	}
	return 0, errors.New("no free pair of TCP ports")
}

func start(t testing.TB, pcscd string) (*Daemon, error) {
	dir := t.TempDir()
	run := filepath.Join(dir, "run")
	conf := filepath.Join(dir, "reader.conf.d")
	for _, d := range []string{run, conf} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return nil, err
		}
	}
	port, err := freePortPair()
	if err != nil {
		return nil, err
	}
	cfg := fmt.Sprintf("FRIENDLYNAME \"%s\"\nDEVICENAME /dev/null:%d\nLIBPATH %s\nCHANNELID %d\n",
		readerName, port, VPCDDriver, port)
	if err := os.WriteFile(filepath.Join(conf, "vpcd"), []byte(cfg), 0o644); err != nil {
		return nil, err
	}

	args := []string{"--mount", "--propagation", "private"}
	if os.Geteuid() != 0 {
		args = append([]string{"--user", "--map-root-user"}, args...)
	}
	script := `mount --bind "$0" /run && exec "$1" --foreground --auto-exit --info --config "$2"`
	args = append(args, "--", "/bin/sh", "-c", script, run, pcscd, conf)
	cmd := exec.Command("unshare", args...)
	log := &syncBuffer{}
	cmd.Stdout = log
	cmd.Stderr = log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	d := &Daemon{
		Socket:   filepath.Join(run, "pcscd", "pcscd.comm"),
		VPCDAddr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		Reader:   readerName + " 00 00",
		Reader2:  readerName + " 00 01",
		cmd:      cmd,
		log:      log,
		done:     make(chan struct{}),
	}
	go func() { cmd.Wait(); close(d.done) }()
	if err := d.waitReady(); err != nil {
		d.stop()
		return nil, fmt.Errorf("%w; pcscd said:\n%s", err, log.String())
	}
	t.Cleanup(func() {
		d.stop()
		if t.Failed() {
			t.Logf("pcscd log:\n%s", d.log.String())
		}
	})
	return d, nil
}

// waitReady waits until pcscd answers on its socket and lists the vpcd reader.
func (d *Daemon) waitReady() error {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-d.done:
			return errors.New("pcscd exited")
		default:
		}
		if _, err := os.Stat(d.Socket); err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			c, err := pcsc.OpenSocket(ctx, d.Socket)
			if err == nil {
				names, err := c.Readers(ctx)
				c.Release()
				cancel()
				if err != nil {
					return err
				}
				for _, n := range names {
					if n == d.Reader {
						return nil
					}
				}
				return fmt.Errorf("vpcd reader missing, readers: %q", names)
			}
			cancel()
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("pcscd not ready after 10 s")
}

// Log returns what pcscd printed so far.
func (d *Daemon) Log() string { return d.log.String() }

// Stop stops the daemon (it is also stopped when the test ends).
func (d *Daemon) Stop() { d.stop() }

func (d *Daemon) stop() {
	select {
	case <-d.done:
		return
	default:
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(5 * time.Second):
		d.cmd.Process.Kill()
		<-d.done
	}
}

// syncBuffer collects the daemon's output, keeping the last 256 KiB.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	const limit = 256 << 10
	if s.b.Len()+len(p) > limit {
		keep := s.b.Bytes()[s.b.Len()/2:]
		var nb bytes.Buffer
		nb.Write(keep)
		s.b = nb
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
