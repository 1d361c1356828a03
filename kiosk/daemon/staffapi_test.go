//go:build !nosim

package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/kiosk/config"
)

// call makes one local-API request over the unix socket and returns the status, decoding the
// answer into out (nil: dropped).
func call(t *testing.T, socket, method, path, token string, body, out any) int {
	t.Helper()
	hc := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", socket)
		}}}
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, "http://kioskd"+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

type login struct {
	Token     string    `json:"token"`
	Role      string    `json:"role"`
	ExpiresAt time.Time `json:"expiresAt"`
	Detail    string    `json:"detail"`
}

func simPIN(t *testing.T, k *kiosk, file string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(k.sim.Dir, file))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// Staff and technician sessions through the local API of a simulated kiosk: the PIN hashes come
// from the secrets file; a staff token cannot do a technician's work; logout ends a token; wrong
// PINs are counted in the state folder.
func TestStaffAndTechnicianAccess(t *testing.T) {
	k := startKiosk(t, nil)
	sock := k.cfg.Paths.Socket
	if b, _ := os.ReadFile(filepath.Join(k.sim.Dir, "kiosk.toml")); bytes.Contains(b, []byte("argon2")) {
		t.Fatal("the simulated kiosk's kiosk.toml carries a PIN hash")
	}
	if st, err := os.Stat(k.cfg.Paths.SecretsFile()); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("secrets file: %v", err)
	}

	var s login
	if code := call(t, sock, "POST", "/v1/staff/login", "", map[string]string{"pin": simPIN(t, k, SimStaffPINFile)}, &s); code != 200 || s.Role != "staff" {
		t.Fatalf("staff login: %d %+v", code, s)
	}
	if d := time.Until(s.ExpiresAt); d < 7*time.Hour || d > 8*time.Hour+time.Minute {
		t.Fatalf("staff session expires in %v, want 8 h", d)
	}
	if code := call(t, sock, "GET", "/v1/staff/devices", s.Token, nil, nil); code != 200 {
		t.Fatalf("staff devices: %d", code)
	}
	for _, path := range []string{"/v1/staff/selftest", "/v1/staff/printer/test"} {
		var p login
		if code := call(t, sock, "POST", path, s.Token, nil, &p); code != http.StatusForbidden || !strings.Contains(p.Detail, "kỹ thuật viên") {
			t.Errorf("%s with a staff token: %d %q, want 403 naming the technician", path, code, p.Detail)
		}
	}
	if code := call(t, sock, "POST", "/v1/staff/logout", s.Token, nil, nil); code != http.StatusNoContent {
		t.Fatalf("logout: %d", code)
	}
	if code := call(t, sock, "GET", "/v1/staff/dossiers", s.Token, nil, nil); code != http.StatusUnauthorized {
		t.Fatalf("token after logout: %d, want 401", code)
	}

	var tech login
	if code := call(t, sock, "POST", "/v1/staff/login", "", map[string]string{"pin": simPIN(t, k, SimTechnicianPINFile)}, &tech); code != 200 || tech.Role != "technician" {
		t.Fatalf("technician login: %d %+v", code, tech)
	}
	if code := call(t, sock, "GET", "/v1/staff/dossiers", tech.Token, nil, nil); code != 200 {
		t.Fatalf("technician reading the dossiers: %d", code)
	}
	if code := call(t, sock, "POST", "/v1/staff/printer/test", tech.Token, nil, nil); code != 200 {
		t.Fatalf("technician printer test page: %d", code)
	}

	// A wrong PIN is counted in the state folder (so a restart does not forget it).
	if code := call(t, sock, "POST", "/v1/staff/login", "", map[string]string{"pin": "000000"}, nil); code != http.StatusUnauthorized {
		t.Fatalf("wrong PIN: %d", code)
	}
	b, err := os.ReadFile(filepath.Join(k.cfg.Paths.StateDir, "staff-lockout.json"))
	if err != nil || !bytes.Contains(b, []byte(`"fails":1`)) {
		t.Fatalf("lockout state: %v %s", err, b)
	}
}

// kioskd does not start when its secrets file can be read by kiosk-ui's group or by others.
func TestStaffSecretsReadableRefused(t *testing.T) {
	_, sim, cfg := simulated(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := os.Chmod(cfg.Paths.SecretsFile(), 0o640); err != nil {
		t.Fatal(err)
	}
	err := Run(ctx, Options{Config: cfg, Sim: sim})
	if !errors.Is(err, config.ErrSecrets) || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("kioskd with a group-readable secrets file: %v", err)
	}
	if _, err := os.Stat(cfg.Paths.Socket); err == nil {
		t.Fatal("the local API is listening")
	}
}
