package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tramso/tramso/drivers/escpos"
	"github.com/tramso/tramso/kiosk/api"
	"github.com/tramso/tramso/kiosk/config"
	"github.com/tramso/tramso/kiosk/outbox"
	"github.com/tramso/tramso/kiosk/receipt"
	"github.com/tramso/tramso/kiosk/staff"
)

// staffHandlers are the counter staff's and the technician's routes. Every route but login needs
// a session token (Authorization: Bearer TOKEN) from POST /v1/staff/login; the technician's
// (self-test, printer test page) need a token opened with the technician's PIN.
func (d *Daemon) staffHandlers() map[string]http.Handler {
	auth := func(need staff.Role, h http.HandlerFunc) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, err := d.guard.Check(bearer(r), need)
			switch {
			case errors.Is(err, staff.ErrForbidden):
				api.Problem(w, http.StatusForbidden, "technician-login", err.Error(), "")
			case err != nil:
				api.Problem(w, http.StatusUnauthorized, "staff-login", err.Error(), "")
			default:
				h(w, r)
			}
		})
	}
	return map[string]http.Handler{
		"POST /v1/staff/login":                 http.HandlerFunc(d.staffLogin),
		"POST /v1/staff/logout":                auth(staff.RoleStaff, d.staffLogout),
		"GET /v1/staff/dossiers":               auth(staff.RoleStaff, d.staffDossiers),
		"POST /v1/staff/dossiers/{id}/reprint": auth(staff.RoleStaff, d.staffReprint),
		"POST /v1/staff/dossiers/{id}/retry":   auth(staff.RoleStaff, d.staffRetry),
		"GET /v1/staff/devices":                auth(staff.RoleStaff, d.staffDevices),
		"POST /v1/staff/printer/test":          auth(staff.RoleTechnician, d.staffTestPage),
		"POST /v1/staff/selftest":              auth(staff.RoleTechnician, d.staffSelfTest),
	}
}

func bearer(r *http.Request) string {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return tok
}

// openGuard reads the PIN hashes from the secrets file (refusing one its group or others may
// read) and starts the staff guard, its wrong-PIN counts kept in the state folder.
func (d *Daemon) openGuard() error {
	sec, err := config.LoadSecrets(d.cfg.Paths.SecretsFile())
	if err != nil {
		return err
	}
	cfg := *d.cfg
	cfg.Apply(sec)
	g, err := staff.New(staff.Options{StaffHash: cfg.Staff.PINHash, TechnicianHash: cfg.Staff.TechnicianPINHash,
		LockoutAfter: cfg.Staff.LockoutAfter, Lockout: time.Duration(cfg.Staff.LockoutMinutes) * time.Minute,
		Idle: cfg.Staff.SessionIdle.Duration, MaxAge: cfg.Staff.SessionMax.Duration,
		LockoutFile: filepath.Join(cfg.Paths.StateDir, "staff-lockout.json")})
	if err != nil {
		d.log.Warn("staff login lockouts", "err", err)
	}
	d.guard = g
	return nil
}

// staffSource is who is logging in, for the wrong-PIN count: the socket peer's user id.
func staffSource(r *http.Request) string {
	if uid, ok := api.PeerUID(r.Context()); ok {
		return "uid:" + strconv.FormatUint(uint64(uid), 10)
	}
	return "peer:unknown"
}

func (d *Daemon) staffLogin(w http.ResponseWriter, r *http.Request) {
	var req struct {
		PIN string `json:"pin"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1024)).Decode(&req); err != nil {
		api.Problem(w, http.StatusBadRequest, "bad-login", "yêu cầu không hợp lệ (malformed request)", "")
		return
	}
	s, err := d.guard.Login(staffSource(r), req.PIN)
	switch {
	case errors.Is(err, staff.ErrLocked):
		d.log.Warn("staff login locked", "source", staffSource(r))
		api.Problem(w, http.StatusTooManyRequests, "staff-locked", err.Error(), "")
	case err != nil:
		d.log.Info("staff login refused", "source", staffSource(r))
		api.Problem(w, http.StatusUnauthorized, "staff-login", err.Error(), "")
	default:
		d.log.Info("staff login", "role", s.Role, "source", staffSource(r))
		api.WriteJSON(w, http.StatusOK, map[string]any{"token": s.Token, "role": s.Role, "expiresAt": s.Expires})
	}
}

// staffLogout ends the session whose token the request carries.
func (d *Daemon) staffLogout(w http.ResponseWriter, r *http.Request) {
	d.guard.Logout(bearer(r))
	w.WriteHeader(http.StatusNoContent)
}

// staffDossiers lists the dossiers captured today (or ?all=1: every one the outbox holds), newest
// first, without personal data.
func (d *Daemon) staffDossiers(w http.ResponseWriter, r *http.Request) {
	entries, err := d.store.List(r.Context())
	if err != nil {
		api.Problem(w, http.StatusInternalServerError, "outbox", err.Error(), "")
		return
	}
	loc := d.printer.kiosk.Location
	y, m, day := time.Now().In(loc).Date()
	// Check is the capture's audit note: the papers the citizen kept although they did not look
	// like their document (document types and codes, no personal data).
	type line struct {
		outbox.Entry
		Check string `json:"check,omitempty"`
	}
	out := []line{}
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		ey, em, ed := e.CapturedAt.In(loc).Date()
		if r.URL.Query().Get("all") == "1" || (ey == y && em == m && ed == day) {
			l := line{Entry: e}
			if audit, err := d.store.Audit(r.Context(), e.ID); err == nil && len(audit) > 0 {
				l.Check = audit[0].Note
			}
			out = append(out, l)
		}
	}
	api.WriteJSON(w, http.StatusOK, out)
}

func (d *Daemon) staffReprint(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		api.Problem(w, http.StatusBadRequest, "bad-id", "mã hồ sơ không hợp lệ (bad id)", "")
		return
	}
	rc, err := d.reprintReceipt(r.Context(), id)
	if err != nil {
		code := http.StatusInternalServerError
		if errors.Is(err, outbox.ErrNotFound) || errors.Is(err, outbox.ErrPurged) {
			code = http.StatusNotFound
		}
		api.Problem(w, code, "reprint", err.Error(), "")
		return
	}
	if err := d.printer.print(r.Context(), rc); err != nil {
		api.Problem(w, http.StatusServiceUnavailable, "printer", err.Error(), "")
		return
	}
	api.WriteJSON(w, http.StatusOK, map[string]any{"dossierCode": rc.DossierCode, "provisional": rc.Provisional})
}

// reprintReceipt rebuilds a receipt from the outbox: with the official code once issued.
func (d *Daemon) reprintReceipt(ctx context.Context, id int64) (*receipt.Receipt, error) {
	return committedReceipt(ctx, d.store, d.catalog.Load(), d.printer.kiosk, id, false)
}

func (d *Daemon) staffRetry(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		api.Problem(w, http.StatusBadRequest, "bad-id", "mã hồ sơ không hợp lệ (bad id)", "")
		return
	}
	if err := d.store.Retry(r.Context(), id); err != nil {
		api.Problem(w, http.StatusConflict, "retry", err.Error(), "")
		return
	}
	api.WriteJSON(w, http.StatusOK, map[string]string{"status": "queued"})
}

func (d *Daemon) staffTestPage(w http.ResponseWriter, r *http.Request) {
	// A one-way printer (status=none) has no status to print or check: the page is sent and
	// reported as unconfirmed, so staff look at the slot themselves.
	st, err := d.printer.status(r.Context())
	oneWay := errors.Is(err, escpos.ErrNoStatus)
	if err != nil && !oneWay {
		api.Problem(w, http.StatusServiceUnavailable, "printer", err.Error(), "")
		return
	}
	var shown *escpos.Status
	if !oneWay {
		shown = &st
	}
	job, err := escpos.Compile(escpos.TestPage(d.printer.profile, shown, time.Now()), d.printer.profile, d.printer.fonts)
	if err == nil {
		err = d.printer.printJob(r.Context(), job.Data)
	}
	if errors.Is(err, escpos.ErrUnconfirmed) {
		api.WriteJSON(w, http.StatusOK, map[string]string{"status": "đã gửi, máy in không xác nhận được (sent, unconfirmed)"})
		return
	}
	if err != nil {
		api.Problem(w, http.StatusServiceUnavailable, "printer", err.Error(), "")
		return
	}
	api.WriteJSON(w, http.StatusOK, map[string]string{"status": st.String()})
}
