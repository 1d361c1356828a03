package config

import (
	"net"
	"net/url"
)

// Metrics is how the kiosk's Prometheus metrics are served and where the kiosk's Prometheus
// agent forwards them.
type Metrics struct {
	// Listen is the loopback address kioskd serves /metrics on (127.0.0.1:9464); "": not served.
	Listen string `toml:"listen"`
	// RemoteWriteURL is the province's Prometheus-compatible remote-write endpoint, which
	// provisioning writes into the Prometheus agent's configuration; "": the agent sends nowhere.
	RemoteWriteURL string `toml:"remote_write_url"`
}

// DefaultMetricsListen is where kioskd serves /metrics unless configured otherwise.
const DefaultMetricsListen = "127.0.0.1:9464"

// validate accepts only a loopback listen address and an https remote-write URL.
func (m Metrics) validate() error {
	if m.Listen != "" {
		host, port, err := net.SplitHostPort(m.Listen)
		ip := net.ParseIP(host)
		if err != nil || port == "" || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
			return wrapKey("metrics.listen", "chỉ nhận địa chỉ loopback có cổng, vd. 127.0.0.1:9464: số liệu không mở ra mạng "+
				"(only a loopback address with a port, e.g. 127.0.0.1:9464: metrics are never served to the network)")
		}
	}
	if m.RemoteWriteURL != "" {
		if u, err := url.Parse(m.RemoteWriteURL); err != nil || u.Scheme != "https" || u.Host == "" {
			return wrapKey("metrics.remote_write_url", "cần địa chỉ https đầy đủ (want an absolute https URL)")
		}
	}
	return nil
}
