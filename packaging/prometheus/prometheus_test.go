package prometheus

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/internal/testtool"
	"github.com/tramso/tramso/kiosk/config"
	"github.com/tramso/tramso/kiosk/metrics"
)

// need returns the path of a Prometheus program (promtool, prometheus). Without it the test is
// skipped, unless TRAMSO_REQUIRE_PROMETHEUS is set (CI installs Debian's prometheus package).
func need(t *testing.T, name string) string {
	t.Helper()
	return testtool.Program(t, name, "prometheus", "TRAMSO_REQUIRE_PROMETHEUS")
}

// TestAlertRules checks the rules and runs their unit tests: every alert with series that fire it
// and series that must not.
func TestAlertRules(t *testing.T) {
	promtool := need(t, "promtool")
	if out, err := exec.Command(promtool, "check", "rules", "tramso-alerts.yml").CombinedOutput(); err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}
	out, err := exec.Command(promtool, "test", "rules", "tramso-alerts_test.yml").CombinedOutput()
	if err != nil {
		t.Fatalf("promtool test rules: %v\n%s", err, out)
	}
	// Every alert of the rules file is exercised, firing, by the tests.
	rules, _ := os.ReadFile("tramso-alerts.yml")
	tests, _ := os.ReadFile("tramso-alerts_test.yml")
	n := 0
	for _, line := range strings.Split(string(rules), "\n") {
		name, ok := strings.CutPrefix(strings.TrimSpace(line), "- alert: ")
		if !ok {
			continue
		}
		n++
		fires := strings.Contains(string(tests), "alertname: "+name+"\n        exp_alerts:\n          - exp_labels")
		quiet := strings.Contains(string(tests), "alertname: "+name+"\n        exp_alerts: []")
		if !fires || !quiet {
			t.Errorf("alert %s: tested firing %v, tested quiet %v; want both", name, fires, quiet)
		}
	}
	if n < 7 {
		t.Errorf("%d alerts in tramso-alerts.yml, want at least 7", n)
	}
}

// TestBrokenRuleFails makes sure promtool's verdict is read: a rule test that expects the wrong
// thing fails.
func TestBrokenRuleFails(t *testing.T) {
	promtool := need(t, "promtool")
	dir := t.TempDir()
	rules, _ := os.ReadFile("tramso-alerts.yml")
	os.WriteFile(filepath.Join(dir, "tramso-alerts.yml"), rules, 0o644)
	os.WriteFile(filepath.Join(dir, "t.yml"), []byte(`rule_files: [tramso-alerts.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'tramso_outbox_oldest_queued_age_seconds{kiosk="HN-01"}'
        values: '0+60x80'
    alert_rule_test:
      - eval_time: 30m
        alertname: TramsoOutboxStuck
        exp_alerts:
          - exp_labels: {severity: warning, kiosk: HN-01}
`), 0o644)
	cmd := exec.Command(promtool, "test", "rules", "t.yml")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Fatalf("a wrong expectation passed:\n%s", out)
	}
}

func exampleConfig(t *testing.T) *config.Config {
	t.Helper()
	c, err := config.Parse(config.Example())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAgentConfig(t *testing.T) {
	promtool := need(t, "promtool")
	c := exampleConfig(t)
	c.Metrics.RemoteWriteURL = "https://metrics.hanoi.example.gov.vn/api/v1/write"
	s := SettingsFor(c)
	if s.CertFile != filepath.Join(c.Paths.StateDir, "outbox", "keys", "client.pem") || s.CAFile != filepath.Join(c.Central.TLSDir, "ca.pem") {
		t.Errorf("certificate paths: %+v", s)
	}
	b, err := AgentConfig(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`kiosk: "HN-OCD-02"`, `targets: ["127.0.0.1:9464"]`, `targets: ["127.0.0.1:9100"]`,
		`url: "https://metrics.hanoi.example.gov.vn/api/v1/write"`, `key_file: "/var/lib/tramso/outbox/keys/device-key.pem"`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("rendered configuration lacks %s:\n%s", want, b)
		}
	}
	path := filepath.Join(t.TempDir(), "agent.yml")
	os.WriteFile(path, b, 0o644)
	if out, err := exec.Command(promtool, "check", "config", path).CombinedOutput(); err != nil {
		t.Fatalf("promtool check config: %v\n%s\n%s", err, out, b)
	}

	// No endpoint: no remote_write section at all (never a half-configured one).
	c.Metrics.RemoteWriteURL = ""
	b, err = AgentConfig(SettingsFor(c))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("remote_write")) {
		t.Errorf("remote_write without an endpoint:\n%s", b)
	}
	// No /metrics: nothing to scrape, refused.
	c.Metrics.Listen = ""
	if _, err := AgentConfig(SettingsFor(c)); err == nil || !strings.HasPrefix(err.Error(), "metrics.listen trống") {
		t.Errorf("agent configuration without /metrics: %v", err)
	}
	// Values are quoted: a hostile one cannot add YAML.
	s.KioskID = "X\"\n  evil: yes"
	b, _ = AgentConfig(s)
	if bytes.Contains(b, []byte("\n  evil: yes")) {
		t.Errorf("a value broke out of its quotes:\n%s", b)
	}
}

// TestAgentRemoteWritesOverMTLS runs Debian's prometheus in agent mode with the rendered
// configuration: it scrapes a kiosk's /metrics on loopback and remote-writes to an endpoint that
// requires the kiosk's client certificate.
func TestAgentRemoteWritesOverMTLS(t *testing.T) {
	if testing.Short() {
		t.Skip("runs prometheus")
	}
	prom := need(t, "prometheus")
	dir := t.TempDir()
	pki := newPKI(t, dir, "HN-OCD-02")

	got := make(chan *http.Request, 16)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case got <- r:
		default:
		}
		w.WriteHeader(http.StatusNoContent)
	}), TLSConfig: &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pki.pool,
		Certificates: []tls.Certificate{pki.server}, MinVersion: tls.VersionTLS12}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.ServeTLS(ln, "", "")
	defer srv.Close()

	m := metrics.New("v1.0.0")
	m.DossierSubmitted()
	mln, err := metrics.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go m.Serve(ctx, mln)

	b, err := AgentConfig(AgentSettings{KioskID: "HN-OCD-02", UnitCode: "000.00.21.H26", MetricsAddr: mln.Addr().String(),
		NodeExporterAddr: "127.0.0.1:1", ScrapeInterval: "1s", ScrapeTimeout: "1s", RemoteWriteURL: "https://" + ln.Addr().String() + "/api/v1/write",
		CertFile: pki.certFile, KeyFile: pki.keyFile, CAFile: pki.caFile})
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "agent.yml")
	os.WriteFile(cfg, b, 0o644)
	webLn, _ := net.Listen("tcp", "127.0.0.1:0")
	web := webLn.Addr().String()
	webLn.Close()
	logf, _ := os.Create(filepath.Join(dir, "agent.log"))
	defer logf.Close()
	cmd := exec.CommandContext(ctx, prom, "--enable-feature=agent", "--config.file="+cfg,
		"--storage.agent.path="+filepath.Join(dir, "wal"), "--web.listen-address="+web)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() { cmd.Process.Kill(); <-exited }()

	select {
	case err := <-exited:
		exited <- err
		log, _ := os.ReadFile(filepath.Join(dir, "agent.log"))
		t.Fatalf("the agent stopped: %v\n%s", err, log)
	case r := <-got:
		if r.Method != http.MethodPost || r.URL.Path != "/api/v1/write" || r.Header.Get("Content-Encoding") != "snappy" ||
			r.Header.Get("X-Prometheus-Remote-Write-Version") == "" {
			t.Errorf("remote write: %s %s %v", r.Method, r.URL.Path, r.Header)
		}
		if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 || r.TLS.PeerCertificates[0].Subject.CommonName != "HN-OCD-02" {
			t.Errorf("remote write not authenticated with the kiosk's certificate: %+v", r.TLS)
		}
	case <-time.After(90 * time.Second):
		log, _ := os.ReadFile(filepath.Join(dir, "agent.log"))
		t.Fatalf("no remote write within 90 s; agent log:\n%s", log)
	}
}

type testPKI struct {
	pool                      *x509.CertPool
	server                    tls.Certificate
	certFile, keyFile, caFile string
}

// newPKI makes a CA, a server certificate for 127.0.0.1 and a client certificate for the kiosk,
// its key written as the outbox writes the device key (EC PRIVATE KEY).
func newPKI(t *testing.T, dir, kiosk string) testPKI {
	t.Helper()
	key := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	caKey := key()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test province CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	issue := func(cn string, usage x509.ExtKeyUsage, ip net.IP) ([]byte, *ecdsa.PrivateKey) {
		k := key()
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{usage},
			KeyUsage: x509.KeyUsageDigitalSignature}
		if ip != nil {
			tmpl.IPAddresses = []net.IP{ip}
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &k.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		return der, k
	}
	pemOf := func(typ string, b []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}) }
	srvDER, srvKey := issue("127.0.0.1", x509.ExtKeyUsageServerAuth, net.ParseIP("127.0.0.1"))
	cliDER, cliKey := issue(kiosk, x509.ExtKeyUsageClientAuth, nil)
	srvKeyDER, _ := x509.MarshalECPrivateKey(srvKey)
	server, err := tls.X509KeyPair(pemOf("CERTIFICATE", srvDER), pemOf("EC PRIVATE KEY", srvKeyDER))
	if err != nil {
		t.Fatal(err)
	}
	cliKeyDER, _ := x509.MarshalECPrivateKey(cliKey)
	p := testPKI{pool: x509.NewCertPool(), server: server, certFile: filepath.Join(dir, "client.pem"),
		keyFile: filepath.Join(dir, "device-key.pem"), caFile: filepath.Join(dir, "ca.pem")}
	p.pool.AddCert(ca)
	for f, b := range map[string][]byte{p.certFile: pemOf("CERTIFICATE", cliDER), p.keyFile: pemOf("EC PRIVATE KEY", cliKeyDER),
		p.caFile: pemOf("CERTIFICATE", caDER)} {
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// execStart returns the arguments of a unit file's last ExecStart= line (joining continuations).
func execStart(t *testing.T, unit string) []string {
	t.Helper()
	b, err := os.ReadFile(unit)
	if err != nil {
		t.Fatal(err)
	}
	var cmd string
	lines := strings.Split(strings.ReplaceAll(string(b), "\\\n", " "), "\n")
	for _, l := range lines {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "ExecStart="); ok && v != "" {
			cmd = v
		}
	}
	if cmd == "" {
		t.Fatalf("%s has no ExecStart", unit)
	}
	return strings.Fields(cmd)
}

// TestNodeExporterDropIn runs the node exporter with the drop-in's arguments (on another port)
// and checks it serves what the alert rules and the agent's keep list need, on loopback only.
func TestNodeExporterDropIn(t *testing.T) {
	args := execStart(t, "node-exporter-tramso.conf")
	if !strings.Contains(strings.Join(args, " "), "--web.listen-address=127.0.0.1:9100") {
		t.Errorf("the node exporter is not bound to loopback: %v", args)
	}
	bin := need(t, "prometheus-node-exporter")
	addr := freeLoopback(t)
	for i, a := range args {
		if strings.HasPrefix(a, "--web.listen-address=") {
			args[i] = "--web.listen-address=" + addr
		}
	}
	cmd := exec.Command(bin, args[1:]...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	var body string
	for i := 0; i < 50 && body == ""; i++ {
		if resp, err := http.Get("http://" + addr + "/metrics"); err == nil {
			var b bytes.Buffer
			b.ReadFrom(resp.Body)
			resp.Body.Close()
			body = b.String()
		} else {
			time.Sleep(100 * time.Millisecond)
		}
	}
	keep := keepRegex(t)
	for _, name := range nodeMetricsOfRules(t) {
		if !strings.Contains(body, "\n"+name+"{") {
			t.Errorf("the node exporter does not serve %s, which tramso-alerts.yml reads", name)
		}
		if !keep.MatchString(name) {
			t.Errorf("the agent drops %s, which tramso-alerts.yml reads", name)
		}
	}
}

// TestAgentUnitFlags starts prometheus with the agent unit's flags (paths moved to a temporary
// folder): Debian's prometheus takes every one of them.
func TestAgentUnitFlags(t *testing.T) {
	if testing.Short() {
		t.Skip("runs prometheus")
	}
	args := execStart(t, "tramso-prometheus-agent.service")
	bin := need(t, "prometheus")
	dir := t.TempDir()
	b, err := AgentConfig(AgentSettings{KioskID: "HN-OCD-02", UnitCode: "000.00.21.H26", MetricsAddr: "127.0.0.1:1",
		NodeExporterAddr: "127.0.0.1:2", ScrapeInterval: "30s", ScrapeTimeout: "10s"})
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "agent.yml"), b, 0o644)
	web := freeLoopback(t)
	for i, a := range args {
		switch {
		case strings.HasPrefix(a, "--config.file="):
			args[i] = "--config.file=" + filepath.Join(dir, "agent.yml")
		case strings.HasPrefix(a, "--storage.agent.path="):
			args[i] = "--storage.agent.path=" + filepath.Join(dir, "wal")
		case strings.HasPrefix(a, "--web.listen-address="):
			if a != "--web.listen-address=127.0.0.1:9095" {
				t.Errorf("the agent's web address is not loopback: %s", a)
			}
			args[i] = "--web.listen-address=" + web
		}
	}
	var log bytes.Buffer
	cmd := exec.Command(bin, args[1:]...)
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() { cmd.Process.Kill(); <-exited }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("prometheus refused the unit's flags: %v\n%s", err, log.String())
		default:
		}
		if resp, err := http.Get("http://" + web + "/-/ready"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the agent was not ready in 30 s:\n%s", log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func freeLoopback(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// keepRegex is the agent's keep list for the node exporter's series, anchored as Prometheus
// anchors relabel regexes.
func keepRegex(t *testing.T) *regexp.Regexp {
	t.Helper()
	m := regexp.MustCompile(`regex: '([^']+)'`).FindStringSubmatch(agentTemplate)
	if m == nil {
		t.Fatal("no keep regex in the agent template")
	}
	return regexp.MustCompile("^(?:" + m[1] + ")$")
}

// nodeMetricsOfRules lists the node_ metrics the alert rules read.
func nodeMetricsOfRules(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("tramso-alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var out []string
	for _, n := range regexp.MustCompile(`node_[a-z_]+`).FindAllString(string(b), -1) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		t.Fatal("the rules read no node exporter metric")
	}
	return out
}
