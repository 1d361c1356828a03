package outbox

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/tramso/tramso/internal/atomicfile"
)

// The seal: a small file kept apart from the database (Dir/keys/outbox.seal, beside the storage
// key) that binds the database's random identity (meta db_id) and the last receipt number issued,
// authenticated with an HMAC keyed from the storage key. Open checks it, so that an emptied or
// replaced database, or a deleted or replaced storage key, stops the outbox with a technician
// message instead of silently starting over; Capture numbers receipts above its high-water mark,
// so a receipt number is never issued twice, even from an emptied database.

const sealFile = "outbox.seal"

// ErrSealBroken is the kind of every seal mismatch (errors.Is): the outbox refuses to start. Each
// error of that kind names what is wrong and what the technician does.
var ErrSealBroken = errors.New("kho hồ sơ không khớp niêm phong, không nhận hồ sơ mới (dossier store does not match its seal; no new dossiers)")

// sealError is one seal mismatch: its own sentence, of the kind ErrSealBroken.
type sealError struct{ msg string }

func (e *sealError) Error() string        { return e.msg }
func (e *sealError) Is(target error) bool { return target == ErrSealBroken }

// The seal mismatches.
var (
	ErrDatabaseReplaced   error = &sealError{"cơ sở dữ liệu outbox.db không phải cơ sở dữ liệu đã niêm phong (bị thay hoặc làm trống), kiosk ngừng nhận hồ sơ, kỹ thuật viên cần đặt lại tệp outbox.db gốc, hoặc chạy kioskctl outbox salvage --data THƯ_MỤC (outbox.db is not the sealed database: replaced or emptied, the kiosk takes no dossiers; technician: put the original outbox.db back, or run kioskctl outbox salvage --data DIR)"}
	ErrStorageKeyMissing  error = &sealError{"thiếu khóa lưu trữ keys/storage.key nên hồ sơ đã lưu không giải mã được, kiosk ngừng nhận hồ sơ, kỹ thuật viên cần khôi phục storage.key từ bản sao lưu, không tạo khóa mới (keys/storage.key is missing so stored dossiers cannot be decrypted, the kiosk takes no dossiers; technician: restore storage.key from its backup, never make a new one)"}
	ErrStorageKeyReplaced error = &sealError{"khóa lưu trữ keys/storage.key không khớp tệp niêm phong keys/outbox.seal (khóa bị thay hoặc tệp niêm phong bị sửa), kiosk ngừng nhận hồ sơ, kỹ thuật viên cần khôi phục storage.key và outbox.seal gốc từ bản sao lưu (keys/storage.key does not match the seal keys/outbox.seal: key replaced or seal edited, the kiosk takes no dossiers; technician: restore the original storage.key and outbox.seal from their backup)"}
	ErrSealMissing        error = &sealError{"thiếu tệp niêm phong keys/outbox.seal của cơ sở dữ liệu này, kiosk ngừng nhận hồ sơ, kỹ thuật viên cần khôi phục thư mục keys từ bản sao lưu, hoặc chạy kioskctl outbox salvage --data THƯ_MỤC (the seal keys/outbox.seal of this database is missing, the kiosk takes no dossiers; technician: restore the keys folder from its backup, or run kioskctl outbox salvage --data DIR)"}
)

// sealRecord is the sealed record: the database identity and the last receipt issued (day YYMMDD, number).
type sealRecord struct {
	Version int    `json:"v"`
	DBID    string `json:"db"`
	Day     string `json:"day,omitempty"`
	Seq     int    `json:"seq,omitempty"`
}

// after reports whether receipt (day, seq) comes after the seal's high-water mark.
func (m sealRecord) after(day string, seq int) bool {
	return day > m.Day || (day == m.Day && seq > m.Seq)
}

// sealKey derives the seal's HMAC key from the storage key (never the storage key itself).
func sealKey(storageKey []byte) []byte {
	h := hmac.New(sha256.New, storageKey)
	h.Write([]byte("tramso outbox seal v1"))
	return h.Sum(nil)
}

// encodeSeal formats m: its JSON on one line, then the hex HMAC-SHA256 of that line.
func encodeSeal(key []byte, m sealRecord) []byte {
	m.Version = 1
	body, _ := json.Marshal(m)
	h := hmac.New(sha256.New, key)
	h.Write(body)
	return fmt.Appendf(nil, "%s\n%x\n", body, h.Sum(nil))
}

// errSealUnreadable: the seal file is not a seal (damaged), or was made with another key.
var errSealUnreadable = errors.New("tệp niêm phong hỏng hoặc khác khóa (seal file damaged or made with another key)")

// parseSeal reads a seal file and checks its HMAC with key.
func parseSeal(key, raw []byte) (sealRecord, error) {
	var m sealRecord
	if len(raw) > 4096 {
		return m, errSealUnreadable
	}
	body, rest, ok := bytes.Cut(raw, []byte("\n"))
	if !ok {
		return m, errSealUnreadable
	}
	mac, err := hex.DecodeString(strings.TrimSuffix(string(rest), "\n"))
	if err != nil {
		return m, errSealUnreadable
	}
	h := hmac.New(sha256.New, key)
	h.Write(body)
	if !hmac.Equal(mac, h.Sum(nil)) {
		return m, errSealUnreadable
	}
	if err := json.Unmarshal(body, &m); err != nil || m.Version != 1 || len(m.DBID) != 32 || m.Seq < 0 {
		return sealRecord{}, errSealUnreadable
	}
	return m, nil
}

// readSeal reads and checks the store's seal.
func (s *Store) readSeal() (sealRecord, error) {
	raw, err := os.ReadFile(s.sealPath)
	if err != nil {
		return sealRecord{}, err
	}
	return parseSeal(s.sealKey, raw)
}

// dbIdentity returns the database's identity, "" when it has none.
func dbIdentity(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (string, error) {
	var id string
	err := q.QueryRowContext(ctx, "SELECT v FROM meta WHERE k='db_id'").Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// highWater returns the last receipt number the database issued: its latest day and number.
func highWater(ctx context.Context, db *sql.DB) (string, int, error) {
	var day string
	var seq int
	err := db.QueryRowContext(ctx, "SELECT substr(k, 5), CAST(v AS INTEGER) FROM meta WHERE k LIKE 'seq-%' ORDER BY k DESC LIMIT 1").Scan(&day, &seq)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, nil
	}
	return day, seq, err
}

// checkSeal checks the database against the seal, sealing a store that has none yet (a new store,
// or one made before seals existed, that has no identity).
func (s *Store) checkSeal(ctx context.Context) error {
	dbID, err := dbIdentity(ctx, s.db)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	m, err := s.readSeal()
	if errors.Is(err, os.ErrNotExist) {
		if dbID != "" {
			return ErrSealMissing
		}
		return s.sealNew(ctx)
	}
	if err != nil {
		if errors.Is(err, errSealUnreadable) {
			return ErrStorageKeyReplaced
		}
		return fmt.Errorf("không đọc được tệp niêm phong (cannot read the seal file): %w", err)
	}
	if dbID != m.DBID {
		s.log.Error("outbox database does not match its seal", "database", shortID(dbID), "sealed", shortID(m.DBID))
		return ErrDatabaseReplaced
	}
	return nil
}

// sealNew gives the database an identity and writes its seal, keeping the receipt numbers it
// already issued as the high-water mark.
func (s *Store) sealNew(ctx context.Context) error {
	b := make([]byte, 16)
	rand.Read(b)
	if _, err := s.db.ExecContext(ctx, "INSERT INTO meta(k, v) VALUES('db_id', ?) ON CONFLICT DO NOTHING", hex.EncodeToString(b)); err != nil {
		return fmt.Errorf("không ghi được mã cơ sở dữ liệu (cannot record the database identity): %w", err)
	}
	dbID, err := dbIdentity(ctx, s.db)
	if err != nil {
		return err
	}
	day, seq, err := highWater(ctx, s.db)
	if err != nil {
		return err
	}
	// Another process opening the same new store may write it first: its seal names the same identity.
	if _, err := writeNew(s.sealPath, encodeSeal(s.sealKey, sealRecord{DBID: dbID, Day: day, Seq: seq})); err != nil {
		return fmt.Errorf("không ghi được tệp niêm phong (cannot write the seal file): %w", err)
	}
	return s.checkSeal(ctx)
}

// Reseal binds the seal to the database now in the store (a fresh one, after a salvage or a
// technician's deliberate restart), keeping the old seal's receipt high-water mark when it can be
// read, so that no receipt number is issued twice.
func Reseal(ctx context.Context, dir string, opts Options) error {
	keyFile := opts.KeyFile
	if keyFile == "" {
		keyFile = keyPath(dir)
	}
	key, err := readKey(keyFile)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, dbPath(dir))
	if err != nil {
		return err
	}
	defer db.Close()
	k := sealKey(key)
	path := sealPath(dir)
	old := sealRecord{}
	if raw, err := os.ReadFile(path); err == nil {
		if old, err = parseSeal(k, raw); err != nil {
			return ErrStorageKeyReplaced // the high-water mark cannot be trusted: restore the key first
		}
	}
	b := make([]byte, 16)
	rand.Read(b)
	if _, err := db.ExecContext(ctx, "INSERT INTO meta(k, v) VALUES('db_id', ?) ON CONFLICT(k) DO UPDATE SET v=excluded.v", hex.EncodeToString(b)); err != nil {
		return err
	}
	day, seq, err := highWater(ctx, db)
	if err != nil {
		return err
	}
	m := sealRecord{DBID: hex.EncodeToString(b), Day: old.Day, Seq: old.Seq}
	if m.after(day, seq) {
		m.Day, m.Seq = day, seq
	}
	return atomicfile.Write(path, encodeSeal(k, m), 0o600)
}

// nextReceipt returns the next receipt number of day inside the capture transaction tx (which
// holds the database's write lock, so that the seal is updated by one process at a time): above
// both the database's count and the seal's high-water mark. The seal is written before the
// transaction commits: a crash in between leaves a gap in the numbers, never a number used twice.
func (s *Store) nextReceipt(ctx context.Context, tx *sql.Tx, day string) (int, error) {
	var seq int
	err := tx.QueryRowContext(ctx, "SELECT CAST(v AS INTEGER) FROM meta WHERE k=?", "seq-"+day).Scan(&seq)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	m, err := s.readSeal()
	if errors.Is(err, os.ErrNotExist) {
		return 0, ErrSealMissing
	}
	if err != nil {
		return 0, ErrStorageKeyReplaced
	}
	if dbID, err := dbIdentity(ctx, tx); err != nil || dbID != m.DBID {
		return 0, ErrDatabaseReplaced
	}
	if m.Day == day {
		seq = max(seq, m.Seq)
	}
	seq++
	if m.after(day, seq) {
		m.Day, m.Seq = day, seq
		if err := atomicfile.Write(s.sealPath, encodeSeal(s.sealKey, m), 0o600); err != nil {
			return 0, failedWrite("không ghi được tệp niêm phong", "cannot write the seal file", err)
		}
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO meta(k, v) VALUES(?, ?) ON CONFLICT(k) DO UPDATE SET v=excluded.v", "seq-"+day, strconv.Itoa(seq)); err != nil {
		return 0, err
	}
	return seq, nil
}

// shortID is the start of a database identity, for logs.
func shortID(id string) string { return id[:min(len(id), 8)] }
