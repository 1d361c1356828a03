// Package wire holds the JSON shapes of kioskd's local API: the session view the screens draw,
// the citizen's actions, and the problem documents. It has no dependencies beyond the standard
// library, so kiosk-ui can use it without pulling in kioskd.
package wire

import "time"

// State is a step of the citizen journey.
type State string

// The states of a session, in journey order.
const (
	Attract         State = "attract"          // idle screen, waiting for a citizen
	Identify        State = "identify"         // QR code, then the card on the reader (or typed fallback)
	ChooseProcedure State = "choose_procedure" // catalogue browse and search
	Documents       State = "documents"        // for each required document: instructions, scan, preview, accept
	Review          State = "review"           // the pre-filled form, checked and edited
	Consent         State = "consent"          // consent and confirm
	Submitting      State = "submitting"       // committing to the outbox
	Receipt         State = "receipt"          // printing the receipt
	Done            State = "done"             // finished: take the card and papers
)

// Steps within a state.
const (
	StepQR         = "qr"         // identify: show the QR code on the card
	StepCard       = "card"       // identify: put the card on the reader
	StepReading    = "reading"    // identify: reading the chip
	StepTypeKey    = "type_key"   // identify: the citizen types the ID number or the MRZ
	StepPlace      = "place"      // documents: place the paper, then tap scan
	StepScanning   = "scanning"   // documents: the scanner is running
	StepPreview    = "preview"    // documents: pages shown with quality warnings
	StepProcessing = "processing" // review: documents still being digitised
	StepEditing    = "editing"    // review: the form is ready
	StepPrinting   = "printing"   // receipt
	StepPrinted    = "printed"    // receipt
	StepPrintFail  = "print_failed"
)

// View is what the screen shows: everything kiosk-ui needs to draw the current state, and nothing
// personal beyond what that screen displays. It is published after every change.
type View struct {
	Seq     int64    `json:"seq"`
	Session string   `json:"session,omitempty"` // changes with every citizen
	State   State    `json:"state"`
	Step    string   `json:"step,omitempty"`
	Message *Message `json:"message,omitempty"`

	IdleWarning     bool `json:"idleWarning"`
	IdleSecondsLeft int  `json:"idleSecondsLeft,omitempty"`

	Citizen    *CitizenView    `json:"citizen,omitempty"`
	Query      string          `json:"query,omitempty"`
	Procedures []ProcedureView `json:"procedures,omitempty"`
	Procedure  *ProcedureView  `json:"procedure,omitempty"`
	Documents  []DocumentView  `json:"documents,omitempty"`
	Current    int             `json:"current"`
	Form       []FieldView     `json:"form,omitempty"`
	Receipt    *ReceiptView    `json:"receipt,omitempty"`
}

// Message is an instruction or an error, Vietnamese first.
type Message struct {
	Code string `json:"code"`
	Vi   string `json:"vi"`
	En   string `json:"en"`
	// Retry says the citizen can try again (e.g. card pulled out too early).
	Retry bool `json:"retry,omitempty"`
}

// CitizenView is the little of the citizen the screens show.
type CitizenView struct {
	FullName    string `json:"fullName"`
	IDMasked    string `json:"idMasked"`
	PassiveAuth string `json:"passiveAuth"`
}

// ProcedureView is a procedure in the catalogue list.
type ProcedureView struct {
	Code           string `json:"code"`
	Name           string `json:"name"`
	NameEn         string `json:"nameEn,omitempty"`
	Popular        bool   `json:"popular,omitempty"`
	Fee            string `json:"fee,omitempty"`
	ProcessingTime string `json:"processingTime,omitempty"`
	Documents      int    `json:"documents"`
}

// DocumentView is one line of the document checklist.
type DocumentView struct {
	Type     string    `json:"type"`
	Name     string    `json:"name"`
	Required bool      `json:"required"`
	Status   string    `json:"status"` // missing, scanned, processing, done, skipped, failed
	Pages    int       `json:"pages"`
	Quality  []Quality `json:"quality,omitempty"`
	// Progress is the share of the document's pages whose OCR is done (0…1), while processing.
	Progress float64 `json:"progress,omitempty"`
	// PreviewReady is true once the preview of the last scanned page is made: its image is served
	// at /v1/session/documents/{doc}/pages/{page} from then on, and only then may the citizen
	// accept the page.
	PreviewReady bool `json:"previewReady,omitempty"`
	// Mismatch is set when the scanned paper does not look like this document (another document,
	// a blank page, a page upside down): Code is paper_mismatch, blank_page or upside_down. The
	// citizen scans again (rescan) or keeps the page (keep); accept is refused until then.
	Mismatch *Message `json:"mismatch,omitempty"`
	// Kept is true when the citizen kept a page despite the mismatch: staff check it.
	Kept bool `json:"kept,omitempty"`
}

// FieldView is one form field on the review screen.
type FieldView struct {
	Key           string   `json:"key"`
	Label         string   `json:"label"`
	Kind          string   `json:"kind"`
	Value         string   `json:"value"`
	Required      bool     `json:"required"`
	Choices       []string `json:"choices,omitempty"`
	Source        string   `json:"source,omitempty"` // card, ocr, citizen
	LowConfidence bool     `json:"lowConfidence,omitempty"`
	Error         string   `json:"error,omitempty"`
}

// ReceiptView is the end of the journey.
type ReceiptView struct {
	DossierCode string    `json:"dossierCode"`
	Provisional bool      `json:"provisional"`
	Printed     bool      `json:"printed"`
	ReceivedAt  time.Time `json:"receivedAt"`
}

// Action is a citizen's tap or entry, posted by kiosk-ui. It names the view it was made on
// (Session, State, Step and, in the documents state, Document): kioskd refuses it as stale when the
// session has moved on since, so a tap never lands on a step the citizen did not see. An action
// naming no view at all is applied to whatever is current (older clients).
type Action struct {
	Action string `json:"action"`
	Value  string `json:"value,omitempty"`
	Key    string `json:"key,omitempty"`
	Index  int    `json:"index,omitempty"`

	// Session is View.Session of the view the action was made on ("" on the attract screen).
	Session string `json:"session,omitempty"`
	// State and Step are View.State and View.Step of that view.
	State State  `json:"state,omitempty"`
	Step  string `json:"step,omitempty"`
	// Document is View.Current of that view, for actions made in the documents state.
	Document *int `json:"document,omitempty"`
}

// ActionOn returns the action name with value, made on view v: it names v's session, state, step
// and, in the documents state, its current document.
func ActionOn(v View, name, value string) Action {
	a := Action{Action: name, Value: value, Session: v.Session, State: v.State, Step: v.Step}
	if v.State == Documents {
		cur := v.Current
		a.Document = &cur
	}
	return a
}

// NamesView reports whether a names the view it was made on.
func (a Action) NamesView() bool {
	return a.Session != "" || a.State != "" || a.Step != "" || a.Document != nil
}

// ProblemStale is the problem type of an action refused because the screen it was made on had
// already changed (HTTP 409); the problem's "view" member is the current view.
const ProblemStale = "urn:tramso:problem:stale"

// Action names.
const (
	ActStart    = "start"     // attract → identify
	ActCancel   = "cancel"    // anywhere but while committing: wipe and back to attract
	ActMoreTime = "more_time" // dismiss the idle warning
	ActTypeKey  = "type_key"  // identify: switch to typing (no QR scanner or unreadable QR)
	ActEnterID  = "enter_id"  // identify: Value = the 12-digit ID number (gives the CAN)
	ActEnterMRZ = "enter_mrz" // identify: Value = DOCNO,YYMMDD,YYMMDD
	ActSearch   = "search"    // choose_procedure: Value = query
	ActChoose   = "choose"    // choose_procedure: Value = procedure code
	ActScan     = "scan"      // documents: scan (more) pages of the current document
	ActAccept   = "accept"    // documents: the pages are good
	ActRescan   = "rescan"    // documents: drop the pages and scan again
	ActKeep     = "keep"      // documents: use the pages despite the mismatch warning (marked for staff)
	ActSkip     = "skip"      // documents: skip an optional document
	ActSetField = "set_field" // review: Key, Value
	ActConfirm  = "confirm"   // review → consent
	ActAgree    = "agree"     // consent → submit
	ActBack     = "back"      // one step back where it makes sense
	ActFinish   = "finish"    // done → attract
)

// Quality is a problem with a scanned page the citizen can fix by scanning again.
type Quality struct {
	Code    string `json:"code"`    // blurry, dark, blank, skewed
	Message string `json:"message"` // Vietnamese (English)
}
