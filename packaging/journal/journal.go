// Package journal configures systemd-journal-upload on a kiosk, so that the journal goes to the
// province's systemd-journal-remote over TLS with the kiosk's own certificate and device key.
//
// The Debian package ships two fixed pieces: a drop-in for systemd-journal-upload.service
// (systemd-journal-upload-tramso.conf, embedded here as ServiceDropIn) that hands the kiosk's key,
// certificate and pinned CA to the service as credentials (it runs as a dynamic user that cannot
// read kioskd's 0600 key), and a symbolic link /etc/systemd/journal-upload.conf.d/tramso.conf →
// /etc/tramso/journal-upload.conf. Provisioning (`kioskctl provision --journal-url`, Provision)
// writes that file, which on the image lives on the data partition (/etc/tramso is a link into
// /var) since the root is read-only; until it exists the service does not start. Provision also
// renders the Prometheus agent's configuration (packaging/prometheus).
//
// systemd-journal-upload (Debian 12, systemd 252) has no option to choose units: it sends the
// whole system journal, not only kioskd's and kiosk-ui's. The kiosk's journal holds no citizen
// data (kiosk/cmd/kioskd's TestLogsHoldNoCitizenData), and a kiosk runs little else.
package journal

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/tramso/tramso/internal/atomicfile"
	"github.com/tramso/tramso/kiosk/config"
	"github.com/tramso/tramso/packaging/prometheus"
)

// ServiceDropIn is the drop-in the package installs for systemd-journal-upload.service.
//
//go:embed systemd-journal-upload-tramso.conf
var ServiceDropIn string

// Where things are, relative to the root Provision is given.
const (
	// UploadConfPath is what provisioning writes; the package links
	// /etc/systemd/journal-upload.conf.d/tramso.conf (UploadConfLink) to it.
	UploadConfPath = "/etc/tramso/journal-upload.conf"
	UploadConfLink = "/etc/systemd/journal-upload.conf.d/tramso.conf"
	// ServiceDropInPath is where the package installs ServiceDropIn.
	ServiceDropInPath = "/usr/lib/systemd/system/systemd-journal-upload.service.d/tramso.conf"
	// AgentConfigPath is the Prometheus agent's configuration (tramso-prometheus-agent.service).
	AgentConfigPath = "/etc/tramso/prometheus-agent.yml"
	// UploadService and AgentService are the units provisioning starts.
	UploadService = "systemd-journal-upload.service"
	AgentService  = "tramso-prometheus-agent.service"
	// CredentialsDir is where systemd puts the upload service's credentials.
	CredentialsDir = "/run/credentials/" + UploadService
	// DefaultPort is systemd-journal-remote's port for uploads.
	DefaultPort = "19532"
)

// Credentials returns the drop-in's LoadCredential= lines: credential name → file it is read from.
func Credentials() map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(ServiceDropIn, "\n") {
		if v, ok := strings.CutPrefix(line, "LoadCredential="); ok {
			name, from, _ := strings.Cut(v, ":")
			m[name] = from
		}
	}
	return m
}

// Credential names in CredentialsDir.
const (
	credKey  = "tramso-device-key.pem"
	credCert = "tramso-client.pem"
	credCA   = "tramso-ca.pem"
)

// UploadSettings are the values of journal-upload.conf's [Upload] section.
type UploadSettings struct {
	URL                                           string
	ServerKeyFile, ServerCertificateFile, Trusted string
}

// Sources are the kiosk's own files the upload service is given: its device key and client
// certificate (the outbox's keys) and the CA the province's servers are pinned to.
type Sources struct {
	KeyFile, CertFile, CAFile string
}

// SourcesFor names the kiosk's key, certificate and pinned CA for a configuration (the same files
// the Prometheus agent uses: prometheus.SettingsFor).
func SourcesFor(c *config.Config) Sources {
	a := prometheus.SettingsFor(c)
	return Sources{KeyFile: a.KeyFile, CertFile: a.CertFile, CAFile: a.CAFile}
}

// NormalizeURL checks a journal-remote URL and adds systemd-journal-remote's port when it has none.
func NormalizeURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Hostname() == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q không phải địa chỉ https của systemd-journal-remote, vd. https://logs.tinh.example:19532 "+
			"(not the https address of a systemd-journal-remote): %w", raw, ErrBadURL)
	}
	port := u.Port()
	if port == "" {
		port = DefaultPort
	}
	u.Host = net.JoinHostPort(u.Hostname(), port)
	u.Path = ""
	return u.String(), nil
}

// ErrBadURL is wrapped when a journal URL is not an https address of a host.
var ErrBadURL = errors.New("bad journal URL")

// UploadConf renders journal-upload.conf(5)'s drop-in.
func UploadConf(s UploadSettings) ([]byte, error) {
	u, err := NormalizeURL(s.URL)
	if err != nil {
		return nil, err
	}
	for _, v := range []string{s.ServerKeyFile, s.ServerCertificateFile, s.Trusted} {
		if !filepath.IsAbs(v) || strings.ContainsAny(v, "\n\r") {
			return nil, fmt.Errorf("tệp khóa/chứng thư %q cần đường dẫn tuyệt đối (key and certificate files need absolute paths)", v)
		}
	}
	var b strings.Builder
	b.WriteString("# Written by kioskctl provision (packaging/journal): the journal goes to the province's\n" +
		"# systemd-journal-remote over TLS with the kiosk's certificate. Do not edit: edit logs.journal_url\n" +
		"# in /etc/tramso/kiosk.toml and provision again.\n[Upload]\n")
	fmt.Fprintf(&b, "URL=%s\nServerKeyFile=%s\nServerCertificateFile=%s\nTrustedCertificateFile=%s\n",
		u, s.ServerKeyFile, s.ServerCertificateFile, s.Trusted)
	return []byte(b.String()), nil
}

// CredentialSettings are the settings journal-upload.conf names on a kiosk: the credentials the
// service drop-in loads.
func CredentialSettings(journalURL string) UploadSettings {
	return UploadSettings{URL: journalURL, ServerKeyFile: CredentialsDir + "/" + credKey,
		ServerCertificateFile: CredentialsDir + "/" + credCert, Trusted: CredentialsDir + "/" + credCA}
}

// Enabler (re)starts systemd units. The package and the image enable them beforehand (the image's
// root is read-only); they wait for their configuration with ConditionPathExists=.
type Enabler interface {
	Enable(ctx context.Context, units ...string) error
}

// Systemctl restarts units with systemctl on a running systemd.
type Systemctl struct{}

// Enable restarts the units.
func (Systemctl) Enable(ctx context.Context, units ...string) error {
	for _, args := range [][]string{append([]string{"restart"}, units...)} {
		if out, err := exec.CommandContext(ctx, "systemctl", args...).CombinedOutput(); err != nil {
			return fmt.Errorf("systemctl %s: %s: %w", strings.Join(args, " "), strings.TrimSpace(string(out)), err)
		}
	}
	return nil
}

// Result is what Provision did.
type Result struct {
	Written []string // paths under the root
	Enabled []string // units started
}

// Provision writes, under root ("/" on a kiosk), systemd-journal-upload's configuration when
// c.Logs.JournalURL is set and the Prometheus agent's when c.Metrics.RemoteWriteURL is set, and
// starts their services through en (nil: starts nothing, as when systemd is not running). With
// neither set it writes nothing. It refuses a journal URL when the pinned CA is missing (the
// upload would trust no server) or when the kiosk's key and certificates are not where the
// package's drop-in loads them from (a --state-dir other than /var/lib/tramso).
func Provision(ctx context.Context, root string, c *config.Config, en Enabler) (Result, error) {
	var r Result
	if c.Logs.JournalURL != "" {
		src, creds := SourcesFor(c), Credentials()
		for name, want := range map[string]string{credKey: src.KeyFile, credCert: src.CertFile, credCA: src.CAFile} {
			if creds[name] != want {
				return r, fmt.Errorf("gửi nhật ký cần khóa và chứng thư ở %s, không phải %s (journal upload loads its credentials from the package's fixed paths): %w",
					creds[name], want, ErrPaths)
			}
		}
		if _, err := os.Stat(filepath.Join(root, src.CAFile)); err != nil {
			return r, fmt.Errorf("gửi nhật ký cần CA của tỉnh (provision with --ca) (uploading logs needs the province's CA): %w", err)
		}
		conf, err := UploadConf(CredentialSettings(c.Logs.JournalURL))
		if err != nil {
			return r, err
		}
		if err := write(root, UploadConfPath, conf, 0o644, &r); err != nil {
			return r, err
		}
		r.Enabled = append(r.Enabled, UploadService)
	}
	if c.Metrics.RemoteWriteURL != "" {
		b, err := prometheus.AgentConfig(prometheus.SettingsFor(c))
		if err != nil {
			return r, err
		}
		if err := write(root, AgentConfigPath, b, 0o644, &r); err != nil {
			return r, err
		}
		r.Enabled = append(r.Enabled, AgentService, "prometheus-node-exporter.service")
	}
	if en != nil && len(r.Enabled) > 0 {
		if err := en.Enable(ctx, r.Enabled...); err != nil {
			return r, fmt.Errorf("không khởi động được dịch vụ gửi nhật ký/số liệu (cannot start the log and metrics services): %w", err)
		}
	} else {
		r.Enabled = nil
	}
	return r, nil
}

// ErrPaths is wrapped when the kiosk's keys are not where the upload service loads them from.
var ErrPaths = errors.New("keys not at the package's paths")

func write(root, path string, b []byte, mode os.FileMode, r *Result) error {
	p := filepath.Join(root, path)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("không tạo được thư mục cho %s (cannot create its folder): %w", path, err)
	}
	if err := atomicfile.Write(p, b, mode); err != nil {
		return fmt.Errorf("không ghi được %s (cannot write it): %w", path, err)
	}
	r.Written = append(r.Written, path)
	return nil
}
