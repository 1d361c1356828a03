package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/tramso/tramso/internal/atomicfile"
)

// SecretsName is the secrets file's name in the state folder (the default paths.secrets).
const SecretsName = "secrets.toml"

// Secrets are what only kioskd's user may read: the staff and technician PIN hashes. They live
// apart from kiosk.toml, which kiosk-ui's group may read (with the hashes it could try every
// 6-digit PIN offline).
type Secrets struct {
	StaffPINHash      string `toml:"staff_pin_hash"`
	TechnicianPINHash string `toml:"technician_pin_hash"`
}

// ErrSecrets is wrapped by every error about the secrets file.
var ErrSecrets = errors.New("tệp bí mật của kioskd không dùng được (kioskd's secrets file is unusable)")

// LoadSecrets reads the secrets file. A missing file is no secrets (nobody can log in as staff
// until a PIN is set). A file that its group or others may read, or that is not a regular file, is
// refused: kioskd does not start until it is fixed.
func LoadSecrets(path string) (*Secrets, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Secrets{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSecrets, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSecrets, err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s không phải tệp thường (is not a regular file)", ErrSecrets, path)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s có quyền %04o, nhóm hoặc người khác đọc được mã băm PIN; chạy chmod 600 %s "+
			"(mode %04o lets its group or others read the PIN hashes; run chmod 600)", ErrSecrets, path, perm, path, perm)
	}
	var b bytes.Buffer
	if _, err := b.ReadFrom(f); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSecrets, err)
	}
	return ParseSecrets(b.Bytes())
}

// ParseSecrets decodes and checks a secrets file's content.
func ParseSecrets(b []byte) (*Secrets, error) {
	var s Secrets
	if err := toml.NewDecoder(bytes.NewReader(b)).DisallowUnknownFields().Decode(&s); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSecrets, err)
	}
	for key, h := range map[string]string{"staff_pin_hash": s.StaffPINHash, "technician_pin_hash": s.TechnicianPINHash} {
		if h != "" && !strings.HasPrefix(h, "$argon2id$") {
			return nil, fmt.Errorf("%w: %w", ErrSecrets, &KeyError{key, "cần mã băm argon2id; đặt bằng kioskctl staff set-pin (want an argon2id hash)"})
		}
	}
	return &s, nil
}

// WriteSecrets replaces the secrets file atomically, mode 0600.
func WriteSecrets(path string, s *Secrets) error {
	var b bytes.Buffer
	b.WriteString("# Bí mật của kioskd: chỉ tài khoản tramso đọc (kioskd's secrets: only user tramso reads this file).\n" +
		"# Đặt bằng (set with): kioskctl staff set-pin [--technician]\n")
	if err := toml.NewEncoder(&b).Encode(s); err != nil {
		return err
	}
	if _, err := ParseSecrets(b.Bytes()); err != nil {
		return err
	}
	if err := atomicfile.Write(path, b.Bytes(), 0o600); err != nil {
		return fmt.Errorf("%w: %w", ErrSecrets, err)
	}
	return nil
}

// Apply fills the configuration's PIN hashes from the secrets, keeping any already set in memory.
func (c *Config) Apply(s *Secrets) {
	if c.Staff.PINHash == "" {
		c.Staff.PINHash = s.StaffPINHash
	}
	if c.Staff.TechnicianPINHash == "" {
		c.Staff.TechnicianPINHash = s.TechnicianPINHash
	}
}

// SetPIN puts a PIN hash (staff.HashPIN) into the secrets file at path, keeping the other one:
// the technician's when technician is set, else the staff's.
func SetPIN(path string, technician bool, hash string) error {
	s, err := LoadSecrets(path)
	if err != nil {
		return err
	}
	if technician {
		s.TechnicianPINHash = hash
	} else {
		s.StaffPINHash = hash
	}
	return WriteSecrets(path, s)
}
