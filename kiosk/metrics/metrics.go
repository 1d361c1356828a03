// Package metrics is kioskd's Prometheus instrumentation: counts and states of the citizen
// sessions, the outbox, the central link, the devices and the enclosure, in a registry of its own
// (nothing is registered globally). Label values come only from fixed sets (labels.go): a metric
// can never carry a citizen's name, an ID number or a dossier code.
//
// kioskd serves the registry on a loopback listener (Handler, CheckListen); the image's Prometheus
// agent scrapes it and forwards by remote write to the province (packaging/prometheus).
package metrics

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"runtime"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tramso/tramso/kiosk/api/wire"
)

// Namespace prefixes every metric of this package.
const Namespace = "tramso"

// Metrics is one kiosk's set of metrics. Its methods are safe for concurrent use; a nil *Metrics
// records nothing.
type Metrics struct {
	reg *prometheus.Registry

	sessionsStarted   prometheus.Counter
	sessionsFinished  *prometheus.CounterVec
	sessionsAbandoned *prometheus.CounterVec
	dossiersSubmitted prometheus.Counter
	dossiersPurged    prometheus.Counter
	outboxBacklog     prometheus.Gauge
	outboxOldest      prometheus.Gauge
	uploadErrors      *prometheus.CounterVec
	centralRTT        *prometheus.HistogramVec
	printer           *prometheus.GaugeVec
	cardReads         *prometheus.CounterVec
	scannerFaults     *prometheus.CounterVec
	ocrPage           prometheus.Histogram
	devicePresent     *prometheus.GaugeVec
	enclosure         *prometheus.GaugeVec
	doorOpenings      prometheus.Counter
	buildInfo         *prometheus.GaugeVec
	configInfo        *prometheus.GaugeVec
	lastPoll          prometheus.Gauge
	selfTest          *prometheus.GaugeVec
	selfTestAt        prometheus.Gauge

	mu                 sync.Mutex
	door               bool // the door input's last value, for counting openings
	selfTestRegistered bool // selfTestAt is exported once a self-test has run
}

// New returns a kiosk's metrics, with the Go runtime's and the process's own collectors, stamped
// with the build version (e.g. api.Version()).
func New(build string) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	name := func(n string) string { return Namespace + "_" + n }
	m.sessionsStarted = prometheus.NewCounter(prometheus.CounterOpts{Name: name("sessions_started_total"),
		Help: "Số phiên công dân đã bắt đầu (citizen sessions started: a QR code shown or the screen tapped)."})
	m.sessionsFinished = prometheus.NewCounterVec(prometheus.CounterOpts{Name: name("sessions_finished_total"),
		Help: "Số phiên đã nộp hồ sơ, theo bước kết thúc (citizen sessions that submitted a dossier, by the step they ended on: printed, print_failed, done…)."}, []string{"step"})
	m.sessionsAbandoned = prometheus.NewCounterVec(prometheus.CounterOpts{Name: name("sessions_abandoned_total"),
		Help: "Số phiên bỏ dở, theo bước bị bỏ (citizen sessions that ended without submitting a dossier, cancelled or idle, by the step they were left on)."}, []string{"step"})
	m.dossiersSubmitted = prometheus.NewCounter(prometheus.CounterOpts{Name: name("dossiers_submitted_total"),
		Help: "Số hồ sơ đã ghi vào hàng đợi gửi (dossiers committed to the outbox: the citizen was told they were received)."})
	m.dossiersPurged = prometheus.NewCounter(prometheus.CounterOpts{Name: name("dossiers_purged_total"),
		Help: "Số hồ sơ đã xóa dữ liệu cá nhân sau thời hạn lưu giữ (dossiers whose personal data and attachments kioskd purged after the retention period)."})
	m.outboxBacklog = prometheus.NewGauge(prometheus.GaugeOpts{Name: name("outbox_backlog"),
		Help: "Số hồ sơ trong hàng đợi chưa được hệ thống tỉnh nhận hay từ chối (dossiers in the outbox not yet accepted or rejected by the central system)."})
	m.outboxOldest = prometheus.NewGauge(prometheus.GaugeOpts{Name: name("outbox_oldest_queued_age_seconds"),
		Help: "Tuổi của hồ sơ chờ lâu nhất, giây (age of the oldest dossier waiting in the outbox, in seconds; 0 when none waits)."})
	m.uploadErrors = prometheus.NewCounterVec(prometheus.CounterOpts{Name: name("upload_errors_total"),
		Help: "Số yêu cầu tới hệ thống tỉnh bị lỗi, theo nguyên nhân (failed requests to the central system, by cause: network, timeout, tls, rate_limited, server_error, refused, conflict, bad_answer, other)."}, []string{"cause"})
	m.centralRTT = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name("central_round_trip_seconds"),
		Help:    "Thời gian khứ hồi của yêu cầu tới hệ thống tỉnh, giây (round trip of answered requests to the central system, by operation: upload of one attachment, submit, status, heartbeat).",
		Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60}}, []string{"operation"})
	m.printer = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name("printer_condition"),
		Help: "Tình trạng máy in biên nhận, 1 khi đang có (receipt printer conditions, 1 when present: paper_out, paper_near_end, cover_open, offline, error)."}, []string{"condition"})
	m.cardReads = prometheus.NewCounterVec(prometheus.CounterOpts{Name: name("card_reads_total"),
		Help: "Số lần đọc chip thẻ, theo kết quả (chip card reads, a card on the reader or a reader failure, by outcome: ok, removed, pace_failed, not_genuine, unverified, timeout, reader_error, unreadable, other)."}, []string{"outcome"})
	m.scannerFaults = prometheus.NewCounterVec(prometheus.CounterOpts{Name: name("scanner_faults_total"),
		Help: "Số lỗi máy quét giấy tờ, theo loại (document scanner failures, by fault: jammed, adf_empty, cover_open, no_device, busy, io, no_memory, access_denied, invalid_option, other)."}, []string{"fault"})
	m.ocrPage = prometheus.NewHistogram(prometheus.HistogramOpts{Name: name("ocr_page_seconds"),
		Help:    "Thời gian nhận dạng chữ mỗi trang, giây (OCR time per page of a digitised document, in seconds).",
		Buckets: []float64{0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60}})
	m.devicePresent = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name("device_present"),
		Help: "Thiết bị có trả lời không: 1 có, 0 thiếu hoặc lỗi (1 when the device answers, 0 when it is missing or fails: printer, scanner, card_reader, qr_scanner)."}, []string{"device"})
	m.enclosure = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name("enclosure_input"),
		Help: "Tín hiệu tủ kiosk qua GPIO, 1 khi tích cực (cabinet inputs read from GPIO, 1 when active: door_open, presence; absent when the line is not configured)."}, []string{"input"})
	m.doorOpenings = prometheus.NewCounter(prometheus.CounterOpts{Name: name("enclosure_door_openings_total"),
		Help: "Số lần cửa tủ được mở (times the cabinet door was seen opening)."})
	m.buildInfo = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name("build_info"),
		Help: "Luôn là 1: phiên bản kioskd và Go (always 1: kioskd's build version and Go version)."}, []string{"version", "goversion"})
	m.configInfo = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name("config_info"),
		Help: "Luôn là 1: mã băm kiosk.toml đang dùng và phiên bản danh mục thủ tục (always 1: the digest of kiosk.toml as loaded and the procedure catalogue's version)."}, []string{"config", "catalogue"})
	m.lastPoll = prometheus.NewGauge(prometheus.GaugeOpts{Name: name("devices_polled_timestamp_seconds"),
		Help: "Lần cuối kioskd xem thiết bị và hàng đợi cho số liệu này, giờ Unix (when kioskd last looked at its devices and outbox for these metrics, Unix time)."})
	m.selfTest = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name("selftest_passed"),
		Help: "Kết quả tự kiểm tra gần nhất, 1 đạt, 0 lỗi (the last self-test's result per check, 1 passed, 0 failed: printer, card_reader, qr_scanner, scanner, store, central, disk, fonts, ocr_data)."}, []string{"check"})
	m.selfTestAt = prometheus.NewGauge(prometheus.GaugeOpts{Name: name("selftest_timestamp_seconds"),
		Help: "Lúc chạy tự kiểm tra gần nhất, giờ Unix (when the last self-test ran, Unix time; absent until one has run)."})
	m.reg.MustRegister(m.sessionsStarted, m.sessionsFinished, m.sessionsAbandoned, m.dossiersSubmitted, m.dossiersPurged,
		m.outboxBacklog, m.outboxOldest, m.uploadErrors, m.centralRTT, m.printer, m.cardReads, m.scannerFaults,
		m.ocrPage, m.devicePresent, m.enclosure, m.doorOpenings, m.buildInfo, m.configInfo, m.lastPoll, m.selfTest,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.buildInfo.WithLabelValues(shaped(buildVersion, build), runtime.Version()).Set(1)
	// Counters by outcome start at 0, so that rates and ratios exist before the first event.
	for o := range cardOutcomes {
		m.cardReads.WithLabelValues(o)
	}
	for _, c := range printerConditions {
		m.printer.WithLabelValues(string(c))
	}
	return m
}

// Registry is the metrics' own registry (to gather in tests, or to serve).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, MaxRequestsInFlight: 2,
		Timeout: 10 * time.Second})
}

// SessionStarted counts a new citizen session.
func (m *Metrics) SessionStarted() {
	if m != nil {
		m.sessionsStarted.Inc()
	}
}

// SessionEnded counts a session that ended at step: finished when it submitted a dossier,
// abandoned otherwise.
func (m *Metrics) SessionEnded(step Step, submitted bool) {
	if m == nil {
		return
	}
	if submitted {
		m.sessionsFinished.WithLabelValues(label(steps, step)).Inc()
	} else {
		m.sessionsAbandoned.WithLabelValues(label(steps, step)).Inc()
	}
}

// DossierSubmitted counts a dossier committed to the outbox.
func (m *Metrics) DossierSubmitted() {
	if m != nil {
		m.dossiersSubmitted.Inc()
	}
}

// DossiersPurged counts n dossiers whose personal data the retention purge removed.
func (m *Metrics) DossiersPurged(n int) {
	if m != nil && n > 0 {
		m.dossiersPurged.Add(float64(n))
	}
}

// SetOutbox sets the outbox backlog and the age of its oldest waiting dossier.
func (m *Metrics) SetOutbox(backlog int, oldest time.Duration) {
	if m == nil {
		return
	}
	m.outboxBacklog.Set(float64(backlog))
	m.outboxOldest.Set(max(oldest, 0).Seconds())
}

// UploadError counts a failed request to the central system.
func (m *Metrics) UploadError(c UploadCause) {
	if m != nil {
		m.uploadErrors.WithLabelValues(label(uploadCauses, c)).Inc()
	}
}

// CentralRoundTrip records the time of an answered request to the central system.
func (m *Metrics) CentralRoundTrip(op Operation, d time.Duration) {
	if m != nil {
		m.centralRTT.WithLabelValues(label(operations, op)).Observe(d.Seconds())
	}
}

// PrinterState is what the receipt printer last reported.
type PrinterState struct {
	PaperOut, NearEnd, CoverOpen, Offline, Error bool
}

// SetPrinter sets the printer's conditions.
func (m *Metrics) SetPrinter(s PrinterState) {
	if m == nil {
		return
	}
	for c, on := range map[PrinterCondition]bool{PrinterPaperOut: s.PaperOut, PrinterNearEnd: s.NearEnd,
		PrinterCoverOpen: s.CoverOpen, PrinterOffline: s.Offline, PrinterErrorState: s.Error} {
		m.printer.WithLabelValues(string(c)).Set(b2f(on))
	}
}

// CardRead counts a card read by outcome.
func (m *Metrics) CardRead(o CardOutcome) {
	if m != nil {
		m.cardReads.WithLabelValues(label(cardOutcomes, o)).Inc()
	}
}

// ScannerFault counts a document scanner failure.
func (m *Metrics) ScannerFault(f ScannerFault) {
	if m != nil {
		m.scannerFaults.WithLabelValues(label(scannerFaults, f)).Inc()
	}
}

// OCRPage records the OCR time of one page.
func (m *Metrics) OCRPage(d time.Duration) {
	if m != nil {
		m.ocrPage.Observe(d.Seconds())
	}
}

// SetDevicePresent sets whether a device answers.
func (m *Metrics) SetDevicePresent(d Device, present bool) {
	if m != nil {
		m.devicePresent.WithLabelValues(label(devices, d)).Set(b2f(present))
	}
}

// SetEnclosureInput sets a cabinet input (the enclosure's GPIO lines call it on every change, and
// once at start for each configured line). A door going from closed to open is counted.
func (m *Metrics) SetEnclosureInput(in EnclosureInput, active bool) {
	if m == nil || !enclosureInputs[string(in)] {
		return
	}
	m.mu.Lock()
	if in == DoorOpen {
		if active && !m.door {
			m.doorOpenings.Inc()
		}
		m.door = active
	}
	m.enclosure.WithLabelValues(string(in)).Set(b2f(active))
	m.mu.Unlock()
}

// SetConfig records the configuration in use, as the digest of its file (ConfigDigest), and the
// catalogue version.
func (m *Metrics) SetConfig(config []byte, catalogue string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.configInfo.Reset()
	m.configInfo.WithLabelValues(ConfigDigest(config), shaped(catalogueVersion, catalogue)).Set(1)
}

// Polled records that devices and outbox were just looked at.
func (m *Metrics) Polled(t time.Time) {
	if m != nil {
		m.lastPoll.Set(float64(t.UnixNano()) / 1e9)
	}
}

// SelfTest records a self-test's results (wire.Check: device ID and whether it passed) and
// when it ran. Checks of devices outside the self-test's list are counted as "other".
func (m *Metrics) SelfTest(checks []wire.Check, at time.Time) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.selfTest.Reset()
	for _, c := range checks {
		name, ok := selfTestChecks[c.ID]
		if !ok {
			name = Other
		}
		m.selfTest.WithLabelValues(name).Set(b2f(c.OK))
	}
	if !m.selfTestRegistered {
		m.reg.MustRegister(m.selfTestAt)
		m.selfTestRegistered = true
	}
	m.selfTestAt.Set(float64(at.UnixNano()) / 1e9)
}

// ConfigDigest is the label form of a configuration file's contents: "sha256:" and the first 12
// hex digits of its SHA-256.
func ConfigDigest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:6])
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
