package daemon

import (
	"context"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tramso/tramso/drivers/codereader"
	"github.com/tramso/tramso/kiosk/api"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/config"
	"github.com/tramso/tramso/kiosk/identity"
	"github.com/tramso/tramso/kiosk/metrics"
	"github.com/tramso/tramso/kiosk/outbox"
	"github.com/tramso/tramso/kiosk/session"
)

// Metrics default timing: how often devices and the outbox are looked at for the metrics.
const (
	metricsPoll    = 15 * time.Second
	simMetricsPoll = 2 * time.Second
)

// kioskMetrics feeds kioskd's Prometheus metrics (kiosk/metrics) from what the daemon already
// sees: the session's published views, the devices' answers and failures wrapped at the session's
// interfaces, the outbox and the central client's requests. It reads nothing a citizen typed or
// carried: only steps, outcomes and counts.
type kioskMetrics struct {
	m      *metrics.Metrics
	config []byte        // kiosk.toml as loaded, for its digest
	kick   chan struct{} // asks the poller to look now (a dossier was committed)
	// submits counts dossiers committed, so that a session's end knows whether it submitted one.
	submits atomic.Int64
}

func newKioskMetrics(cfg *config.Config) *kioskMetrics {
	b, _ := config.Marshal(cfg)
	return &kioskMetrics{m: metrics.New(api.Version()), config: b, kick: make(chan struct{}, 1)}
}

// instrument wraps the session's devices so that their outcomes are counted.
func (d *Daemon) instrument(dev session.Devices) session.Devices {
	if d.metrics == nil {
		d.metrics = newKioskMetrics(d.cfg)
	}
	km := d.metrics
	if dev.Card != nil {
		dev.Card = meteredCard{dev.Card, km.m}
	}
	if dev.Scanner != nil {
		dev.Scanner = meteredScanner{dev.Scanner, km.m}
	}
	if dev.Digitizer != nil {
		dev.Digitizer = meteredDigitizer{dev.Digitizer, km.m}
	}
	if dev.Outbox != nil {
		dev.Outbox = meteredOutbox{dev.Outbox, km}
	}
	return dev
}

// startMetrics serves /metrics on the configured loopback address (a non-loopback one is refused
// and kioskd does not start), follows the session's views and polls the devices and the outbox
// until ctx ends. A port already taken is only warned about: the kiosk serves citizens without
// its metrics (and the fleet's "not reporting" alert says so).
func (d *Daemon) startMetrics(ctx context.Context, sim bool) error {
	if d.metrics == nil {
		d.metrics = newKioskMetrics(d.cfg)
	}
	km := d.metrics
	if addr := d.cfg.Metrics.Listen; addr != "" {
		if err := metrics.CheckListen(addr); err != nil {
			return err
		}
		ln, err := metrics.Listen(addr)
		if err != nil {
			d.log.Warn("metrics not served", "err", err)
		} else {
			go func() {
				if err := km.m.Serve(ctx, ln); err != nil {
					d.log.Warn("metrics server stopped", "err", err)
				}
			}()
			d.log.Info("metrics served", "addr", ln.Addr().String())
		}
	}
	go km.followSessions(d.machine.Watch(ctx))
	poll := metricsPoll
	if sim {
		poll = simMetricsPoll
	}
	go d.pollMetrics(ctx, poll)
	return nil
}

// followSessions counts sessions from the views the machine publishes: a session starts when a
// view carries a new session id, and ends when the id changes or goes (the attract screen). It
// finished when a dossier was committed during it (or it reached the receipt), else it was
// abandoned at the last step it showed.
func (km *kioskMetrics) followSessions(views <-chan wire.View) {
	var (
		cur       string
		last      metrics.Step
		reached   bool
		submitsAt int64
	)
	for v := range views {
		if v.Session != cur {
			if cur != "" {
				km.m.SessionEnded(last, reached || km.submits.Load() > submitsAt)
			}
			cur, reached, submitsAt = v.Session, false, km.submits.Load()
			if cur != "" {
				km.m.SessionStarted()
			}
		}
		if cur == "" {
			continue
		}
		last = metrics.StepOf(v.State, v.Step)
		if v.State == wire.Receipt || v.State == wire.Done {
			reached = true
		}
	}
}

// pollMetrics looks at the outbox and the devices every interval (and at once after a dossier is
// committed).
func (d *Daemon) pollMetrics(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		d.pollOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-d.metrics.kick:
		}
	}
}

// pollOnce updates the outbox's and the devices' gauges.
func (d *Daemon) pollOnce(ctx context.Context) {
	m := d.metrics.m
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if waiting, err := d.store.List(ctx, outbox.StateCaptured, outbox.StateQueued, outbox.StateUploading); err == nil {
		var oldest time.Duration
		if len(waiting) > 0 {
			oldest = time.Since(waiting[0].CapturedAt) // oldest first
			for _, e := range waiting[1:] {
				oldest = max(oldest, time.Since(e.CapturedAt))
			}
		}
		m.SetOutbox(len(waiting), oldest)
	}
	catalogueVersion := ""
	if c := d.catalog.Load(); c != nil {
		catalogueVersion = catalogueLabel(c.Version)
	}
	m.SetConfig(d.metrics.config, catalogueVersion)
	if d.printer != nil {
		st, err := d.printer.status(ctx)
		if err != nil {
			m.SetDevicePresent(metrics.DevicePrinter, false)
			m.SetPrinter(metrics.PrinterState{Offline: true})
		} else {
			m.SetDevicePresent(metrics.DevicePrinter, true)
			m.SetPrinter(metrics.PrinterState{PaperOut: st.PaperEnd || st.StoppedByEnd, NearEnd: st.PaperNearEnd,
				CoverOpen: st.CoverOpen, Offline: !st.Online,
				Error: st.Error || st.CutterError || st.Unrecoverable || st.AutoRecoverable})
		}
	}
	if d.scanner != nil {
		_, err := d.scanner.Capabilities(ctx)
		m.SetDevicePresent(metrics.DeviceScanner, err == nil)
	}
	// The card reader is opened only when no citizen's read holds it.
	if d.card.device != "" {
		if release, ok := d.card.tryAcquire(); ok {
			rd, err := identity.OpenReader(ctx, d.card.device)
			if err == nil {
				rd.Close()
			}
			release()
			m.SetDevicePresent(metrics.DeviceCardReader, err == nil)
		}
	}
	if dev := d.cfg.Devices.QRScanner; dev != "" {
		ok := d.qrErr == nil
		if path, _, _, err := codereader.ParseDevice(dev); err != nil {
			ok = false
		} else if _, err := os.Stat(path); err != nil {
			ok = false
		}
		m.SetDevicePresent(metrics.DeviceQRScanner, ok)
	}
	m.Polled(time.Now())
}

// catalogueLabel is a catalogue version in the shape a label takes: a synced catalogue's version
// (central "ETag") becomes central-ETag.
func catalogueLabel(v string) string {
	return strings.Trim(strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '.', r == '-', r == '_', r == '+':
			return r
		case r == ' ', r == '/', r == ':':
			return '-'
		}
		return -1
	}, v), "-")
}

// addFacts puts what the metrics say into the health map (kioskctl status --json): the same
// versions, device states and outbox backlog the metrics and the heartbeat carry.
func (d *Daemon) addFacts(h map[string]any) {
	if d.metrics == nil {
		return
	}
	if f, err := d.metrics.m.Facts(); err == nil {
		h["facts"] = f
	}
}

// heartbeatFacts are the facts for the heartbeat to the central system.
func (km *kioskMetrics) heartbeatFacts() *central.KioskFacts {
	f, err := km.m.Facts()
	if err != nil {
		return nil
	}
	return &central.KioskFacts{Build: f.Build, Config: f.Config, Catalogue: f.Catalogue, Devices: f.Devices,
		Printer: f.Printer, Enclosure: f.Enclosure, OutboxOldestSeconds: f.OutboxOldestSeconds}
}

// SetEnclosureInput records a cabinet input (door_open, presence) in the metrics: the enclosure's
// GPIO lines call it on every change, and once at start for each configured line.
func (d *Daemon) SetEnclosureInput(in metrics.EnclosureInput, active bool) {
	if d.metrics != nil {
		d.metrics.m.SetEnclosureInput(in, active)
	}
}

// recordSelfTest exports a self-test's results (tramso_selftest_passed, …_timestamp_seconds).
func (d *Daemon) recordSelfTest(checks []wire.Check) {
	if d.metrics != nil {
		d.metrics.m.SelfTest(checks, time.Now())
	}
}
