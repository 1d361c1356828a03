package outbox

import (
	"context"
	"crypto/cipher"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tramso/tramso/internal/atomicfile"
	"github.com/tramso/tramso/kiosk/dossier"
)

// SalvageReport says what Salvage recovered. It names receipt numbers and counts, no personal data.
type SalvageReport struct {
	// Source is the damaged database read ("" when there was none: the store was only resealed).
	Source string `json:"source"`
	// Into is the store or export folder written.
	Into string `json:"into"`
	// Rows is how many dossier rows were found; Recovered how many were read, decrypted and kept.
	Rows      int `json:"rows"`
	Recovered int `json:"recovered"`
	// Unreadable lists the receipt numbers (or row ids) of dossiers that could not be recovered.
	Unreadable []string `json:"unreadable,omitempty"`
	// Attachments counts the recovered dossiers' files that decrypt and match their hash;
	// AttachmentsBad those missing or damaged (their dossiers are flagged for staff).
	Attachments    int `json:"attachments"`
	AttachmentsBad int `json:"attachmentsBad"`
}

// salvaged is one dossier read from a damaged database.
type salvaged struct {
	id                                  int64
	receipt, key, proc, unit, state     string
	code, central, reason               string
	payload                             []byte
	captured, updated, accepted, purged int64
	manifest                            *dossier.Dossier
	filesOK                             bool
}

// Salvage recovers what is readable of a damaged outbox database in dir: the dossiers whose rows
// can be read and whose data decrypt with the storage key, and their attachment files. The damaged
// database is outbox.db when it fails its integrity check (it is set aside first, never deleted), or
// else the newest one set aside (outbox.db.damaged-…).
//
// With out empty, the dossiers go into the store in dir (a fresh database when the damaged one was
// set aside), keeping their receipt numbers, keys, states and official codes; a dossier whose files
// are missing or damaged is flagged for staff; the store is then resealed (Reseal), receipt
// numbers going on from the highest ever issued. With out set, each dossier is exported there
// instead, decrypted (out/<receipt>/manifest.json and its PDFs, owner-only), and the store is not
// changed.
func Salvage(ctx context.Context, dir, out string, opts Options) (SalvageReport, error) {
	rep := SalvageReport{Into: dir}
	if out != "" {
		rep.Into = out
	}
	keyFile := opts.KeyFile
	if keyFile == "" {
		keyFile = keyPath(dir)
	}
	key, err := readKey(keyFile)
	if err != nil {
		return rep, err
	}
	aead, err := newAEAD(key)
	if err != nil {
		return rep, err
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	if _, err := os.Stat(dbPath(dir)); err == nil {
		if db, err := openDB(ctx, dbPath(dir)); errors.Is(err, ErrCorrupt) {
			if _, err := SetAside(dir, now()); err != nil {
				return rep, err
			}
		} else if err != nil {
			return rep, err
		} else {
			db.Close()
		}
	}
	var rows []*salvaged
	meta := map[string]string{}
	if damaged := damagedDatabases(dir); len(damaged) > 0 {
		rep.Source = damaged[0]
		rows, meta, err = readDamaged(ctx, rep.Source, &rep)
		if err != nil {
			return rep, err
		}
	}
	for _, r := range rows {
		if err := r.decrypt(aead); err != nil {
			rep.Unreadable = append(rep.Unreadable, r.name())
			continue
		}
		r.filesOK = true
		for _, a := range r.manifest.Attachments {
			if checkBlob(aead, filepath.Join(dir, "blobs", a.SHA256), a.SHA256) == nil {
				rep.Attachments++
			} else {
				rep.AttachmentsBad++
				r.filesOK = false
			}
		}
		rep.Recovered++
	}
	if out != "" {
		return rep, export(aead, dir, out, rows, &rep)
	}
	if err := restore(ctx, dir, rows, meta, opts); err != nil {
		return rep, err
	}
	return rep, Reseal(ctx, dir, opts)
}

func (r *salvaged) name() string {
	if r.receipt != "" {
		return r.receipt
	}
	return fmt.Sprintf("#%d", r.id)
}

// decrypt opens the row's payload and parses its manifest.
func (r *salvaged) decrypt(aead cipher.AEAD) error {
	if r.payload == nil {
		return ErrPurged
	}
	plain, err := open(aead, r.payload, []byte(r.key))
	if err != nil {
		return err
	}
	var p payload
	if err := json.Unmarshal(plain, &p); err != nil {
		return fmt.Errorf("%w: %w", ErrDecrypt, err)
	}
	d, err := dossier.ParseManifest(p.Manifest)
	if err != nil {
		return err
	}
	if d.IdempotencyKey != r.key {
		return ErrDecrypt
	}
	r.manifest = d
	return nil
}

// checkBlob reads a stored file whole and checks its content hash.
func checkBlob(aead cipher.AEAD, path, sha string) error {
	b, err := readBlob(aead, path)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	if hex.EncodeToString(sum[:]) != sha {
		return ErrDecrypt
	}
	return nil
}

func readBlob(aead cipher.AEAD, path string) ([]byte, error) {
	r, err := openBlob(aead, path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b := make([]byte, r.Size())
	if _, err := r.ReadAt(b, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return b, nil
}

// readDamaged reads what it can of a damaged database, read-only: the meta table and every
// dossier row that reads back whole. A row that does not is counted and named in rep.
func readDamaged(ctx context.Context, path string, rep *SalvageReport) ([]*salvaged, map[string]string, error) {
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro")
	if err != nil {
		return nil, nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	meta := map[string]string{}
	if mrows, err := db.QueryContext(ctx, "SELECT k, v FROM meta"); err == nil {
		for mrows.Next() {
			var k, v string
			if mrows.Scan(&k, &v) == nil {
				meta[k] = v
			}
		}
		mrows.Close()
	}
	// The highest id, from SQLite's AUTOINCREMENT record or a scan of the table as far as it reads;
	// then every id is looked up by key (a damaged page in the middle stops a scan, not a lookup).
	var last int64
	db.QueryRowContext(ctx, "SELECT seq FROM sqlite_sequence WHERE name='dossiers'").Scan(&last)
	if irows, err := db.QueryContext(ctx, "SELECT id FROM dossiers ORDER BY id"); err == nil {
		for irows.Next() {
			var id int64
			if irows.Scan(&id) != nil {
				break
			}
			last = max(last, id)
		}
		irows.Close()
	}
	var out []*salvaged
	for id, misses := int64(1), 0; id <= last || misses < 200; id++ {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		r := &salvaged{id: id}
		err := db.QueryRowContext(ctx, `SELECT receipt_no, idem_key, procedure_code, unit_code, state, payload, dossier_code,
			central_status, reason, captured_at, updated_at, accepted_at, purged_at FROM dossiers WHERE id=?`, id).Scan(
			&r.receipt, &r.key, &r.proc, &r.unit, &r.state, &r.payload, &r.code, &r.central, &r.reason,
			&r.captured, &r.updated, &r.accepted, &r.purged)
		switch {
		case err == nil:
			rep.Rows++
			out = append(out, r)
			misses = 0
		case id <= last && !errors.Is(err, sql.ErrNoRows):
			rep.Rows++ // a row the database knows of but cannot give
			rep.Unreadable = append(rep.Unreadable, r.name())
		default:
			misses++
		}
	}
	return out, meta, nil
}

// restore writes the recovered dossiers into the store in dir, and raises its receipt counters to
// the damaged database's.
func restore(ctx context.Context, dir string, rows []*salvaged, meta map[string]string, opts Options) error {
	db, err := openDB(ctx, dbPath(dir))
	if err != nil {
		return err
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for k, v := range meta {
		switch {
		case k == "kiosk_id":
			_, err = tx.ExecContext(ctx, "INSERT INTO meta(k, v) VALUES(?, ?) ON CONFLICT DO NOTHING", k, v)
		case strings.HasPrefix(k, "seq-"):
			_, err = tx.ExecContext(ctx, `INSERT INTO meta(k, v) VALUES(?, ?) ON CONFLICT(k) DO UPDATE SET
				v=CAST(max(CAST(v AS INTEGER), CAST(excluded.v AS INTEGER)) AS TEXT)`, k, v)
		}
		if err != nil {
			return err
		}
	}
	ms := time.Now().UnixMilli()
	for _, r := range rows {
		if r.manifest == nil {
			continue
		}
		state, reason := r.state, r.reason
		switch {
		case state == StateAccepted || state == StateRejected:
		case !r.filesOK:
			state = StateNeedsStaff
			reason = "tệp lưu của hồ sơ bị mất hoặc hỏng khi phục hồi, cần nhân viên xử lý (the dossier's stored files were missing or damaged at salvage; staff action needed)"
		case state == StateNeedsStaff:
		default:
			state = StateQueued
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO dossiers(receipt_no, idem_key, procedure_code, unit_code, state, payload,
			dossier_code, central_status, reason, captured_at, updated_at, accepted_at, purged_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)
			ON CONFLICT DO NOTHING`, r.receipt, r.key, r.proc, r.unit, state, r.payload, r.code, r.central, reason,
			r.captured, ms, r.accepted, r.purged)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue // already in the store
		}
		id, _ := res.LastInsertId()
		for i, a := range r.manifest.Attachments {
			if _, err := tx.ExecContext(ctx, "INSERT INTO attachments(dossier_id, idx, sha256, size) VALUES(?,?,?,?)", id, i, a.SHA256, a.Size); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO audit(dossier_id, at, state, note) VALUES(?,?,?,?)", id, ms, state,
			"phục hồi từ cơ sở dữ liệu hỏng (salvaged from a damaged database)"); err != nil {
			return err
		}
	}
	return diskFull(tx.Commit())
}

// export writes the recovered dossiers, decrypted, under out (owner-only), and the report.
func export(aead cipher.AEAD, dir, out string, rows []*salvaged, rep *SalvageReport) error {
	if err := os.MkdirAll(out, 0o700); err != nil {
		return fmt.Errorf("không tạo được thư mục xuất (cannot create the export folder): %w", err)
	}
	for _, r := range rows {
		if r.manifest == nil {
			continue
		}
		name := strings.Map(func(c rune) rune {
			if c == '/' || c == '\\' || c == 0 {
				return '_'
			}
			return c
		}, r.receipt)
		if name == "" || name == "." || name == ".." {
			name = fmt.Sprintf("row-%d", r.id)
		}
		d := filepath.Join(out, name)
		if err := os.MkdirAll(d, 0o700); err != nil {
			return err
		}
		m, err := json.MarshalIndent(r.manifest, "", "  ")
		if err != nil {
			return err
		}
		if err := atomicfile.Write(filepath.Join(d, "manifest.json"), m, 0o600); err != nil {
			return diskFull(err)
		}
		for i, a := range r.manifest.Attachments {
			b, err := readBlob(aead, filepath.Join(dir, "blobs", a.SHA256))
			if err != nil {
				continue // counted in rep.AttachmentsBad
			}
			if err := atomicfile.Write(filepath.Join(d, fmt.Sprintf("%02d.pdf", i+1)), b, 0o600); err != nil {
				return diskFull(err)
			}
		}
	}
	j, _ := json.MarshalIndent(rep, "", "  ")
	return atomicfile.Write(filepath.Join(out, "salvage.json"), j, 0o600)
}
