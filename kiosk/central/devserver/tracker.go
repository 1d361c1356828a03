package devserver

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tramso/tramso/internal/vntime"
	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/dossier"
)

// TrackingUpdate is what the centre's staff change on a dossier (the development server's stand-in
// for the provincial system): the national status code, the appointment, what is owed.
type TrackingUpdate struct {
	StatusCode  dossier.Status         `json:"statusCode"`            // 1–10
	Appointment string                 `json:"appointment,omitempty"` // YYYY-MM-DD
	Documents   []central.OwedDocument `json:"owedDocuments,omitempty"`
	FeeVND      int64                  `json:"feeVnd,omitempty"` // status 6: the fee owed
	Where       string                 `json:"where,omitempty"`
	Note        string                 `json:"note,omitempty"`
}

// SetTracking moves a dossier as the centre's staff would: it sets the national status (and the
// lifecycle status kiosks read from GET /v1/dossiers/{key}), the appointment and what is owed; a fee
// becomes the dossier's payment to collect. Opted-in citizens are "sent" a message per channel, and a
// dossier that reaches an end forgets its contact.
func (s *Server) SetTracking(ctx context.Context, code string, u TrackingUpdate) error {
	if vi, _ := dossier.Status(u.StatusCode).Label(); vi == "" {
		return fmt.Errorf("mã trạng thái phải từ 1 đến 10 (status code must be 1–10)")
	}
	if u.Appointment != "" {
		if _, err := time.Parse(time.DateOnly, u.Appointment); err != nil {
			return fmt.Errorf("ngày hẹn phải có dạng YYYY-MM-DD (appointment must be YYYY-MM-DD)")
		}
	}
	if u.FeeVND < 0 || (u.FeeVND > 0 && u.StatusCode != dossier.StatusNeedsPayment) {
		return fmt.Errorf("lệ phí chỉ đi kèm trạng thái 6 (a fee goes with status 6 only)")
	}
	docs, _ := json.Marshal(u.Documents)
	if u.Documents == nil {
		docs = []byte("[]")
	}
	now := s.cfg.Now().UnixMilli()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, "UPDATE dossiers SET status=?, note=?, updated_at=? WHERE code=?", central.LifecycleOf(u.StatusCode), u.Note, now, code)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("không có hồ sơ %s (no such dossier)", code)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO tracking(code, status_code, appointment, owed_docs, place, note, updated_at)
		VALUES(?,?,?,?,?,?,?) ON CONFLICT(code) DO UPDATE SET status_code=excluded.status_code,
		appointment=CASE WHEN excluded.appointment='' THEN tracking.appointment ELSE excluded.appointment END,
		owed_docs=excluded.owed_docs, place=excluded.place, note=excluded.note, updated_at=excluded.updated_at`,
		code, u.StatusCode, u.Appointment, string(docs), u.Where, u.Note, now); err != nil {
		return err
	}
	if u.FeeVND > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO payments(code, amount, state) VALUES(?,?,?)
			ON CONFLICT(code) DO UPDATE SET amount=excluded.amount WHERE payments.state<>'paid'`,
			code, u.FeeVND, central.PaymentUnpaid); err != nil {
			return err
		}
	}
	if err := notifyChange(ctx, tx, code, u.StatusCode, now); err != nil {
		return err
	}
	return tx.Commit()
}

// dossierRow is what the tracker reads of a stored dossier.
type dossierRow struct {
	code, status, note, applicantID string
	manifest                        []byte
	received, updated               int64
}

const dossierCols = "code, status, note, applicant_id, manifest, received_at, updated_at"

func scanDossier(sc interface{ Scan(...any) error }) (dossierRow, error) {
	var d dossierRow
	err := sc.Scan(&d.code, &d.status, &d.note, &d.applicantID, &d.manifest, &d.received, &d.updated)
	return d, err
}

// tracked builds the tracker's view of a dossier; holder adds the name and documents.
func (v *services) tracked(ctx context.Context, d dossierRow, holder bool) (*central.TrackedDossier, error) {
	m, err := dossier.ParseManifest(d.manifest)
	if err != nil {
		return nil, err
	}
	t := &central.TrackedDossier{DossierCode: d.code, ProcedureCode: m.Procedure.Code, ProcedureName: m.Procedure.Name,
		StatusCode: central.StatusCodeOf(d.status), ReceivedAt: time.UnixMilli(d.received).UTC(),
		UpdatedAt: time.UnixMilli(d.updated).UTC(), Note: d.note}
	var code dossier.Status
	var appt, docs, place, note string
	err = v.s.db.QueryRowContext(ctx, "SELECT status_code, appointment, owed_docs, place, note FROM tracking WHERE code=?", d.code).
		Scan(&code, &appt, &docs, &place, &note)
	switch {
	case err == nil:
		t.StatusCode, t.Appointment, t.Note = code, appt, note
	case !errors.Is(err, sql.ErrNoRows):
		return nil, err
	}
	if t.Appointment == "" {
		t.Appointment = appointment(time.UnixMilli(d.received), processingDays(m.Procedure.Code))
	}
	t.StatusLabel, t.StatusLabelEn = dossier.Status(t.StatusCode).Label()
	if t.StatusCode == dossier.StatusNeedsPapers || t.StatusCode == dossier.StatusNeedsPayment {
		owed := &central.Owed{Where: place}
		if t.StatusCode == dossier.StatusNeedsPapers && docs != "" {
			if err := json.Unmarshal([]byte(docs), &owed.Documents); err != nil {
				return nil, err
			}
		}
		if t.StatusCode == dossier.StatusNeedsPayment {
			var state string
			err := v.s.db.QueryRowContext(ctx, "SELECT amount, state FROM payments WHERE code=?", d.code).Scan(&owed.FeeVND, &state)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return nil, err
			}
			owed.FeePaid = state == central.PaymentPaid
		}
		t.Owed = owed
	}
	if holder {
		t.Holder = &central.HolderView{FullName: m.Applicant.FullName, Documents: []string{}}
		for _, a := range m.Attachments {
			t.Holder.Documents = append(t.Holder.Documents, a.Name)
		}
	}
	return t, nil
}

// processingDays is the legal processing time of a procedure in the sample catalogue.
func processingDays(procedure string) int {
	for _, p := range starterCatalogue().Procedures {
		if p.Code == procedure {
			return p.ProcessingDays
		}
	}
	return 0
}

// appointment is the day a result is due: days working days (Monday–Friday) after the day of
// receipt, in Vietnam time.
func appointment(received time.Time, days int) string {
	d := received.In(vntime.Zone())
	for days > 0 {
		d = d.AddDate(0, 0, 1)
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			days--
		}
	}
	return d.Format(time.DateOnly)
}

func (v *services) track(w http.ResponseWriter, r *http.Request, _ kiosk) {
	code := r.PathValue("code")
	if _, err := dossier.ParseCode(code); err != nil {
		problem(w, http.StatusBadRequest, central.ProblemBadRequest, "mã hồ sơ không hợp lệ (dossier code invalid)")
		return
	}
	d, err := scanDossier(v.s.db.QueryRowContext(r.Context(), "SELECT "+dossierCols+" FROM dossiers WHERE code=?", code))
	if errors.Is(err, sql.ErrNoRows) {
		problem(w, http.StatusNotFound, central.ProblemNotFound, "không có hồ sơ với mã này (no dossier with this code)")
		return
	}
	if err != nil {
		v.s.internal(w, err)
		return
	}
	t, err := v.tracked(r.Context(), d, false)
	if err != nil {
		v.s.internal(w, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

// checkProof verifies a holder proof made by kiosk k.
func (v *services) checkProof(p *central.HolderProof, k kiosk) error {
	if b, err := hex.DecodeString(p.IDHash); err != nil || len(b) != 32 {
		return errors.New("mã băm số định danh không hợp lệ (ID hash invalid)")
	}
	if p.PassiveAuth != "valid" {
		return errors.New("thẻ chưa qua xác thực thụ động (card not passively authenticated)")
	}
	age := v.s.cfg.Now().Sub(p.ReadAt)
	if age > central.HolderProofMaxAge || age < -time.Minute {
		return errors.New("lần đọc thẻ đã cũ (card read too old)")
	}
	if dossier.Verify(k.pub, p.SigningBytes(), p.Signature) != nil {
		return errors.New("chữ ký của kiosk không hợp lệ (kiosk signature invalid)")
	}
	return nil
}

func (v *services) trackHolder(w http.ResponseWriter, r *http.Request, k kiosk) {
	var p central.HolderProof
	if !readJSON(w, r, &p) {
		return
	}
	if err := v.checkProof(&p, k); err != nil {
		problemWith(w, central.Problem{Type: central.ProblemProofRefused, Status: http.StatusForbidden,
			Title: "không xác minh được người nộp hồ sơ (holder not proved)", Detail: err.Error()})
		return
	}
	q, args := "SELECT "+dossierCols+" FROM dossiers ORDER BY received_at DESC, code DESC", []any{}
	if p.DossierCode != "" {
		q, args = "SELECT "+dossierCols+" FROM dossiers WHERE code=?", []any{p.DossierCode}
	}
	rows, err := v.s.db.QueryContext(r.Context(), q, args...)
	if err != nil {
		v.s.internal(w, err)
		return
	}
	var mine []dossierRow
	for rows.Next() {
		d, err := scanDossier(rows)
		if err != nil {
			rows.Close()
			v.s.internal(w, err)
			return
		}
		if subtle.ConstantTimeCompare([]byte(central.HolderIDHash(d.applicantID)), []byte(strings.ToLower(p.IDHash))) == 1 {
			mine = append(mine, d)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		v.s.internal(w, err)
		return
	}
	if p.DossierCode != "" && len(mine) == 0 {
		problem(w, http.StatusForbidden, central.ProblemProofRefused, "hồ sơ này không phải của người giữ thẻ (this dossier is not the card holder's)")
		return
	}
	out := central.HolderDossiers{Dossiers: []central.TrackedDossier{}}
	for _, d := range mine {
		t, err := v.tracked(r.Context(), d, true)
		if err != nil {
			v.s.internal(w, err)
			return
		}
		out.Dossiers = append(out.Dossiers, *t)
	}
	writeJSON(w, http.StatusOK, out)
}

func (v *services) devTracking(w http.ResponseWriter, r *http.Request) {
	var u TrackingUpdate
	if !readJSON(w, r, &u) {
		return
	}
	if err := v.s.SetTracking(r.Context(), r.PathValue("code"), u); err != nil {
		badRequest(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
