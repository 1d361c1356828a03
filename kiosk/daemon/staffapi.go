package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tramso/tramso/drivers/escpos"
	"github.com/tramso/tramso/kiosk/api"
	"github.com/tramso/tramso/kiosk/outbox"
	"github.com/tramso/tramso/kiosk/receipt"
	"github.com/tramso/tramso/kiosk/staff"
)

// staffHandlers are the counter staff's routes. Every route but login needs a staff session token
// (Authorization: Bearer TOKEN) from POST /v1/staff/login.
func (d *Daemon) staffHandlers() map[string]http.Handler {
	auth := func(h http.HandlerFunc) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if err := d.guard.Check(tok); err != nil {
				api.Problem(w, http.StatusUnauthorized, "staff-login", err.Error(), "")
				return
			}
			h(w, r)
		})
	}
	return map[string]http.Handler{
		"POST /v1/staff/login":                 http.HandlerFunc(d.staffLogin),
		"GET /v1/staff/dossiers":               auth(d.staffDossiers),
		"POST /v1/staff/dossiers/{id}/reprint": auth(d.staffReprint),
		"POST /v1/staff/dossiers/{id}/retry":   auth(d.staffRetry),
		"GET /v1/staff/devices":                auth(d.staffDevices),
		"POST /v1/staff/printer/test":          auth(d.staffTestPage),
		"POST /v1/staff/selftest":              auth(d.staffSelfTest),
	}
}

func (d *Daemon) staffLogin(w http.ResponseWriter, r *http.Request) {
	var req struct {
		PIN string `json:"pin"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1024)).Decode(&req); err != nil {
		api.Problem(w, http.StatusBadRequest, "bad-login", "yêu cầu không hợp lệ (malformed request)", "")
		return
	}
	tok, err := d.guard.Login(req.PIN)
	switch {
	case errors.Is(err, staff.ErrLocked):
		api.Problem(w, http.StatusTooManyRequests, "staff-locked", err.Error(), "")
	case err != nil:
		api.Problem(w, http.StatusUnauthorized, "staff-login", err.Error(), "")
	default:
		api.WriteJSON(w, http.StatusOK, map[string]string{"token": tok})
	}
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
	data, err := d.store.Reprint(ctx, id)
	if err != nil {
		return nil, err
	}
	e, dd := data.Entry, data.Dossier
	code, provisional := e.DossierCode, false
	if code == "" {
		code, provisional = e.ReceiptNo, true
	}
	rc := &receipt.Receipt{
		Unit: dd.Unit.Name, DossierCode: code, Provisional: provisional,
		Applicant:      receipt.Applicant{Name: dd.Applicant.FullName, IDNumber: dd.Applicant.IDNumber, Phone: dd.Applicant.Phone, Address: dd.Applicant.Address},
		Procedure:      receipt.Procedure{Code: dd.Procedure.Code, Name: dd.Procedure.Name},
		ReceivedAt:     e.CapturedAt.In(d.printer.kiosk.Location).Format(time.RFC3339),
		ResultDelivery: "Nhận trực tiếp tại Bộ phận Một cửa",
		LookupURL:      d.printer.kiosk.lookupURL(code),
		KioskID:        dd.KioskID,
		Hotline:        d.printer.kiosk.Hotline,
	}
	days := 0
	counts := map[string][2]int{}
	if p, err := d.catalog.Load().Get(dd.Procedure.Code); err == nil {
		rc.ProcessingTime, days = p.ProcessingTime, p.ProcessingDays
		for _, doc := range p.Documents {
			counts[doc.Type] = [2]int{doc.Originals, doc.Copies}
		}
	}
	rc.AppointmentAt = appointment(e.CapturedAt.In(d.printer.kiosk.Location), days).Format(time.RFC3339)
	for _, a := range dd.Attachments {
		c := counts[a.Type]
		rc.Documents = append(rc.Documents, receipt.Document{Name: a.Name, Originals: c[0], Copies: c[1]})
	}
	return rc, nil
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
