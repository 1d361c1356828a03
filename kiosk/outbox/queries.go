package outbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/dossier"
)

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

// errDamagedRow marks a row of the outbox database that does not read back as its columns say
// (SQLite keeps any value in any column).
var errDamagedRow = errors.New("dòng hỏng trong cơ sở dữ liệu hàng đợi (damaged row in the outbox database)")

// collect scans every row a query returned with scan; a row that does not scan, and an error
// met while reading the rows, fail the whole query.
func collect[T any](rows *sql.Rows, err error, scan func(scanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errDamagedRow, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// scanValue scans a one-column row.
func scanValue[T any](r scanner) (T, error) {
	var v T
	err := r.Scan(&v)
	return v, err
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
	out, err := collect(rows, err, scanEntry)
	if out == nil && err == nil {
		out = []Entry{}
	}
	return out, err
}

// Audit returns the state changes of dossier id, oldest first.
func (s *Store) Audit(ctx context.Context, id int64) ([]AuditRecord, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT at, state, note FROM audit WHERE dossier_id=? ORDER BY id", id)
	return collect(rows, err, func(r scanner) (AuditRecord, error) {
		var a AuditRecord
		var at int64
		err := r.Scan(&at, &a.State, &a.Note)
		a.At = time.UnixMilli(at).UTC()
		return a, err
	})
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

// Pending counts dossiers not yet accepted or rejected.
func (s *Store) Pending(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM dossiers WHERE state IN (?,?,?)", StateCaptured, StateQueued, StateUploading).Scan(&n)
	return n, err
}

// idsIn returns the ids of the dossiers in state.
func (s *Store) idsIn(ctx context.Context, state string) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id FROM dossiers WHERE state=?", state)
	return collect(rows, err, scanValue[int64])
}

// nextDue returns the dossier to deliver first (queued or uploading, earliest next attempt),
// nil when none is waiting.
func (s *Store) nextDue(ctx context.Context) (*Entry, error) {
	e, err := scanEntry(s.db.QueryRowContext(ctx, "SELECT "+entryColumns+` FROM dossiers WHERE state IN (?,?)
		ORDER BY next_attempt, id LIMIT 1`, StateQueued, StateUploading))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// storedFile is one attachment file of a dossier, as stored.
type storedFile struct {
	sha  string
	size int64
}

// storedFiles returns the attachment files of dossier id, in the manifest's order.
func (s *Store) storedFiles(ctx context.Context, id int64) ([]storedFile, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT sha256, size FROM attachments WHERE dossier_id=? ORDER BY idx", id)
	return collect(rows, err, func(r scanner) (storedFile, error) {
		var f storedFile
		err := r.Scan(&f.sha, &f.size)
		return f, err
	})
}

// statusDue returns up to 50 dossiers accepted since the given time whose central status can
// still change, the longest unchecked first.
func (s *Store) statusDue(ctx context.Context, since time.Time) ([]Entry, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+entryColumns+` FROM dossiers WHERE state=? AND accepted_at>=?
		AND central_status NOT IN (?,?,?) ORDER BY status_checked_at LIMIT 50`,
		StateAccepted, since.UnixMilli(), central.StatusReturned, central.StatusRefused, central.StatusWithdrawn)
	return collect(rows, err, scanEntry)
}

// unreferenced reports whether no attachment row refers to the stored file sha.
func (s *Store) unreferenced(ctx context.Context, sha string) bool {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM attachments WHERE sha256=?", sha).Scan(&n)
	return err == nil && n == 0
}
