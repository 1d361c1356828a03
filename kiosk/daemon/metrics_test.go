package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/drivers/mrtd"
	"github.com/tramso/tramso/drivers/scanner"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/central/devserver"
	"github.com/tramso/tramso/kiosk/config"
	"github.com/tramso/tramso/kiosk/identity"
	"github.com/tramso/tramso/kiosk/metrics"
)

// exposition serves m once on loopback and returns what a scrape reads.
func exposition(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	ln, err := metrics.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go m.Serve(ctx, ln)
	return scrapeURL(t, "http://"+ln.Addr().String()+"/metrics")
}

func scrapeURL(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return string(b)
}

func wantLines(t *testing.T, text string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(text, "\n"+l+"\n") {
			t.Errorf("missing %q", l)
		}
	}
	if t.Failed() {
		var ours []string
		for _, l := range strings.Split(text, "\n") {
			if strings.HasPrefix(l, "tramso_") {
				ours = append(ours, l)
			}
		}
		t.Logf("exposition:\n%s", strings.Join(ours, "\n"))
	}
}

// TestSessionsFollowedFromViews feeds the session follower the views a machine publishes: a
// citizen who walks away at the catalogue, one who finishes, one whose session is replaced by the
// next citizen's without passing the attract screen, and one who cancels after a dossier was
// committed (still finished: the dossier is in).
func TestSessionsFollowedFromViews(t *testing.T) {
	km := &kioskMetrics{m: metrics.New("v1.0.0"), kick: make(chan struct{}, 1)}
	views := make(chan wire.View)
	done := make(chan struct{})
	go func() { km.followSessions(views); close(done) }()
	send := func(session string, state wire.State, step wire.Step) {
		views <- wire.View{Session: session, State: state, Step: step}
	}
	send("", wire.Attract, "")
	send("s1", wire.Identify, wire.StepQR)
	send("s1", wire.Identify, wire.StepCard)
	send("s1", wire.ChooseProcedure, "")
	send("", wire.Attract, "")
	send("s2", wire.Identify, wire.StepQR)
	send("s2", wire.Submitting, "")
	send("s2", wire.Receipt, wire.StepPrinting)
	send("s2", wire.Done, "")
	send("", wire.Attract, "")
	send("s3", wire.Identify, wire.StepQR)
	send("s3", wire.Documents, wire.StepPlace)
	send("s4", wire.Identify, wire.StepQR)
	send("s4", wire.Consent, "")
	km.submits.Add(1) // the dossier was committed; the view of it was missed
	send("s4", wire.Submitting, "")
	send("", wire.Attract, "")
	close(views)
	<-done
	wantLines(t, exposition(t, km.m),
		"tramso_sessions_started_total 4",
		`tramso_sessions_abandoned_total{step="choose_procedure"} 1`,
		`tramso_sessions_abandoned_total{step="place"} 1`,
		`tramso_sessions_finished_total{step="done"} 1`,
		`tramso_sessions_finished_total{step="submitting"} 1`)
}

// TestCardOutcomes sorts card read results and errors, wrapped as drivers wrap them.
func TestCardOutcomes(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("đọc thẻ (card read): %w", err) }
	for _, c := range []struct {
		res     *identity.Result
		err     error
		present bool
		want    metrics.CardOutcome
		counted bool
	}{
		{&identity.Result{PassiveAuth: "valid", ChipAuth: "CA-valid"}, nil, true, metrics.CardOK, true},
		{&identity.Result{PassiveAuth: "invalid"}, nil, true, metrics.CardNotGenuine, true},
		{&identity.Result{PassiveAuth: "valid", ChipAuth: "failed"}, nil, true, metrics.CardNotGenuine, true},
		{&identity.Result{PassiveAuth: "unverified"}, nil, true, metrics.CardUnverified, true},
		{nil, wrap(apdu.ErrCardRemoved), true, metrics.CardRemoved, true},
		{nil, wrap(mrtd.ErrAuthentication), true, metrics.CardPACEFailed, true},
		{nil, wrap(apdu.ErrTimeout), true, metrics.CardTimeout, true},
		{nil, wrap(apdu.ErrReaderGone), true, metrics.CardReaderError, true},
		{nil, wrap(identity.ErrIdentity), true, metrics.CardUnreadable, true},
		{nil, wrap(errors.New("open /dev/tramso/nfc: no such file")), false, metrics.CardReaderError, true},
		{nil, wrap(context.Canceled), false, "", false}, // the citizen went back before a card came
		{nil, wrap(context.Canceled), true, "", false},  // the session ended mid-read
	} {
		got, counted := cardOutcome(c.res, c.err, c.present)
		if got != c.want || counted != c.counted {
			t.Errorf("%+v, %v, present %v: %q %v, want %q %v", c.res, c.err, c.present, got, counted, c.want, c.counted)
		}
	}
}

func TestScannerFaults(t *testing.T) {
	for err, want := range map[error]metrics.ScannerFault{
		fmt.Errorf("escl: %w", scanner.ErrJammed): metrics.ScanJammed, scanner.ErrADFEmpty: metrics.ScanADFEmpty,
		fmt.Errorf("sane: %w", scanner.ErrCoverOpen): metrics.ScanCoverOpen, scanner.ErrNoDevice: metrics.ScanNoDevice,
	} {
		if got, ok := scannerFault(err); !ok || got != want {
			t.Errorf("%v: %q %v, want %q", err, got, ok, want)
		}
	}
	for _, err := range []error{nil, context.Canceled, errors.New("page refused")} {
		if got, ok := scannerFault(err); ok {
			t.Errorf("%v counted as %q", err, got)
		}
	}
}

// TestCentralRequestsMetered sends requests through the metered client to the development central
// server with its faults, and to a closed port, and reads the causes and round trips counted.
func TestCentralRequestsMetered(t *testing.T) {
	var fault atomic.Value
	fault.Store(devserver.FaultNone)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := devserver.Serve(ctx, "127.0.0.1:0", devserver.Config{Dir: t.TempDir(), RetryAfter: time.Second, HangMax: 5 * time.Second,
		Faults: func(*http.Request) devserver.Fault { return fault.Load().(devserver.Fault) }})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	url := srv.URL()
	c, err := central.New(url, central.Options{KioskID: "SIM-01", RequestTimeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	km := &kioskMetrics{m: metrics.New("v1.0.0"), kick: make(chan struct{}, 1)}
	mc := meteredCentral{c, km}
	for _, f := range []devserver.Fault{devserver.Fault500, devserver.Fault429, devserver.FaultReset, devserver.FaultHang, devserver.FaultNone} {
		fault.Store(f)
		if _, err := mc.Status(ctx, "0d6c1f7e-unknown"); err == nil {
			t.Errorf("fault %q: status answered", f)
		}
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := "http://" + ln.Addr().String()
	ln.Close()
	c2, _ := central.New(closed, central.Options{KioskID: "SIM-01"})
	if _, err := (meteredCentral{c2, km}).Heartbeat(ctx, central.Heartbeat{KioskID: "SIM-01"}); err == nil {
		t.Error("heartbeat to a closed port answered")
	}
	text := exposition(t, km.m)
	wantLines(t, text,
		`tramso_upload_errors_total{cause="server_error"} 1`,
		`tramso_upload_errors_total{cause="rate_limited"} 1`,
		`tramso_upload_errors_total{cause="timeout"} 1`,
		`tramso_upload_errors_total{cause="network"} 2`,  // the reset and the closed port
		`tramso_upload_errors_total{cause="conflict"} 1`, // not enrolled: 401
		`tramso_central_round_trip_seconds_count{operation="status"} 3`)
	if strings.Contains(text, "0d6c1f7e") {
		t.Error("an idempotency key reached the metrics")
	}
}

// TestHeartbeatCarriesFacts checks that the heartbeat the uploader sends carries what the
// metrics say.
func TestHeartbeatCarriesFacts(t *testing.T) {
	got := make(chan string, 1)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- string(b)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"serverTime":"2026-12-07T00:00:00Z"}`)
	})}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go srv.Serve(ln)
	defer srv.Close()
	c, _ := central.New("http://"+ln.Addr().String(), central.Options{KioskID: "SIM-01"})
	km := &kioskMetrics{m: metrics.New("v1.2.3"), kick: make(chan struct{}, 1)}
	km.m.SetConfig([]byte("x"), "starter-2026-11")
	km.m.SetOutbox(2, 10*time.Minute)
	km.m.SetPrinter(metrics.PrinterState{PaperOut: true})
	km.m.SetDevicePresent(metrics.DeviceScanner, true)
	if _, err := (meteredCentral{c, km}).Heartbeat(context.Background(), central.Heartbeat{KioskID: "SIM-01", Queued: 2, SentAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	body := <-got
	for _, want := range []string{`"build":"v1.2.3"`, `"catalogue":"starter-2026-11"`, `"config":"sha256:`,
		`"printer":["paper_out"]`, `"scanner":true`, `"outboxOldestQueuedSeconds":600`, `"queued":2`} {
		if !strings.Contains(body, want) {
			t.Errorf("heartbeat lacks %s: %s", want, body)
		}
	}
	if len(body) > 4096 {
		t.Errorf("heartbeat of %d bytes: the central server reads 4096", len(body))
	}
}

func TestCatalogueLabel(t *testing.T) {
	for in, want := range map[string]string{`central "66cb3e979c598cde"`: "central-66cb3e979c598cde",
		"starter-2026-11": "starter-2026-11", `central W/"x:1"`: "central-W-x-1"} {
		if got := catalogueLabel(in); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
	m := metrics.New("v1.0.0")
	m.SetConfig(nil, catalogueLabel(`central "66cb3e979c598cde"`))
	if f, _ := m.Facts(); f.Catalogue != "central-66cb3e979c598cde" {
		t.Errorf("a synced catalogue's version is exported as %q", f.Catalogue)
	}
}

// TestMetricsRefuseNonLoopback: kioskd does not start with /metrics open to the network.
func TestMetricsRefuseNonLoopback(t *testing.T) {
	dir, sim, cfg := simulated(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg.Metrics.Listen = "0.0.0.0:9464"
	err := Run(ctx, Options{Config: cfg, Sim: sim})
	if !errors.Is(err, metrics.ErrNotLoopback) {
		t.Fatalf("Run with /metrics on every interface: %v", err)
	}
	if _, serr := os.Stat(filepath.Join(dir, "kiosk.sock")); serr == nil {
		t.Error("the local API was opened before the refusal")
	}
	if c, derr := net.DialTimeout("tcp", "127.0.0.1:9464", time.Second); derr == nil {
		c.Close()
		t.Log("something else listens on 9464; not ours to judge")
	}
	if _, err := config.Parse([]byte(strings.Replace(string(config.Example()), `listen = "127.0.0.1:9464"`, `listen = "0.0.0.0:9464"`, 1))); err == nil ||
		!strings.Contains(err.Error(), "metrics.listen") {
		t.Errorf("kiosk.toml with a network /metrics address: %v", err)
	}
	if _, err := config.Parse([]byte(strings.Replace(string(config.Example()), `remote_write_url = ""`, `remote_write_url = "http://metrics.example.vn/api/v1/write"`, 1))); err == nil ||
		!strings.Contains(err.Error(), "metrics.remote_write_url") {
		t.Errorf("kiosk.toml with a plain-HTTP remote-write endpoint: %v", err)
	}
	if _, err := config.Parse([]byte(strings.Replace(string(config.Example()), `remote_write_url = ""`, `remote_write_url = "https://metrics.example.vn/api/v1/write"`, 1))); err != nil {
		t.Errorf("kiosk.toml with an https remote-write endpoint: %v", err)
	}
}

// FuzzCatalogueLabel: whatever version the central system sends, the label has only the
// characters a label version may have.
func FuzzCatalogueLabel(f *testing.F) {
	for _, s := range []string{`central "66cb3e979c598cde"`, "starter-2026-11", `central W/"x:1"`, "Nguyễn Văn An", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := catalogueLabel(s)
		for _, r := range out {
			if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || strings.ContainsRune(".-_+", r)) {
				t.Fatalf("%q → %q", s, out)
			}
		}
		if strings.HasPrefix(out, "-") || strings.HasSuffix(out, "-") {
			t.Fatalf("%q → %q", s, out)
		}
	})
}
