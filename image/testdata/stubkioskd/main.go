// Command stubkioskd stands in for kioskd in the image's VM test while kioskd is not part of the
// package: it behaves as kioskd.service expects (READY=1 once its socket listens, watchdog pings,
// a passed self-test reported in /run/tramso/selftest.ok, a clean stop on SIGTERM). With -fail it
// exits at once with status 1, as a broken update would.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	socket := flag.String("socket", "/run/tramso/kiosk.sock", "local API socket")
	flag.String("config", "/etc/tramso/kiosk.toml", "configuration (ignored)")
	fail := flag.Bool("fail", false, "exit with status 1 at once")
	flag.Parse()
	if *fail {
		slog.Error("stubkioskd: failing on purpose")
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := run(ctx, *socket); err != nil {
		slog.Error("stubkioskd", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, socket string) error {
	os.Remove(socket)
	ln, err := net.Listen("unix", socket)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	defer ln.Close()
	if err := os.Chmod(socket, 0o660); err != nil {
		return err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})}
	go srv.Serve(ln)
	if err := notify("READY=1\nSTATUS=stub kioskd ready"); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(socket), "selftest.ok"), []byte("ok\n"), 0o644); err != nil {
		return err
	}
	slog.Info("stubkioskd ready")
	interval := 10 * time.Second
	if us, err := strconv.Atoi(os.Getenv("WATCHDOG_USEC")); err == nil && us > 0 {
		interval = time.Duration(us) * time.Microsecond / 2
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			notify("STOPPING=1")
			return srv.Close()
		case <-t.C:
			if err := notify("WATCHDOG=1"); err != nil {
				return err
			}
		}
	}
}

// notify sends a state to systemd's notification socket, if there is one.
func notify(state string) error {
	name := os.Getenv("NOTIFY_SOCKET")
	if name == "" {
		return nil
	}
	if strings.HasPrefix(name, "@") {
		name = "\x00" + name[1:]
	}
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(state)); err != nil {
		return errors.Join(errors.New("notify"), err)
	}
	return nil
}
