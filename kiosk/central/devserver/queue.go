package devserver

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tramso/tramso/internal/vntime"
	"github.com/tramso/tramso/kiosk/central"
)

// Queue figures of the development server.
const (
	// DefaultServiceTime is the estimated service time of a counter with no recent service.
	DefaultServiceTime = 5 * time.Minute
	// serviceSamples is how many recent services the estimate averages.
	serviceSamples = 10
)

// seedCounters creates the sample counters on first run: one per field of the sample catalogue and
// a general counter for "I only need a counter".
func seedCounters(ctx context.Context, s *Server) error {
	for _, c := range []central.Counter{
		{ID: "1", Name: "Quầy 1", Field: "Hộ tịch", Procedures: []string{"1.001193", "1.000656", "1.000894"}, Prefix: "A"},
		{ID: "2", Name: "Quầy 2", Field: "Chứng thực", Procedures: []string{"2.000815", "2.000884"}, Prefix: "B"},
		{ID: "3", Name: "Quầy 3", Field: "Tổng hợp", Prefix: "C"},
	} {
		if _, err := s.db.ExecContext(ctx, "INSERT OR IGNORE INTO counters(id, name, field, procedures, prefix) VALUES(?,?,?,?,?)",
			c.ID, c.Name, c.Field, strings.Join(c.Procedures, ","), c.Prefix); err != nil {
			return fmt.Errorf("không tạo được quầy mẫu (cannot create the sample counters): %w", err)
		}
	}
	return nil
}

type querier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

func loadCounter(ctx context.Context, q querier, id string) (central.Counter, error) {
	var c central.Counter
	var procs string
	var paused int
	err := q.QueryRowContext(ctx, "SELECT id, name, field, procedures, prefix, paused, reason, serving FROM counters WHERE id=?", id).
		Scan(&c.ID, &c.Name, &c.Field, &procs, &c.Prefix, &paused, &c.PauseReason, &c.Serving)
	if err != nil {
		return c, err
	}
	c.Paused = paused != 0
	c.Procedures = []string{}
	if procs != "" {
		c.Procedures = strings.Split(procs, ",")
	}
	if c.Serving != "" {
		q.QueryRowContext(ctx, "SELECT number FROM tickets WHERE id=?", c.Serving).Scan(&c.Serving)
	}
	err = q.QueryRowContext(ctx, "SELECT count(*) FROM tickets WHERE counter_id=? AND state=?", id, central.TicketWaiting).Scan(&c.Waiting)
	return c, err
}

func (v *services) counters(w http.ResponseWriter, r *http.Request, _ kiosk) {
	rows, err := v.s.db.QueryContext(r.Context(), "SELECT id FROM counters ORDER BY id")
	if err != nil {
		v.s.internal(w, err)
		return
	}
	var ids []string
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	out := central.Counters{Counters: []central.Counter{}}
	for _, id := range ids {
		c, err := loadCounter(r.Context(), v.s.db, id)
		if err != nil {
			v.s.internal(w, err)
			return
		}
		out.Counters = append(out.Counters, c)
	}
	writeJSON(w, http.StatusOK, out)
}

// counterFor picks the counter of a ticket request: the named one, else the one serving the
// procedure, else the general counter (the one serving any procedure).
func counterFor(ctx context.Context, q querier, req central.TicketRequest) (central.Counter, error) {
	if req.CounterID != "" {
		return loadCounter(ctx, q, req.CounterID)
	}
	rows, err := q.QueryContext(ctx, "SELECT id, procedures FROM counters ORDER BY id")
	if err != nil {
		return central.Counter{}, err
	}
	general, found := "", ""
	for rows.Next() {
		var id, procs string
		rows.Scan(&id, &procs)
		if procs == "" && general == "" {
			general = id
		}
		for _, p := range strings.Split(procs, ",") {
			if req.ProcedureCode != "" && p == req.ProcedureCode && found == "" {
				found = id
			}
		}
	}
	rows.Close()
	if found == "" {
		found = general
	}
	return loadCounter(ctx, q, found)
}

// ticketView fills a ticket's place in the queue and its estimated wait.
func ticketView(ctx context.Context, q querier, id, followBase string) (*central.Ticket, error) {
	var t central.Ticket
	var issued, rank int64
	var seq int
	err := q.QueryRowContext(ctx, `SELECT t.id, t.number, t.counter_id, c.name, c.field, t.source, t.issued_at, t.rank_at, t.state, t.seq
		FROM tickets t JOIN counters c ON c.id=t.counter_id WHERE t.id=?`, id).
		Scan(&t.ID, &t.Number, &t.CounterID, &t.CounterName, &t.Field, &t.Source, &issued, &rank, &t.State, &seq)
	if err != nil {
		return nil, err
	}
	t.IssuedAt, t.RankAt = time.UnixMilli(issued).UTC(), time.UnixMilli(rank).UTC()
	t.FollowURL = followBase + FollowPath + t.ID
	if t.State != central.TicketWaiting {
		return &t, nil
	}
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM tickets WHERE counter_id=? AND state=? AND (rank_at<? OR (rank_at=? AND seq<?))`,
		t.CounterID, central.TicketWaiting, rank, rank, seq).Scan(&t.Ahead); err != nil {
		return nil, err
	}
	avg, err := serviceTime(ctx, q, t.CounterID)
	if err != nil {
		return nil, err
	}
	t.EstimatedWait = int((time.Duration(t.Ahead) * avg).Seconds())
	return &t, nil
}

// serviceTime is the mean service time (call to the next call) of a counter's last services, or
// DefaultServiceTime without any.
func serviceTime(ctx context.Context, q querier, counter string) (time.Duration, error) {
	var n int
	var total sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT count(*), sum(d) FROM (SELECT done_at-called_at AS d FROM tickets
		WHERE counter_id=? AND state=? AND called_at>0 AND done_at>=called_at ORDER BY done_at DESC LIMIT ?)`,
		counter, central.TicketDone, serviceSamples).Scan(&n, &total)
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return DefaultServiceTime, nil
	}
	return time.Duration(total.Int64/int64(n)) * time.Millisecond, nil
}

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

func randomID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func addEvent(ctx context.Context, q querier, typ string, c central.Counter, number, reason string, at time.Time) error {
	_, err := q.ExecContext(ctx, "INSERT INTO queue_events(type, counter_id, counter_name, number, reason, at) VALUES(?,?,?,?,?,?)",
		typ, c.ID, c.Name, number, reason, at.UnixMilli())
	return err
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

func (v *services) counterAction(w http.ResponseWriter, r *http.Request, _ kiosk) {
	action := r.PathValue("action")
	var pause central.PauseRequest
	switch action {
	case "call", "recall", "resume":
	case "pause":
		if !readJSON(w, r, &pause) {
			return
		}
		pause.Reason = strings.TrimSpace(pause.Reason)
		if pause.Reason == "" || utf8.RuneCountInString(pause.Reason) > 100 {
			badRequest(w, errors.New("cần lý do tạm dừng, tối đa 100 ký tự (a pause needs a reason of at most 100 characters)"))
			return
		}
	default:
		problem(w, http.StatusNotFound, central.ProblemNotFound, "không có thao tác này (no such action)")
		return
	}
	ctx := context.WithoutCancel(r.Context())
	now := v.s.cfg.Now()
	tx, err := v.s.db.BeginTx(ctx, nil)
	if err != nil {
		v.s.internal(w, err)
		return
	}
	defer tx.Rollback()
	c, err := loadCounter(ctx, tx, r.PathValue("id"))
	if errors.Is(err, sql.ErrNoRows) {
		problem(w, http.StatusNotFound, central.ProblemNotFound, "không có quầy này (no such counter)")
		return
	}
	if err != nil {
		v.s.internal(w, err)
		return
	}
	var serving string
	tx.QueryRowContext(ctx, "SELECT serving FROM counters WHERE id=?", c.ID).Scan(&serving)
	answer := ""
	switch action {
	case "call":
		if c.Paused {
			problem(w, http.StatusConflict, central.ProblemCounterPaused, "quầy đang tạm dừng (the counter is paused)")
			return
		}
		if serving != "" {
			if _, err = tx.ExecContext(ctx, "UPDATE tickets SET state=?, done_at=? WHERE id=?", central.TicketDone, now.UnixMilli(), serving); err != nil {
				break
			}
		}
		var next string
		err = tx.QueryRowContext(ctx, "SELECT id FROM tickets WHERE counter_id=? AND state=? ORDER BY rank_at, seq LIMIT 1",
			c.ID, central.TicketWaiting).Scan(&next)
		if errors.Is(err, sql.ErrNoRows) {
			next, err = "", nil
		}
		if err != nil {
			break
		}
		if _, err = tx.ExecContext(ctx, "UPDATE counters SET serving=? WHERE id=?", next, c.ID); err != nil || next == "" {
			break
		}
		if _, err = tx.ExecContext(ctx, "UPDATE tickets SET state=?, called_at=? WHERE id=?", central.TicketServing, now.UnixMilli(), next); err != nil {
			break
		}
		var number string
		tx.QueryRowContext(ctx, "SELECT number FROM tickets WHERE id=?", next).Scan(&number)
		err = addEvent(ctx, tx, central.EventTicketCalled, c, number, "", now)
		answer = next
	case "recall":
		if serving != "" {
			err = addEvent(ctx, tx, central.EventTicketRecalled, c, c.Serving, "", now)
			answer = serving
		}
	case "pause":
		if _, err = tx.ExecContext(ctx, "UPDATE counters SET paused=1, reason=? WHERE id=?", pause.Reason, c.ID); err == nil {
			err = addEvent(ctx, tx, central.EventCounterPaused, c, "", pause.Reason, now)
		}
	case "resume":
		if _, err = tx.ExecContext(ctx, "UPDATE counters SET paused=0, reason='' WHERE id=?", c.ID); err == nil {
			err = addEvent(ctx, tx, central.EventCounterResumed, c, "", "", now)
		}
	}
	var t *central.Ticket
	if err == nil && answer != "" {
		t, err = ticketView(ctx, tx, answer, baseURL(r))
	}
	if err == nil {
		err = tx.Commit()
	}
	if err != nil {
		v.s.internal(w, err)
		return
	}
	v.wakes.wake()
	if officer := r.Header.Get(central.HeaderOfficerID); officer != "" {
		v.s.log.Info("queue action", "counter", c.ID, "action", action, "officer", officer)
	}
	if t == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

// events streams the queue's events (Server-Sent Events) after Last-Event-ID, then live, with a
// comment every 15 s to keep the link open, until the client leaves or the server stops.
func (v *services) events(w http.ResponseWriter, r *http.Request, _ kiosk) {
	fl, ok := w.(http.Flusher)
	if !ok {
		v.s.internal(w, errors.New("no flusher"))
		return
	}
	last, _ := strconv.ParseInt(r.Header.Get("Last-Event-ID"), 10, 64)
	if last == 0 {
		// A new follower starts from now, not from the day's history.
		v.s.db.QueryRowContext(r.Context(), "SELECT coalesce(max(id),0) FROM queue_events").Scan(&last)
	}
	wake, stop := v.wakes.subscribe()
	defer stop()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	fl.Flush()
	ping := time.NewTicker(15 * time.Second)
	defer ping.Stop()
	for {
		rows, err := v.s.db.QueryContext(r.Context(), "SELECT id, type, counter_id, counter_name, number, reason, at FROM queue_events WHERE id>? ORDER BY id LIMIT 100", last)
		if err != nil {
			return
		}
		var evs []central.QueueEvent
		for rows.Next() {
			var e central.QueueEvent
			var at int64
			rows.Scan(&e.ID, &e.Type, &e.CounterID, &e.Counter, &e.Number, &e.Reason, &at)
			e.At = time.UnixMilli(at).UTC()
			evs = append(evs, e)
		}
		rows.Close()
		for _, e := range evs {
			b, _ := json.Marshal(e)
			if _, err := fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", e.ID, e.Type, b); err != nil {
				return
			}
			last = e.ID
		}
		fl.Flush()
		if len(evs) == 100 {
			continue
		}
		select {
		case <-r.Context().Done():
			return
		case <-v.s.done:
			return
		case <-wake:
		case <-ping.C:
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil {
				return
			}
		}
	}
}
