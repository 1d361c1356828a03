package devserver

// Dossier submissions, official codes and statuses.

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/tramso/tramso/internal/vntime"
	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/dossier"
)

type submitBody struct {
	Manifest  json.RawMessage `json:"manifest"`
	Signature string          `json:"signature"`
}

// idempotencyKey reads the Idempotency-Key header (a structured-field string; a bare token is accepted).
func idempotencyKey(h http.Header) string {
	v := strings.TrimSpace(h.Get(central.HeaderIdempotencyKey))
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	if v == "" || len(v) > 128 || strings.ContainsAny(v, "\"\\ ") {
		return ""
	}
	return v
}

func (s *Server) submit(w http.ResponseWriter, r *http.Request, k kiosk) {
	key := idempotencyKey(r.Header)
	if key == "" {
		problem(w, http.StatusBadRequest, central.ProblemBadRequest, "thiếu Idempotency-Key (Idempotency-Key missing)")
		return
	}
	var body submitBody
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil || len(body.Manifest) == 0 {
		problem(w, http.StatusBadRequest, central.ProblemBadRequest, "nội dung không đọc được (body unreadable)")
		return
	}
	fingerprint := fingerprintOf(body.Manifest)

	s.mu.Lock()
	busy := s.inFlight[key]
	if !busy {
		s.inFlight[key] = true
	}
	s.mu.Unlock()
	if busy {
		w.Header().Set("Retry-After", "1")
		problem(w, http.StatusConflict, central.ProblemInProgress, "yêu cầu cùng khóa đang được xử lý (same key in progress)")
		return
	}
	defer func() {
		s.mu.Lock()
		delete(s.inFlight, key)
		s.mu.Unlock()
	}()

	if st, oldFP, err := s.lookup(r.Context(), key, k.id); err == nil {
		if oldFP != fingerprint {
			problem(w, http.StatusUnprocessableEntity, central.ProblemKeyReused, "khóa đã dùng cho hồ sơ khác (key reused with another payload)")
			return
		}
		writeJSON(w, http.StatusOK, st)
		return
	} else if !errors.Is(err, sql.ErrNoRows) {
		s.internal(w, err)
		return
	}

	sig, err := base64.StdEncoding.DecodeString(body.Signature)
	if err != nil || dossier.Verify(k.pub, body.Manifest, sig) != nil {
		problem(w, http.StatusUnprocessableEntity, central.ProblemBadSignature, "chữ ký bản kê không hợp lệ (manifest signature invalid)")
		return
	}
	d, err := dossier.ParseManifest(body.Manifest)
	if err == nil && (d.IdempotencyKey != key || d.KioskID != k.id) {
		err = errors.New("khóa hoặc mã kiosk không khớp (key or kiosk id does not match)")
	}
	if err == nil {
		err = d.Validate(nil)
	}
	if err != nil {
		problemWith(w, central.Problem{Type: central.ProblemInvalidDossier, Status: http.StatusUnprocessableEntity,
			Title: "hồ sơ không hợp lệ (dossier invalid)", Detail: err.Error()})
		return
	}
	for i, a := range d.Attachments {
		if !s.haveBlob(r.Context(), a.SHA256, a.Size) {
			problemWith(w, central.Problem{Type: central.ProblemAttachmentMissing, Status: http.StatusConflict,
				Title: "chưa nhận đủ tệp đính kèm (attachment not uploaded yet)", Detail: fmt.Sprintf("attachment %d", i+1)})
			return
		}
	}
	st, err := s.store(context.WithoutCancel(r.Context()), key, fingerprint, k.id, d, body.Manifest, sig)
	if errors.Is(err, errReceiptReused) {
		s.log.Warn("receipt number reused under another key", "kiosk", k.id, "receipt", d.ReceiptNo)
		problemWith(w, central.Problem{Type: central.ProblemReceiptReused, Status: http.StatusConflict,
			Title:  "số biên nhận đã được dùng cho hồ sơ khác, không nhận (receipt number already used by another dossier; refused)",
			Detail: "receiptNo " + d.ReceiptNo})
		return
	}
	if errors.Is(err, dossier.ErrBadCode) {
		problem(w, http.StatusServiceUnavailable, central.ProblemCodesExhausted, "hết số thứ tự trong ngày (daily sequence exhausted)")
		return
	}
	if err != nil {
		s.internal(w, err)
		return
	}
	s.log.Info("dossier received", "code", st.DossierCode, "kiosk", k.id)
	writeJSON(w, http.StatusCreated, st)
}

func (s *Server) lookup(ctx context.Context, key, kioskID string) (*central.DossierStatus, string, error) {
	var st central.DossierStatus
	var fp string
	var recv, upd int64
	err := s.db.QueryRowContext(ctx, "SELECT code, status, note, received_at, updated_at, fingerprint FROM dossiers WHERE idem_key=? AND kiosk_id=?",
		key, kioskID).Scan(&st.DossierCode, &st.Status, &st.Note, &recv, &upd, &fp)
	if err != nil {
		return nil, "", err
	}
	st.IdempotencyKey = key
	st.ReceivedAt, st.UpdatedAt = time.UnixMilli(recv).UTC(), time.UnixMilli(upd).UTC()
	return &st, fp, nil
}

// errReceiptReused: the manifest's receipt number is another dossier's (under another key).
var errReceiptReused = errors.New("số biên nhận đã được dùng cho hồ sơ khác (receipt number used by another dossier)")

// store allocates the unit's next sequence number of the day and records the dossier, in one
// transaction. A receipt number already recorded under another key is refused (errReceiptReused):
// a kiosk that issues one twice has lost its outbox, and the second dossier must not pass as the first.
func (s *Server) store(ctx context.Context, key, fp, kioskID string, d *dossier.Dossier, manifest, sig []byte) (*central.DossierStatus, error) {
	now := s.cfg.Now()
	day := now.In(vntime.Zone()) // the day of a dossier code
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if d.ReceiptNo != "" {
		var other string
		err := tx.QueryRowContext(ctx, "SELECT idem_key FROM receipts WHERE receipt_no=?", d.ReceiptNo).Scan(&other)
		if err == nil && other != key {
			return nil, errReceiptReused
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO receipts(receipt_no, idem_key) VALUES(?,?) ON CONFLICT DO NOTHING", d.ReceiptNo, key); err != nil {
			return nil, err
		}
	}
	var last int
	err = tx.QueryRowContext(ctx, "SELECT last FROM sequences WHERE unit=? AND day=?", d.Unit.Code, day.Format("060102")).Scan(&last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	code, err := dossier.NewCode(d.Unit.Code, day, last+1)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO sequences(unit, day, last) VALUES(?,?,?)
		ON CONFLICT(unit, day) DO UPDATE SET last=excluded.last`, d.Unit.Code, day.Format("060102"), last+1); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO dossiers(code, idem_key, fingerprint, kiosk_id, procedure_code, unit_code,
		applicant_id, manifest, signature, status, received_at, updated_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)`,
		code.String(), key, fp, kioskID, d.Procedure.Code, d.Unit.Code, d.Applicant.IDNumber, manifest, sig,
		central.StatusReceived, now.UnixMilli(), now.UnixMilli()); err != nil {
		return nil, err
	}
	// The fee the catalogue puts on it is owed from acceptance (a retry never gets here: lookup).
	if err := owe(ctx, tx, code.String(), assessFee(starterCatalogue(), d), now.UnixMilli()); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return &central.DossierStatus{IdempotencyKey: key, DossierCode: code.String(), Status: central.StatusReceived,
		ReceivedAt: time.UnixMilli(now.UnixMilli()).UTC(), UpdatedAt: time.UnixMilli(now.UnixMilli()).UTC()}, nil
}

func (s *Server) status(w http.ResponseWriter, r *http.Request, k kiosk) {
	st, _, err := s.lookup(r.Context(), r.PathValue("key"), k.id)
	if errors.Is(err, sql.ErrNoRows) {
		problem(w, http.StatusNotFound, central.ProblemNotFound, "không có hồ sơ với khóa này (no dossier with this key)")
		return
	}
	if err != nil {
		s.internal(w, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// SetStatus changes a dossier's status as the provincial system's staff would (received,
// processing, needs-more-documents, completed, returned, refused, withdrawn).
func (s *Server) SetStatus(ctx context.Context, code, status, note string) error {
	res, err := s.db.ExecContext(ctx, "UPDATE dossiers SET status=?, note=?, updated_at=? WHERE code=?", status, note, s.cfg.Now().UnixMilli(), code)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("không có hồ sơ %s (no such dossier)", code)
	}
	return nil
}
