package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProvisionRefusesBadFleetEndpoints: a journal URL that is not https, or one given without the
// CA its server must be pinned to, and a plain-http remote-write URL are refused before anything is
// enrolled or written.
func TestProvisionRefusesBadFleetEndpoints(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "kiosk.toml")
	base := []string{"provision", "--central", "https://127.0.0.1:1", "--token", "T", "--unit", "000.00.21.H26",
		"--kiosk-id", "HN-TEST-01", "--config", cfg, "--state-dir", filepath.Join(dir, "state")}
	for _, tc := range []struct{ args []string }{
		{[]string{"--journal-url", "http://logs.example:19532", "--ca", "/nonexistent.pem"}},
		{[]string{"--journal-url", "https://logs.example:19532"}},
		{[]string{"--metrics-remote-write", "http://metrics.example/api/v1/write"}},
	} {
		code, out, errs := kioskctl(t, ctx, nil, append(base, tc.args...)...)
		if code == 0 || !strings.Contains(errs, "(") {
			t.Errorf("provision %v: exit %d, %s %s", tc.args, code, out, errs)
		}
		if _, err := os.Stat(cfg); err == nil {
			t.Fatalf("provision %v wrote the configuration", tc.args)
		}
		if _, err := os.Stat(filepath.Join(dir, "state")); err == nil {
			t.Fatalf("provision %v made the kiosk's keys", tc.args)
		}
	}
}
