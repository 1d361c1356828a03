//go:build !nosim

package daemon

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/config"
	"github.com/tramso/tramso/kiosk/outbox"
)

// checkOutOfService checks a kiosk running out of service: the attract view says so and where to
// go, no session starts, the health names the fault, and staff and the technician still log in.
func checkOutOfService(t *testing.T, k *kiosk, fault string) {
	t.Helper()
	v, err := k.c.View(k.ctx(5 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	m := v.OutOfService
	if v.State != wire.Attract || m == nil || !strings.Contains(m.Vi, "tạm ngừng phục vụ") || !strings.Contains(m.Vi, "quầy") ||
		!strings.Contains(m.Vi, k.cfg.Kiosk.UnitName) || !strings.Contains(m.En, "out of service") {
		t.Fatalf("attract view out of service: %+v", m)
	}
	if v, err := k.c.Act(k.ctx(5*time.Second), wire.ActStart, ""); err == nil && v.State != wire.Attract {
		t.Fatalf("a session started out of service: %s", v.State)
	}
	h, err := k.c.Health(k.ctx(5 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if h["status"] != "degraded" || h["outOfService"] != true || !strings.Contains(h["outbox"].(string), fault) {
		t.Fatalf("health %v", h)
	}
	for _, pin := range []string{SimStaffPINFile, SimTechnicianPINFile} {
		var s login
		if code := call(t, k.cfg.Paths.Socket, "POST", "/v1/staff/login", "", map[string]string{"pin": simPIN(t, k, pin)}, &s); code != 200 {
			t.Fatalf("login %s out of service: %d", pin, code)
		}
		if code := call(t, k.cfg.Paths.Socket, "GET", "/v1/staff/dossiers", s.Token, nil, nil); code != http.StatusOK {
			t.Fatalf("staff dossiers out of service: %d", code)
		}
	}
}

// A damaged outbox database (garbage, truncated) does not stop kioskd (exit 1 under
// Restart=always is a reboot loop): it runs out of service, and the damaged file is kept aside.
func TestOutboxDamagedDatabaseOutOfService(t *testing.T) {
	garbage := bytes.Repeat([]byte("hỏng \x00\xff garbage "), 700)[:9000]
	var dir string
	k := startKiosk(t, func(c *config.Config) {
		dir = filepath.Join(c.Paths.StateDir, "outbox")
		os.MkdirAll(dir, 0o700)
		if err := os.WriteFile(filepath.Join(dir, "outbox.db"), garbage, 0o600); err != nil {
			t.Fatal(err)
		}
	})
	checkOutOfService(t, k, "cơ sở dữ liệu hàng đợi hỏng")
	kept, _ := filepath.Glob(filepath.Join(dir, "outbox.db.damaged-*"))
	if len(kept) != 1 {
		t.Fatalf("damaged database not kept aside: %v", kept)
	}
	if b, err := os.ReadFile(kept[0]); err != nil || !bytes.Equal(b, garbage) {
		t.Fatalf("kept file changed: %v", err)
	}
}

// An emptied database (the seal names another) also runs out of service; nothing is set aside.
func TestOutboxReplacedDatabaseOutOfService(t *testing.T) {
	var dir string
	k := startKiosk(t, func(c *config.Config) {
		dir = filepath.Join(c.Paths.StateDir, "outbox")
		s, err := outbox.Open(context.Background(), dir, outbox.Options{KioskID: c.Kiosk.ID})
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		os.Remove(filepath.Join(dir, "outbox.db"))
	})
	checkOutOfService(t, k, "outbox.db")
	if kept, _ := filepath.Glob(filepath.Join(dir, "outbox.db.damaged-*")); len(kept) != 0 {
		t.Fatalf("a sound database was set aside: %v", kept)
	}
}
