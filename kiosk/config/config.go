// Package config is kioskd's configuration file, /etc/tramso/kiosk.toml. Every key is documented
// in Example (the file `kioskctl provision` writes and the Debian package ships); Load checks every
// value at start and names the key of any that is wrong.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
	_ "time/tzdata" // zones even where the system has no tzdata

	"github.com/pelletier/go-toml/v2"
)

// Config is the whole file.
type Config struct {
	Kiosk   Kiosk   `toml:"kiosk"`
	Paths   Paths   `toml:"paths"`
	Devices Devices `toml:"devices"`
	Central Central `toml:"central"`
	Session Session `toml:"session"`
	Staff   Staff   `toml:"staff"`
	// Enclosure is the cabinet's GPIO lines (door, presence, lamps, paper near-end); all optional.
	Enclosure Enclosure `toml:"enclosure"`
	// Metrics is the kiosk's Prometheus metrics (metrics.go).
	Metrics Metrics `toml:"metrics"`
	// Logs is where the kiosk's journal is uploaded (logs.go).
	Logs Logs `toml:"logs"`
}

// Kiosk identifies the kiosk and the unit it receives dossiers for.
type Kiosk struct {
	ID        string `toml:"id"`
	UnitCode  string `toml:"unit_code"`
	UnitName  string `toml:"unit_name"`
	LookupURL string `toml:"lookup_url"`
	Hotline   string `toml:"hotline"`
	// TimeZone is the zone receipts and appointments are written in (IANA name).
	TimeZone string `toml:"timezone"`
}

// Location returns the kiosk's time zone.
func (k Kiosk) Location() *time.Location {
	loc, err := time.LoadLocation(k.TimeZone)
	if err != nil {
		return time.UTC // Validate has rejected unknown zones; only a zero Config gets here
	}
	return loc
}

// Paths are where kioskd keeps things.
type Paths struct {
	StateDir string `toml:"state_dir"`
	Socket   string `toml:"socket"`
	CSCADir  string `toml:"csca_dir"`
	// Secrets is the file of the staff and technician PIN hashes, readable only by kioskd's user
	// (mode 0600); "": secrets.toml in the state folder.
	Secrets string `toml:"secrets"`
}

// SecretsFile is the path of the secrets file.
func (p Paths) SecretsFile() string {
	if p.Secrets != "" {
		return p.Secrets
	}
	return filepath.Join(p.StateDir, SecretsName)
}

// Devices are the device strings of each device.
type Devices struct {
	Printer        string `toml:"printer"`
	PrinterProfile string `toml:"printer_profile"`
	CardReader     string `toml:"card_reader"`
	QRScanner      string `toml:"qr_scanner"`
	Scanner        string `toml:"scanner"`
	ScanResolution int    `toml:"scan_resolution"`
	ScanMode       string `toml:"scan_mode"`
	ScanSource     string `toml:"scan_source"`
}

// Central is the provincial system's API.
type Central struct {
	URL    string `toml:"url"`
	TLSDir string `toml:"tls_dir"`
}

// Session is the citizen session's timing.
type Session struct {
	IdleWarn    Duration `toml:"idle_warn"`
	IdleTimeout Duration `toml:"idle_timeout"`
	SubmitWait  Duration `toml:"submit_wait"`
	// AllowUnverifiedCards accepts cards whose data cannot be checked against a CSCA. Only for
	// development and the simulated kiosk.
	AllowUnverifiedCards bool `toml:"allow_unverified_cards"`
}

// Staff holds the counter staff's and the technician's access.
type Staff struct {
	// PINHash and TechnicianPINHash are the PINs' argon2id hashes. They are never read from or
	// written to kiosk.toml (which kiosk-ui's group may read): they come from the secrets file
	// (LoadSecrets, Apply).
	PINHash           string `toml:"-"`
	TechnicianPINHash string `toml:"-"`
	LockoutAfter      int    `toml:"lockout_after"`
	LockoutMinutes    int    `toml:"lockout_minutes"`
	// SessionIdle ends a staff session this long after its last use; SessionMax ends it this long
	// after the login, however much it is used.
	SessionIdle Duration `toml:"session_idle"`
	SessionMax  Duration `toml:"session_max"`
}

// Duration is a TOML string like "90s" or "5m".
type Duration struct{ time.Duration }

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("cần dạng 90s, 5m (want a duration such as 90s or 5m)")
	}
	d.Duration = v
	return nil
}

// MarshalText writes the duration back.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// KeyError names the configuration key that is wrong.
type KeyError struct {
	Key    string // e.g. devices.printer
	Reason string // Vietnamese (English)
}

func (e *KeyError) Error() string { return fmt.Sprintf("cấu hình %s: %s", e.Key, e.Reason) }

func wrapKey(key, reason string) error {
	return fmt.Errorf("%w: %w", ErrConfig, &KeyError{key, reason})
}

// ErrConfig is wrapped by every configuration error.
var ErrConfig = errors.New("tệp cấu hình sai (bad configuration file)")

// Default is the configuration with every default filled in.
func Default() *Config {
	return &Config{
		Kiosk:   Kiosk{TimeZone: "Asia/Ho_Chi_Minh"},
		Paths:   Paths{StateDir: "/var/lib/tramso", Socket: "/run/tramso/kiosk.sock", CSCADir: "/etc/tramso/csca"},
		Devices: Devices{PrinterProfile: "generic-80", ScanResolution: 300, ScanMode: "gray", ScanSource: "flatbed"},
		Session: Session{IdleWarn: Duration{60 * time.Second}, IdleTimeout: Duration{90 * time.Second}, SubmitWait: Duration{5 * time.Second}},
		Staff: Staff{LockoutAfter: 5, LockoutMinutes: 15, SessionIdle: Duration{15 * time.Minute},
			SessionMax: Duration{8 * time.Hour}},
		Enclosure: Enclosure{AbsentTimeout: Duration{30 * time.Second}},
		Metrics:   Metrics{Listen: DefaultMetricsListen},
	}
}

// Load reads and checks the file at path.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return Parse(b)
}

// Parse decodes and checks a configuration. Unknown keys are errors (a typo must not silently
// leave a device unconfigured).
func Parse(b []byte) (*Config, error) {
	c := Default()
	dec := toml.NewDecoder(bytes.NewReader(b)).DisallowUnknownFields()
	if err := dec.Decode(c); err != nil {
		var sm *toml.StrictMissingError
		if errors.As(err, &sm) && len(sm.Errors) > 0 {
			key := strings.Join(sm.Errors[0].Key(), ".")
			if key == "staff.pin_hash" || key == "staff.technician_pin_hash" {
				return nil, fmt.Errorf("%w: %w", ErrConfig, &KeyError{key, "mã băm PIN không còn để trong kiosk.toml mà trong tệp bí mật (paths.secrets); " +
					"xóa dòng này và đặt PIN bằng kioskctl staff set-pin (PIN hashes now live in the secrets file: remove this line and set the PIN with kioskctl staff set-pin)"})
			}
			return nil, fmt.Errorf("%w: %w", ErrConfig, &KeyError{key, "khóa không có (unknown key)"})
		}
		var de *toml.DecodeError
		if errors.As(err, &de) {
			return nil, fmt.Errorf("%w: %w", ErrConfig, &KeyError{strings.Join(de.Key(), "."), de.Error()})
		}
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

var (
	agencyCode = regexp.MustCompile(`^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9A-Z]{2}$`)
	kioskID    = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{1,31}$`)
)

// Validate checks every value.
func (c *Config) Validate() error {
	bad := func(key, reason string) error { return fmt.Errorf("%w: %w", ErrConfig, &KeyError{key, reason}) }
	switch {
	case !kioskID.MatchString(c.Kiosk.ID):
		return bad("kiosk.id", "cần chữ in hoa, số và dấu gạch, vd. HN-OCD-02 (want upper-case letters, digits and dashes)")
	case !agencyCode.MatchString(c.Kiosk.UnitCode):
		return bad("kiosk.unit_code", "cần mã định danh cơ quan dạng 000.00.21.H26 (want an agency code like 000.00.21.H26)")
	case strings.TrimSpace(c.Kiosk.UnitName) == "":
		return bad("kiosk.unit_name", "bắt buộc (required)")
	}
	if _, err := time.LoadLocation(c.Kiosk.TimeZone); err != nil || c.Kiosk.TimeZone == "" {
		return bad("kiosk.timezone", "cần tên múi giờ IANA, vd. Asia/Ho_Chi_Minh (want an IANA time zone)")
	}
	if c.Kiosk.LookupURL != "" {
		if u, err := url.Parse(c.Kiosk.LookupURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return bad("kiosk.lookup_url", "cần địa chỉ http(s) đầy đủ; {code} được thay bằng mã hồ sơ (want an http(s) URL; {code} is replaced by the dossier code)")
		}
	}
	for key, p := range map[string]string{"paths.state_dir": c.Paths.StateDir, "paths.socket": c.Paths.Socket} {
		if !strings.HasPrefix(p, "/") {
			return bad(key, "cần đường dẫn tuyệt đối (want an absolute path)")
		}
	}
	deviceKinds := map[string][]string{
		"devices.printer":     {"serial:", "usblp:", "/dev/"},
		"devices.card_reader": {"pn532:", "pn532-i2c:", "pcsc"},
		"devices.qr_scanner":  {"serial:", "/dev/"},
		"devices.scanner":     {"sane:", "escl:"},
	}
	values := map[string]string{"devices.printer": c.Devices.Printer, "devices.card_reader": c.Devices.CardReader,
		"devices.qr_scanner": c.Devices.QRScanner, "devices.scanner": c.Devices.Scanner}
	for key, prefixes := range deviceKinds {
		v := values[key]
		if v == "" {
			if key == "devices.qr_scanner" {
				continue // optional: citizens then type the ID number
			}
			return bad(key, "bắt buộc (required)")
		}
		ok := false
		for _, p := range prefixes {
			ok = ok || strings.HasPrefix(v, p)
		}
		if !ok {
			return bad(key, "thiết bị phải bắt đầu bằng (device must start with) "+strings.Join(prefixes, " | "))
		}
	}
	switch {
	case c.Devices.ScanResolution < 150 || c.Devices.ScanResolution > 600:
		return bad("devices.scan_resolution", "150–600 dpi")
	case c.Devices.ScanMode != "gray" && c.Devices.ScanMode != "color" && c.Devices.ScanMode != "lineart":
		return bad("devices.scan_mode", "gray | color | lineart")
	case c.Devices.ScanSource != "flatbed" && c.Devices.ScanSource != "adf":
		return bad("devices.scan_source", "flatbed | adf")
	case c.Session.IdleWarn.Duration < 10*time.Second:
		return bad("session.idle_warn", "ít nhất 10s (at least 10s)")
	case c.Session.IdleTimeout.Duration <= c.Session.IdleWarn.Duration:
		return bad("session.idle_timeout", "phải lớn hơn session.idle_warn (must exceed session.idle_warn)")
	case c.Session.SubmitWait.Duration < 0 || c.Session.SubmitWait.Duration > time.Minute:
		return bad("session.submit_wait", "0–60s")
	case c.Staff.LockoutAfter < 1:
		return bad("staff.lockout_after", "ít nhất 1 (at least 1)")
	}
	if c.Central.URL != "" {
		if u, err := url.Parse(c.Central.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return bad("central.url", "cần địa chỉ http(s) đầy đủ (want an absolute http(s) URL)")
		}
	}
	switch {
	case c.Staff.SessionIdle.Duration < time.Minute || c.Staff.SessionIdle.Duration > 2*time.Hour:
		return bad("staff.session_idle", "1m–2h")
	case c.Staff.SessionMax.Duration < c.Staff.SessionIdle.Duration || c.Staff.SessionMax.Duration > 24*time.Hour:
		return bad("staff.session_max", "từ staff.session_idle đến 24h (from staff.session_idle to 24h)")
	}
	if c.Paths.Secrets != "" && !strings.HasPrefix(c.Paths.Secrets, "/") {
		return bad("paths.secrets", "cần đường dẫn tuyệt đối (want an absolute path)")
	}
	if err := c.Metrics.validate(); err != nil {
		return err
	}
	if err := c.Logs.validate(); err != nil {
		return err
	}
	return c.Enclosure.validate(c.Session.IdleTimeout.Duration)
}

// Marshal writes a configuration as TOML (what kioskctl provision writes).
func Marshal(c *Config) ([]byte, error) { return toml.Marshal(c) }
