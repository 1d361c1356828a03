package metrics

import (
	"context"
	"errors"
	"io"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tramso/tramso/kiosk/api/wire"
)

// hostile are values that must never reach a label: a citizen's name, ID numbers, a receipt
// number, a dossier code, a phone number, and shapes meant to break the exposition format.
var hostile = []string{
	"Nguyễn Văn An", "Tran Van An", "001203004567", "079088001234", "260101-0001",
	"000.00.21.H26-261207-0001", "H26.99-261207-0001", "0912345678", "ok\"} 1\nx{", "",
	"Tran", "012345678901234567890123456789012345678901234567890",
}

// allowed is every label's fixed set.
func allowed() map[string]map[string]bool {
	with := func(m map[string]bool, extra ...string) map[string]bool {
		out := map[string]bool{}
		for k := range m {
			out[k] = true
		}
		for _, e := range extra {
			out[e] = true
		}
		return out
	}
	conds := map[string]bool{}
	for _, c := range printerConditions {
		conds[string(c)] = true
	}
	return map[string]map[string]bool{
		"step":      with(steps, Other),
		"outcome":   with(cardOutcomes, Other),
		"fault":     with(scannerFaults, Other),
		"cause":     with(uploadCauses, Other),
		"operation": with(operations, Other),
		"device":    with(devices, Other),
		"condition": conds,
		"input":     with(enclosureInputs),
		"check":     with(set(slices.Collect(maps.Values(selfTestChecks))...), Other),
	}
}

// TestNoPersonalDataInLabels feeds every setter values a careless caller could pass (names, ID
// numbers, dossier codes) and checks that every label value exported is in its fixed set, and
// that none of those values appears anywhere in the exposition.
func TestNoPersonalDataInLabels(t *testing.T) {
	m := New("Nguyễn Văn An")
	for _, h := range hostile {
		m.SessionEnded(Step(h), true)
		m.SessionEnded(Step(h), false)
		m.UploadError(UploadCause(h))
		m.CentralRoundTrip(Operation(h), time.Second)
		m.CardRead(CardOutcome(h))
		m.ScannerFault(ScannerFault(h))
		m.SetDevicePresent(Device(h), true)
		m.SetEnclosureInput(EnclosureInput(h), true)
		m.SetConfig([]byte(h), h)
		m.SelfTest([]wire.Check{{ID: wire.DeviceID(h), Device: h, OK: true, Result: h, Fix: h}}, time.Now())
	}
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	sets := allowed()
	versions := map[string]bool{"version": true, "goversion": true, "config": true, "catalogue": true}
	for _, fam := range fams {
		for _, s := range fam.GetMetric() {
			for _, l := range s.GetLabel() {
				if versions[l.GetName()] {
					v := l.GetValue()
					if v != Unknown && !strings.HasPrefix(v, "go") && !(l.GetName() == "config" && len(v) == len("sha256:")+12) {
						t.Errorf("%s{%s=%q}: a hostile version reached the label", fam.GetName(), l.GetName(), l.GetValue())
					}
					continue
				}
				set, ok := sets[l.GetName()]
				if !ok {
					t.Errorf("%s: label %q has no fixed set", fam.GetName(), l.GetName())
					continue
				}
				if !set[l.GetValue()] {
					t.Errorf("%s{%s=%q}: value outside the label's fixed set", fam.GetName(), l.GetName(), l.GetValue())
				}
			}
		}
	}
	text := scrape(t, m)
	for _, h := range hostile {
		if len(h) > 3 && strings.Contains(text, h) {
			t.Errorf("exposition carries %q", h)
		}
	}
	// The unknown values were counted, as "other": nothing is lost.
	if !strings.Contains(text, `tramso_card_reads_total{outcome="other"} 12`) {
		t.Errorf("hostile outcomes not counted as other:\n%s", grep(text, "tramso_card_reads_total"))
	}
}

// TestVersionLabels keeps real versions and digests readable.
func TestVersionLabels(t *testing.T) {
	for v, want := range map[string]string{
		"v1.4.2": "v1.4.2", "v0.0.0-20261206235501-0c46f9e1a2b3": "v0.0.0-20261206235501-0c46f9e1a2b3",
		"(devel)": "(devel)", "0c46f9e0c46f9e0c46f9e0c46f9e0c46f9e0c46f": "0c46f9e0c46f9e0c46f9e0c46f9e0c46f9e0c46f",
		"1.4.2": Unknown, "v1 .2": Unknown,
	} {
		if got := shaped(buildVersion, v); got != want {
			t.Errorf("build %q → %q, want %q", v, got, want)
		}
	}
	if got := shaped(catalogueVersion, "starter-2026-11"); got != "starter-2026-11" {
		t.Errorf("catalogue version → %q", got)
	}
	d := ConfigDigest([]byte("[kiosk]\nid = \"HN-01\"\n"))
	if !strings.HasPrefix(d, "sha256:") || len(d) != len("sha256:")+12 {
		t.Errorf("config digest %q", d)
	}
	if ConfigDigest([]byte("a")) == ConfigDigest([]byte("b")) {
		t.Error("two configurations share a digest")
	}
}

// TestEveryMetricDocumented checks the tramso_ names and their HELP.
func TestEveryMetricDocumented(t *testing.T) {
	m := New("v1.0.0")
	m.SessionEnded(StepOf("identify", "card"), false)
	m.SessionEnded(StepOf("receipt", "printed"), true)
	m.UploadError(CauseNetwork)
	m.CentralRoundTrip(OpSubmit, time.Second)
	m.ScannerFault(ScanJammed)
	m.SetDevicePresent(DevicePrinter, true)
	m.SetEnclosureInput(DoorOpen, false)
	m.SetConfig(nil, "starter-2026-11")
	m.SelfTest([]wire.Check{{ID: wire.DeviceIDPrinter, Device: wire.DevicePrinter, OK: true}}, time.Now())
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, fam := range fams {
		name := fam.GetName()
		if strings.HasPrefix(name, "go_") || strings.HasPrefix(name, "process_") || strings.HasPrefix(name, "promhttp_") {
			continue
		}
		n++
		if !strings.HasPrefix(name, "tramso_") {
			t.Errorf("%s: not prefixed tramso_", name)
		}
		if len(fam.GetHelp()) < 20 {
			t.Errorf("%s: HELP %q says too little", name, fam.GetHelp())
		}
	}
	if n != 21 {
		t.Errorf("%d tramso_ families exported, want 21", n)
	}
}

// TestOwnRegistry checks that nothing is registered in client_golang's global registry.
func TestOwnRegistry(t *testing.T) {
	a, b := New("v1.0.0"), New("v1.0.0") // two kiosks in one process do not collide
	a.DossierSubmitted()
	fams, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if strings.HasPrefix(f.GetName(), "tramso_") {
			t.Errorf("%s is in the global registry", f.GetName())
		}
	}
	if strings.Contains(scrape(t, b), "tramso_dossiers_submitted_total 1") {
		t.Error("a dossier submitted on one kiosk's metrics shows on another's")
	}
}

func TestFacts(t *testing.T) {
	m := New("v2.1.0")
	m.SetConfig([]byte("x"), "starter-2026-11")
	m.SetOutbox(3, 95*time.Minute)
	m.SetPrinter(PrinterState{PaperOut: true, Offline: true})
	m.SetDevicePresent(DevicePrinter, false)
	m.SetDevicePresent(DeviceScanner, true)
	m.SetEnclosureInput(DoorOpen, true)
	f, err := m.Facts()
	if err != nil {
		t.Fatal(err)
	}
	if f.Build != "v2.1.0" || f.Config != ConfigDigest([]byte("x")) || f.Catalogue != "starter-2026-11" {
		t.Errorf("versions: %+v", f)
	}
	if f.OutboxBacklog != 3 || f.OutboxOldestSeconds != 95*60 {
		t.Errorf("outbox: %d, %d s", f.OutboxBacklog, f.OutboxOldestSeconds)
	}
	if strings.Join(f.Printer, ",") != "offline,paper_out" {
		t.Errorf("printer: %v", f.Printer)
	}
	if p, ok := f.Devices["printer"]; !ok || p || !f.Devices["scanner"] {
		t.Errorf("devices: %v", f.Devices)
	}
	if _, ok := f.Devices["card_reader"]; ok {
		t.Error("a device never looked at is reported")
	}
	if !f.Enclosure["door_open"] {
		t.Errorf("enclosure: %v", f.Enclosure)
	}
	if _, ok := f.Enclosure["presence"]; ok {
		t.Error("an unconfigured presence line is reported")
	}
	m.SetPrinter(PrinterState{})
	m.SetOutbox(0, -time.Second)
	f, _ = m.Facts()
	if len(f.Printer) != 0 || f.OutboxOldestSeconds != 0 {
		t.Errorf("after recovery: %+v", f)
	}
}

func TestSelfTestExported(t *testing.T) {
	m := New("v1.0.0")
	if strings.Contains(scrape(t, m), "tramso_selftest_timestamp_seconds") {
		t.Error("a self-test time before any self-test ran")
	}
	at := time.Unix(1_800_000_000, 0)
	m.SelfTest([]wire.Check{{ID: wire.DeviceIDPrinter, Device: wire.DevicePrinter, OK: false, Result: "lỗi"}, {ID: wire.DeviceIDStore, Device: wire.DeviceStore, OK: true},
		{ID: "odd", Device: "máy lạ (odd device)", OK: true}, {Device: wire.DeviceDisk, OK: true} /* no ID: the name is not matched */}, at)
	text := scrape(t, m)
	for _, want := range []string{`tramso_selftest_passed{check="printer"} 0`, `tramso_selftest_passed{check="store"} 1`,
		`tramso_selftest_passed{check="other"} 1`, "tramso_selftest_timestamp_seconds 1.8e+09"} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, grep(text, "tramso_selftest"))
		}
	}
	if strings.Contains(text, `check="disk"`) {
		t.Error("a check was matched on its display name")
	}
	m.SelfTest([]wire.Check{{ID: wire.DeviceIDPrinter, Device: wire.DevicePrinter, OK: true}}, at.Add(time.Hour))
	if text := scrape(t, m); strings.Contains(text, `check="store"`) || !strings.Contains(text, `tramso_selftest_passed{check="printer"} 1`) {
		t.Errorf("a later self-test does not replace the earlier:\n%s", grep(text, "tramso_selftest"))
	}
}

func TestDoorOpeningsCountEdges(t *testing.T) {
	m := New("v1.0.0")
	for _, open := range []bool{false, true, true, false, true, false, false} {
		m.SetEnclosureInput(DoorOpen, open)
	}
	m.SetEnclosureInput(Presence, true)
	text := scrape(t, m)
	for _, want := range []string{"tramso_enclosure_door_openings_total 2", `tramso_enclosure_input{input="door_open"} 0`,
		`tramso_enclosure_input{input="presence"} 1`} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, grep(text, "tramso_enclosure"))
		}
	}
}

func TestNilMetricsRecordNothing(t *testing.T) {
	var m *Metrics
	m.SessionStarted()
	m.SessionEnded("done", true)
	m.DossierSubmitted()
	m.SetOutbox(1, time.Second)
	m.CardRead(CardOK)
	m.SetEnclosureInput(DoorOpen, true)
	if f, err := m.Facts(); err != nil || f.Build != "" {
		t.Errorf("nil facts: %+v, %v", f, err)
	}
}

func TestCheckListen(t *testing.T) {
	for _, ok := range []string{"127.0.0.1:9464", "[::1]:9464", "localhost:9464", "127.0.0.2:1"} {
		if err := CheckListen(ok); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"0.0.0.0:9464", ":9464", "[::]:9464", "192.168.1.20:9464", "kiosk.local:9464", "10.0.0.1:80"} {
		err := CheckListen(bad)
		if !errors.Is(err, ErrNotLoopback) {
			t.Errorf("%s: %v, want ErrNotLoopback", bad, err)
		} else if !strings.Contains(err.Error(), "(") || !strings.HasPrefix(err.Error(), "địa chỉ") {
			t.Errorf("%s: error not worded Vietnamese first: %v", bad, err)
		}
	}
	if err := CheckListen("127.0.0.1"); err == nil {
		t.Error("an address without a port was accepted")
	}
	if _, err := Listen("0.0.0.0:0"); !errors.Is(err, ErrNotLoopback) {
		t.Errorf("Listen on every interface: %v", err)
	}
}

// TestServe serves the metrics over real HTTP, refuses other methods and paths, and stops with
// its context.
func TestServe(t *testing.T) {
	m := New("v1.0.0")
	m.DossierSubmitted()
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "tramso_dossiers_submitted_total 1") ||
		!strings.Contains(string(b), "# HELP tramso_outbox_backlog ") {
		t.Fatalf("GET /metrics: %d\n%s", resp.StatusCode, b)
	}
	for _, r := range []struct{ method, path string }{{"POST", "/metrics"}, {"GET", "/"}, {"GET", "/debug/pprof/"}} {
		req, _ := http.NewRequest(r.method, base+r.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode < 400 {
			t.Errorf("%s %s answered %d", r.method, r.path, resp.StatusCode)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not stop with its context")
	}
	if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		c.Close()
		t.Error("still listening after the context ended")
	}
}

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go m.Serve(ctx, ln)
	resp, err := http.Get("http://" + ln.Addr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func grep(text, prefix string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// FuzzLabels passes arbitrary strings to every setter: whatever comes in, only the fixed sets'
// values (or a version of the expected shape) come out, and the exposition stays well formed.
func FuzzLabels(f *testing.F) {
	for _, h := range hostile {
		f.Add(h)
	}
	f.Add("ok")
	f.Add("v1.2.3")
	f.Add("starter-2026-11")
	sets := allowed()
	f.Fuzz(func(t *testing.T, s string) {
		m := New(s)
		m.SessionEnded(Step(s), s == "")
		m.UploadError(UploadCause(s))
		m.CentralRoundTrip(Operation(s), time.Millisecond)
		m.CardRead(CardOutcome(s))
		m.ScannerFault(ScannerFault(s))
		m.SetDevicePresent(Device(s), true)
		m.SetEnclosureInput(EnclosureInput(s), true)
		m.SetConfig([]byte(s), s)
		m.SelfTest([]wire.Check{{ID: wire.DeviceID(s), Device: s, OK: true, Result: s}}, time.Now())
		fams, err := m.Registry().Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, fam := range fams {
			if !strings.HasPrefix(fam.GetName(), "tramso_") {
				continue // the Go runtime's and the process's own collectors: fixed labels
			}
			for _, sm := range fam.GetMetric() {
				for _, l := range sm.GetLabel() {
					v := l.GetValue()
					switch l.GetName() {
					case "version":
						if v != s && v != Unknown || v == s && !buildVersion.MatchString(s) {
							t.Fatalf("build %q exported as %q", s, v)
						}
					case "catalogue":
						if v != Unknown && !catalogueVersion.MatchString(v) {
							t.Fatalf("catalogue %q exported as %q", s, v)
						}
					case "config":
						if v != ConfigDigest([]byte(s)) {
							t.Fatalf("config exported as %q", v)
						}
					case "goversion":
					default:
						if !sets[l.GetName()][v] {
							t.Fatalf("%s{%s=%q} from %q", fam.GetName(), l.GetName(), v, s)
						}
					}
				}
			}
		}
	})
}
