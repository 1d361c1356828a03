package wire

// Shape stable as of 00:36 UTC (7 Dec): the citizen services below (issue 16) are only added to
// from now on, never renamed.
//
// The citizen services besides submission: the dossier tracker, the queue number, the satisfaction
// rating, the fee payment by VietQR, the "what to bring" checklist and the opt-in to status
// messages. Each has its state (or, for the checklist and the opt-in, lives in an existing one)
// and its sub-view in View; every text a screen shows is a Message (Vietnamese first, English
// second; Code names it for tests and speech).

import "time"

// The states of the citizen services.
const (
	Tracker State = "tracker" // "Tra cứu hồ sơ": look a dossier up by its receipt QR, its code or the ID card
	Queue   State = "queue"   // "Lấy số thứ tự": take a number for the counter
	Rating  State = "rating"  // "Đánh giá": rate the kiosk (end of a session) or a finished dossier (tracker)
	Payment State = "payment" // "Thanh toán phí": pay the fee by VietQR, after submission
)

// Steps of the citizen services.
const (
	StepTrackWay     Step = "track_way"     // tracker: scan the receipt QR, type the code or tap the card
	StepTrackCode    Step = "track_code"    // tracker: typing the dossier code (on-screen keyboard)
	StepTrackCard    Step = "track_card"    // tracker: put the ID card on the reader
	StepTrackReading Step = "track_reading" // tracker: reading the card
	StepTrackLookup  Step = "track_lookup"  // tracker: asking central
	StepTrackList    Step = "track_list"    // tracker: the holder's dossiers, newest first
	StepTrackResult  Step = "track_result"  // tracker: one dossier's status

	StepQueueChoose Step = "queue_choose" // queue: the counters (or the one serving the procedure)
	StepQueueTaking Step = "queue_taking" // queue: asking central for a number
	StepQueueTicket Step = "queue_ticket" // queue: the number, printed

	StepRateLevel   Step = "rate_level"   // rating: three buttons, single touch
	StepRateReasons Step = "rate_reasons" // rating: Không hài lòng: reasons and an optional comment
	StepRateThanks  Step = "rate_thanks"  // rating: stored, thank you

	StepPayQR     Step = "pay_qr"     // payment: the VietQR shown, waiting for the bank's notice
	StepPayPaid   Step = "pay_paid"   // payment: paid, the fee receipt printed
	StepPayUnpaid Step = "pay_unpaid" // payment: the citizen pays later (the receipt carries the QR)

	// StepProcedure: choose_procedure: one procedure's detail, what to bring (papers with their
	// originals and copies, fee, processing time, where to go, the QR of its page), before the
	// citizen goes on with it (choose), prints the list (print_checklist) or goes back.
	// (Added after the shape was stable.)
	StepProcedure Step = "procedure"
)

// Actions of the citizen services.
const (
	// ActTrack: attract → tracker. Value, optional: a dossier code to look up at once.
	ActTrack ActionName = "track"
	// ActTrackType: tracker → typing the code.
	ActTrackType ActionName = "track_type"
	// ActTrackCard: tracker → put the ID card on the reader (the holder's dossiers).
	ActTrackCard ActionName = "track_card"
	// ActTrackCode: tracker: Value = the dossier code typed; looks it up.
	ActTrackCode ActionName = "track_code"
	// ActTrackSelect: tracker list: Index = the dossier shown.
	ActTrackSelect ActionName = "track_select"
	// ActPrintStatus: tracker result: print the status slip of the dossier shown.
	ActPrintStatus ActionName = "print_status"

	// ActQueue: to the queue. From attract or choose_procedure with Value = "" ("Tôi chỉ cần đến
	// quầy": any counter) or a procedure code; from done/receipt when Services.QueueOffered.
	ActQueue ActionName = "queue"
	// ActTakeTicket: queue: Value = the counter id (empty: the counter serving the procedure).
	ActTakeTicket ActionName = "take_ticket"

	// ActRate: from done or receipt (the kiosk's service) or from a tracker result whose
	// CanRate is set (the dossier): to the rating; Value, optional: the level at once (single touch).
	// In the rating state: Value = the level (RateVerySatisfied, RateSatisfied, RateDissatisfied).
	ActRate ActionName = "rate"
	// ActRateReason: rating reasons: Value = a reason code, toggled.
	ActRateReason ActionName = "rate_reason"
	// ActRateComment: rating reasons: Value = the comment (≤ 500 characters).
	ActRateComment ActionName = "rate_comment"
	// ActRateSend: rating reasons: store the rating with its reasons and comment.
	ActRateSend ActionName = "rate_send"

	// ActPayLater: payment: leave without paying now (the receipt carries the fee-owed block).
	ActPayLater ActionName = "pay_later"
	// ActPay: tracker result of a dossier with a fee owed (status 6): pay it here by VietQR.
	// (Added after the shape was stable.)
	ActPay ActionName = "pay"

	// ActPrintChecklist: choose_procedure with a procedure shown (Value = its code) or documents:
	// print "Cần mang theo" (what to bring).
	ActPrintChecklist ActionName = "print_checklist"
	// ActProcedure: choose_procedure: Value = a procedure code: its detail (StepProcedure), where
	// choose (its code, or empty) goes on with it and back returns to the list. (Added after the
	// shape was stable.)
	ActProcedure ActionName = "procedure"

	// ActNotifyChannel: consent: Value = NotifySMS, NotifyZalo or NotifyEmail, toggled.
	ActNotifyChannel ActionName = "notify_channel"
	// ActNotifyContact: consent: Key = "phone" or "email", Value = the number or address (checked).
	ActNotifyContact ActionName = "notify_contact"
)

// Rating levels, as ActRate's Value.
const (
	RateVerySatisfied = "rat-hai-long"   // Rất hài lòng
	RateSatisfied     = "hai-long"       // Hài lòng
	RateDissatisfied  = "khong-hai-long" // Không hài lòng
)

// Notification channels, as ActNotifyChannel's Value.
const (
	NotifySMS   = "sms"
	NotifyZalo  = "zalo"
	NotifyEmail = "email"
)

// Slip kinds (SlipView.Kind).
const (
	SlipStatus    = "status"    // the tracker's status slip
	SlipQueue     = "queue"     // the queue ticket
	SlipFee       = "fee"       // the fee receipt (biên lai)
	SlipChecklist = "checklist" // "Cần mang theo"
)

// Slip print states (SlipView.State).
const (
	SlipPrinting = "printing"
	SlipPrinted  = "printed"
	SlipFailed   = "failed" // the message says what to do
)

// ServicesView is what the citizen services add to a view: the tiles of the attract screen, the
// offers at the end of a session, and the sub-view of the service in progress.
type ServicesView struct {
	// Tiles are the attract screen's services, in display order ("submit", "track", "queue").
	Tiles []ServiceTile `json:"tiles,omitempty"`
	// QueueOffered is set at the end of a session whose dossier needs a counter (missing papers,
	// a fee to pay in cash); QueueReason says why.
	QueueOffered bool     `json:"queueOffered,omitempty"`
	QueueReason  *Message `json:"queueReason,omitempty"`
	// RatingOffered is set at the end of a session (optional, single touch: ActRate with a level).
	RatingOffered bool `json:"ratingOffered,omitempty"`
	// Levels are the three rating levels (Code is the level), for the single-touch offer.
	Levels []Message `json:"levels,omitempty"`

	Tracker *TrackerView `json:"tracker,omitempty"`
	Queue   *QueueView   `json:"queue,omitempty"`
	Rating  *RatingView  `json:"rating,omitempty"`
	Payment *PaymentView `json:"payment,omitempty"`
	Notify  *NotifyView  `json:"notify,omitempty"`
	// Slip is the last slip printed in this step (status, queue, fee or checklist).
	Slip *SlipView `json:"slip,omitempty"`
}

// ServiceTile is one service on the attract screen.
type ServiceTile struct {
	Action ActionName `json:"action"` // what a tap posts: start, track, queue
	Label  Message    `json:"label"`
	// Available is false when the service cannot be used now (e.g. no queue service configured).
	Available bool `json:"available"`
}

// TrackerView is the tracker's screen.
type TrackerView struct {
	// Code is the dossier code being looked up (typed, scanned, or of the dossier shown).
	Code string `json:"code,omitempty"`
	// ByCard is set when the dossiers were found with the ID card: names and documents shown.
	ByCard bool `json:"byCard,omitempty"`
	// Offline is set when central cannot be reached: only what the kiosk's own outbox knows is
	// shown (Dossiers[i].Local), never a status central did not give.
	Offline bool `json:"offline,omitempty"`
	// Dossiers are the holder's dossiers, newest first (StepTrackList), or the one dossier found.
	Dossiers []TrackedView `json:"dossiers,omitempty"`
	// Shown is the index in Dossiers of the dossier on the result screen.
	Shown int `json:"shown"`
}

// TrackedView is one dossier as the tracker shows it. By code alone only the status and the
// dates: Holder is set only when the ID card proved the applicant.
type TrackedView struct {
	DossierCode   string `json:"dossierCode"`
	ProcedureName string `json:"procedureName,omitempty"`
	// StatusCode is the national status 1–10; 0 when unknown (offline: central not asked).
	StatusCode int `json:"statusCode"`
	// Status is the status in plain words, NextStep what the citizen does next.
	Status   Message  `json:"status"`
	NextStep *Message `json:"nextStep,omitempty"`
	// ReceivedAt, UpdatedAt: zero when unknown. Appointment: YYYY-MM-DD, the day the result is due.
	ReceivedAt  time.Time `json:"receivedAt,omitzero"`
	UpdatedAt   time.Time `json:"updatedAt,omitzero"`
	Appointment string    `json:"appointment,omitempty"`
	// Owed is what the citizen still has to bring (status 5) or pay (status 6).
	Owed *OwedView `json:"owed,omitempty"`
	// Holder: the applicant's name and the documents filed (by card only).
	Holder *HolderView `json:"holder,omitempty"`
	// Local is set when the line comes from the kiosk's own outbox (central offline); Status then
	// says what the kiosk knows ("Đang chờ gửi", "Đã gửi") and StatusCode is 0.
	Local bool `json:"local,omitempty"`
	// CanRate is set for a finished dossier (status 9 or 10): ActRate rates it.
	CanRate bool `json:"canRate,omitempty"`
}

// OwedView is what a dossier still needs from the citizen.
type OwedView struct {
	Documents []OwedDocumentView `json:"documents,omitempty"`
	FeeVND    int64              `json:"feeVnd,omitempty"`
	Fee       string             `json:"fee,omitempty"` // e.g. "50.000 đồng"
	FeePaid   bool               `json:"feePaid,omitempty"`
	Where     string             `json:"where,omitempty"` // the counter or place to go
}

// OwedDocumentView is one paper the centre asks for.
type OwedDocumentView struct {
	Name string `json:"name"`
	Note string `json:"note,omitempty"`
}

// HolderView is what only the applicant sees.
type HolderView struct {
	FullName  string   `json:"fullName"`
	Documents []string `json:"documents,omitempty"`
}

// QueueView is the queue screen.
type QueueView struct {
	// ProcedureCode is the procedure the number is for; empty: any counter.
	ProcedureCode string        `json:"procedureCode,omitempty"`
	Counters      []CounterView `json:"counters,omitempty"`
	Ticket        *TicketView   `json:"ticket,omitempty"`
	// Offline is set when the queue service cannot be reached: the citizen asks at the desk.
	Offline bool `json:"offline,omitempty"`
}

// CounterView is a counter of the centre.
type CounterView struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Field       string   `json:"field,omitempty"`
	Waiting     int      `json:"waiting"`
	Paused      bool     `json:"paused,omitempty"`
	PauseReason string   `json:"pauseReason,omitempty"`
	Serves      bool     `json:"serves,omitempty"` // serves the chosen procedure
	Label       *Message `json:"label,omitempty"`
}

// TicketView is a number taken.
type TicketView struct {
	Number      string    `json:"number"`
	CounterName string    `json:"counterName"`
	Field       string    `json:"field,omitempty"`
	Ahead       int       `json:"ahead"`
	WaitMinutes int       `json:"waitMinutes,omitempty"` // estimated; 0: no estimate
	IssuedAt    time.Time `json:"issuedAt"`
	FollowURL   string    `json:"followUrl,omitempty"` // the QR to follow the queue on a phone
}

// RatingView is the rating screen.
type RatingView struct {
	// Subject is "kiosk" (the kiosk's service) or "dossier" (a finished dossier: DossierCode).
	Subject     string    `json:"subject"`
	DossierCode string    `json:"dossierCode,omitempty"`
	Levels      []Message `json:"levels"`          // Code is the level
	Level       string    `json:"level,omitempty"` // chosen
	Reasons     []Message `json:"reasons,omitempty"`
	Chosen      []string  `json:"chosen,omitempty"` // reason codes ticked
	Comment     string    `json:"comment,omitempty"`
	MaxComment  int       `json:"maxComment,omitempty"`
	// Stored is set once the rating is in the kiosk's durable queue (it is forwarded from there).
	Stored bool `json:"stored,omitempty"`
}

// PaymentView is the fee payment screen.
type PaymentView struct {
	DossierCode string `json:"dossierCode"`
	AmountVND   int64  `json:"amountVnd"`
	Amount      string `json:"amount"` // e.g. "50.000 đồng"
	PayeeName   string `json:"payeeName,omitempty"`
	BankBIN     string `json:"bankBin,omitempty"`
	Account     string `json:"account,omitempty"`
	Purpose     string `json:"purpose,omitempty"`
	// VietQR is the EMVCo payload the screen draws as a QR code.
	VietQR string `json:"vietqr,omitempty"`
	// Paid is set once central has seen the bank's notice; ReceiptNo is the e-receipt's number.
	Paid      bool      `json:"paid,omitempty"`
	PaidAt    time.Time `json:"paidAt,omitzero"`
	ReceiptNo string    `json:"receiptNo,omitempty"`
	// BankRef is the bank's reference of the transfer, once paid. (Added after the shape was stable.)
	BankRef string `json:"bankRef,omitempty"`
	// Offline is set while central cannot be reached (the kiosk keeps asking).
	Offline bool `json:"offline,omitempty"`
}

// NotifyView is the opt-in to status messages on the consent screen.
type NotifyView struct {
	Channels []Message `json:"channels"`         // Code is the channel
	Chosen   []string  `json:"chosen,omitempty"` // channels ticked
	Phone    string    `json:"phone,omitempty"`  // as checked (+84…)
	Email    string    `json:"email,omitempty"`
	// Error says why the number or address was refused.
	Error *Message `json:"error,omitempty"`
}

// SlipView is a slip being printed or printed.
type SlipView struct {
	Kind    string   `json:"kind"`
	State   string   `json:"state"`
	Message *Message `json:"message,omitempty"`
}
