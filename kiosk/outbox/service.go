package outbox

import (
	"crypto/ecdsa"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tramso/tramso/internal/atomicfile"
)

// ErrOutOfService is the kind (errors.Is) of a store that could not be opened for service: its
// database is damaged (ErrCorrupt) or does not match its seal (ErrSealBroken).
var ErrOutOfService = errors.New("kho hồ sơ ngừng phục vụ, kiosk không nhận hồ sơ (dossier store out of service; the kiosk takes no dossiers)")

// Unusable reports whether err, from Open, means the store's data cannot be used as it is (a damaged
// database, or one that does not match its seal), as opposed to a fault of the machine (rights,
// a full disk): the kiosk then starts out of service instead of not at all.
func Unusable(err error) bool {
	return errors.Is(err, ErrCorrupt) || errors.Is(err, ErrSealBroken)
}

// OutOfService returns a store that holds nothing and takes nothing, for a kiosk whose outbox in dir
// could not be opened (reason, from Open): the kiosk keeps running for staff and the technician
// while the attract screen says it is out of service. Captures fail with reason, QuickCheck
// reports it, lists are empty. Nothing is written in dir.
func OutOfService(dir string, opts Options, reason error) (*Store, error) {
	db, err := sql.Open("sqlite", "file:outofservice?mode=memory")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.FreeSpace == nil {
		opts.FreeSpace = statfsFree
	}
	s := &Store{dir: dir, db: db, opts: opts, log: log, kioskID: opts.KioskID, unavailable: reason}
	// The device key is read if there is one (the staff screens show the certificate), never made.
	if b, err := os.ReadFile(filepath.Join(dir, keysDir, deviceKeyFile)); err == nil && len(b) > 0 {
		if k, err := loadDeviceKey(filepath.Join(dir, keysDir, deviceKeyFile)); err == nil {
			s.deviceKey = k
		}
	}
	if s.deviceKey == nil {
		s.deviceKey = &ecdsa.PrivateKey{} // no key: signing fails, nothing else uses it out of service
	}
	return s, nil
}

// Unavailable returns why the store is out of service (wrapping ErrOutOfService and the cause), or nil.
func (s *Store) Unavailable() error {
	if s.unavailable == nil {
		return nil
	}
	return &outOfService{s.unavailable}
}

type outOfService struct{ cause error }

func (e *outOfService) Error() string        { return e.cause.Error() }
func (e *outOfService) Unwrap() error        { return e.cause }
func (e *outOfService) Is(target error) bool { return target == ErrOutOfService }

// SetAside renames the damaged database of the store in dir (with its WAL and shared-memory files)
// to outbox.db.damaged-<UTC time>, keeping it for kioskctl outbox salvage: it is never deleted. It
// returns the new path of the database file.
func SetAside(dir string, now time.Time) (string, error) {
	stamp := now.UTC().Format("20060102T150405Z")
	to := dbPath(dir) + ".damaged-" + stamp
	for _, suffix := range []string{"-wal", "-shm", ""} {
		from := dbPath(dir) + suffix
		if _, err := os.Lstat(from); errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err := os.Rename(from, to+suffix); err != nil {
			return "", fmt.Errorf("không đổi tên được cơ sở dữ liệu hỏng (cannot set the damaged database aside): %w", err)
		}
	}
	if err := atomicfile.SyncDir(dir); err != nil {
		return "", err
	}
	return to, nil
}

// damagedDatabases lists the databases set aside in dir, newest first.
func damagedDatabases(dir string) []string {
	m, _ := filepath.Glob(dbPath(dir) + ".damaged-*")
	var out []string
	for i := len(m) - 1; i >= 0; i-- {
		if !strings.HasSuffix(m[i], "-wal") && !strings.HasSuffix(m[i], "-shm") {
			out = append(out, m[i])
		}
	}
	return out
}
