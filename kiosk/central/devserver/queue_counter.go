package devserver

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tramso/tramso/kiosk/central"
)

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
