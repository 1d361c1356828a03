package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tramso/tramso/drivers/codereader"
	"github.com/tramso/tramso/drivers/escpos"
	"github.com/tramso/tramso/drivers/mrtd/lds"
	"github.com/tramso/tramso/drivers/scanner"
	"github.com/tramso/tramso/kiosk/api"
	"github.com/tramso/tramso/kiosk/catalog"
	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/config"
	"github.com/tramso/tramso/kiosk/outbox"
	"github.com/tramso/tramso/kiosk/receipt"
	"github.com/tramso/tramso/kiosk/session"
	"github.com/tramso/tramso/kiosk/staff"
)

// Options configure Run.
type Options struct {
	Config *config.Config
	// Sim is the simulated hardware when kioskd runs with --sim: its control routes are mounted and
	// its test CSCA is trusted.
	Sim *Sim
	Log *slog.Logger
	// Notify sends a systemd notification (READY=1, STATUS=…, WATCHDOG=1, STOPPING=1); nil: none.
	Notify func(state string)
	// Watchdog is systemd's watchdog interval (0: none); kioskd pings at half of it while the
	// session loop is alive.
	Watchdog time.Duration
	// UploaderPoll is how often the uploader looks for new dossiers (default 500 ms).
	UploaderPoll time.Duration
	// Privileged says which socket peers (by user id) read the full /v1/health; nil: root and
	// kioskd's own user.
	Privileged func(uid uint32) bool
	// APILimits bound the local API's connections, streams, bodies and reads (zero: defaults).
	APILimits api.Limits
	// Now is the device clock the outbox and the retention purge go by (default time.Now); tests
	// move it forward past the retention period.
	Now func() time.Time
	// RetentionEvery is how often the retention purge runs after the first one, at most a minute
	// after start (default 1 h).
	RetentionEvery time.Duration
}

// Daemon is a running kioskd.
type Daemon struct {
	cfg     *config.Config
	log     *slog.Logger
	store   *outbox.Store
	machine *session.Machine
	printer *receiptPrinter
	scanner scanner.Scanner
	card    cardReader
	// qrErr is why the configured QR scanner did not open at start (nil: open, or none configured).
	qrErr   error
	catalog atomic.Pointer[catalog.Catalogue]
	// catalogETag is the ETag of the synced catalogue ("" for the starter one).
	catalogETag atomic.Value
	guard       *staff.Guard
	cabinet     *cabinet // the enclosure's lines (enclosure.go)
	submit      *outboxSubmitter
	started     time.Time
	uploader    atomic.Value  // string: the uploader's state for status
	metrics     *kioskMetrics // Prometheus metrics (metrics.go)
	// services are the tracker, the queue and the ratings (services.go).
	services *citizenServices
	// retention purges the data past its retention period (retention.go).
	retention *retention
	now       func() time.Time // the device clock (Options.Now)
}

// Run runs kioskd until ctx ends: it opens the store, the devices, the session machine, the
// uploader and the local API, tells systemd it is ready, and on shutdown waits for dossier commits
// in progress to finish.
func Run(ctx context.Context, o Options) error {
	cfg, log := o.Config, o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	notify := o.Notify
	if notify == nil {
		notify = func(string) {}
	}
	d := &Daemon{cfg: cfg, log: log, started: time.Now(), now: o.Now}
	if d.now == nil {
		d.now = time.Now
	}
	d.uploader.Store("chưa chạy (not started)")
	kiosk := KioskInfo{ID: cfg.Kiosk.ID, UnitCode: cfg.Kiosk.UnitCode, UnitName: cfg.Kiosk.UnitName,
		LookupURL: cfg.Kiosk.LookupURL, Hotline: cfg.Kiosk.Hotline, Location: cfg.Kiosk.Location()}
	cat := func() *catalog.Catalogue { return d.catalog.Load() }

	notify("STATUS=Đang mở kho hồ sơ (opening the dossier store)")
	store, err := d.openOutbox(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	d.store = store
	cat0, etag := d.loadSyncedCatalogue()
	d.catalog.Store(cat0)
	d.catalogETag.Store(etag)

	notify("STATUS=Đang mở thiết bị (opening devices)")
	trust := d.trustStore(o.Sim)
	profile, err := escpos.LookupProfile(cfg.Devices.PrinterProfile)
	if err != nil {
		return fmt.Errorf("cấu hình devices.printer_profile: %w", err)
	}
	fonts, err := escpos.LoadFonts()
	if err != nil {
		return err
	}
	d.printer = &receiptPrinter{device: cfg.Devices.Printer, profile: profile, fonts: fonts, kiosk: kiosk}
	var qr session.CodeReader
	if cfg.Devices.QRScanner != "" {
		r, err := codereader.Open(cfg.Devices.QRScanner)
		if err != nil {
			log.Warn("QR scanner unavailable: citizens will type the ID number", "err", err)
			d.qrErr = err
		} else {
			defer r.Close()
			qr = qrReader{r}
		}
	}
	if d.scanner, err = scanner.Open(cfg.Devices.Scanner); err != nil {
		return fmt.Errorf("cấu hình devices.scanner: %w", err)
	}
	mode, _ := scanner.ParseMode(cfg.Devices.ScanMode)
	source, _ := scanner.ParseSource(cfg.Devices.ScanSource)
	dig := newDigitizer()
	defer dig.Close()
	d.submit = &outboxSubmitter{store: store, kiosk: kiosk, catalog: cat, gate: newCommitGate()}
	d.card = cardReader{device: cfg.Devices.CardReader, trust: trust, busy: make(chan struct{}, 1)}
	if err := d.openGuard(); err != nil {
		return err
	}
	if d.services, err = newCitizenServices(ctx, cfg.Paths.StateDir, store, d.printer, kiosk); err != nil {
		return err
	}
	defer d.services.close()

	d.machine = session.New(session.Config{
		IdleWarn: cfg.Session.IdleWarn.Duration, IdleTimeout: cfg.Session.IdleTimeout.Duration,
		SubmitWait: cfg.Session.SubmitWait.Duration, AllowUnverified: cfg.Session.AllowUnverifiedCards,
		ProcedurePage: procedurePageURL, Where: "Bộ phận Một cửa, " + kiosk.UnitName,
	}, d.instrument(session.Devices{
		QR: qr, Card: d.card,
		Scanner:   docScanner{s: d.scanner, opts: scanner.Options{Resolution: cfg.Devices.ScanResolution, Mode: mode, Source: source}},
		Digitizer: dig, Outbox: d.submit, Receipts: receipts{d.printer, cat, store}, Services: d.services,
	}), cat)
	if err := d.startMetrics(ctx, o.Sim != nil); err != nil {
		return err
	}
	d.retention = d.newRetention()

	// Devices are probed once at start so READY means "devices looked at, store open"; a missing
	// device does not stop the kiosk from starting (staff see it in status).
	probe := d.Health(ctx)
	log.Info("devices probed", "printer", probe["printer"], "scanner", probe["scanner"])
	stopEnclosure := d.startEnclosure(ctx, o.Sim, probe["status"] != "ok")
	defer stopEnclosure()

	ln, err := api.Listen(cfg.Paths.Socket, 0o660)
	if err != nil {
		return err
	}
	extra := d.staffHandlers()
	if o.Sim != nil {
		for k, v := range o.Sim.Handlers() {
			extra[k] = v
		}
	}
	// Root and kioskd's own user (the technician's kioskctl) read the full health; kiosk-ui's group
	// only ok/degraded.
	privileged := o.Privileged
	if privileged == nil {
		self := uint32(os.Geteuid())
		privileged = func(uid uint32) bool { return uid == 0 || uid == self }
	}
	srv := (&api.Server{Session: d.serviceSession(d.apiSession()), Health: d, Extra: extra, Log: log, Privileged: privileged,
		Limits: o.APILimits}).Start(ln)

	mctx, stopMachine := context.WithCancel(context.WithoutCancel(ctx))
	machineDone := make(chan struct{})
	go func() { d.machine.Run(mctx); close(machineDone) }()

	uctx, stopUploader := context.WithCancel(ctx)
	uploaderDone := make(chan struct{})
	go func() { d.runUploader(uctx, o.UploaderPoll); close(uploaderDone) }()
	stopRetention := d.retention.start(ctx, o.RetentionEvery)

	notify("READY=1")
	notify(fmt.Sprintf("STATUS=Sẵn sàng, hồ sơ chờ gửi: %d (ready, dossiers waiting: %d)", d.pending(ctx), d.pending(ctx)))
	log.Info("kioskd ready", "socket", cfg.Paths.Socket)

	var dog <-chan time.Time
	if o.Watchdog > 0 {
		t := time.NewTicker(o.Watchdog / 2)
		defer t.Stop()
		dog = t.C
	}
	for running := true; running; {
		select {
		case <-ctx.Done():
			running = false
		case <-dog:
			// Ping only while the session loop proves it is alive.
			if time.Since(d.machine.LastLoop()) < o.Watchdog/2 {
				notify("WATCHDOG=1")
			}
		}
	}

	notify("STOPPING=1")
	log.Info("kioskd stopping")
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Shutdown ends the event streams (kiosk-ui's included) at once, then waits for requests in
	// flight, so the budget is left for the dossier commit below.
	if err := srv.Shutdown(shutdown); err != nil {
		log.Warn("local API requests did not finish in time", "err", err)
	}
	stopUploader()
	<-uploaderDone
	stopRetention()
	// A dossier being committed is finished before the store closes.
	committed := make(chan struct{})
	go func() { d.submit.commits.Wait(); close(committed) }()
	select {
	case <-committed:
	case <-shutdown.Done():
		log.Warn("a dossier commit did not finish in time")
	}
	stopMachine()
	<-machineDone
	os.Remove(cfg.Paths.Socket)
	return nil
}

// trustStore loads the CSCA certificates that vouch for ID cards.
func (d *Daemon) trustStore(sim *Sim) *lds.TrustStore {
	if sim != nil {
		return sim.Trust()
	}
	t, err := lds.LoadTrustStore(d.cfg.Paths.CSCADir)
	if err != nil {
		d.log.Warn("no CSCA trust store: card data will be 'unverified'", "dir", d.cfg.Paths.CSCADir, "err", err)
		return nil
	}
	return t
}

// runUploader connects to the central system (enrolling if needed) and delivers the outbox,
// restarting after failures; the kiosk works offline meanwhile.
func (d *Daemon) runUploader(ctx context.Context, poll time.Duration) {
	if d.cfg.Central.URL == "" {
		d.uploader.Store("chưa cấu hình central.url (central.url not set)")
		return
	}
	if err := d.store.Unavailable(); err != nil {
		d.uploader.Store("không chạy, kho hồ sơ ngừng phục vụ (not running: dossier store out of service)")
		return
	}
	if poll <= 0 {
		poll = 500 * time.Millisecond
	}
	var caPEM []byte
	if d.cfg.Central.TLSDir != "" {
		// A configured TLS folder without a readable pinned CA is a fault, never plain HTTP.
		b, err := outbox.ReadPinnedCA(filepath.Join(d.cfg.Central.TLSDir, "ca.pem"))
		if err != nil {
			d.uploader.Store(err.Error())
			d.log.Error("uploader not started", "err", err)
			return
		}
		caPEM = b
	}
	for ctx.Err() == nil {
		d.uploader.Store("đang kết nối (connecting)")
		c, err := outbox.Connect(ctx, d.store, d.cfg.Central.URL, caPEM, central.Options{})
		if err != nil {
			d.uploader.Store("không kết nối được (cannot connect): " + err.Error())
			sleep(ctx, 10*time.Second)
			continue
		}
		d.uploader.Store("đang chạy (running)")
		sctx, stopSync := context.WithCancel(ctx)
		go d.syncCatalogueEvery(sctx, c, time.Hour)
		d.services.connected(sctx, c)
		err = outbox.NewUploader(d.store, d.centralFor(c), outbox.UploaderOptions{Poll: poll, Logger: d.log}).Run(ctx)
		d.services.disconnected()
		stopSync()
		c.Close()
		if err != nil && !errors.Is(err, context.Canceled) {
			d.uploader.Store("dừng do lỗi (stopped): " + err.Error())
			d.log.Warn("uploader stopped", "err", err)
			sleep(ctx, 5*time.Second)
		}
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func (d *Daemon) pending(ctx context.Context) int {
	n, _ := d.store.Pending(ctx)
	return n
}

// Health reports devices and the outbox for the status endpoint and kioskctl status.
func (d *Daemon) Health(ctx context.Context) map[string]any {
	h := map[string]any{"kioskId": d.cfg.Kiosk.ID, "uptimeSeconds": int(time.Since(d.started).Seconds())}
	if st, err := d.printer.status(ctx); err != nil {
		h["printer"] = "lỗi (error): " + err.Error()
	} else {
		h["printer"] = st.String()
	}
	if _, err := d.scanner.Capabilities(ctx); err != nil {
		h["scanner"] = "lỗi (error): " + err.Error()
	} else {
		h["scanner"] = "sẵn sàng (ready)"
	}
	h["status"] = "ok"
	if strings.HasPrefix(h["printer"].(string), "lỗi") || strings.HasPrefix(h["scanner"].(string), "lỗi") {
		h["status"] = "degraded"
	}
	maps.Copy(h, d.readerHealth(ctx))
	maps.Copy(h, d.enclosureHealth())
	h["outboxPending"] = d.pending(ctx)
	d.outboxHealth(h)
	h["uploader"] = d.uploader.Load()
	h["catalogue"] = d.catalog.Load().Version
	d.addFacts(h)
	d.retentionHealth(h)
	return h
}

// receipts adapts the printer to the session: the receipt is built from the dossier as the outbox
// committed it, as every reprint is.
type receipts struct {
	p       *receiptPrinter
	catalog func() *catalog.Catalogue
	store   *outbox.Store
}

func (r receipts) PrintReceipt(ctx context.Context, _ *session.Dossier, s *session.Submitted) error {
	id, err := strconv.ParseInt(s.ID, 10, 64)
	if err != nil {
		return fmt.Errorf("outbox id %q: %w", s.ID, err)
	}
	rc, err := committedReceipt(ctx, r.store, r.catalog(), r.p.kiosk, id, s.Provisional)
	if err != nil {
		return err
	}
	if s.FeeOwed != nil { // the citizen left without paying: the fee owed and its VietQR
		rc.FeeOwed = &receipt.Owed{Amount: s.FeeOwed.AmountVND, VietQR: s.FeeOwed.VietQR}
	}
	err = r.p.print(ctx, rc)
	if errors.Is(err, escpos.ErrUnconfirmed) {
		return session.ErrPrintUnconfirmed // the whole job went out; nothing can say more
	}
	return err
}
