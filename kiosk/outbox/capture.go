package outbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/tramso/tramso/internal/atomicfile"
	"github.com/tramso/tramso/internal/vntime"
	"github.com/tramso/tramso/kiosk/dossier"
)

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
	if err := s.Unavailable(); err != nil {
		return Entry{}, err
	}
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
	seq, err := s.nextReceipt(ctx, tx, day)
	if err != nil {
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
		return Entry{}, failedWrite("không ghi được hồ sơ", "cannot store the dossier", err)
	}
	if err := s.queue(ctx, id, ""); err != nil {
		return Entry{}, err // the row is safe; recover() queues it at the next start
	}
	s.log.Info("dossier captured", "id", id, "receipt", d.ReceiptNo, "attachments", len(files))
	return s.Get(ctx, id)
}

// failedWrite words a failed write of what (vi, en): a "no space" error is ErrDiskFull, whose
// sentence is then the chain's, with what as English detail (keeping the cause); any other failure
// gets what's sentence.
func failedWrite(vi, en string, err error) error {
	if full := diskFull(err); errors.Is(full, ErrDiskFull) {
		return fmt.Errorf("%s: %w", en, full)
	}
	return fmt.Errorf("%s (%s): %w", vi, en, err)
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

// writeBlob stores data encrypted as blobs/<sha> (atomicfile: temp, fsync, rename, fsync dir). An
// existing file of that name already holds the same content (names are content hashes) and is kept.
func (s *Store) writeBlob(sha string, data []byte) error {
	final := filepath.Join(s.dir, "blobs", sha)
	if _, err := os.Stat(final); err == nil {
		if r, err := openBlob(s.aead, final); err == nil && r.Size() == int64(len(data)) {
			r.Close()
			now := time.Now()
			os.Chtimes(final, now, now) // keep it from the orphan sweep of recover()
			return nil
		}
	}
	f, err := atomicfile.Create(final, 0o600)
	if err != nil {
		return failedWrite("không ghi được tệp đính kèm", "cannot write attachment", err)
	}
	defer f.Abort()
	f.BeforeRename = func() { s.crash(CrashBeforeRename) }
	f.AfterRename = func() { s.crash(CrashAfterRename) }
	if err := encryptBlob(s.aead, f, data); err != nil {
		return failedWrite("không ghi được tệp đính kèm", "cannot write attachment", err)
	}
	if err := f.Commit(); err != nil {
		return failedWrite("không ghi được tệp đính kèm", "cannot write attachment", err)
	}
	return nil
}

// openStoredFile opens the stored attachment file sha for reading, decrypted.
func (s *Store) openStoredFile(sha string) (*blobReader, error) {
	return openBlob(s.aead, filepath.Join(s.dir, "blobs", sha))
}

// vietnamDay is t's date in Vietnam as YYMMDD: receipts are numbered by the day people see.
func vietnamDay(t time.Time) string { return t.In(vntime.Zone()).Format("060102") }
