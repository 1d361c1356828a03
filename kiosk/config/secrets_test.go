package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const aHash = "$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"

// The PIN hashes never go into kiosk.toml, which kiosk-ui's group may read.
func TestSecretsStayOutOfKioskToml(t *testing.T) {
	c, err := Parse(Example())
	if err != nil {
		t.Fatal(err)
	}
	c.Staff.PINHash, c.Staff.TechnicianPINHash = aHash, aHash
	b, err := Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "argon2id") {
		t.Fatalf("kiosk.toml carries a PIN hash:\n%s", b)
	}
	// A kiosk.toml that still has one is refused with a worded reason, never silently used.
	old := strings.Replace(string(Example()), "lockout_after = 5", "pin_hash = \""+aHash+"\"\nlockout_after = 5", 1)
	_, err = Parse([]byte(old))
	var ke *KeyError
	if !errors.As(err, &ke) || ke.Key != "staff.pin_hash" || !strings.Contains(err.Error(), "set-pin") {
		t.Fatalf("pin_hash in kiosk.toml: %v", err)
	}
	if c.Paths.SecretsFile() != "/var/lib/tramso/secrets.toml" {
		t.Fatalf("default secrets file %s", c.Paths.SecretsFile())
	}
}

func TestSecretsFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, SecretsName)
	// No file: no PINs, not an error.
	s, err := LoadSecrets(path)
	if err != nil || *s != (Secrets{}) {
		t.Fatalf("missing file: %+v %v", s, err)
	}
	if err := WriteSecrets(path, &Secrets{StaffPINHash: aHash}); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("written with mode %v", st.Mode())
	}
	s, err = LoadSecrets(path)
	if err != nil || s.StaffPINHash != aHash || s.TechnicianPINHash != "" {
		t.Fatalf("round trip: %+v %v", s, err)
	}
	c := Default()
	c.Staff.TechnicianPINHash = "kept"
	c.Apply(&Secrets{StaffPINHash: aHash, TechnicianPINHash: aHash})
	if c.Staff.PINHash != aHash || c.Staff.TechnicianPINHash != "kept" {
		t.Fatalf("apply: %+v", c.Staff)
	}
	// Readable by the group (kiosk-ui's) or by others: refused, naming the file and the fix.
	for _, mode := range []os.FileMode{0o640, 0o604, 0o644} {
		os.Chmod(path, mode)
		_, err := LoadSecrets(path)
		if !errors.Is(err, ErrSecrets) || !strings.Contains(err.Error(), "chmod 600") || !strings.Contains(err.Error(), path) {
			t.Errorf("mode %v: %v", mode, err)
		}
	}
	os.Chmod(path, 0o600)
	for _, bad := range []string{`staff_pin_hash = "123456"`, `pin = "1"`, `staff_pin_hash = `} {
		os.WriteFile(path, []byte(bad), 0o600)
		if _, err := LoadSecrets(path); !errors.Is(err, ErrSecrets) {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := LoadSecrets(dir); !errors.Is(err, ErrSecrets) {
		t.Error("a folder accepted as the secrets file")
	}
}

func TestEnclosureLines(t *testing.T) {
	c, err := Parse(Example())
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Enclosure.Lines()) != 0 {
		t.Fatalf("the example configures lines: %v", c.Enclosure.Lines())
	}
	s := strings.Replace(string(Example()), `door = ""`, `door = "!CAB_DOOR"`, 1)
	s = strings.Replace(s, `card_lamp = ""`, `card_lamp = "LAMP_CARD"`, 1)
	if c, err = Parse([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if l := c.Enclosure.Lines(); len(l) != 2 || l["enclosure.door"] != "!CAB_DOOR" || l["enclosure.card_lamp"] != "LAMP_CARD" {
		t.Fatalf("lines %v", l)
	}
}

func FuzzParseSecrets(f *testing.F) {
	f.Add([]byte("staff_pin_hash = \"" + aHash + "\"\n"))
	f.Add([]byte("technician_pin_hash = \"\"\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseSecrets(b)
		if err == nil && ((s.StaffPINHash != "" && !strings.HasPrefix(s.StaffPINHash, "$argon2id$")) ||
			(s.TechnicianPINHash != "" && !strings.HasPrefix(s.TechnicianPINHash, "$argon2id$"))) {
			t.Fatal("accepted a hash that is not argon2id")
		}
	})
}

func TestSetPINKeepsTheOther(t *testing.T) {
	path := filepath.Join(t.TempDir(), SecretsName)
	if err := SetPIN(path, false, aHash); err != nil {
		t.Fatal(err)
	}
	other := strings.Replace(aHash, "a2V5", "b2V5", 1)
	if err := SetPIN(path, true, other); err != nil {
		t.Fatal(err)
	}
	s, err := LoadSecrets(path)
	if err != nil || s.StaffPINHash != aHash || s.TechnicianPINHash != other {
		t.Fatalf("%+v %v", s, err)
	}
	if err := SetPIN(path, false, "123456"); !errors.Is(err, ErrSecrets) {
		t.Fatalf("a PIN instead of its hash: %v", err)
	}
}

// Without a presence sensor, absent_timeout is not checked against a short idle timeout.
func TestAbsentTimeoutOnlyWithPresence(t *testing.T) {
	s := strings.Replace(string(Example()), `idle_timeout = "90s"`, `idle_timeout = "20s"`, 1)
	s = strings.Replace(s, `idle_warn = "60s"`, `idle_warn = "15s"`, 1)
	if _, err := Parse([]byte(s)); err != nil {
		t.Fatalf("short idle timeout, no presence line: %v", err)
	}
	if _, err := Parse([]byte(strings.Replace(s, `presence = ""`, `presence = "PIR"`, 1))); err == nil {
		t.Fatal("absent_timeout longer than idle_timeout accepted with a presence line")
	}
}
