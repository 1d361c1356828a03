package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestExampleParses(t *testing.T) {
	c, err := Parse(Example())
	if err != nil {
		t.Fatal(err)
	}
	if c.Kiosk.ID != "HN-OCD-02" || c.Session.IdleTimeout.Duration != 90*time.Second || c.Devices.ScanResolution != 300 {
		t.Fatalf("%+v", c)
	}
}

func TestErrorsNameTheKey(t *testing.T) {
	for key, edit := range map[string]func(string) string{
		"kiosk.id": func(s string) string { return strings.Replace(s, `id = "HN-OCD-02"`, `id = "hn ocd"`, 1) },
		"kiosk.unit_code": func(s string) string {
			return strings.Replace(s, `unit_code = "000.00.21.H26"`, `unit_code = "H26"`, 1)
		},
		"devices.printer": func(s string) string { return strings.Replace(s, `printer = "serial:`, `printer = "lpt:`, 1) },
		"devices.card_reader": func(s string) string {
			return strings.Replace(s, `card_reader = "pn532:/dev/tramso/nfc"`, `card_reader = ""`, 1)
		},
		"devices.scan_mode":       func(s string) string { return strings.Replace(s, `scan_mode = "gray"`, `scan_mode = "sepia"`, 1) },
		"devices.scan_resolution": func(s string) string { return strings.Replace(s, `scan_resolution = 300`, `scan_resolution = 9000`, 1) },
		"session.idle_timeout":    func(s string) string { return strings.Replace(s, `idle_timeout = "90s"`, `idle_timeout = "30s"`, 1) },
		"session.idle_warn":       func(s string) string { return strings.Replace(s, `idle_warn = "60s"`, `idle_warn = "soon"`, 1) },
		"devices.printr":          func(s string) string { return strings.Replace(s, `printer_profile`, `printr`, 1) },
		"staff.pin_hash": func(s string) string {
			return strings.Replace(s, "lockout_after = 5", "pin_hash = \"$argon2id$v=19$m=65536,t=3,p=2$AA$AA\"\nlockout_after = 5", 1)
		},
		"staff.session_max": func(s string) string { return strings.Replace(s, `session_max = "8h"`, `session_max = "10m"`, 1) },
		"enclosure.door":    func(s string) string { return strings.Replace(s, `door = ""`, `door = "DOOR SWITCH"`, 1) },
		"enclosure.presence": func(s string) string {
			return strings.Replace(strings.Replace(s, `door = ""`, `door = "!GPIO17"`, 1), `presence = ""`, `presence = "GPIO17"`, 1)
		},
		"enclosure.absent_timeout": func(s string) string {
			return strings.Replace(strings.Replace(s, `absent_timeout = "30s"`, `absent_timeout = "5m"`, 1), `presence = ""`, `presence = "PIR"`, 1)
		},
		"paths.secrets": func(s string) string { return strings.Replace(s, `secrets = ""`, `secrets = "secrets.toml"`, 1) },
		"paths.socket": func(s string) string {
			return strings.Replace(s, `socket = "/run/tramso/kiosk.sock"`, `socket = "kiosk.sock"`, 1)
		},
	} {
		_, err := Parse([]byte(edit(string(Example()))))
		var ke *KeyError
		if !errors.Is(err, ErrConfig) || !errors.As(err, &ke) || ke.Key != key {
			t.Errorf("%s: got %v", key, err)
		}
	}
	if _, err := Parse([]byte("[kiosk\nid=")); !errors.Is(err, ErrConfig) {
		t.Errorf("broken TOML: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(Example())
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Parse(b)
		if err == nil && c.Validate() != nil {
			t.Fatal("Parse accepted what Validate rejects")
		}
	})
}
