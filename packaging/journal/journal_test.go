package journal

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/internal/testtool"
	"github.com/tramso/tramso/kiosk/config"
)

// tool finds a systemd helper (Debian's systemd-journal-remote package puts them in /lib/systemd).
// It skips the test when the tool is missing, unless TRAMSO_REQUIRE_JOURNAL is set.
func tool(t *testing.T, name string) string {
	t.Helper()
	for _, dir := range []string{"/lib/systemd", "/usr/lib/systemd"} {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	return testtool.Program(t, name, "systemd-journal-remote", "TRAMSO_REQUIRE_JOURNAL")
}

// pki is a test CA and the certificates it issues.
type pki struct {
	key  *ecdsa.PrivateKey
	cert *x509.Certificate
	pem  []byte
}

func newCA(t *testing.T, name string) *pki {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &pki{key: key, cert: cert, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// issue returns a certificate and its key (as the outbox stores the device key: EC PRIVATE KEY).
func (ca *pki) issue(t *testing.T, cn string, server bool) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.DNSNames = []string{"localhost"}
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
}

func put(t *testing.T, path string, b []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// remoteChecksClients tells whether this systemd-journal-remote can verify client certificates
// (--trust needs systemd built with GnuTLS).
func remoteChecksClients(ctx context.Context, bin string) bool {
	out, _ := exec.CommandContext(ctx, bin, "--version").Output()
	return bytes.Contains(out, []byte("+GNUTLS"))
}

// remote is a real systemd-journal-remote listening with TLS on loopback.
type remote struct {
	url, out string
	log      *bytes.Buffer
}

func startRemote(t *testing.T, ctx context.Context, bin, dir string, serverCA, clientCA *pki) *remote {
	t.Helper()
	cert, key := serverCA.issue(t, "localhost", true)
	certF := put(t, filepath.Join(dir, "remote-cert.pem"), cert)
	keyF := put(t, filepath.Join(dir, "remote-key.pem"), key)
	// Debian's systemd (252, built without GnuTLS) has no --trust in journal-remote: it serves TLS
	// but cannot check the kiosk's certificate (nil clientCA). Where it can, it does.
	var trust []string
	if clientCA != nil {
		trust = []string{"--trust=" + put(t, filepath.Join(dir, "remote-trust.pem"), clientCA.pem)}
	}
	out := filepath.Join(dir, "remote.journal")
	for attempt := 0; attempt < 5; attempt++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		var log bytes.Buffer
		cmd := exec.CommandContext(ctx, bin, append([]string{"--listen-https=" + addr, "--key=" + keyF, "--cert=" + certF,
			"--split-mode=none", "--output=" + out}, trust...)...)
		cmd.Stdout, cmd.Stderr = &log, &log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		t.Cleanup(func() { cmd.Process.Kill(); <-exited })
		for i := 0; i < 100; i++ {
			if c, err := net.Dial("tcp", addr); err == nil {
				c.Close()
				_, port, _ := net.SplitHostPort(addr)
				return &remote{url: "https://localhost:" + port, out: out, log: &log}
			}
			select {
			case <-exited:
				i = 100
			case <-time.After(100 * time.Millisecond):
			}
		}
		t.Logf("journal-remote on %s did not listen: %s", addr, log.String())
	}
	t.Fatal("systemd-journal-remote did not start")
	return nil
}

// messages reads the MESSAGE fields of a journal file; none when it does not exist yet.
func messages(t *testing.T, ctx context.Context, file string) []string {
	t.Helper()
	if _, err := os.Stat(file); err != nil {
		return nil
	}
	out, err := exec.CommandContext(ctx, "journalctl", "--file="+file, "-o", "json", "--no-pager").Output()
	if err != nil {
		return nil
	}
	var msgs []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e struct {
			Message string `json:"MESSAGE"`
			Unit    string `json:"_SYSTEMD_UNIT"`
		}
		if json.Unmarshal(sc.Bytes(), &e) == nil {
			msgs = append(msgs, e.Unit+": "+e.Message)
		}
	}
	return msgs
}

// localJournal makes a journal file holding one entry of kioskd, as journald would have written it,
// from an export-format stream.
func localJournal(t *testing.T, ctx context.Context, remoteBin, dir, msg string) string {
	t.Helper()
	file := filepath.Join(dir, "local.journal")
	export := fmt.Sprintf("__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=1000\n_BOOT_ID=0123456789abcdef0123456789abcdef\n"+
		"_SYSTEMD_UNIT=kioskd.service\nSYSLOG_IDENTIFIER=kioskd\nPRIORITY=6\nMESSAGE=%s\n\n", time.Now().UnixMicro(), msg)
	cmd := exec.CommandContext(ctx, remoteBin, "--output="+file, "-")
	cmd.Stdin = strings.NewReader(export)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("systemd-journal-remote --output: %v\n%s", err, out)
	}
	if got := messages(t, ctx, file); len(got) != 1 || !strings.Contains(got[0], msg) {
		t.Fatalf("local journal holds %q", got)
	}
	return file
}

// kiosk is a provisioned kiosk's file tree: its keys where the outbox keeps them, the CA, and
// what Provision wrote.
type kiosk struct {
	root  string
	conf  map[string]string // journal-upload.conf's [Upload]
	creds string            // the credentials systemd would have loaded for the upload service
}

func provisionKiosk(t *testing.T, ctx context.Context, dir, journalURL string, kioskCA, trusted *pki) *kiosk {
	t.Helper()
	root := filepath.Join(dir, "root")
	c := config.Default()
	c.Kiosk.ID, c.Kiosk.UnitCode = "HN-TEST-01", "000.00.21.H26"
	c.Central.TLSDir = "/var/lib/tramso/tls"
	c.Logs.JournalURL = journalURL
	src := SourcesFor(c)
	cert, key := kioskCA.issue(t, c.Kiosk.ID, false)
	put(t, filepath.Join(root, src.CertFile), cert)
	put(t, filepath.Join(root, src.KeyFile), key)
	put(t, filepath.Join(root, src.CAFile), trusted.pem)
	r, err := Provision(ctx, root, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Written) != 1 {
		t.Fatalf("provision wrote %v", r.Written)
	}
	k := &kiosk{root: root, conf: map[string]string{}, creds: filepath.Join(dir, "credentials")}
	// Do what systemd does with the package's drop-in's LoadCredential= lines.
	creds := Credentials()
	if len(creds) != 3 {
		t.Fatalf("drop-in loads %v", creds)
	}
	for name, from := range creds {
		b, err := os.ReadFile(filepath.Join(root, from))
		if err != nil {
			t.Fatalf("credential %s: %v", name, err)
		}
		put(t, filepath.Join(k.creds, name), b)
	}
	b, err := os.ReadFile(filepath.Join(root, UploadConfPath))
	if err != nil {
		t.Fatal(err)
	}
	section := ""
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			section = line
		default:
			k2, v, ok := strings.Cut(line, "=")
			if !ok || section != "[Upload]" {
				t.Fatalf("journal-upload.conf: stray line %q", line)
			}
			k.conf[k2] = strings.Replace(v, CredentialsDir, k.creds, 1)
		}
	}
	return k
}

// upload runs systemd-journal-upload on file with the settings of journal-upload.conf (it reads
// that file only from /etc, so the test passes each key as its command-line option).
func (k *kiosk) upload(ctx context.Context, bin, file, state string) ([]byte, error) {
	return exec.CommandContext(ctx, bin, "--url="+k.conf["URL"], "--key="+k.conf["ServerKeyFile"],
		"--cert="+k.conf["ServerCertificateFile"], "--trust="+k.conf["TrustedCertificateFile"],
		"--file="+file, "--save-state="+state, "--follow=no").CombinedOutput()
}

// TestUploadReachesRemote uploads a kioskd entry with the configuration provisioning writes to a
// real systemd-journal-remote over mutual TLS, and reads it back from the remote's journal.
func TestUploadReachesRemote(t *testing.T) {
	remoteBin, uploadBin := tool(t, "systemd-journal-remote"), tool(t, "systemd-journal-upload")
	if _, err := exec.LookPath("journalctl"); err != nil {
		t.Skip("journalctl is missing")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	provinceCA, kioskCA := newCA(t, "Province log CA"), newCA(t, "Central kiosk CA")
	checker := kioskCA
	if !remoteChecksClients(ctx, remoteBin) {
		checker = nil
		t.Log("this systemd-journal-remote cannot check client certificates (systemd built without GnuTLS)")
	}
	rem := startRemote(t, ctx, remoteBin, dir, provinceCA, checker)
	msg := "kioskd đã khởi động (kioskd started) " + rand.Text()
	file := localJournal(t, ctx, remoteBin, dir, msg)
	k := provisionKiosk(t, ctx, dir, rem.url, kioskCA, provinceCA)
	if k.conf["URL"] != rem.url {
		t.Fatalf("URL=%q, want %q", k.conf["URL"], rem.url)
	}
	if out, err := k.upload(ctx, uploadBin, file, filepath.Join(dir, "state")); err != nil {
		t.Fatalf("systemd-journal-upload: %v\n%s\nremote: %s", err, out, rem.log)
	}
	for {
		got := messages(t, ctx, rem.out)
		for _, m := range got {
			if m == "kioskd.service: "+msg {
				return
			}
		}
		if ctx.Err() != nil {
			t.Fatalf("the remote's journal holds %q, not %q\nremote: %s", got, msg, rem.log)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestUploadRefused checks both sides of the TLS: a kiosk whose certificate the province does
// not trust sends nothing, and a kiosk does not send to a server its pinned CA did not issue.
func TestUploadRefused(t *testing.T) {
	remoteBin, uploadBin := tool(t, "systemd-journal-remote"), tool(t, "systemd-journal-upload")
	if _, err := exec.LookPath("journalctl"); err != nil {
		t.Skip("journalctl is missing")
	}
	for _, tc := range []struct{ name, rogue string }{{"untrusted kiosk", "kiosk"}, {"untrusted server", "server"}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			dir := t.TempDir()
			provinceCA, kioskCA, rogueCA := newCA(t, "Province log CA"), newCA(t, "Central kiosk CA"), newCA(t, "Rogue CA")
			serverCA, kioskIssuer := provinceCA, kioskCA
			if tc.rogue == "kiosk" {
				kioskIssuer = rogueCA
			} else {
				serverCA = rogueCA
			}
			checker := kioskCA
			if !remoteChecksClients(ctx, remoteBin) {
				if tc.rogue == "kiosk" {
					t.Skip("this systemd-journal-remote (systemd built without GnuTLS, as Debian 12's) has no --trust: " +
						"it cannot refuse a kiosk's certificate, a TLS proxy in front of it must")
				}
				checker = nil
			}
			rem := startRemote(t, ctx, remoteBin, dir, serverCA, checker)
			msg := "must not arrive " + rand.Text()
			file := localJournal(t, ctx, remoteBin, dir, msg)
			k := provisionKiosk(t, ctx, dir, rem.url, kioskIssuer, provinceCA)
			out, err := k.upload(ctx, uploadBin, file, filepath.Join(dir, "state"))
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("systemd-journal-upload was not refused: %v\n%s", err, out)
			}
			time.Sleep(500 * time.Millisecond)
			for _, m := range messages(t, ctx, rem.out) {
				if strings.Contains(m, msg) {
					t.Fatalf("the remote received %q", m)
				}
			}
		})
	}
}

// TestProvisionRefusesAndSkips: nothing is written when no endpoint is set, a journal URL without
// the pinned CA is refused, and the agent's configuration is written when remote-write is set.
func TestProvisionRefusesAndSkips(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	c := config.Default()
	c.Kiosk.ID, c.Kiosk.UnitCode = "HN-TEST-01", "000.00.21.H26"
	c.Central.TLSDir = "/var/lib/tramso/tls"
	if r, err := Provision(ctx, root, c, nil); err != nil || len(r.Written) != 0 {
		t.Fatalf("no endpoints: wrote %v, %v", r.Written, err)
	}
	c.Logs.JournalURL = "https://logs.province.example"
	if _, err := Provision(ctx, root, c, nil); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("journal URL without a CA: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, UploadConfPath)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("refused provisioning left %s: %v", UploadConfPath, err)
	}
	put(t, filepath.Join(root, SourcesFor(c).CAFile), newCA(t, "CA").pem)
	c.Metrics.RemoteWriteURL = "https://metrics.province.example/api/v1/write"
	var en recordEnabler
	r, err := Provision(ctx, root, c, &en)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Written) != 2 || strings.Join(en, " ") != UploadService+" "+AgentService+" prometheus-node-exporter.service" {
		t.Fatalf("wrote %v, enabled %v", r.Written, en)
	}
	c.Paths.StateDir = "/srv/tramso"
	if _, err := Provision(ctx, root, c, nil); !errors.Is(err, ErrPaths) {
		t.Fatalf("keys outside the drop-in's paths: %v", err)
	}
	conf, _ := os.ReadFile(filepath.Join(root, UploadConfPath))
	if !strings.Contains(string(conf), "\nURL=https://logs.province.example:19532\n") {
		t.Fatalf("journal-upload.conf:\n%s", conf)
	}
	agent, _ := os.ReadFile(filepath.Join(root, AgentConfigPath))
	if !strings.Contains(string(agent), `"https://metrics.province.example/api/v1/write"`) ||
		!strings.Contains(string(agent), "/var/lib/tramso/outbox/keys/device-key.pem") {
		t.Fatalf("agent configuration:\n%s", agent)
	}
}

type recordEnabler []string

func (r *recordEnabler) Enable(_ context.Context, units ...string) error {
	*r = append(*r, units...)
	return nil
}

func TestNormalizeURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://logs.example":            "https://logs.example:19532",
		"https://logs.example:443/":       "https://logs.example:443",
		"https://[::1]":                   "https://[::1]:19532",
		"http://logs.example":             "",
		"https://logs.example/upload":     "",
		"https://u:p@logs.example":        "",
		"https://logs.example?x=1":        "",
		"logs.example:19532":              "",
		"https://logs.example\nURL=x":     "",
		"https://logs.example:19532#frag": "",
	} {
		got, err := NormalizeURL(in)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("NormalizeURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// FuzzNormalizeURL: whatever a technician types, the written configuration is one URL line.
func FuzzNormalizeURL(f *testing.F) {
	for _, s := range []string{"https://logs.example", "https://logs.example:19532/", "http://x", "https://[::1]:1", "https://a\r\nb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := NormalizeURL(s)
		if err != nil {
			return
		}
		again, err := NormalizeURL(u)
		if err != nil || again != u {
			t.Fatalf("%q normalizes to %q, then %q, %v", s, u, again, err)
		}
		conf, err := UploadConf(CredentialSettings(u))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Count(string(conf), "\nURL=") != 1 || strings.Count(string(conf), "=") != 4 {
			t.Fatalf("configuration from %q:\n%s", s, conf)
		}
	})
}

// TestDropInVerifies checks the package's drop-in together with Debian's unit under
// systemd-analyze verify, and that it loads exactly the files provisioning's configuration names.
func TestDropInVerifies(t *testing.T) {
	tool(t, "systemd-journal-upload")
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is missing (Debian package systemd)")
	}
	unit := ""
	for _, d := range []string{"/lib/systemd/system", "/usr/lib/systemd/system"} {
		if _, err := os.Stat(filepath.Join(d, UploadService)); err == nil {
			unit = filepath.Join(d, UploadService)
			break
		}
	}
	if unit == "" {
		t.Fatalf("%s is missing although systemd-journal-upload is installed", UploadService)
	}
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "lib/systemd/system"), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("cp", "-a", filepath.Dir(unit)+"/.", filepath.Join(root, "lib/systemd/system")).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	put(t, filepath.Join(root, ServiceDropInPath), []byte(ServiceDropIn))
	for _, from := range Credentials() {
		put(t, filepath.Join(root, from), []byte("x"))
	}
	put(t, filepath.Join(root, "lib/systemd/systemd-journal-upload"), []byte("#!/bin/sh\n"))
	os.Chmod(filepath.Join(root, "lib/systemd/systemd-journal-upload"), 0o755)
	out, err := exec.Command(analyze, "verify", "--man=no", "--generators=no", "--root="+root, "/lib/systemd/system/"+UploadService).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
	out, err = exec.Command(analyze, "cat-config", "--root="+root, "systemd/system/"+UploadService).CombinedOutput()
	if err == nil && !bytes.Contains(out, []byte("LoadCredential=tramso-device-key.pem:")) {
		t.Errorf("drop-in not applied:\n%s", out)
	}
	conf, err := UploadConf(CredentialSettings("https://logs.example"))
	if err != nil {
		t.Fatal(err)
	}
	for name := range Credentials() {
		if !bytes.Contains(conf, []byte("File="+CredentialsDir+"/"+name+"\n")) {
			t.Errorf("journal-upload.conf does not name credential %s:\n%s", name, conf)
		}
	}
	if !strings.Contains(ServiceDropIn, "ConditionPathExists="+UploadConfPath+"\n") {
		t.Error("the drop-in does not wait for provisioning's configuration")
	}
}
