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
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/tramso/tramso/internal/vntime"
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
	ErrDiskFull        = errors.New("bộ nhớ kiosk sắp đầy, tạm ngừng nhận hồ sơ mới; gọi kỹ thuật viên (kiosk storage almost full, new dossiers refused; call a technician)")
	ErrCorrupt         = errors.New("cơ sở dữ liệu hàng đợi hỏng, không ghi gì thêm; gọi kỹ thuật viên (outbox database failed its integrity check; nothing written; call a technician)")
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
		keyFile = filepath.Join(dir, keysDir, storageKeyFile)
	}
	key, err := loadStorageKey(keyFile)
	if err != nil {
		return nil, err
	}
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	dk, err := loadDeviceKey(filepath.Join(dir, keysDir, deviceKeyFile))
	if err != nil {
		return nil, err
	}
	db, err := openDB(ctx, filepath.Join(dir, "outbox.db"))
	if err != nil {
		return nil, err
	}
	s := &Store{dir: dir, db: db, aead: aead, deviceKey: dk, opts: opts, log: log}
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
	rows, err := s.db.QueryContext(ctx, "SELECT id FROM dossiers WHERE state=?", StateCaptured)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		if err := s.transition(ctx, id, []string{StateCaptured}, StateQueued, "phục hồi sau khi khởi động lại (recovered after restart)", nil); err != nil {
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
		if strings.HasPrefix(name, ".tmp-") {
			os.Remove(filepath.Join(blobs, name))
			continue
		}
		var n int
		if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM attachments WHERE sha256=?", name).Scan(&n); err == nil && n == 0 {
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

// Capture stores a new dossier durably and queues it for upload. It fills in the idempotency key,
// kiosk id, capture time, local receipt number and the attachments (type, name, pages, SHA-256,
// size, from files), validates the dossier against the procedure's required documents, signs the
// manifest, writes each attachment encrypted (temp, fsync, rename, fsync dir) and commits the row.
// Only when it returns without error may the citizen be told the dossier was received.
//
// Each PDF is first given a PAdES B-B signature made with the device key and the kiosk's
// certificate (see signCopy); the attachment's size and SHA-256 are those of the signed copy, which
// is what is stored and sent. A kiosk without a certificate refuses with ErrNoSigningCertificate.
//
// It refuses with ErrDiskFull when the capture would bring free space below Options.MinFree.
func (s *Store) Capture(ctx context.Context, d *dossier.Dossier, files []File, required []dossier.Requirement) (Entry, error) {
	chain, err := s.signingChain(s.opts.Now())
	if err != nil {
		return Entry{}, err
	}
	var need uint64
	for _, f := range files {
		need += uint64(len(f.Data))*11/10 + 4096 + signatureRoom
	}
	free, err := s.opts.FreeSpace(s.dir)
	if err != nil {
		return Entry{}, fmt.Errorf("không đo được dung lượng trống (cannot measure free space): %w", err)
	}
	if free < s.opts.MinFree+need {
		s.log.Warn("capture refused: storage almost full", "free", free, "need", need, "minFree", s.opts.MinFree)
		return Entry{}, ErrDiskFull
	}
	now := s.opts.Now()
	d.Version = dossier.ManifestVersion
	d.IdempotencyKey = dossier.NewIdempotencyKey()
	d.KioskID = s.kioskID
	d.CapturedAt = now
	d.Attachments = d.Attachments[:0]
	signed := make([][]byte, len(files)) // the copies as stored, hashed and sent: signed by the kiosk
	for i, f := range files {
		pages, err := f.Pages, error(nil)
		if pages <= 0 {
			pages, err = dossier.PDFPages(f.Data)
		} else if !dossier.IsPDF(f.Data) {
			err = dossier.ErrNotPDF
		}
		if err != nil {
			return Entry{}, fmt.Errorf("giấy tờ %d (document %d): %w", i+1, i+1, err)
		}
		if signed[i], err = s.signCopy(f.Data, chain, now); err != nil {
			return Entry{}, fmt.Errorf("giấy tờ %d (document %d): %w", i+1, i+1, err)
		}
		sum := sha256.Sum256(signed[i])
		d.Attachments = append(d.Attachments, dossier.Attachment{Type: f.Type, Name: f.Name, Pages: pages, Mismatch: f.Mismatch,
			SHA256: hex.EncodeToString(sum[:]), Size: int64(len(signed[i]))})
	}
	d.ReceiptNo = "pending" // replaced inside the transaction; lets Validate run first
	d.Normalize()
	if err := d.Validate(required); err != nil {
		return Entry{}, err
	}
	for i := range files {
		if err := s.writeBlob(d.Attachments[i].SHA256, signed[i]); err != nil {
			return Entry{}, err
		}
	}

	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return Entry{}, fmt.Errorf("không ghi được hồ sơ (cannot store the dossier): %w", err)
	}
	defer tx.Rollback()
	day := vietnamDay(now) // the day on the citizen's receipt
	var seq int
	err = tx.QueryRowContext(ctx, "SELECT CAST(v AS INTEGER) FROM meta WHERE k=?", "seq-"+day).Scan(&seq)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Entry{}, err
	}
	seq++
	if _, err := tx.ExecContext(ctx, "INSERT INTO meta(k, v) VALUES(?, ?) ON CONFLICT(k) DO UPDATE SET v=excluded.v", "seq-"+day, strconv.Itoa(seq)); err != nil {
		return Entry{}, err
	}
	d.ReceiptNo = fmt.Sprintf("%s-%s-%04d", s.kioskID, day, seq)
	manifest, err := d.Manifest()
	if err != nil {
		return Entry{}, err
	}
	sig, err := dossier.Sign(s.deviceKey, manifest)
	if err != nil {
		return Entry{}, err
	}
	pj, _ := json.Marshal(payload{Manifest: manifest, Signature: sig})
	sealed := seal(s.aead, pj, []byte(d.IdempotencyKey))
	ms := now.UnixMilli()
	res, err := tx.ExecContext(ctx, `INSERT INTO dossiers(receipt_no, idem_key, procedure_code, unit_code, state, payload,
		captured_at, updated_at) VALUES(?,?,?,?,?,?,?,?)`,
		d.ReceiptNo, d.IdempotencyKey, d.Procedure.Code, d.Unit.Code, StateCaptured, sealed, ms, ms)
	if err != nil {
		return Entry{}, fmt.Errorf("không ghi được hồ sơ (cannot store the dossier): %w", err)
	}
	id, _ := res.LastInsertId()
	for i, a := range d.Attachments {
		if _, err := tx.ExecContext(ctx, "INSERT INTO attachments(dossier_id, idx, sha256, size) VALUES(?,?,?,?)", id, i, a.SHA256, a.Size); err != nil {
			return Entry{}, err
		}
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO audit(dossier_id, at, state, note) VALUES(?,?,?,?)", id, ms, StateCaptured, mismatchNote(d)); err != nil {
		return Entry{}, err
	}
	s.crash(CrashBeforeCommit)
	if s.opts.CrashAt == CrashDuringCommit {
		go func() {
			time.Sleep(time.Duration(rand.IntN(1500)) * time.Microsecond)
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
		}()
	}
	if err := tx.Commit(); err != nil {
		return Entry{}, fmt.Errorf("không ghi được hồ sơ (cannot store the dossier): %w", diskFull(err))
	}
	if err := s.transition(ctx, id, []string{StateCaptured}, StateQueued, "", nil); err != nil {
		return Entry{}, err // the row is safe; recover() queues it at the next start
	}
	s.log.Info("dossier captured", "id", id, "receipt", d.ReceiptNo, "attachments", len(files))
	return s.Get(ctx, id)
}

// diskFull maps "no space" errors to ErrDiskFull (keeping the cause).
func diskFull(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EFBIG) || errors.Is(err, syscall.EDQUOT) ||
		strings.Contains(err.Error(), "database or disk is full") {
		return fmt.Errorf("%w: %w", ErrDiskFull, err)
	}
	return err
}

// writeBlob stores data encrypted as blobs/<sha>: temp file, fsync, rename, fsync(dir). An existing
// file of that name already holds the same content (names are content hashes) and is kept.
func (s *Store) writeBlob(sha string, data []byte) error {
	dir := filepath.Join(s.dir, "blobs")
	final := filepath.Join(dir, sha)
	if _, err := os.Stat(final); err == nil {
		if r, err := openBlob(s.aead, final); err == nil && r.Size() == int64(len(data)) {
			r.Close()
			now := time.Now()
			os.Chtimes(final, now, now) // keep it from the orphan sweep of recover()
			return nil
		}
	}
	tmp, err := os.CreateTemp(dir, ".tmp-")
	if err != nil {
		return fmt.Errorf("không ghi được tệp đính kèm (cannot write attachment): %w", diskFull(err))
	}
	fail := func(err error) error {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("không ghi được tệp đính kèm (cannot write attachment): %w", diskFull(err))
	}
	if err := encryptBlob(s.aead, tmp, data); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	s.crash(CrashBeforeRename)
	if err := os.Rename(tmp.Name(), final); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("không ghi được tệp đính kèm (cannot write attachment): %w", err)
	}
	s.crash(CrashAfterRename)
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// transition moves a dossier from one of the states in from to state `to`, with an audit record,
// applying extra column updates, in one transaction.
func (s *Store) transition(ctx context.Context, id int64, from []string, to, note string, extra map[string]any) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var cur string
	if err := tx.QueryRowContext(ctx, "SELECT state FROM dossiers WHERE id=?", id).Scan(&cur); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		return err
	}
	ok := false
	for _, f := range from {
		ok = ok || f == cur
	}
	if !ok {
		if cur == StateAccepted {
			return ErrAlreadyAccepted
		}
		return fmt.Errorf("hồ sơ đang ở trạng thái %s, không chuyển sang %s được (dossier is %s, cannot become %s)", cur, to, cur, to)
	}
	ms := s.opts.Now().UnixMilli()
	set := []string{"state=?", "updated_at=?"}
	args := []any{to, ms}
	for k, v := range extra {
		set = append(set, k+"=?")
		args = append(args, v)
	}
	args = append(args, id)
	if _, err := tx.ExecContext(ctx, "UPDATE dossiers SET "+strings.Join(set, ", ")+" WHERE id=?", args...); err != nil {
		return err
	}
	if cur != to || note != "" {
		if _, err := tx.ExecContext(ctx, "INSERT INTO audit(dossier_id, at, state, note) VALUES(?,?,?,?)", id, ms, to, note); err != nil {
			return err
		}
	}
	if to == StateAccepted {
		s.crash(CrashBeforeAccept)
	}
	return diskFull(tx.Commit())
}

const entryColumns = `id, receipt_no, idem_key, state, dossier_code, central_status, procedure_code, unit_code, reason,
	last_error, attempts, captured_at, updated_at, accepted_at, purged_at, next_attempt`

type scanner interface{ Scan(...any) error }

func scanEntry(r scanner) (Entry, error) {
	var e Entry
	var capt, upd, acc, purged int64
	err := r.Scan(&e.ID, &e.ReceiptNo, &e.IdempotencyKey, &e.State, &e.DossierCode, &e.CentralStatus, &e.ProcedureCode,
		&e.UnitCode, &e.Reason, &e.LastError, &e.Attempts, &capt, &upd, &acc, &purged, &e.nextAttempt)
	if err != nil {
		return e, err
	}
	e.CapturedAt, e.UpdatedAt = time.UnixMilli(capt).UTC(), time.UnixMilli(upd).UTC()
	if acc > 0 {
		e.AcceptedAt = time.UnixMilli(acc).UTC()
	}
	e.Purged = purged > 0
	return e, nil
}

// Get returns the outbox entry of dossier id.
func (s *Store) Get(ctx context.Context, id int64) (Entry, error) {
	e, err := scanEntry(s.db.QueryRowContext(ctx, "SELECT "+entryColumns+" FROM dossiers WHERE id=?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, ErrNotFound
	}
	return e, err
}

// List returns the entries in the given states (all when none given), oldest first.
func (s *Store) List(ctx context.Context, states ...string) ([]Entry, error) {
	q := "SELECT " + entryColumns + " FROM dossiers"
	var args []any
	if len(states) > 0 {
		q += " WHERE state IN (?" + strings.Repeat(",?", len(states)-1) + ")"
		for _, st := range states {
			args = append(args, st)
		}
	}
	rows, err := s.db.QueryContext(ctx, q+" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Entry{}
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Audit returns the state changes of dossier id, oldest first.
func (s *Store) Audit(ctx context.Context, id int64) ([]AuditRecord, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT at, state, note FROM audit WHERE dossier_id=? ORDER BY id", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditRecord
	for rows.Next() {
		var a AuditRecord
		var at int64
		if err := rows.Scan(&at, &a.State, &a.Note); err != nil {
			return nil, err
		}
		a.At = time.UnixMilli(at).UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}

// ReprintData is what a receipt reprint needs: the entry (with the official code once issued) and
// the decrypted dossier.
type ReprintData struct {
	Entry   Entry
	Dossier *dossier.Dossier
}

// Reprint returns the data to reprint the receipt of dossier id; ErrPurged once its data has been
// removed after the retention period.
func (s *Store) Reprint(ctx context.Context, id int64) (*ReprintData, error) {
	e, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	p, err := s.payload(ctx, id)
	if err != nil {
		return nil, err
	}
	d, err := dossier.ParseManifest(p.Manifest)
	if err != nil {
		return nil, err
	}
	return &ReprintData{Entry: e, Dossier: d}, nil
}

func (s *Store) payload(ctx context.Context, id int64) (*payload, error) {
	var sealed []byte
	var key string
	if err := s.db.QueryRowContext(ctx, "SELECT payload, idem_key FROM dossiers WHERE id=?", id).Scan(&sealed, &key); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	if sealed == nil {
		return nil, ErrPurged
	}
	plain, err := open(s.aead, sealed, []byte(key))
	if err != nil {
		return nil, err
	}
	var p payload
	if err := json.Unmarshal(plain, &p); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDecrypt, err)
	}
	return &p, nil
}

// Retry puts a rejected, flagged or waiting dossier back at the front of the queue, clearing its backoff.
func (s *Store) Retry(ctx context.Context, id int64) error {
	return s.transition(ctx, id, []string{StateRejected, StateNeedsStaff, StateQueued, StateUploading, StateCaptured}, StateQueued,
		"thử lại theo yêu cầu (retry requested)", map[string]any{"next_attempt": 0, "attempts": 0, "reason": ""})
}

// Purge removes the personal data and attachment files of dossiers accepted more than the retention
// period ago; their rows stay (receipt number, official code, states) for the record. It returns how
// many dossiers were purged.
func (s *Store) Purge(ctx context.Context) (int, error) {
	cutoff := s.opts.Now().Add(-s.opts.Retention).UnixMilli()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT id FROM dossiers WHERE state=? AND accepted_at>0 AND accepted_at<=? AND purged_at=0`, StateAccepted, cutoff)
	if err != nil {
		return 0, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) == 0 {
		return 0, nil
	}
	shas := map[string]bool{}
	ms := s.opts.Now().UnixMilli()
	for _, id := range ids {
		r, err := tx.QueryContext(ctx, "SELECT sha256 FROM attachments WHERE dossier_id=?", id)
		if err != nil {
			return 0, err
		}
		for r.Next() {
			var sha string
			r.Scan(&sha)
			shas[sha] = true
		}
		r.Close()
		for _, q := range []string{
			"DELETE FROM attachments WHERE dossier_id=?",
			"UPDATE dossiers SET payload=NULL, purged_at=" + strconv.FormatInt(ms, 10) + " WHERE id=?",
		} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return 0, err
			}
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO audit(dossier_id, at, state, note) VALUES(?,?,?,?)", id, ms, StateAccepted,
			"đã xóa dữ liệu cá nhân sau thời hạn lưu giữ (personal data purged after retention)"); err != nil {
			return 0, err
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	for sha := range shas {
		var n int
		if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM attachments WHERE sha256=?", sha).Scan(&n); err == nil && n == 0 {
			os.Remove(filepath.Join(s.dir, "blobs", sha))
		}
	}
	syncDir(filepath.Join(s.dir, "blobs"))
	s.db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	s.log.Info("retention purge", "dossiers", len(ids))
	return len(ids), nil
}

// Pending counts dossiers not yet accepted or rejected.
func (s *Store) Pending(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM dossiers WHERE state IN (?,?,?)", StateCaptured, StateQueued, StateUploading).Scan(&n)
	return n, err
}

// vietnamDay is t's date in Vietnam as YYMMDD: receipts are numbered by the day people see.
func vietnamDay(t time.Time) string { return t.In(vntime.Zone()).Format("060102") }
