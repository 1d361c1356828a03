package wire

// The typed vocabulary of the local API: every word the session, the catalogue, kiosk-ui and
// kioskctl exchange about the journey is a constant of one of these types, defined here once. Each
// marshals as its plain string, so the JSON is what kiosk/api/openapi.yaml describes.

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

// Step is a screen within a State; empty in the states that have one screen.
type Step string

// Steps within a state.
const (
	StepQR         Step = "qr"           // identify: show the QR code on the card
	StepCard       Step = "card"         // identify: put the card on the reader
	StepReading    Step = "reading"      // identify: reading the chip
	StepTypeKey    Step = "type_key"     // identify: the citizen types the ID number or the MRZ
	StepPlace      Step = "place"        // documents: place the paper, then tap scan
	StepScanning   Step = "scanning"     // documents: the scanner is running
	StepPreview    Step = "preview"      // documents: pages shown with quality warnings
	StepProcessing Step = "processing"   // review: documents still being digitised
	StepEditing    Step = "editing"      // review: the form is ready
	StepPrinting   Step = "printing"     // receipt: the receipt is being printed
	StepPrinted    Step = "printed"      // receipt: printed (or sent to a printer that cannot confirm)
	StepPrintFail  Step = "print_failed" // receipt: the printer failed; the code is on the screen
)

// ActionName is what a citizen's Action does.
type ActionName string

// Action names.
const (
	ActStart    ActionName = "start"     // attract → identify
	ActCancel   ActionName = "cancel"    // anywhere but while committing: wipe and back to attract
	ActMoreTime ActionName = "more_time" // dismiss the idle warning
	ActTypeKey  ActionName = "type_key"  // identify: switch to typing (no QR scanner or unreadable QR)
	ActEnterID  ActionName = "enter_id"  // identify: Value = the 12-digit ID number (gives the CAN)
	ActEnterMRZ ActionName = "enter_mrz" // identify: Value = DOCNO,YYMMDD,YYMMDD
	ActSearch   ActionName = "search"    // choose_procedure: Value = query
	ActChoose   ActionName = "choose"    // choose_procedure: Value = procedure code
	ActScan     ActionName = "scan"      // documents: scan (more) pages of the current document
	ActAccept   ActionName = "accept"    // documents: the pages are good
	ActRescan   ActionName = "rescan"    // documents: drop the pages and scan again
	ActKeep     ActionName = "keep"      // documents: use the pages despite the mismatch warning (marked for staff)
	ActSkip     ActionName = "skip"      // documents: skip an optional document
	ActSetField ActionName = "set_field" // review: Key, Value
	ActConfirm  ActionName = "confirm"   // review → consent
	ActAgree    ActionName = "agree"     // consent → submit
	ActBack     ActionName = "back"      // one step back where it makes sense
	ActFinish   ActionName = "finish"    // done → attract
)

// DocStatus is where one document of the checklist stands.
type DocStatus string

// Document statuses.
const (
	DocMissing    DocStatus = "missing"    // not scanned yet (or its pages were dropped for a rescan)
	DocScanned    DocStatus = "scanned"    // pages scanned, not yet accepted
	DocProcessing DocStatus = "processing" // accepted; being digitised (OCR, PDF) in the background
	DocDone       DocStatus = "done"       // digitised: it goes into the dossier
	DocSkipped    DocStatus = "skipped"    // an optional document the citizen skipped
	DocFailed     DocStatus = "failed"     // digitising failed: the citizen scans it again
)

// FieldKind is the kind of a form field: what its value may be and how it is entered.
type FieldKind string

// Field kinds. The catalogue uses all of them; a view's FieldView shows only text, date, number
// and choice, the kinds the others resolve to.
const (
	FieldText   FieldKind = "text"   // free text
	FieldDate   FieldKind = "date"   // a date, dd/mm/yyyy on screen
	FieldNumber FieldKind = "number" // digits (spaces and + allowed: phone numbers)
	FieldChoice FieldKind = "choice" // one of the field's choices
	// FieldProvince is one of the catalogue's provinces (shown as a choice).
	FieldProvince FieldKind = "province"
	// FieldCommune is one of the communes of the province chosen in the field's Of field (shown as
	// a choice, or as text when the catalogue lists none for that province).
	FieldCommune FieldKind = "commune"
	// FieldSex is a person's sex as the ID card writes it, Nam or Nữ (shown as a choice); the OCR
	// reads it with the card's words.
	FieldSex FieldKind = "sex"
)

// FieldSource is where a form field's value came from.
type FieldSource string

// Field sources; a field nothing filled has none ("").
const (
	SourceCard    FieldSource = "card"    // the chip card's data (the catalogue field's From)
	SourceOCR     FieldSource = "ocr"     // read off a scanned paper
	SourceCitizen FieldSource = "citizen" // typed by the citizen
)

// PassiveAuth is the result of the chip card's passive authentication (ICAO 9303-11: the data
// groups' hashes and the document signer's signature, up to a trusted CSCA).
type PassiveAuth string

// Passive authentication results.
const (
	PassiveValid      PassiveAuth = "valid"      // signed by a trusted CSCA, every hash matches
	PassiveInvalid    PassiveAuth = "invalid"    // a signature or a data-group hash did not verify
	PassiveUnverified PassiveAuth = "unverified" // no trust anchor to verify against
	// PassivePending is shown while the rest of the card is read and verified: the identity files
	// checked out, the whole read has not yet. Never the result of a read.
	PassivePending PassiveAuth = "pending"
)

// ChipAuth is the result of proving the chip genuine (not a copy of its data): Active
// Authentication or Chip Authentication.
type ChipAuth string

// Chip authentication results.
const (
	ChipAAValid      ChipAuth = "AA-valid"      // Active Authentication signed the kiosk's challenge
	ChipCAValid      ChipAuth = "CA-valid"      // Chip Authentication agreed session keys
	ChipFailed       ChipAuth = "failed"        // the chip failed the proof: a clone or a fault
	ChipNotSupported ChipAuth = "not-supported" // the chip offers neither
)
