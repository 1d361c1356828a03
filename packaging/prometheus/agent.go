// Package prometheus holds the kiosk's Prometheus files: the fleet's alert rules
// (tramso-alerts.yml, tested by promtool), the Prometheus agent's configuration template and the
// units that run the agent and the node exporter on loopback.
package prometheus

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"path/filepath"
	"text/template"

	"github.com/tramso/tramso/kiosk/config"
)

//go:embed prometheus-agent.yml.tmpl
var agentTemplate string

// NodeExporterAddr is where the node exporter listens on a kiosk (its /etc/default file).
const NodeExporterAddr = "127.0.0.1:9100"

// AgentSettings are what the agent's configuration is made from.
type AgentSettings struct {
	KioskID, UnitCode string
	MetricsAddr       string // kioskd's /metrics (metrics.listen)
	NodeExporterAddr  string
	ScrapeInterval    string // e.g. 30s
	ScrapeTimeout     string // at most ScrapeInterval, e.g. 10s
	// RemoteWriteURL is the province's endpoint; "": the agent sends nowhere.
	RemoteWriteURL string
	// CertFile and KeyFile are the kiosk's mTLS client certificate and key, CAFile the pinned CA.
	CertFile, KeyFile, CAFile string
}

// SettingsFor derives the agent's settings from the kiosk's configuration: the kiosk's own
// certificate and device key (the outbox's keys) and the central system's pinned CA.
func SettingsFor(c *config.Config) AgentSettings {
	keys := filepath.Join(c.Paths.StateDir, "outbox", "keys")
	return AgentSettings{
		KioskID: c.Kiosk.ID, UnitCode: c.Kiosk.UnitCode, MetricsAddr: c.Metrics.Listen,
		NodeExporterAddr: NodeExporterAddr, ScrapeInterval: "30s", ScrapeTimeout: "10s", RemoteWriteURL: c.Metrics.RemoteWriteURL,
		CertFile: filepath.Join(keys, "client.pem"), KeyFile: filepath.Join(keys, "device-key.pem"),
		CAFile: filepath.Join(c.Central.TLSDir, "ca.pem"),
	}
}

// AgentConfig renders the agent's configuration file.
func AgentConfig(s AgentSettings) ([]byte, error) {
	if s.MetricsAddr == "" {
		return nil, fmt.Errorf("metrics.listen trống: kioskd không phục vụ /metrics, agent không có gì để đọc (metrics.listen is empty: kioskd serves no /metrics for the agent to scrape)")
	}
	t, err := template.New("agent").Funcs(template.FuncMap{"q": quote}).Option("missingkey=error").Parse(agentTemplate)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, s); err != nil {
		return nil, fmt.Errorf("không tạo được cấu hình Prometheus agent (cannot render the Prometheus agent's configuration): %w", err)
	}
	return b.Bytes(), nil
}

// quote writes s as a YAML double-quoted scalar (a JSON string is one).
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
