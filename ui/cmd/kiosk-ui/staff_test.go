//go:build !nosim

package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/kiosk/api/client"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/daemon"
	_ "github.com/tramso/tramso/ui/internal/uitest" // an X display for Ebiten's start-up
	"github.com/tramso/tramso/ui/screens"
)

// The staff screens' calls, made by the game's helper goroutine against a real simulated kioskd.
func TestStaffCallsAgainstKioskd(t *testing.T) {
	dir, err := os.MkdirTemp("", "tramso-ui-") // short: unix socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sim, cfg, err := daemon.StartSim(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	done := make(chan error, 1)
	go func() { done <- daemon.Run(ctx, daemon.Options{Config: cfg, Sim: sim}) }()
	defer func() { cancel(); <-done }()
	wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
	defer wcancel()
	if _, err := client.New(cfg.Paths.Socket).WaitFor(wctx, func(v wire.View) bool { return v.State == wire.Attract }); err != nil {
		t.Fatal(err)
	}
	pin, err := os.ReadFile(filepath.Join(dir, daemon.SimStaffPINFile))
	if err != nil {
		t.Fatal(err)
	}

	g := &game{events: make(chan event, 16), wake: make(chan struct{}, 1)}
	reqs := make(chan screens.StaffRequest)
	go g.staff(ctx, cfg.Paths.Socket, reqs)
	call := func(r screens.StaffRequest) screens.StaffResult {
		t.Helper()
		reqs <- r
		select {
		case e := <-g.events:
			if e.staff == nil || e.staff.Kind != r.Kind {
				t.Fatalf("%s: got event %+v", r.Kind, e)
			}
			return *e.staff
		case <-time.After(40 * time.Second):
			t.Fatalf("%s: no answer", r.Kind)
		}
		return screens.StaffResult{}
	}

	if r := call(screens.StaffRequest{Kind: screens.StaffDossiers}); r.Err == "" {
		t.Error("today's dossiers shown without a staff session")
	}
	if r := call(screens.StaffRequest{Kind: screens.StaffLogin, PIN: "000000x"}); r.Err == "" || !strings.Contains(r.Err, "PIN") {
		t.Errorf("a wrong PIN: %q, want a worded refusal naming the PIN", r.Err)
	}
	if r := call(screens.StaffRequest{Kind: screens.StaffLogin, PIN: strings.TrimSpace(string(pin))}); r.Err != "" {
		t.Fatalf("the right PIN refused: %s", r.Err)
	}
	if r := call(screens.StaffRequest{Kind: screens.StaffDossiers}); r.Err != "" || r.Dossiers == nil {
		t.Errorf("today's dossiers: %q %v", r.Err, r.Dossiers)
	}
	if r := call(screens.StaffRequest{Kind: screens.StaffDevices}); r.Err != "" || r.Devices["printer"] == nil {
		t.Errorf("device status: %q %v", r.Err, r.Devices)
	}
	// The technician's functions need the technician's PIN.
	if r := call(screens.StaffRequest{Kind: screens.StaffSelfTest}); !strings.Contains(r.Err, "kỹ thuật viên") {
		t.Errorf("self-test with the staff PIN: %q, want a refusal naming the technician", r.Err)
	}
	tech, err := os.ReadFile(filepath.Join(dir, daemon.SimTechnicianPINFile))
	if err != nil {
		t.Fatal(err)
	}
	if r := call(screens.StaffRequest{Kind: screens.StaffLogin, PIN: strings.TrimSpace(string(tech))}); r.Err != "" {
		t.Fatalf("the technician's PIN refused: %s", r.Err)
	}
	r := call(screens.StaffRequest{Kind: screens.StaffSelfTest})
	if r.Err != "" || len(r.Checks) < 5 {
		t.Fatalf("self-test: %q, %d checks", r.Err, len(r.Checks))
	}
	for _, c := range r.Checks {
		if !c.OK {
			t.Errorf("self-test on the healthy simulated kiosk: %s: %s", c.Device, c.Result)
		}
	}
	if r := call(screens.StaffRequest{Kind: screens.StaffTestPage}); r.Err != "" || r.Note == "" {
		t.Errorf("printer test page: %q %q", r.Err, r.Note)
	}
	if r := call(screens.StaffRequest{Kind: screens.StaffReprint, ID: 999}); r.Err == "" {
		t.Error("reprinting a dossier that does not exist succeeded")
	}
	call(screens.StaffRequest{Kind: screens.StaffLogout})
	if r := call(screens.StaffRequest{Kind: screens.StaffDossiers}); r.Err == "" {
		t.Error("the staff session outlived the log-out")
	}
}
