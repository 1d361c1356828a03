package central

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/tramso/tramso/kiosk/dossier"
)

// Paths of the citizen services (issue 16), relative to the server's base URL.
const (
	PathTracker       = "/v1/tracker/dossiers"       // GET /{code}: status and dates by code alone
	PathTrackerHolder = "/v1/tracker/holder-queries" // POST: the holder's dossiers, with names and documents
	PathQueueCounters = "/v1/queue/counters"         // GET; POST /{id}/call|recall|pause|resume
	PathQueueTickets  = "/v1/queue/tickets"          // POST (Idempotency-Key); GET /{id}
	PathQueueEvents   = "/v1/queue/events"           // GET: text/event-stream
	PathRatings       = "/v1/ratings"                // PUT /{ratingId}
	PathPayments      = "/v1/payments"               // GET /{dossierCode}
	PathNotifications = "/v1/dossiers/{key}/notifications"
	HeaderOfficerID   = "Officer-Id" // who acted at a counter (queue calls), for the centre's log
)

// Problem types of the citizen services.
const (
	ProblemNotAllowed    = "urn:tramso:problem:not-allowed"    // e.g. rating a dossier not finished
	ProblemAlreadyRated  = "urn:tramso:problem:already-rated"  // the dossier has another rating
	ProblemCounterPaused = "urn:tramso:problem:counter-paused" // call-next at a paused counter
	ProblemProofRefused  = "urn:tramso:problem:proof-refused"  // the holder proof does not check out
)

// StatusCodeOf maps the lifecycle status of DossierStatus to the national code.
func StatusCodeOf(status string) dossier.Status {
	switch status {
	case StatusReceived:
		return dossier.StatusAccepted
	case StatusProcessing:
		return dossier.StatusProcessing
	case StatusNeedDocuments:
		return dossier.StatusNeedsPapers
	case StatusCompleted:
		return dossier.StatusDone
	case StatusReturned:
		return dossier.StatusReturned
	case StatusRefused:
		return dossier.StatusRefused
	case StatusWithdrawn:
		return dossier.StatusWithdrawn
	}
	return 0
}

// LifecycleOf maps a national status code to the lifecycle status of DossierStatus (6 and 8 have
// no exact equivalent: processing and refused).
func LifecycleOf(code dossier.Status) string {
	switch code {
	case 1, 2:
		return StatusReceived
	case 3, 8:
		return StatusRefused
	case 4, 6:
		return StatusProcessing
	case 5:
		return StatusNeedDocuments
	case 7:
		return StatusWithdrawn
	case 9:
		return StatusCompleted
	case 10:
		return StatusReturned
	}
	return ""
}

// ---- Dossier tracker ----

// OwedDocument is a paper the centre asks for (status 5).
type OwedDocument struct {
	Name string `json:"name"`
	Note string `json:"note,omitempty"` // e.g. "bản chính" (the original)
}

// Owed is what the citizen still has to bring or pay: documents with status 5, the fee with 6.
type Owed struct {
	Documents []OwedDocument `json:"documents,omitempty"`
	FeeVND    int64          `json:"feeVnd,omitempty"` // in đồng
	FeePaid   bool           `json:"feePaid,omitempty"`
	Where     string         `json:"where,omitempty"` // the counter or place to go
}

// HolderView is what only the applicant (proved by the ID card) sees of a dossier.
type HolderView struct {
	FullName  string   `json:"fullName"`
	Documents []string `json:"documents"` // names of the documents filed
}

// TrackedDossier is a dossier as the tracker shows it. By code alone it carries no personal data:
// Holder is set only for a holder query.
type TrackedDossier struct {
	DossierCode   string         `json:"dossierCode"`
	ProcedureCode string         `json:"procedureCode"`
	ProcedureName string         `json:"procedureName"`
	StatusCode    dossier.Status `json:"statusCode"` // national code 1–10
	StatusLabel   string         `json:"statusLabel"`
	StatusLabelEn string         `json:"statusLabelEn"`
	ReceivedAt    time.Time      `json:"receivedAt"`
	UpdatedAt     time.Time      `json:"updatedAt"`
	Appointment   string         `json:"appointment,omitempty"` // YYYY-MM-DD, the day the result is due
	Owed          *Owed          `json:"owed,omitempty"`        // with status 5 or 6
	Note          string         `json:"note,omitempty"`        // the centre's note, no personal data
	Holder        *HolderView    `json:"holder,omitempty"`
}

// HolderProof is the kiosk's statement that the citizen at it holds the ID card of IDHash: the card
// was read and passed passive authentication at ReadAt. The kiosk signs it with its device key (the
// key of its mTLS certificate); central checks the signature, freshness (5 minutes) and the hash.
// The ID number itself never travels in a tracker request and never appears in a URL.
type HolderProof struct {
	IDHash      string    `json:"idHash"`      // HolderIDHash of the 12-digit number
	PassiveAuth string    `json:"passiveAuth"` // must be "valid"
	ReadAt      time.Time `json:"readAt"`
	DossierCode string    `json:"dossierCode,omitempty"` // one dossier; empty: all of the holder's
	Signature   []byte    `json:"signature"`             // ECDSA P-256 over SigningBytes
}

// HolderProofMaxAge is how old a holder proof may be.
const HolderProofMaxAge = 5 * time.Minute

// HolderIDHash is the hash a holder proof carries for a personal identification number.
func HolderIDHash(idNumber string) string {
	h := sha256.Sum256([]byte("tramso-holder-v1\x00" + idNumber))
	return hex.EncodeToString(h[:])
}

// SigningBytes are the bytes the kiosk signs: a fixed prefix and the fields, one a line.
func (p *HolderProof) SigningBytes() []byte {
	return []byte("tramso-holder-proof-v1\n" + p.IDHash + "\n" + p.PassiveAuth + "\n" +
		p.ReadAt.UTC().Format(time.RFC3339Nano) + "\n" + p.DossierCode + "\n")
}

// Sign fills Signature with the device key.
func (p *HolderProof) Sign(key *ecdsa.PrivateKey) error {
	sig, err := dossier.Sign(key, p.SigningBytes())
	if err != nil {
		return err
	}
	p.Signature = sig
	return nil
}

// HolderDossiers is the answer to a holder query, newest first.
type HolderDossiers struct {
	Dossiers []TrackedDossier `json:"dossiers"`
}

// Track looks a dossier up by its code alone: status, dates, what is owed; no names.
func (c *Client) Track(ctx context.Context, code string) (*TrackedDossier, error) {
	var out TrackedDossier
	if _, err := c.do(ctx, http.MethodGet, PathTracker+"/"+url.PathEscape(code), nil, nil, 0, &out, http.StatusOK); err != nil {
		return nil, err
	}
	return &out, nil
}

// TrackHolder returns the dossiers of the proved holder (or the one named in the proof), newest
// first, with names and documents.
func (c *Client) TrackHolder(ctx context.Context, proof HolderProof) (*HolderDossiers, error) {
	body, n, h := jsonBody(proof)
	var out HolderDossiers
	if _, err := c.do(ctx, http.MethodPost, PathTrackerHolder, h, body, n, &out, http.StatusOK); err != nil {
		return nil, err
	}
	return &out, nil
}

// ---- Queue ----

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

// Rating levels (the three-level scale of the one-stop rating).
const (
	RatingVerySatisfied = "rat-hai-long"   // Rất hài lòng
	RatingSatisfied     = "hai-long"       // Hài lòng
	RatingDissatisfied  = "khong-hai-long" // Không hài lòng
)

// Rating subjects.
const (
	RatingOfDossier = "dossier" // the handling of a finished dossier (status 9 or 10)
	RatingOfKiosk   = "kiosk"   // the kiosk's own service, at the end of a session
)

// RatingReason is a reason a citizen may tick with Không hài lòng.
type RatingReason struct{ Code, VI, EN string }

// RatingReasons returns the reasons offered with Không hài lòng, with their labels.
func RatingReasons() []RatingReason {
	return []RatingReason{
		{"cho-lau", "Phải chờ lâu", "Waited too long"},
		{"qua-han", "Trả kết quả trễ hẹn", "Result later than promised"},
		{"di-lai-nhieu-lan", "Phải đi lại nhiều lần", "Had to come back several times"},
		{"huong-dan-kho-hieu", "Hướng dẫn khó hiểu", "Guidance hard to understand"},
		{"thai-do", "Thái độ phục vụ chưa tốt", "Staff attitude"},
		{"may-kho-dung", "Máy khó sử dụng", "The kiosk was hard to use"},
		{"khac", "Lý do khác", "Another reason"},
	}
}

// MaxRatingComment is the longest comment, in characters.
const MaxRatingComment = 500

// Rating is one satisfaction rating. It carries no personal data beyond the dossier code.
type Rating struct {
	ID          string    `json:"id"`                    // made at capture; the idempotency key
	Subject     string    `json:"subject"`               // RatingOfDossier or RatingOfKiosk
	DossierCode string    `json:"dossierCode,omitempty"` // RatingOfDossier
	Level       string    `json:"level"`
	Reasons     []string  `json:"reasons,omitempty"` // codes of RatingReasons(); Không hài lòng only
	Comment     string    `json:"comment,omitempty"` // Không hài lòng only, NFC, ≤ 500 characters
	RatedAt     time.Time `json:"ratedAt"`
}

// RatingLabel is the label of a level, Vietnamese and English.
func RatingLabel(level string) (vi, en string) {
	switch level {
	case RatingVerySatisfied:
		return "Rất hài lòng", "Very satisfied"
	case RatingSatisfied:
		return "Hài lòng", "Satisfied"
	case RatingDissatisfied:
		return "Không hài lòng", "Dissatisfied"
	}
	return "", ""
}

// Check normalises r (NFC, trimmed) and reports why it cannot be sent, or nil.
func (r *Rating) Check() error {
	r.Comment = strings.TrimSpace(norm.NFC.String(r.Comment))
	if r.ID == "" || len(r.ID) > 64 || strings.ContainsAny(r.ID, "/?# ") {
		return fmt.Errorf("mã đánh giá không hợp lệ (rating id invalid)")
	}
	if vi, _ := RatingLabel(r.Level); vi == "" {
		return fmt.Errorf("mức đánh giá không có (unknown rating level)")
	}
	switch r.Subject {
	case RatingOfDossier:
		if _, err := dossier.ParseCode(r.DossierCode); err != nil {
			return fmt.Errorf("mã hồ sơ không hợp lệ (dossier code invalid)")
		}
	case RatingOfKiosk:
		if r.DossierCode != "" {
			return fmt.Errorf("đánh giá kiosk không gắn với hồ sơ (a kiosk rating names no dossier)")
		}
	default:
		return fmt.Errorf("đối tượng đánh giá phải là dossier hoặc kiosk (subject must be dossier or kiosk)")
	}
	if r.Level != RatingDissatisfied && (len(r.Reasons) > 0 || r.Comment != "") {
		return fmt.Errorf("lý do và góp ý chỉ đi kèm mức Không hài lòng (reasons and comment go with Không hài lòng only)")
	}
	seen := map[string]bool{}
	for _, code := range r.Reasons {
		known := false
		for _, k := range RatingReasons() {
			known = known || k.Code == code
		}
		if !known || seen[code] {
			return fmt.Errorf("lý do không có hoặc lặp lại: %q (unknown or repeated reason)", code)
		}
		seen[code] = true
	}
	if utf8.RuneCountInString(r.Comment) > MaxRatingComment {
		return fmt.Errorf("góp ý dài quá 500 ký tự (comment longer than 500 characters)")
	}
	if r.RatedAt.IsZero() {
		return fmt.Errorf("thiếu thời điểm đánh giá (rating time missing)")
	}
	return nil
}

// Rate sends a rating. It is idempotent on r.ID: the first time answers 201, a retry 200. A dossier
// already rated under another id answers 409 already-rated; a dossier not finished 409 not-allowed.
func (c *Client) Rate(ctx context.Context, r Rating) error {
	if err := r.Check(); err != nil {
		return err
	}
	body, n, h := jsonBody(r)
	_, err := c.do(ctx, http.MethodPut, PathRatings+"/"+url.PathEscape(r.ID), h, body, n, nil, http.StatusOK, http.StatusCreated)
	return err
}

// ---- Payments ----

// Payment states.
const (
	PaymentNone   = "none"   // nothing to pay
	PaymentUnpaid = "unpaid" // owed: show the VietQR
	PaymentPaid   = "paid"   // the bank's notice was seen
)

// Payee is the account that receives a dossier's fee (what the VietQR carries).
type Payee struct {
	BIN     string `json:"bin"`
	Account string `json:"account"`
	Name    string `json:"name"`
}

// PaymentStatus is what central knows about a dossier's fee.
type PaymentStatus struct {
	DossierCode string    `json:"dossierCode"`
	AmountVND   int64     `json:"amountVnd"`
	State       string    `json:"state"`
	Payee       *Payee    `json:"payee,omitempty"`
	Purpose     string    `json:"purpose,omitempty"`   // the transfer note to put in the QR
	PaidAt      time.Time `json:"paidAt,omitzero"`     // when the bank's notice came
	BankRef     string    `json:"bankRef,omitempty"`   // the bank's transaction reference
	ReceiptNo   string    `json:"receiptNo,omitempty"` // the e-receipt (biên lai) number
}

// Payment fetches the fee state of a dossier.
func (c *Client) Payment(ctx context.Context, code string) (*PaymentStatus, error) {
	var out PaymentStatus
	if _, err := c.do(ctx, http.MethodGet, PathPayments+"/"+url.PathEscape(code), nil, nil, 0, &out, http.StatusOK); err != nil {
		return nil, err
	}
	return &out, nil
}

// PollOptions bounds the waits between polls of WaitPaid.
type PollOptions struct {
	Min, Max time.Duration // first wait and longest wait; defaults 1 s and 15 s
}

// WaitPaid polls a dossier's payment until it is paid (or there is nothing to pay), ctx ends, or
// central refuses for good. Waits grow from Min to Max with full jitter, and follow Retry-After;
// transient failures (network, 5xx, 429) are polled through.
func (c *Client) WaitPaid(ctx context.Context, code string, o PollOptions) (*PaymentStatus, error) {
	if o.Min <= 0 {
		o.Min = time.Second
	}
	if o.Max < o.Min {
		o.Max = max(o.Min, 15*time.Second)
	}
	wait := o.Min
	for {
		st, err := c.Payment(ctx, code)
		if err == nil && st.State != PaymentUnpaid {
			return st, nil
		}
		var e *Error
		if err != nil && errors.As(err, &e) && (Permanent(err) || e.StatusCode == http.StatusNotFound || e.StatusCode == http.StatusUnauthorized) {
			return nil, err
		}
		d := time.Duration(rand.Int64N(int64(wait)) + 1)
		if ra := RetryAfter(err); ra > d {
			d = ra
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
		wait = min(wait*2, o.Max)
	}
}

// ---- Notifications ----

// Notification channels.
const (
	ChannelSMS   = "sms"
	ChannelZalo  = "zalo" // to the Zalo account of the phone number
	ChannelEmail = "email"
)

// NotifyOptIn is the citizen's choice, at consent, to be told of status changes. It travels with
// the dossier (keyed by its idempotency key) and central sends the messages; central keeps the
// contact no longer than the dossier.
type NotifyOptIn struct {
	Channels  []string  `json:"channels"`
	Phone     string    `json:"phone,omitempty"` // SMS and Zalo: normalised to +84…
	Email     string    `json:"email,omitempty"`
	ConsentAt time.Time `json:"consentAt"`
}

// NormalizePhone checks a Vietnamese mobile number (0xxxxxxxxx, 84xxxxxxxxx or +84xxxxxxxxx, spaces,
// dots and dashes allowed) and returns it as +84 and nine digits.
func NormalizePhone(s string) (string, error) {
	var d strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			d.WriteRune(r)
		case r == '+' && i == 0, r == ' ', r == '.', r == '-':
		default:
			return "", fmt.Errorf("số điện thoại chỉ gồm chữ số (a phone number has digits only)")
		}
	}
	n := d.String()
	switch {
	case strings.HasPrefix(n, "84") && len(n) == 11:
		n = n[2:]
	case strings.HasPrefix(n, "0") && len(n) == 10:
		n = n[1:]
	default:
		return "", fmt.Errorf("số điện thoại di động phải có 10 chữ số, bắt đầu bằng 0 (a mobile number has 10 digits starting with 0)")
	}
	if !strings.ContainsRune("35789", rune(n[0])) {
		return "", fmt.Errorf("không phải số di động Việt Nam (not a Vietnamese mobile number)")
	}
	return "+84" + n, nil
}

// NormalizeEmail checks an e-mail address (a bare address with a dotted domain) and returns it
// trimmed, with the domain in lower case.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	bad := fmt.Errorf("địa chỉ e-mail không hợp lệ (invalid e-mail address)")
	if err != nil || a.Address != s || a.Name != "" || len(s) > 254 {
		return "", bad
	}
	local, domain, _ := strings.Cut(s, "@")
	if local == "" || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.HasPrefix(domain, "[") {
		return "", bad
	}
	return local + "@" + strings.ToLower(domain), nil
}

// Check normalises the contact and reports why the opt-in cannot be sent, or nil.
func (n *NotifyOptIn) Check() error {
	if len(n.Channels) == 0 {
		return fmt.Errorf("chưa chọn kênh nhận tin (no channel chosen)")
	}
	seen := map[string]bool{}
	for _, ch := range n.Channels {
		if (ch != ChannelSMS && ch != ChannelZalo && ch != ChannelEmail) || seen[ch] {
			return fmt.Errorf("kênh nhận tin không có hoặc lặp lại: %q (unknown or repeated channel)", ch)
		}
		seen[ch] = true
	}
	if seen[ChannelSMS] || seen[ChannelZalo] {
		p, err := NormalizePhone(n.Phone)
		if err != nil {
			return err
		}
		n.Phone = p
	} else if n.Phone != "" {
		return fmt.Errorf("số điện thoại chỉ cần khi chọn SMS hoặc Zalo (a phone number only with SMS or Zalo)")
	}
	if seen[ChannelEmail] {
		e, err := NormalizeEmail(n.Email)
		if err != nil {
			return err
		}
		n.Email = e
	} else if n.Email != "" {
		return fmt.Errorf("địa chỉ e-mail chỉ cần khi chọn e-mail (an address only with e-mail)")
	}
	if n.ConsentAt.IsZero() {
		return fmt.Errorf("thiếu thời điểm đồng ý (consent time missing)")
	}
	return nil
}

func notifyPath(key string) string {
	return strings.Replace(PathNotifications, "{key}", url.PathEscape(key), 1)
}

// SetNotifications records the opt-in of the dossier submitted with idempotencyKey (PUT, so a retry
// is harmless). 404 means central does not hold the dossier yet: send it after the submission.
func (c *Client) SetNotifications(ctx context.Context, idempotencyKey string, n NotifyOptIn) error {
	if err := n.Check(); err != nil {
		return err
	}
	body, size, h := jsonBody(n)
	_, err := c.do(ctx, http.MethodPut, notifyPath(idempotencyKey), h, body, size, nil, http.StatusOK, http.StatusNoContent)
	return err
}

// Notifications reads back the opt-in of a dossier (404 when there is none).
func (c *Client) Notifications(ctx context.Context, idempotencyKey string) (*NotifyOptIn, error) {
	var out NotifyOptIn
	if _, err := c.do(ctx, http.MethodGet, notifyPath(idempotencyKey), nil, nil, 0, &out, http.StatusOK); err != nil {
		return nil, err
	}
	return &out, nil
}

// StopNotifications withdraws the opt-in and makes central forget the contact.
func (c *Client) StopNotifications(ctx context.Context, idempotencyKey string) error {
	_, err := c.do(ctx, http.MethodDelete, notifyPath(idempotencyKey), nil, nil, 0, nil, http.StatusNoContent)
	return err
}
