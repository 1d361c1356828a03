package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/internal/testtool"
	"github.com/tramso/tramso/kiosk/api/client"
	"github.com/tramso/tramso/kiosk/api/wire"
)

// needProgram returns the path of a program of Debian's prometheus package; without it the test
// is skipped unless TRAMSO_REQUIRE_PROMETHEUS is set.
func needProgram(t *testing.T, name string) string {
	t.Helper()
	return testtool.Program(t, name, "prometheus", "TRAMSO_REQUIRE_PROMETHEUS")
}

// freeAddr returns a loopback address nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// promQuery asks Prometheus's HTTP API for an instant query and returns each series' labels and
// value.
func promQuery(ctx context.Context, base, q string) ([]promSample, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/query?query="+url.QueryEscape(q), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	if out.Status != "success" {
		return nil, fmt.Errorf("query %s: %s", q, out.Error)
	}
	var s []promSample
	for _, r := range out.Data.Result {
		v, _ := strconv.ParseFloat(fmt.Sprint(r.Value[1]), 64)
		s = append(s, promSample{r.Metric, v})
	}
	return s, nil
}

type promSample struct {
	labels map[string]string
	value  float64
}

// TestPrometheusScrapesSimulatedKiosk starts `kioskd --sim` with /metrics on loopback and a real
// Prometheus (Debian's) scraping it every second, plays a citizen's whole journey and one who
// walks away through the local API, and reads the series back over Prometheus's HTTP API.
func TestPrometheusScrapesSimulatedKiosk(t *testing.T) {
	if testing.Short() {
		t.Skip("builds kioskd and runs prometheus")
	}
	prom := needProgram(t, "prometheus")
	dir, err := os.MkdirTemp("", "tramso-pm-") // short: unix socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "kioskd")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/kioskd").CombinedOutput(); err != nil {
		t.Fatalf("go build kioskd: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()

	// kioskd --sim, /metrics on a free loopback port.
	metricsAddr := freeAddr(t)
	simDir := filepath.Join(dir, "sim")
	os.Mkdir(simDir, 0o700)
	klog, _ := os.Create(filepath.Join(dir, "kioskd.log"))
	defer klog.Close()
	kd := exec.Command(bin, "--sim", "--sim-dir", simDir, "--metrics-listen", metricsAddr)
	kd.Stdout, kd.Stderr = klog, klog
	if err := kd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { kd.Process.Kill(); kd.Wait() }()
	c := client.New(filepath.Join(simDir, "kiosk.sock"))
	dump := func() string {
		b, _ := os.ReadFile(filepath.Join(dir, "kioskd.log"))
		p, _ := os.ReadFile(filepath.Join(dir, "prometheus.log"))
		return fmt.Sprintf("kioskd log:\n%s\nprometheus log (tail):\n%s", b, tail(string(p), 2000))
	}
	wait := func(what string, ok func(wire.View) bool) wire.View {
		t.Helper()
		wctx, wcancel := context.WithTimeout(ctx, 2*time.Minute)
		defer wcancel()
		v, err := c.WaitFor(wctx, ok)
		if err != nil {
			t.Fatalf("waiting for %s: %v (view %s/%s %+v)\n%s", what, err, v.State, v.Step, v.Message, dump())
		}
		return v
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%v\n%s", err, dump())
		}
	}
	sim := func(method, name string, body any) { t.Helper(); must(c.Sim(ctx, method, name, body, nil)) }
	wait("kioskd ready", func(v wire.View) bool { return v.State == wire.Attract })

	// Prometheus, scraping kioskd every second, storage in the temporary folder.
	promAddr := freeAddr(t)
	cfg := filepath.Join(dir, "prometheus.yml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
  external_labels: {kiosk: SIM-01}
scrape_configs:
  - job_name: kioskd
    static_configs:
      - targets: [%q]
`, metricsAddr)), 0o644)
	plog, _ := os.Create(filepath.Join(dir, "prometheus.log"))
	defer plog.Close()
	pm := exec.Command(prom, "--config.file="+cfg, "--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
		"--web.listen-address="+promAddr)
	pm.Stdout, pm.Stderr = plog, plog
	if err := pm.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { pm.Process.Kill(); pm.Wait() }()
	base := "http://" + promAddr

	// A citizen who walks away at the card step.
	sim(http.MethodPost, "qr", map[string]any{"citizen": citizen})
	v := wait("card step", func(v wire.View) bool { return v.State == wire.Identify && v.Step == wire.StepCard })
	_, err = c.ActOn(ctx, v, wire.ActCancel, "")
	must(err)
	wait("attract", func(v wire.View) bool { return v.State == wire.Attract })

	// A citizen who goes all the way: the card lifted mid-read once, then read.
	sim(http.MethodPost, "qr", map[string]any{"citizen": citizen})
	wait("card step", func(v wire.View) bool { return v.State == wire.Identify && v.Step == wire.StepCard })
	sim(http.MethodPost, "card", map[string]any{"citizen": citizen, "removeAfterApdus": 6})
	wait("card lifted", func(v wire.View) bool { return v.Message != nil && v.Message.Code == "card_removed" })
	sim(http.MethodDelete, "card", nil)
	sim(http.MethodPost, "card", map[string]any{"citizen": citizen})
	wait("catalogue", func(v wire.View) bool { return v.State == wire.ChooseProcedure })
	sim(http.MethodDelete, "card", nil)
	v, err = c.Act(ctx, wire.ActChoose, "1.001193")
	must(err)
	for v.State == wire.Documents {
		if !v.Documents[v.Current].Required {
			v, err = c.Act(ctx, wire.ActSkip, "")
			must(err)
			continue
		}
		sim(http.MethodPost, "scanner", map[string]any{"load": v.Current + 1})
		_, err = c.Act(ctx, wire.ActScan, "")
		must(err)
		wait("preview", func(v wire.View) bool { return v.Step == wire.StepPreview })
		v, err = c.Act(ctx, wire.ActAccept, "")
		must(err)
	}
	wait("form", func(v wire.View) bool { return v.State == wire.Review && v.Step == wire.StepEditing })
	_, err = c.Act(ctx, wire.ActConfirm, "")
	must(err)
	wait("consent", func(v wire.View) bool { return v.State == wire.Consent })
	_, err = c.Act(ctx, wire.ActAgree, "")
	must(err)
	v = wait("receipt printed", func(v wire.View) bool { return v.State == wire.Done || v.Step == wire.StepPrinted })
	for i := 0; i < 3 && v.State != wire.Attract; i++ { // receipt → done → attract
		v, err = c.Act(ctx, wire.ActFinish, "")
		must(err)
	}
	wait("attract after the journey", func(v wire.View) bool { return v.State == wire.Attract })

	// The printer runs out of paper; a technician opens the cabinet door.
	sim(http.MethodPost, "printer", map[string]any{"fault": "paper-out"})
	sim(http.MethodPost, "enclosure", map[string]any{"door": true})

	// Read the series back from Prometheus (it scrapes every second; kioskd --sim polls its
	// devices every 2 s).
	want := map[string]func(float64) bool{
		`up{job="kioskd"}`:                                            eq(1),
		`tramso_sessions_started_total`:                               eq(2),
		`tramso_sessions_abandoned_total{step="card"}`:                eq(1),
		`sum(tramso_sessions_finished_total)`:                         eq(1),
		`tramso_dossiers_submitted_total`:                             eq(1),
		`tramso_card_reads_total{outcome="ok"}`:                       eq(1),
		`tramso_card_reads_total{outcome="removed"}`:                  eq(1),
		`tramso_ocr_page_seconds_count`:                               atLeast(1),
		`tramso_ocr_page_seconds_sum`:                                 atLeast(0.001),
		`tramso_device_present{device="printer"}`:                     eq(1),
		`tramso_device_present{device="scanner"}`:                     eq(1),
		`tramso_device_present{device="card_reader"}`:                 eq(1),
		`tramso_printer_condition{condition="paper_out"}`:             eq(1),
		`tramso_outbox_backlog`:                                       eq(0), // the simulated central system took it
		`tramso_central_round_trip_seconds_count{operation="submit"}`: atLeast(1),
		`count(tramso_build_info)`:                                    eq(1),
		`tramso_enclosure_input{input="door_open"}`:                   eq(1),
		`tramso_enclosure_door_openings_total`:                        eq(1),
		`tramso_enclosure_input{input="presence"}`:                    eq(1),
		`count(tramso_config_info{catalogue!="unknown"})`:             eq(1),
	}
	deadline := time.Now().Add(45 * time.Second)
	var missing []string
	for {
		missing = missing[:0]
		for q, ok := range want {
			s, err := promQuery(ctx, base, q)
			switch {
			case err != nil:
				missing = append(missing, fmt.Sprintf("%s: %v", q, err))
			case len(s) != 1:
				missing = append(missing, fmt.Sprintf("%s: %d series", q, len(s)))
			case !ok(s[0].value):
				missing = append(missing, fmt.Sprintf("%s = %v", q, s[0].value))
			}
		}
		if len(missing) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Second)
	}
	if len(missing) > 0 {
		t.Fatalf("series not as expected:\n%s\n%s", strings.Join(missing, "\n"), dump())
	}

	// kioskctl status --json (the full health) says what the metrics say.
	h, err := c.Health(ctx)
	must(err)
	facts, _ := h["facts"].(map[string]any)
	info, err := promQuery(ctx, base, "tramso_build_info")
	must(err)
	if facts == nil || len(info) != 1 || facts["build"] != info[0].labels["version"] || facts["outboxBacklog"] != 0.0 ||
		!strings.Contains(fmt.Sprint(facts["printer"]), "paper_out") || fmt.Sprint(facts["devices"]) != "map[card_reader:true printer:true qr_scanner:true scanner:true]" {
		t.Errorf("status facts %v, metrics build_info %v", facts, info)
	}

	// Nothing of the citizen in any series Prometheus holds.
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/series?match[]="+url.QueryEscape(`{__name__=~"tramso_.+"}`), nil)
	resp, err := http.DefaultClient.Do(req)
	must(err)
	var series struct {
		Data []map[string]string `json:"data"`
	}
	must(json.NewDecoder(resp.Body).Decode(&series))
	resp.Body.Close()
	if len(series.Data) < 20 {
		t.Errorf("only %d tramso_ series", len(series.Data))
	}
	for _, s := range series.Data {
		for k, v := range s {
			for _, personal := range []string{"Trần", "Ẩn", "079092001234", "Khang"} {
				if strings.Contains(v, personal) {
					t.Errorf("series %v: label %s carries %q", s, k, personal)
				}
			}
		}
	}
}

func eq(want float64) func(float64) bool      { return func(v float64) bool { return v == want } }
func atLeast(want float64) func(float64) bool { return func(v float64) bool { return v >= want } }

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
