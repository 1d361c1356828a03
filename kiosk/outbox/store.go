// Package outbox is the kiosk's durable dossier store and its uploader: a dossier is committed to
// SQLite (WAL, synchronous=FULL) with its attachments as content-addressed, encrypted files before the
// citizen is told it was received, and an Uploader delivers it to the central system exactly once,
// resuming uploads and retrying with backoff, whatever happens to the network, the server or the power.
//
// States: captured → queued → uploading → accepted (official dossier code) or rejected (reason);
// every change is recorded with the device's time in an audit table. Personal data never leaves the
// encrypted payload: the plain columns hold codes, states, hashes and times only.
package outbox

import (
	"context"
	"crypto/cipher"
	"crypto/ecdsa"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/tramso/tramso/internal/atomicfile"
	"github.com/tramso/tramso/kiosk/dossier"
)

// States of a dossier in the outbox.
const (
	StateCaptured  = "captured"  // committed locally, not yet released for upload
	StateQueued    = "queued"    // waiting for the uploader
	StateUploading = "uploading" // the uploader has started on it (it resumes after a restart)
	StateAccepted  = "accepted"  // the central system issued the official dossier code
	StateRejected  = "rejected"  // the central system refused it; Reason says why
	// StateNeedsStaff: its stored files are missing or damaged, so it cannot be sent; Reason says
	// why. Staff take the citizen's papers again (or a technician restores the files and retries).
	StateNeedsStaff = "needs-staff"
)

// Sentinel errors, to be tested with errors.Is.
var (
	ErrDiskFull        = errors.New("bộ nhớ kiosk sắp đầy, tạm ngừng nhận hồ sơ mới, hãy gọi kỹ thuật viên (kiosk storage almost full, new dossiers refused; call a technician)")
	ErrCorrupt         = errors.New("cơ sở dữ liệu hàng đợi hỏng, không ghi gì thêm, hãy gọi kỹ thuật viên (outbox database failed its integrity check; nothing written; call a technician)")
	ErrNotFound        = errors.New("không có hồ sơ này trong hàng đợi (no such dossier in the outbox)")
	ErrPurged          = errors.New("dữ liệu hồ sơ đã được xóa theo thời hạn lưu giữ (dossier data purged after its retention period)")
	ErrAlreadyAccepted = errors.New("hồ sơ đã được tiếp nhận, không gửi lại (dossier already accepted; not resent)")
	ErrUploaderRunning = errors.New("một tiến trình gửi hồ sơ khác đang chạy (another uploader is running on this outbox)")
)

// Crash points for power-loss tests: with Options.CrashAt set to one of these, the process kills
// itself with SIGKILL at that point, as a power cut would stop it.
const (
	CrashDuringCommit = "commit"      // while the capture transaction commits (SIGKILL from a timer racing COMMIT)
	CrashBeforeCommit = "pre-commit"  // capture transaction written, COMMIT not issued
	CrashBeforeRename = "pre-rename"  // attachment temp file written and synced, not renamed
	CrashAfterRename  = "post-rename" // attachment renamed, directory not synced
	CrashBeforeAccept = "pre-accept"  // server accepted the dossier, local state not yet recorded
)

// DefaultMinFree is the free space below which new captures are refused (besides the space the
// capture itself needs).
const DefaultMinFree = 256 << 20

// Options configures a Store; the zero value is usable.
type Options struct {
	// KioskID is the identifier given to a new store; an existing store keeps its own.
	// Default: "KIOSK-" and 6 random hex digits.
	KioskID string
	// KeyFile is the AES-256 storage key file (created 0600 if missing). Default Dir/keys/storage.key.
	KeyFile string
	// MinFree is the free space to keep; captures that would go below it are refused. Default 256 MiB.
	MinFree uint64
	// FreeSpace reports the free bytes of the file system holding dir. Default: statfs.
	FreeSpace func(dir string) (uint64, error)
	// Retention is how long a dossier's data stays after acceptance before Purge removes it.
	// Default 30 days.
	Retention time.Duration
	// Now is the device clock. Default time.Now.
	Now func() time.Time
	// CrashAt is a crash point (CrashDuringCommit…) for power-loss tests; empty in production.
	CrashAt string
	// Logger receives operational messages without personal data. Default: discard.
	Logger *slog.Logger
}

// Store is the durable dossier store. Several processes may open the same directory; only one of
// them may run an Uploader at a time.
type Store struct {
	dir       string
	db        *sql.DB
	aead      cipher.AEAD
	deviceKey *ecdsa.PrivateKey
	kioskID   string
	opts      Options
	log       *slog.Logger
	sealPath  string // the seal file (seal.go)
	sealKey   []byte // its HMAC key, derived from the storage key
	// unavailable, when set, is why this store is out of service (OutOfService): it holds nothing
	// and refuses captures.
	unavailable error
}

// Entry is what the outbox shows about a dossier: no personal data, fit for lists and logs.
type Entry struct {
	ID            int64     `json:"id"`
	ReceiptNo     string    `json:"receiptNo"`
	State         string    `json:"state"`
	DossierCode   string    `json:"dossierCode"`
	CentralStatus string    `json:"centralStatus"`
	ProcedureCode string    `json:"procedureCode"`
	UnitCode      string    `json:"unitCode"`
	Reason        string    `json:"reason,omitempty"`
	LastError     string    `json:"lastError,omitempty"`
	Attempts      int       `json:"attempts"`
	CapturedAt    time.Time `json:"capturedAt"`
	UpdatedAt     time.Time `json:"updatedAt"`
	AcceptedAt    time.Time `json:"acceptedAt,omitzero"`
	Purged        bool      `json:"purged"`
	// IdempotencyKey is the key the dossier is submitted with.
	IdempotencyKey string `json:"idempotencyKey"`
	nextAttempt    int64
}

// AuditRecord is one state change, timed by the device clock.
type AuditRecord struct {
	At    time.Time `json:"at"`
	State string    `json:"state"`
	Note  string    `json:"note,omitempty"`
}

// File is one document to capture: the PDF bytes and what it is.
type File struct {
	Type string // document type, e.g. to-khai
	Name string // document name shown to people
	Data []byte // the searchable PDF
	// Pages is the PDF's page count when the caller knows it (the kiosk scanned them); 0: counted
	// from the PDF (dossier.PDFPages).
	Pages int
	// Mismatch marks a paper kept although it did not look like its document type.
	Mismatch *dossier.Mismatch
}

// payload is the encrypted content of a dossier row.
type payload struct {
	Manifest  []byte `json:"manifest"`
	Signature []byte `json:"signature"`
}

// Open opens the outbox in dir, creating it (and the kiosk's keys) if needed. It runs an integrity
// check first and refuses a damaged database with ErrCorrupt.
func Open(ctx context.Context, dir string, opts Options) (*Store, error) {
	if opts.MinFree == 0 {
		opts.MinFree = DefaultMinFree
	}
	if opts.FreeSpace == nil {
		opts.FreeSpace = statfsFree
	}
	if opts.Retention <= 0 {
		opts.Retention = 30 * 24 * time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	for _, d := range []string{dir, filepath.Join(dir, keysDir), filepath.Join(dir, "blobs")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("không tạo được thư mục hàng đợi (cannot create outbox directory): %w", err)
		}
	}
	keyFile := opts.KeyFile
	if keyFile == "" {
		keyFile = keyPath(dir)
	}
	db, err := openDB(ctx, dbPath(dir))
	if err != nil {
		return nil, err
	}
	// A missing storage key is made only for a new store: never for a sealed one, nor for a
	// database that holds dossiers (they would never decrypt again).
	if _, err := os.Stat(keyFile); errors.Is(err, os.ErrNotExist) {
		_, sealErr := os.Stat(sealPath(dir))
		var n int
		db.QueryRowContext(ctx, "SELECT (SELECT count(*) FROM dossiers) + (SELECT count(*) FROM meta WHERE k='db_id')").Scan(&n)
		if sealErr == nil || n > 0 {
			db.Close()
			return nil, ErrStorageKeyMissing
		}
	}
	key, err := loadStorageKey(keyFile)
	if err != nil {
		db.Close()
		return nil, err
	}
	aead, err := newAEAD(key)
	if err != nil {
		db.Close()
		return nil, err
	}
	dk, err := loadDeviceKey(filepath.Join(dir, keysDir, deviceKeyFile))
	if err != nil {
		db.Close()
		return nil, err
	}
	s := &Store{dir: dir, db: db, aead: aead, deviceKey: dk, opts: opts, log: log,
		sealPath: sealPath(dir), sealKey: sealKey(key)}
	if err := s.checkSeal(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.loadKioskID(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.recover(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

func (s *Store) loadKioskID(ctx context.Context) error {
	id := s.opts.KioskID
	if id == "" {
		id = fmt.Sprintf("KIOSK-%06X", rand.IntN(1<<24))
	}
	if _, err := s.db.ExecContext(ctx, "INSERT INTO meta(k, v) VALUES('kiosk_id', ?) ON CONFLICT DO NOTHING", id); err != nil {
		return fmt.Errorf("không ghi được mã kiosk (cannot record kiosk id): %w", err)
	}
	return s.db.QueryRowContext(ctx, "SELECT v FROM meta WHERE k='kiosk_id'").Scan(&s.kioskID)
}

// recover queues dossiers left captured by a crash and removes leftovers of interrupted writes:
// temp files, and attachment files no row refers to (older than an hour, so that a capture under
// way in another process is left alone).
func (s *Store) recover(ctx context.Context) error {
	ids, err := s.idsIn(ctx, StateCaptured)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.queue(ctx, id, "phục hồi sau khi khởi động lại (recovered after restart)"); err != nil {
			return err
		}
	}
	blobs := filepath.Join(s.dir, "blobs")
	ents, err := os.ReadDir(blobs)
	if err != nil {
		return err
	}
	cutoff := s.opts.Now().Add(-time.Hour)
	for _, e := range ents {
		info, err := e.Info()
		if err != nil || info.ModTime().After(cutoff) {
			continue
		}
		name := e.Name()
		if strings.HasPrefix(name, atomicfile.TempPrefix) {
			os.Remove(filepath.Join(blobs, name))
			continue
		}
		if s.unreferenced(ctx, name) {
			os.Remove(filepath.Join(blobs, name))
		}
	}
	return nil
}

func statfsFree(dir string) (uint64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return st.Bavail * uint64(st.Bsize), nil
}

// crash kills the process at the configured crash point (power-loss tests only).
func (s *Store) crash(point string) {
	if s.opts.CrashAt == point {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // never return into the code after the crash point
	}
}
