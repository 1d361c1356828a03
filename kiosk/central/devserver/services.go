package devserver

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/tramso/tramso/kiosk/central"
)

// servicesSchema holds the citizen services of issue 16: the tracker's state of each dossier, the
// queue, ratings, fees and notification opt-ins.
const servicesSchema = `
CREATE TABLE IF NOT EXISTS tracking(
	code TEXT PRIMARY KEY, status_code INTEGER NOT NULL, appointment TEXT NOT NULL DEFAULT '',
	owed_docs TEXT NOT NULL DEFAULT '[]', place TEXT NOT NULL DEFAULT '', note TEXT NOT NULL DEFAULT '',
	updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS counters(
	id TEXT PRIMARY KEY, name TEXT NOT NULL, field TEXT NOT NULL, procedures TEXT NOT NULL, prefix TEXT NOT NULL,
	paused INTEGER NOT NULL DEFAULT 0, reason TEXT NOT NULL DEFAULT '', serving TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS tickets(
	id TEXT PRIMARY KEY, idem_key TEXT NOT NULL, kiosk_id TEXT NOT NULL, fingerprint TEXT NOT NULL,
	counter_id TEXT NOT NULL, day TEXT NOT NULL, seq INTEGER NOT NULL, number TEXT NOT NULL, source TEXT NOT NULL,
	dossier_code TEXT NOT NULL DEFAULT '', issued_at INTEGER NOT NULL, rank_at INTEGER NOT NULL,
	state TEXT NOT NULL, called_at INTEGER NOT NULL DEFAULT 0, done_at INTEGER NOT NULL DEFAULT 0,
	UNIQUE(kiosk_id, idem_key), UNIQUE(counter_id, day, seq));
CREATE INDEX IF NOT EXISTS tickets_waiting ON tickets(counter_id, state, rank_at, seq);
CREATE TABLE IF NOT EXISTS queue_events(
	id INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, counter_id TEXT NOT NULL, counter_name TEXT NOT NULL,
	number TEXT NOT NULL DEFAULT '', reason TEXT NOT NULL DEFAULT '', at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS ratings(
	id TEXT PRIMARY KEY, subject TEXT NOT NULL, dossier_code TEXT, level TEXT NOT NULL, reasons TEXT NOT NULL,
	comment TEXT NOT NULL, rated_at INTEGER NOT NULL, kiosk_id TEXT NOT NULL, fingerprint TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS ratings_one_per_dossier ON ratings(dossier_code) WHERE subject='dossier';
CREATE TABLE IF NOT EXISTS payments(
	code TEXT PRIMARY KEY, amount INTEGER NOT NULL, state TEXT NOT NULL, paid_at INTEGER NOT NULL DEFAULT 0,
	bank_ref TEXT NOT NULL DEFAULT '', receipt_no TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS notify(
	idem_key TEXT PRIMARY KEY, code TEXT NOT NULL, channels TEXT NOT NULL, phone TEXT NOT NULL, email TEXT NOT NULL,
	consent_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS notify_log(
	id INTEGER PRIMARY KEY AUTOINCREMENT, code TEXT NOT NULL, channel TEXT NOT NULL, status_code INTEGER NOT NULL,
	at INTEGER NOT NULL);
`

// services serves the citizen services; it is made by registerServices and lives as long as the
// server.
type services struct {
	s     *Server
	wakes *wakeHub
}

// registerServices creates the services' tables, the sample counters, and their routes on s.mux.
func (s *Server) registerServices(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, servicesSchema); err != nil {
		return fmt.Errorf("không tạo được bảng dịch vụ (cannot create service tables): %w", err)
	}
	if err := seedCounters(ctx, s); err != nil {
		return err
	}
	v := &services{s: s, wakes: &wakeHub{subs: map[chan struct{}]struct{}{}}}
	m := s.mux
	m.HandleFunc("GET "+central.PathTracker+"/{code}", s.auth(v.track))
	m.HandleFunc("POST "+central.PathTrackerHolder, s.auth(v.trackHolder))
	m.HandleFunc("GET "+central.PathQueueCounters, s.auth(v.counters))
	m.HandleFunc("POST "+central.PathQueueCounters+"/{id}/{action}", s.auth(v.counterAction))
	m.HandleFunc("POST "+central.PathQueueTickets, s.auth(v.takeTicket))
	m.HandleFunc("GET "+central.PathQueueTickets+"/{id}", s.auth(v.ticket))
	m.HandleFunc("GET "+central.PathQueueEvents, s.auth(v.events))
	m.HandleFunc("GET "+FollowPath+"{id}", v.follow)
	m.HandleFunc("PUT "+central.PathRatings+"/{id}", s.auth(v.rate))
	m.HandleFunc("GET "+central.PathPayments+"/{code}", s.auth(v.payment))
	m.HandleFunc("PUT "+central.PathNotifications, s.auth(v.setNotify))
	m.HandleFunc("GET "+central.PathNotifications, s.auth(v.getNotify))
	m.HandleFunc("DELETE "+central.PathNotifications, s.auth(v.deleteNotify))
	// Development only: what the province's staff and the bank would do.
	m.HandleFunc("POST "+DevPathTracking, v.devTracking)
	m.HandleFunc("POST "+DevPathPaid, v.devPaid)
	m.HandleFunc("GET "+DevPathSent, v.devSent)
	return nil
}

// Development endpoints (not part of the contract; no faults, no authentication).
const (
	DevPathTracking = "/dev/dossiers/{code}/tracking" // POST TrackingUpdate: staff move a dossier
	DevPathPaid     = "/dev/payments/{code}/paid"     // POST BankNotice: the bank's notice of a payment
	DevPathSent     = "/dev/notifications/{code}"     // GET: the messages central "sent" for a dossier
	FollowPath      = "/q/"                           // GET /q/{ticket id}: the ticket for a phone (public)
)

// wakeHub wakes the event streams when a queue event was stored.
type wakeHub struct {
	mu   sync.Mutex
	subs map[chan struct{}]struct{}
}

func (h *wakeHub) subscribe() (chan struct{}, func()) {
	c := make(chan struct{}, 1)
	h.mu.Lock()
	h.subs[c] = struct{}{}
	h.mu.Unlock()
	return c, func() {
		h.mu.Lock()
		delete(h.subs, c)
		h.mu.Unlock()
	}
}

func (h *wakeHub) wake() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.subs {
		select {
		case c <- struct{}{}:
		default:
		}
	}
}

// readJSON decodes a small JSON body into v, refusing unknown fields; it answers 400 and returns
// false when it cannot.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		problem(w, http.StatusBadRequest, central.ProblemBadRequest, "nội dung không đọc được (body unreadable)")
		return false
	}
	return true
}

func badRequest(w http.ResponseWriter, err error) {
	problemWith(w, central.Problem{Type: central.ProblemBadRequest, Status: http.StatusUnprocessableEntity,
		Title: "yêu cầu không hợp lệ (request invalid)", Detail: err.Error()})
}
