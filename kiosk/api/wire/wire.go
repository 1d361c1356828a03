// Package wire holds the JSON shapes of kioskd's local API: the session view the screens draw,
// the citizen's actions, and the problem documents. It has no dependencies beyond the standard
// library, so kiosk-ui can use it without pulling in kioskd.
package wire

import "time"

// View is what the screen shows: everything kiosk-ui needs to draw the current state, and nothing
// personal beyond what that screen displays. It is published after every change.
type View struct {
	Seq     int64    `json:"seq"`
	Session string   `json:"session,omitempty"` // changes with every citizen
	State   State    `json:"state"`
	Step    Step     `json:"step,omitempty"`
	Message *Message `json:"message,omitempty"`

	IdleWarning     bool `json:"idleWarning"`
	IdleSecondsLeft int  `json:"idleSecondsLeft,omitempty"`

	// Maintenance is set while the cabinet door is open (kioskd's enclosure): the attract screen
	// says "Đang bảo trì" and no session starts.
	Maintenance bool `json:"maintenance,omitempty"`
	// OutOfService is set while kioskd cannot take dossiers (its dossier store is damaged or does not
	// match its seal): the attract screen shows it (where to go instead) and no session starts.
	OutOfService *Message `json:"outOfService,omitempty"`
	// Presence is set while the presence sensor sees someone in front of the kiosk: the attract
	// screen wakes from its rest.
	Presence bool `json:"presence,omitempty"`

	Citizen    *CitizenView    `json:"citizen,omitempty"`
	Query      string          `json:"query,omitempty"`
	Procedures []ProcedureView `json:"procedures,omitempty"`
	Procedure  *ProcedureView  `json:"procedure,omitempty"`
	Documents  []DocumentView  `json:"documents,omitempty"`
	Current    int             `json:"current"`
	Form       []FieldView     `json:"form,omitempty"`
	Receipt    *ReceiptView    `json:"receipt,omitempty"`
	// Services is the citizen services' part of the view (services.go).
	Services *ServicesView `json:"services,omitempty"`
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
	FullName    string      `json:"fullName"`
	IDMasked    string      `json:"idMasked"`
	PassiveAuth PassiveAuth `json:"passiveAuth"`
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
	// PageURL is the procedure's page on the national portal (the QR code of the printed "Cần
	// mang theo"), and Where the place to go, e.g. the counter serving it; both set on the
	// procedure being filed or shown, not in the list.
	PageURL string `json:"pageUrl,omitempty"`
	Where   string `json:"where,omitempty"`
}

// DocumentView is one line of the document checklist.
type DocumentView struct {
	Type     string    `json:"type"`
	Name     string    `json:"name"`
	Required bool      `json:"required"`
	Status   DocStatus `json:"status"`
	// Originals and Copies are how many originals ("bản chính") and copies ("bản sao") of the
	// paper the procedure asks for; 0 and 0: the catalogue does not say.
	Originals int       `json:"originals,omitempty"`
	Copies    int       `json:"copies,omitempty"`
	Pages     int       `json:"pages"`
	Quality   []Quality `json:"quality,omitempty"`
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
	Key   string `json:"key"`
	Label string `json:"label"`
	// Kind is text, date, number or choice: the catalogue's province, commune and sex fields are
	// shown as the choice (or, for a commune the catalogue lists none for, the text) they resolve to.
	Kind          FieldKind   `json:"kind"`
	Value         string      `json:"value"`
	Required      bool        `json:"required"`
	Choices       []string    `json:"choices,omitempty"`
	Source        FieldSource `json:"source,omitempty"`
	LowConfidence bool        `json:"lowConfidence,omitempty"`
	Error         string      `json:"error,omitempty"`
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
	Action ActionName `json:"action"`
	Value  string     `json:"value,omitempty"`
	Key    string     `json:"key,omitempty"`
	Index  int        `json:"index,omitempty"`

	// Session is View.Session of the view the action was made on ("" on the attract screen).
	Session string `json:"session,omitempty"`
	// State and Step are View.State and View.Step of that view.
	State State `json:"state,omitempty"`
	Step  Step  `json:"step,omitempty"`
	// Document is View.Current of that view, for actions made in the documents state.
	Document *int `json:"document,omitempty"`
}

// ActionOn returns the action name with value, made on view v: it names v's session, state, step
// and, in the documents state, its current document.
func ActionOn(v View, name ActionName, value string) Action {
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

// Quality is a problem with a scanned page the citizen can fix by scanning again.
type Quality struct {
	Code    string `json:"code"`    // blurry, dark, blank, skewed
	Message string `json:"message"` // Vietnamese (English)
}
