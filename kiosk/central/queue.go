package central

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Counter is a counter (or a field's group of counters) of the centre.
type Counter struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Field       string   `json:"field"`      // lĩnh vực served
	Procedures  []string `json:"procedures"` // procedure codes served; empty: any ("I only need a counter")
	Prefix      string   `json:"prefix"`     // letter of its ticket numbers
	Paused      bool     `json:"paused"`
	PauseReason string   `json:"pauseReason,omitempty"`
	Serving     string   `json:"serving,omitempty"` // number being served
	Waiting     int      `json:"waiting"`
}

// Counters is the answer of GET /v1/queue/counters.
type Counters struct {
	Counters []Counter `json:"counters"`
}

// Ticket sources.
const (
	SourceWalkIn = "walk-in" // taken at the kiosk: ranked by the time taken
	SourceOnline = "online"  // booked online (iHanoi, Zalo…): ranked by the booking time
)

// Ticket states.
const (
	TicketWaiting = "waiting"
	TicketServing = "serving"
	TicketDone    = "done"
)

// TicketRequest asks for a queue number.
type TicketRequest struct {
	CounterID     string    `json:"counterId,omitempty"`     // a counter, or
	ProcedureCode string    `json:"procedureCode,omitempty"` // the counter serving this procedure
	Source        string    `json:"source"`                  // SourceWalkIn or SourceOnline
	BookedAt      time.Time `json:"bookedAt,omitzero"`       // SourceOnline: when it was booked
	DossierCode   string    `json:"dossierCode,omitempty"`   // the dossier that needs the counter
}

// Ticket is a queue number.
type Ticket struct {
	ID            string    `json:"id"`
	Number        string    `json:"number"` // e.g. A012
	CounterID     string    `json:"counterId"`
	CounterName   string    `json:"counterName"`
	Field         string    `json:"field"`
	Source        string    `json:"source"`
	IssuedAt      time.Time `json:"issuedAt"`
	RankAt        time.Time `json:"rankAt"` // issue time for walk-ins, booking time for online numbers
	State         string    `json:"state"`
	Ahead         int       `json:"ahead"`                // people before this number at its counter
	EstimatedWait int       `json:"estimatedWaitSeconds"` // from recent service times
	FollowURL     string    `json:"followUrl"`            // for the QR on the ticket
}

// QueueEvent is one event of the queue stream.
type QueueEvent struct {
	ID        int64     `json:"id"`
	Type      string    `json:"type"` // ticket_issued, ticket_called, ticket_recalled, counter_paused, counter_resumed
	CounterID string    `json:"counterId"`
	Counter   string    `json:"counterName"`
	Number    string    `json:"number,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	At        time.Time `json:"at"`
}

// Queue event types.
const (
	EventTicketIssued   = "ticket_issued"
	EventTicketCalled   = "ticket_called"
	EventTicketRecalled = "ticket_recalled"
	EventCounterPaused  = "counter_paused"
	EventCounterResumed = "counter_resumed"
)

// QueueCounters lists the counters with their state.
func (c *Client) QueueCounters(ctx context.Context) (*Counters, error) {
	var out Counters
	if _, err := c.do(ctx, http.MethodGet, PathQueueCounters, nil, nil, 0, &out, http.StatusOK); err != nil {
		return nil, err
	}
	return &out, nil
}

// TakeTicket takes a number. key is an idempotency key made when the citizen tapped: a retry with
// the same key returns the same ticket.
func (c *Client) TakeTicket(ctx context.Context, key string, req TicketRequest) (*Ticket, error) {
	body, n, h := jsonBody(req)
	h.Set(HeaderIdempotencyKey, strconv.Quote(key))
	var out Ticket
	if _, err := c.do(ctx, http.MethodPost, PathQueueTickets, h, body, n, &out, http.StatusOK, http.StatusCreated); err != nil {
		return nil, err
	}
	return &out, nil
}

// Ticket fetches a ticket with its current place and estimated wait.
func (c *Client) Ticket(ctx context.Context, id string) (*Ticket, error) {
	var out Ticket
	if _, err := c.do(ctx, http.MethodGet, PathQueueTickets+"/"+url.PathEscape(id), nil, nil, 0, &out, http.StatusOK); err != nil {
		return nil, err
	}
	return &out, nil
}

func (c *Client) counterAction(ctx context.Context, officer, counter, action string, in any) (*Ticket, error) {
	var body io.Reader
	var n int64
	h := http.Header{}
	if in != nil {
		body, n, h = jsonBody(in)
	}
	if officer != "" {
		h.Set(HeaderOfficerID, officer)
	}
	var out Ticket
	resp, err := c.do(ctx, http.MethodPost, PathQueueCounters+"/"+url.PathEscape(counter)+"/"+action, h, body, n, &out, http.StatusOK, http.StatusNoContent)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusNoContent {
		return nil, nil
	}
	return &out, nil
}

// CallNext calls the next number at a counter as officer: the number served so far is done. It
// returns nil, nil when nobody is waiting.
func (c *Client) CallNext(ctx context.Context, officer, counter string) (*Ticket, error) {
	return c.counterAction(ctx, officer, counter, "call", nil)
}

// Recall announces the number being served again; nil, nil when none is.
func (c *Client) Recall(ctx context.Context, officer, counter string) (*Ticket, error) {
	return c.counterAction(ctx, officer, counter, "recall", nil)
}

// PauseRequest is the body of a pause.
type PauseRequest struct {
	Reason string `json:"reason"`
}

// Pause stops calling at a counter, with a reason shown on the display.
func (c *Client) Pause(ctx context.Context, officer, counter, reason string) error {
	_, err := c.counterAction(ctx, officer, counter, "pause", PauseRequest{Reason: reason})
	return err
}

// Resume lets a paused counter call again.
func (c *Client) Resume(ctx context.Context, officer, counter string) error {
	_, err := c.counterAction(ctx, officer, counter, "resume", nil)
	return err
}

// QueueEvents follows the queue's event stream (Server-Sent Events), calling fn for each event
// after lastID, until ctx ends, fn returns an error or the stream breaks. The stream is not bound
// by the client's request timeout.
func (c *Client) QueueEvents(ctx context.Context, lastID int64, fn func(QueueEvent) error) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base.String()+PathQueueEvents, nil)
	if err != nil {
		return fmt.Errorf("không tạo được yêu cầu (cannot build request): %w", err)
	}
	req.Header.Set("Accept", "text/event-stream")
	if lastID > 0 {
		req.Header.Set("Last-Event-ID", strconv.FormatInt(lastID, 10))
	}
	if c.opts.KioskID != "" {
		req.Header.Set(HeaderKioskID, c.opts.KioskID)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("không kết nối được máy chủ trung tâm (central server unreachable): %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		e := &Error{StatusCode: resp.StatusCode}
		_ = json.Unmarshal(data, &e.Problem)
		return e
	}
	if err := readQueueEvents(resp.Body, fn); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return fmt.Errorf("máy chủ đóng luồng sự kiện (server closed the event stream)")
}

// readQueueEvents reads a text/event-stream of queue events, calling fn for each complete event
// (the JSON of its data lines); comments and other fields are skipped. It returns nil at the end
// of the stream, fn's error, or why the stream could not be read.
func readQueueEvents(r io.Reader, fn func(QueueEvent) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 64<<10)
	var data []byte
	for sc.Scan() {
		line := sc.Bytes()
		switch {
		case len(line) == 0:
			if len(data) > 0 {
				var ev QueueEvent
				if err := json.Unmarshal(data, &ev); err != nil {
					return fmt.Errorf("sự kiện hàng đợi không đọc được (queue event unreadable): %w", err)
				}
				if err := fn(ev); err != nil {
					return err
				}
			}
			data = data[:0]
		case bytes.HasPrefix(line, []byte("data:")):
			if len(data) > 0 {
				data = append(data, '\n')
			}
			data = append(data, bytes.TrimPrefix(line[5:], []byte(" "))...)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("luồng sự kiện bị ngắt (event stream broken): %w", err)
	}
	return nil
}

// ---- Ratings ----
