package devserver

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/tramso/tramso/internal/vntime"
	"github.com/tramso/tramso/kiosk/central"
)

func baseURL(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

func (v *services) takeTicket(w http.ResponseWriter, r *http.Request, k kiosk) {
	key := idempotencyKey(r.Header)
	if key == "" {
		problem(w, http.StatusBadRequest, central.ProblemBadRequest, "thiếu Idempotency-Key (Idempotency-Key missing)")
		return
	}
	var req central.TicketRequest
	if !readJSON(w, r, &req) {
		return
	}
	now := v.s.cfg.Now()
	rank := now
	switch req.Source {
	case central.SourceWalkIn:
		if !req.BookedAt.IsZero() {
			badRequest(w, errors.New("số lấy tại chỗ không có giờ đặt (a walk-in number has no booking time)"))
			return
		}
	case central.SourceOnline:
		if req.BookedAt.IsZero() || req.BookedAt.After(now.Add(time.Minute)) || now.Sub(req.BookedAt) > 24*time.Hour {
			badRequest(w, errors.New("số đặt trước cần giờ đặt trong 24 giờ qua (an online number needs a booking time within the last 24 hours)"))
			return
		}
		rank = req.BookedAt
	default:
		badRequest(w, errors.New("nguồn phải là walk-in hoặc online (source must be walk-in or online)"))
		return
	}
	body, _ := json.Marshal(req)
	fingerprint := fingerprintOf(body)
	ctx := context.WithoutCancel(r.Context())
	tx, err := v.s.db.BeginTx(ctx, nil)
	if err != nil {
		v.s.internal(w, err)
		return
	}
	defer tx.Rollback()
	var oldID, oldFP string
	err = tx.QueryRowContext(ctx, "SELECT id, fingerprint FROM tickets WHERE kiosk_id=? AND idem_key=?", k.id, key).Scan(&oldID, &oldFP)
	if err == nil {
		if oldFP != fingerprint {
			problem(w, http.StatusUnprocessableEntity, central.ProblemKeyReused, "khóa đã dùng cho yêu cầu khác (key reused with another request)")
			return
		}
		t, err := ticketView(ctx, tx, oldID, baseURL(r))
		if err != nil {
			v.s.internal(w, err)
			return
		}
		writeJSON(w, http.StatusOK, t)
		return
	} else if !errors.Is(err, sql.ErrNoRows) {
		v.s.internal(w, err)
		return
	}
	c, err := counterFor(ctx, tx, req)
	if errors.Is(err, sql.ErrNoRows) {
		problem(w, http.StatusNotFound, central.ProblemNotFound, "không có quầy này (no such counter)")
		return
	}
	if err != nil {
		v.s.internal(w, err)
		return
	}
	day := now.In(vntime.Zone()).Format("060102")
	var seq int
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(seq),0)+1 FROM tickets WHERE counter_id=? AND day=?", c.ID, day).Scan(&seq); err != nil {
		v.s.internal(w, err)
		return
	}
	id := randomID()
	number := fmt.Sprintf("%s%03d", c.Prefix, seq)
	if _, err := tx.ExecContext(ctx, `INSERT INTO tickets(id, idem_key, kiosk_id, fingerprint, counter_id, day, seq, number, source,
		dossier_code, issued_at, rank_at, state) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		id, key, k.id, fingerprint, c.ID, day, seq, number, req.Source, req.DossierCode, now.UnixMilli(), rank.UnixMilli(), central.TicketWaiting); err != nil {
		v.s.internal(w, err)
		return
	}
	if err := addEvent(ctx, tx, central.EventTicketIssued, c, number, "", now); err != nil {
		v.s.internal(w, err)
		return
	}
	t, err := ticketView(ctx, tx, id, baseURL(r))
	if err == nil {
		err = tx.Commit()
	}
	if err != nil {
		v.s.internal(w, err)
		return
	}
	v.wakes.wake()
	writeJSON(w, http.StatusCreated, t)
}

func (v *services) ticket(w http.ResponseWriter, r *http.Request, _ kiosk) {
	t, err := ticketView(r.Context(), v.s.db, r.PathValue("id"), baseURL(r))
	if errors.Is(err, sql.ErrNoRows) {
		problem(w, http.StatusNotFound, central.ProblemNotFound, "không có số thứ tự này (no such ticket)")
		return
	}
	if err != nil {
		v.s.internal(w, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

// follow is the public page of a ticket for a phone: its number, counter, place and wait. The id is
// 128 random bits and the ticket holds nothing personal.
func (v *services) follow(w http.ResponseWriter, r *http.Request) {
	t, err := ticketView(r.Context(), v.s.db, r.PathValue("id"), baseURL(r))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	writeJSON(w, http.StatusOK, t)
}
