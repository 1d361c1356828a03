// Command kioskd is the kiosk daemon: it owns every device, the OCR pipeline, the citizen session,
// the dossier store and outbox and the central API client, and serves the local API that kiosk-ui
// and kioskctl use. It runs under systemd (Type=notify, watchdog).
//
//	kioskd [--config /etc/tramso/kiosk.toml]
//	kioskd --sim [--sim-dir DIR] [--socket PATH]    simulated hardware and a local central server
//	       [--metrics-listen 127.0.0.1:9464]           serve /metrics there (loopback only)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/coreos/go-systemd/v22/daemon"

	"github.com/tramso/tramso/kiosk/config"
	kdaemon "github.com/tramso/tramso/kiosk/daemon"
)

func main() {
	fs := flag.NewFlagSet("kioskd", flag.ContinueOnError)
	cfgPath := fs.String("config", "/etc/tramso/kiosk.toml", "tệp cấu hình (configuration file)")
	sim := fs.Bool("sim", false, "chạy với thiết bị giả lập và máy chủ trung tâm thử (simulated devices and a local central server)")
	simDir := fs.String("sim-dir", "", "thư mục cho chế độ giả lập (folder for --sim; default: a new temporary folder)")
	socket := fs.String("socket", "", "ghi đè paths.socket (override paths.socket)")
	metricsListen := fs.String("metrics-listen", "", "ghi đè metrics.listen, địa chỉ loopback của /metrics (override metrics.listen, the loopback address of /metrics)")
	verbose := fs.Bool("debug", false, "ghi nhật ký chi tiết (debug logging; never personal data)")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if *sim && !simBuilt {
		fmt.Fprintf(os.Stderr, "kioskd: %v\n", kdaemon.ErrNoSim)
		os.Exit(2)
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		// Scanned pages are worked with large short-lived buffers: without a limit the heap grows to
		// twice what is live before collecting, and the peak grows with the dossier's page count.
		debug.SetMemoryLimit(heapLimit)
	}
	log := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, log, *cfgPath, *sim, *simDir, *socket, *metricsListen); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(os.Stderr, "kioskd: %v\n", err)
		daemon.SdNotify(false, "STATUS=Lỗi (error): "+err.Error())
		os.Exit(1)
	}
}

// heapLimit is the Go heap's soft limit (GOMEMLIMIT overrides it): a 20-page dossier then peaks at
// about 340 MB resident, the OCR engines' own memory included, like a 10-page one (README, figures).
const heapLimit = 256 << 20

func run(ctx context.Context, log *slog.Logger, cfgPath string, sim bool, simDir, socket, metricsListen string) error {
	opts := kdaemon.Options{Log: log, Notify: func(s string) { daemon.SdNotify(false, s) }}
	if wd, err := daemon.SdWatchdogEnabled(false); err == nil {
		opts.Watchdog = wd
	}
	if sim {
		stopSim, err := startSim(ctx, log, simDir, &opts)
		if err != nil {
			return err
		}
		defer stopSim()
	} else {
		cfg, err := config.Load(cfgPath)
		if err != nil {
			return err
		}
		opts.Config = cfg
	}
	if socket != "" {
		opts.Config.Paths.Socket = socket
	}
	if metricsListen != "" {
		opts.Config.Metrics.Listen = metricsListen
	}
	return kdaemon.Run(ctx, opts)
}
