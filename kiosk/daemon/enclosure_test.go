//go:build !nosim

package daemon

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/kiosk/api/client"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/config"
)

type simCabinet struct {
	Door, Presence, PaperNearEnd bool
	Lamps                        map[string]string
}

func (k *kiosk) cabinet() simCabinet {
	k.t.Helper()
	var s simCabinet
	if err := k.c.Sim(k.ctx(10*time.Second), http.MethodGet, "enclosure", nil, &s); err != nil {
		k.t.Fatal(err)
	}
	return s
}

func (k *kiosk) waitCabinet(what string, ok func(simCabinet) bool) {
	k.t.Helper()
	for end := time.Now().Add(10 * time.Second * raceSlowdown); ; time.Sleep(50 * time.Millisecond) {
		s := k.cabinet()
		if ok(s) {
			return
		}
		if time.Now().After(end) {
			k.t.Fatalf("%s: cabinet %+v", what, s)
		}
	}
}

func (k *kiosk) health() map[string]any {
	k.t.Helper()
	h, err := k.c.Health(k.ctx(10 * time.Second))
	if err != nil {
		k.t.Fatal(err)
	}
	return h
}

// The simulated kiosk's cabinet: the card lamp during the card step, the door's alarm (staff
// sessions ended, shown in the health, the attract screen in maintenance and no session started),
// the paper near-end wire in the printer's status, and a session nobody stands at ended sooner
// than the idle timeout.
func TestEnclosureOnSimulatedKiosk(t *testing.T) {
	k := startKiosk(t, func(c *config.Config) { c.Enclosure.AbsentTimeout.Duration = 10 * time.Second })
	s := k.cabinet()
	if s.Door || !s.Presence || s.Lamps["card"] != "off" || s.Lamps["receipt"] != "off" || s.Lamps["fault"] != "off" {
		t.Fatalf("at start: %+v", s)
	}
	if h := k.health(); h["door"] != "đóng (closed)" || h["doorAlarm"] != nil {
		t.Fatalf("health at start: door %v alarm %v", h["door"], h["doorAlarm"])
	}

	// The card lamp lights for the card step, from kioskd's state.
	k.control(http.MethodPost, "qr", map[string]any{"citizen": citizen})
	k.waitFor("card step", 10*time.Second, func(v wire.View) bool { return v.State == wire.Identify && v.Step == wire.StepCard })
	k.waitCabinet("card lamp on", func(s simCabinet) bool { return s.Lamps["card"] == "on" })

	// Someone stands there without tapping for longer than absent_timeout: the session stays.
	time.Sleep(11 * time.Second)
	if v, err := k.c.View(k.ctx(10 * time.Second)); err != nil || v.State != wire.Identify {
		t.Fatalf("the session of someone present ended: %+v %v", v.State, err)
	}

	// Nobody in front of the kiosk: the session ends after absent_timeout (10 s), long before
	// session.idle_timeout (90 s).
	k.control(http.MethodPost, "enclosure", map[string]any{"presence": false})
	left := time.Now()
	k.waitFor("attract after nobody stood there", 40*time.Second, func(v wire.View) bool { return v.State == wire.Attract })
	if d := time.Since(left); d < 9*time.Second {
		t.Fatalf("session ended %v after the citizen left, want about 10 s", d)
	}
	k.waitCabinet("card lamp off", func(s simCabinet) bool { return s.Lamps["card"] == "off" })
	k.control(http.MethodPost, "enclosure", map[string]any{"presence": true})
	k.waitFor("presence in the view", 10*time.Second, func(v wire.View) bool { return v.Presence })

	// A staff session, then the door opens with no technician logged in.
	var s1 login
	if code := call(t, k.cfg.Paths.Socket, "POST", "/v1/staff/login", "", map[string]string{"pin": simPIN(t, k, SimStaffPINFile)}, &s1); code != 200 {
		t.Fatalf("staff login: %d", code)
	}
	k.control(http.MethodPost, "enclosure", map[string]any{"door": true})
	k.waitFor("maintenance", 10*time.Second, func(v wire.View) bool { return v.State == wire.Attract && v.Maintenance })
	if code := call(t, k.cfg.Paths.Socket, "GET", "/v1/staff/dossiers", s1.Token, nil, nil); code != http.StatusUnauthorized {
		t.Fatalf("staff token after the door opened: %d, want 401", code)
	}
	h := k.health()
	if h["door"] != "mở (open)" || !strings.Contains(h["doorAlarm"].(string), "ngoài phiên kỹ thuật viên") {
		t.Fatalf("health with the door open: door %v alarm %v", h["door"], h["doorAlarm"])
	}
	_, err := k.c.Act(k.ctx(10*time.Second), wire.ActStart, "")
	var p *client.Problem
	if !errors.As(err, &p) || p.Status != http.StatusConflict || !strings.Contains(p.Detail, "bảo trì") {
		t.Fatalf("start with the door open: %v", err)
	}
	k.control(http.MethodPost, "enclosure", map[string]any{"door": false})
	k.waitFor("maintenance over", 10*time.Second, func(v wire.View) bool { return !v.Maintenance })

	// With a technician logged in, opening the door is their visit: their session stays.
	var tech login
	call(t, k.cfg.Paths.Socket, "POST", "/v1/staff/login", "", map[string]string{"pin": simPIN(t, k, SimTechnicianPINFile)}, &tech)
	k.control(http.MethodPost, "enclosure", map[string]any{"door": true})
	k.waitFor("maintenance", 10*time.Second, func(v wire.View) bool { return v.Maintenance })
	if code := call(t, k.cfg.Paths.Socket, "GET", "/v1/staff/devices", tech.Token, nil, nil); code != 200 {
		t.Fatalf("technician's token after the door opened during the visit: %d", code)
	}
	if h := k.health(); !strings.Contains(h["doorAlarm"].(string), " 1 ") {
		t.Fatalf("a technician's visit counted as an alarm: %v", h["doorAlarm"])
	}
	k.control(http.MethodPost, "enclosure", map[string]any{"door": false})

	// A device fault lights the fault lamp, and it goes out with the fault.
	k.control(http.MethodPost, "printer", map[string]any{"fault": "paper-out"})
	k.waitCabinet("fault lamp on", func(s simCabinet) bool { return s.Lamps["fault"] == "on" })
	k.control(http.MethodPost, "printer", map[string]any{"fault": "paper-in"})
	k.waitCabinet("fault lamp off", func(s simCabinet) bool { return s.Lamps["fault"] == "off" })

	// The paper near-end wire shows in the printer's status.
	if strings.Contains(k.health()["printer"].(string), "sắp hết") {
		t.Fatal("near-end before the wire said so")
	}
	k.control(http.MethodPost, "enclosure", map[string]any{"paperNearEnd": true})
	k.waitCabinet("wire", func(s simCabinet) bool { return s.PaperNearEnd })
	for end := time.Now().Add(10 * time.Second * raceSlowdown); !strings.Contains(k.health()["printer"].(string), "sắp hết"); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("printer status with the near-end wire set: %v", k.health()["printer"])
		}
	}
}

// A kiosk with no enclosure line serves the session as it is, with no cabinet in its health.
func TestEnclosureNoneConfigured(t *testing.T) {
	d := &Daemon{cfg: config.Default()}
	stop := d.startEnclosure(t.Context(), nil, false)
	stop()
	if _, ok := d.apiSession().(cabinetSession); ok {
		t.Fatal("the session is wrapped with no enclosure configured")
	}
	if h := d.enclosureHealth(); len(h) != 0 {
		t.Fatalf("health %v", h)
	}
}
