package devserver

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"

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
