package main

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tramso/tramso/kiosk/api/client"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/config"
	"github.com/tramso/tramso/kiosk/daemon"
)

// simKiosk runs kioskd in-process on simulated hardware and returns its socket and sim folder.
func simKiosk(t *testing.T) (socket, dir string) {
	t.Helper()
	dir, err := os.MkdirTemp("", "tkc")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	sim, cfg, err := daemon.StartSim(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- daemon.Run(ctx, daemon.Options{Config: cfg, Sim: sim}) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Error(err)
		}
		sim.Close()
		os.RemoveAll(dir)
	})
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	if _, err := client.New(cfg.Paths.Socket).WaitFor(wctx, func(v wire.View) bool { return v.State == wire.Attract }); err != nil {
		t.Fatal(err)
	}
	return cfg.Paths.Socket, dir
}

func TestTechnicianCommands(t *testing.T) {
	socket, dir := simKiosk(t)
	ctx := context.Background()
	code, out, errs := kioskctl(t, ctx, nil, "status", "--socket", socket)
	if code != 0 || !strings.Contains(out, "SIM-01") || !strings.Contains(out, "printer") {
		t.Fatalf("status: %d %s %s", code, out, errs)
	}
	if code, _, errs := kioskctl(t, ctx, nil, "status", "--socket", filepath.Join(dir, "nope.sock")); code != 1 || !strings.Contains(errs, "systemctl status kioskd") {
		t.Fatalf("status without kioskd: %d %s", code, errs)
	}
	code, out, errs = kioskctl(t, ctx, nil, "selftest", "--config", filepath.Join(dir, "kiosk.toml"))
	if code != 0 || strings.Count(out, "ĐẠT (PASS)") < 7 {
		t.Fatalf("selftest: %d\n%s\n%s", code, out, errs)
	}
	// The same checks as kioskd's staff self-test, in its order, free disk space included.
	at := 0
	for _, dev := range []string{wire.DevicePrinter, wire.DeviceCard, wire.DeviceQR, wire.DeviceScanner, wire.DeviceStore,
		wire.DeviceCentral, wire.DeviceDisk, wire.DeviceFonts, wire.DeviceOCRData} {
		i := strings.Index(out[at:], dev)
		if i < 0 {
			t.Fatalf("selftest does not report %q after position %d:\n%s", dev, at, out)
		}
		at += i + len(dev)
	}
	t.Logf("selftest:\n%s", out)
	code, out, _ = kioskctl(t, ctx, nil, "selftest", "--json", "--config", filepath.Join(dir, "kiosk.toml"))
	var checks []wire.Check
	if err := json.Unmarshal([]byte(out), &checks); code != 0 || err != nil || len(checks) != 9 || checks[6].Device != wire.DeviceDisk {
		t.Fatalf("selftest --json: %d %v %s", code, err, out)
	}
	// A broken device: the self-test fails and says what to try.
	cfg, _ := config.Load(filepath.Join(dir, "kiosk.toml"))
	cfg.Devices.Printer = "serial:" + filepath.Join(dir, "no-printer")
	b, _ := config.Marshal(cfg)
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, b, 0o600)
	code, out, _ = kioskctl(t, ctx, nil, "selftest", "--config", bad)
	if code != 1 || !strings.Contains(out, "LỖI (FAIL)") || !strings.Contains(out, "baud") {
		t.Fatalf("selftest with a missing printer: %d\n%s", code, out)
	}

	bundle := filepath.Join(dir, "b.tar.gz")
	if code, _, errs := kioskctl(t, ctx, nil, "logs", "bundle", "--out", bundle, "--socket", socket, "--config", filepath.Join(dir, "kiosk.toml")); code != 0 {
		t.Fatalf("bundle: %s", errs)
	}
	f, _ := os.Open(bundle)
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	names := map[string]bool{}
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		names[h.Name] = true
		b, _ := io.ReadAll(tr)
		if strings.Contains(string(b), "079092001234") || strings.Contains(string(b), "argon2id") {
			t.Fatalf("%s leaks personal data or the PIN hash", h.Name)
		}
	}
	for _, n := range []string{"status.json", "kiosk.toml", "outbox.json", "versions.txt"} {
		if !names["tramso-support/"+n] {
			t.Errorf("bundle lacks %s", n)
		}
	}
	if got := redact("QR 079092001234||Trần Văn Ẩn|15061992|Nam and phone 0912 345 678"); strings.Contains(got, "Ẩn") || strings.Contains(got, "345") {
		t.Fatalf("redact: %q", got)
	}

	// Provisioning against the simulated kiosk's central development server (plain HTTP on loopback).
	c2, _ := config.Load(filepath.Join(dir, "kiosk.toml"))
	central := c2.Central.URL
	prov := filepath.Join(dir, "prov")
	code, out, errs = kioskctl(t, ctx, nil, "provision", "--central", central, "--token", "T", "--unit", "000.00.21.H26",
		"--kiosk-id", "HN-OCD-09", "--config", filepath.Join(prov, "kiosk.toml"), "--state-dir", filepath.Join(prov, "state"))
	if code != 0 {
		t.Fatalf("provision: %d %s %s", code, out, errs)
	}
	pc, err := config.Load(filepath.Join(prov, "kiosk.toml"))
	if err != nil || pc.Kiosk.ID != "HN-OCD-09" || pc.Central.URL != central {
		t.Fatalf("provisioned config: %v %+v", err, pc)
	}
	if st, err := os.Stat(filepath.Join(prov, "state", "outbox", "keys", "device-key.pem")); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("device key: %v", err)
	}
	if code, _, _ := kioskctl(t, ctx, nil, "provision", "--central", central, "--token", "T", "--unit", "H26", "--kiosk-id", "X1"); code != 2 {
		t.Fatalf("bad unit code: exit %d", code)
	}
}

func TestChownState(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	os.MkdirAll(filepath.Join(state, "outbox", "keys"), 0o700)
	os.WriteFile(filepath.Join(state, "outbox", "keys", "device-key.pem"), []byte("k"), 0o600)
	cfg := filepath.Join(dir, "kiosk.toml")
	os.WriteFile(cfg, []byte("x"), 0o640)
	uid, gid := os.Getuid(), os.Getgid()
	if uid == 0 {
		uid, gid = 65534, 65534 // nobody: proves the owner really changes
	}
	if err := chownState(state, cfg, uid, gid); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{state, filepath.Join(state, "outbox", "keys", "device-key.pem")} {
		st, _ := os.Stat(p)
		sys := st.Sys().(*syscall.Stat_t)
		if int(sys.Uid) != uid || int(sys.Gid) != gid {
			t.Fatalf("%s owned by %d:%d, want %d:%d", p, sys.Uid, sys.Gid, uid, gid)
		}
	}
	st, _ := os.Stat(cfg)
	if int(st.Sys().(*syscall.Stat_t).Gid) != gid {
		t.Fatal("config group not set")
	}
}
