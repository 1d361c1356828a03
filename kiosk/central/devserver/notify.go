package devserver

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/dossier"
)

// SentMessage is one status message the development server "sent" (it sends nothing; it records
// the channel and the status, never the contact).
type SentMessage struct {
	Channel    string         `json:"channel"`
	StatusCode dossier.Status `json:"statusCode"`
	At         time.Time      `json:"at"`
}

// notifyChange "sends" the opted-in messages of a dossier's new status, and forgets the contact when
// the dossier has reached an end (3, 7, 8, 10).
func notifyChange(ctx context.Context, q querier, code string, status dossier.Status, now int64) error {
	var key, channels string
	err := q.QueryRowContext(ctx, "SELECT idem_key, channels FROM notify WHERE code=?", code).Scan(&key, &channels)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, ch := range strings.Split(channels, ",") {
		if _, err := q.ExecContext(ctx, "INSERT INTO notify_log(code, channel, status_code, at) VALUES(?,?,?,?)", code, ch, status, now); err != nil {
			return err
		}
	}
	switch status {
	case dossier.StatusRefused, dossier.StatusWithdrawn, dossier.StatusStopped, dossier.StatusReturned:
		_, err = q.ExecContext(ctx, "DELETE FROM notify WHERE idem_key=?", key)
	}
	return err
}

// dossierCodeByKey is the code of the dossier kiosk k submitted with key.
func (v *services) dossierCodeByKey(ctx context.Context, key string, k kiosk) (string, error) {
	var code string
	err := v.s.db.QueryRowContext(ctx, "SELECT code FROM dossiers WHERE idem_key=? AND kiosk_id=?", key, k.id).Scan(&code)
	return code, err
}

func (v *services) setNotify(w http.ResponseWriter, r *http.Request, k kiosk) {
	var n central.NotifyOptIn
	if !readJSON(w, r, &n) {
		return
	}
	if err := n.Check(); err != nil {
		badRequest(w, err)
		return
	}
	code, err := v.dossierCodeByKey(r.Context(), r.PathValue("key"), k)
	if errors.Is(err, sql.ErrNoRows) {
		problem(w, http.StatusNotFound, central.ProblemNotFound, "chưa nhận hồ sơ này (dossier not received yet)")
		return
	}
	if err != nil {
		v.s.internal(w, err)
		return
	}
	if _, err := v.s.db.ExecContext(r.Context(), `INSERT INTO notify(idem_key, code, channels, phone, email, consent_at) VALUES(?,?,?,?,?,?)
		ON CONFLICT(idem_key) DO UPDATE SET channels=excluded.channels, phone=excluded.phone, email=excluded.email, consent_at=excluded.consent_at`,
		r.PathValue("key"), code, strings.Join(n.Channels, ","), n.Phone, n.Email, n.ConsentAt.UnixMilli()); err != nil {
		v.s.internal(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (v *services) getNotify(w http.ResponseWriter, r *http.Request, k kiosk) {
	if _, err := v.dossierCodeByKey(r.Context(), r.PathValue("key"), k); err != nil {
		problem(w, http.StatusNotFound, central.ProblemNotFound, "không có hồ sơ với khóa này (no dossier with this key)")
		return
	}
	var n central.NotifyOptIn
	var channels string
	var at int64
	err := v.s.db.QueryRowContext(r.Context(), "SELECT channels, phone, email, consent_at FROM notify WHERE idem_key=?", r.PathValue("key")).
		Scan(&channels, &n.Phone, &n.Email, &at)
	if errors.Is(err, sql.ErrNoRows) {
		problem(w, http.StatusNotFound, central.ProblemNotFound, "hồ sơ không đăng ký nhận tin (no opt-in for this dossier)")
		return
	}
	if err != nil {
		v.s.internal(w, err)
		return
	}
	n.Channels, n.ConsentAt = strings.Split(channels, ","), time.UnixMilli(at).UTC()
	writeJSON(w, http.StatusOK, n)
}

func (v *services) deleteNotify(w http.ResponseWriter, r *http.Request, k kiosk) {
	if _, err := v.dossierCodeByKey(r.Context(), r.PathValue("key"), k); err != nil {
		problem(w, http.StatusNotFound, central.ProblemNotFound, "không có hồ sơ với khóa này (no dossier with this key)")
		return
	}
	if _, err := v.s.db.ExecContext(r.Context(), "DELETE FROM notify WHERE idem_key=?", r.PathValue("key")); err != nil {
		v.s.internal(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Sent lists the messages "sent" for a dossier, oldest first.
func (s *Server) Sent(ctx context.Context, code string) ([]SentMessage, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT channel, status_code, at FROM notify_log WHERE code=? ORDER BY id", code)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []SentMessage{}
	for rows.Next() {
		var m SentMessage
		var at int64
		if err := rows.Scan(&m.Channel, &m.StatusCode, &at); err != nil {
			return nil, err
		}
		m.At = time.UnixMilli(at).UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}

func (v *services) devSent(w http.ResponseWriter, r *http.Request) {
	list, err := v.s.Sent(r.Context(), r.PathValue("code"))
	if err != nil {
		v.s.internal(w, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}
