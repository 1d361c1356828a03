package outbox

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tramso/tramso/internal/atomicfile"
)

// Files under Dir/keys (0700); every key file is 0600.
const (
	keysDir        = "keys"
	storageKeyFile = "storage.key"    // 32 random bytes: AES-256-GCM key for data at rest
	deviceKeyFile  = "device-key.pem" // ECDSA P-256: signs manifests, TLS client key
	clientCertFile = "client.pem"     // client certificate issued at enrolment
)

// The store's files, from its folder.
func dbPath(dir string) string   { return filepath.Join(dir, "outbox.db") }
func keyPath(dir string) string  { return filepath.Join(dir, keysDir, storageKeyFile) }
func sealPath(dir string) string { return filepath.Join(dir, keysDir, sealFile) }

// readKey reads an existing storage key, never making one.
func readKey(path string) ([]byte, error) {
	key, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrStorageKeyMissing
	}
	if err != nil {
		return nil, fmt.Errorf("không đọc được khóa lưu trữ (cannot read storage key): %w", err)
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("khóa lưu trữ phải dài 32 byte (storage key must be 32 bytes)")
	}
	return key, nil
}

// writeNew creates path with data, atomically and only if it does not exist yet (temp, fsync, link).
// It returns the content that ends up in path (another process may have won the race).
func writeNew(path string, data []byte) ([]byte, error) {
	f, err := atomicfile.Create(path, 0o600)
	if err != nil {
		return nil, err
	}
	defer f.Abort()
	if _, err := f.Write(data); err != nil {
		return nil, err
	}
	if err := f.CommitNew(); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, err
	}
	return os.ReadFile(path)
}

// errKeyMode refuses a key file that others than its owner may read.
var errKeyMode = errors.New("tệp khóa phải có quyền 0600 (key file must be mode 0600)")

// loadOrCreate reads path, creating it with gen() first if missing. A key file others may read is
// refused with errKeyMode.
func loadOrCreate(path string, gen func() ([]byte, error)) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("%w: %s is mode %04o", errKeyMode, filepath.Base(path), st.Mode().Perm())
		}
		return b, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	data, err := gen()
	if err != nil {
		return nil, err
	}
	return writeNew(path, data)
}

func loadStorageKey(path string) ([]byte, error) {
	key, err := loadOrCreate(path, func() ([]byte, error) {
		k := make([]byte, 32)
		_, err := rand.Read(k)
		return k, err
	})
	if err != nil {
		return nil, keyError("không đọc được khóa lưu trữ", "cannot read storage key", err)
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("khóa lưu trữ phải dài 32 byte (storage key must be 32 bytes)")
	}
	return key, nil
}

// keyError words a failure of loadOrCreate for the key it names (vi, en): errKeyMode is its own
// sentence, with the key as English detail; any other failure gets the key's sentence.
func keyError(vi, en string, err error) error {
	if errors.Is(err, errKeyMode) {
		return fmt.Errorf("%s: %w", en, err)
	}
	return fmt.Errorf("%s (%s): %w", vi, en, err)
}

func loadDeviceKey(path string) (*ecdsa.PrivateKey, error) {
	b, err := loadOrCreate(path, func() ([]byte, error) {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		der, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			return nil, err
		}
		return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), nil
	})
	if err != nil {
		return nil, keyError("không đọc được khóa thiết bị", "cannot read device key", err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("khóa thiết bị hỏng (device key unreadable)")
	}
	k, err := x509.ParseECPrivateKey(block.Bytes)
	if err != nil || k.Curve != elliptic.P256() {
		return nil, fmt.Errorf("khóa thiết bị không phải ECDSA P-256 (device key is not ECDSA P-256)")
	}
	return k, nil
}

// DeviceKey is the kiosk's device key: it signs manifests and is the key of the client certificate.
func (s *Store) DeviceKey() *ecdsa.PrivateKey { return s.deviceKey }

// KioskID is the kiosk's identifier, written into every manifest and receipt number.
func (s *Store) KioskID() string { return s.kioskID }

// ClientCertificate returns the client certificate saved at enrolment, or os.ErrNotExist.
func (s *Store) ClientCertificate() (*tls.Certificate, error) {
	b, err := os.ReadFile(filepath.Join(s.dir, keysDir, clientCertFile))
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalECPrivateKey(s.deviceKey)
	if err != nil {
		return nil, err
	}
	c, err := tls.X509KeyPair(b, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
	if err != nil {
		return nil, fmt.Errorf("chứng thư kiosk không khớp khóa thiết bị (client certificate does not match the device key): %w", err)
	}
	return &c, nil
}

// SaveClientCertificate stores the client certificate issued at enrolment.
func (s *Store) SaveClientCertificate(certPEM []byte) error {
	block, _ := pem.Decode(certPEM)
	if block == nil || block.Type != "CERTIFICATE" {
		return fmt.Errorf("chứng thư nhận được không đọc được (certificate unreadable)")
	}
	return atomicfile.Write(filepath.Join(s.dir, keysDir, clientCertFile), certPEM, 0o600)
}
