package metrics

import (
	"regexp"

	"github.com/tramso/tramso/kiosk/api/wire"
)

// Every label value of every tramso_ metric comes from one of the fixed sets below: a value the
// caller passes that is not in its set is exported as "other". No name, ID number, receipt
// number or dossier code can reach a label.

// Other is the label value that stands for anything outside a label's fixed set.
const Other = "other"

// Step is where in the citizen journey a session was: a wire.State or a wire.Step… value.
type Step string

// steps are the states and steps of the citizen journey (wire).
var steps = set[string](
	string(wire.Attract), string(wire.Identify), string(wire.ChooseProcedure), string(wire.Documents),
	string(wire.Review), string(wire.Consent), string(wire.Submitting), string(wire.Receipt), string(wire.Done),
	string(wire.StepQR), string(wire.StepCard), string(wire.StepReading), string(wire.StepTypeKey),
	string(wire.StepPlace), string(wire.StepScanning), string(wire.StepPreview), string(wire.StepProcessing),
	string(wire.StepEditing), string(wire.StepPrinting), string(wire.StepPrinted), string(wire.StepPrintFail),
)

// StepOf is the step label of a view (its State and Step): its step when it has one, else its
// state.
func StepOf[S, T ~string](state S, step T) Step {
	if step != "" {
		return Step(step)
	}
	return Step(state)
}

// CardOutcome is how a card read ended.
type CardOutcome string

// Card read outcomes.
const (
	CardOK          CardOutcome = "ok"           // read and verified
	CardRemoved     CardOutcome = "removed"      // the card left the field mid-read
	CardPACEFailed  CardOutcome = "pace_failed"  // access control (PACE/BAC) refused the key
	CardNotGenuine  CardOutcome = "not_genuine"  // passive or chip authentication failed
	CardUnverified  CardOutcome = "unverified"   // no CSCA vouches for the card's signer
	CardTimeout     CardOutcome = "timeout"      // the reader or the card stopped answering
	CardReaderError CardOutcome = "reader_error" // the reader is gone or did not open
	CardUnreadable  CardOutcome = "unreadable"   // the chip answered, its data did not make an identity
)

var cardOutcomes = set(CardOK, CardRemoved, CardPACEFailed, CardNotGenuine, CardUnverified, CardTimeout,
	CardReaderError, CardUnreadable)

// ScannerFault is a document scanner failure.
type ScannerFault string

// Scanner faults.
const (
	ScanJammed       ScannerFault = "jammed"
	ScanADFEmpty     ScannerFault = "adf_empty"
	ScanCoverOpen    ScannerFault = "cover_open"
	ScanNoDevice     ScannerFault = "no_device"
	ScanBusy         ScannerFault = "busy"
	ScanIO           ScannerFault = "io"
	ScanNoMemory     ScannerFault = "no_memory"
	ScanAccessDenied ScannerFault = "access_denied"
	ScanInvalid      ScannerFault = "invalid_option"
)

var scannerFaults = set(ScanJammed, ScanADFEmpty, ScanCoverOpen, ScanNoDevice, ScanBusy, ScanIO, ScanNoMemory,
	ScanAccessDenied, ScanInvalid)

// UploadCause is why a request to the central system failed.
type UploadCause string

// Upload error causes.
const (
	CauseNetwork     UploadCause = "network"      // no connection, reset, DNS
	CauseTimeout     UploadCause = "timeout"      // the request ran out of time
	CauseTLS         UploadCause = "tls"          // a certificate or handshake failure
	CauseRateLimited UploadCause = "rate_limited" // 429
	CauseServer      UploadCause = "server_error" // 5xx
	CauseRefused     UploadCause = "refused"      // 400, 413, 422: the dossier is rejected
	CauseConflict    UploadCause = "conflict"     // another 4xx (401, 403, 404, 408, 409…)
	CauseUnreadable  UploadCause = "bad_answer"   // the server's answer did not parse
)

var uploadCauses = set(CauseNetwork, CauseTimeout, CauseTLS, CauseRateLimited, CauseServer, CauseRefused,
	CauseConflict, CauseUnreadable)

// Operation is a kind of request to the central system.
type Operation string

// Central operations.
const (
	OpUpload    Operation = "upload"
	OpSubmit    Operation = "submit"
	OpStatus    Operation = "status"
	OpHeartbeat Operation = "heartbeat"
)

var operations = set(OpUpload, OpSubmit, OpStatus, OpHeartbeat)

// Device is a device kind of the kiosk.
type Device string

// Devices.
const (
	DevicePrinter    Device = "printer"
	DeviceScanner    Device = "scanner"
	DeviceCardReader Device = "card_reader"
	DeviceQRScanner  Device = "qr_scanner"
)

var devices = set(DevicePrinter, DeviceScanner, DeviceCardReader, DeviceQRScanner)

// PrinterCondition is one of the receipt printer's reported conditions.
type PrinterCondition string

// Printer conditions.
const (
	PrinterPaperOut   PrinterCondition = "paper_out"
	PrinterNearEnd    PrinterCondition = "paper_near_end"
	PrinterCoverOpen  PrinterCondition = "cover_open"
	PrinterOffline    PrinterCondition = "offline"
	PrinterErrorState PrinterCondition = "error" // cutter, unrecoverable or overheating
)

var printerConditions = []PrinterCondition{PrinterPaperOut, PrinterNearEnd, PrinterCoverOpen, PrinterOffline, PrinterErrorState}

// selfTestChecks maps the self-test's device IDs (wire.Check.ID) to the check label.
var selfTestChecks = map[wire.DeviceID]string{
	wire.DeviceIDPrinter: "printer", wire.DeviceIDCardReader: "card_reader", wire.DeviceIDQRScanner: "qr_scanner",
	wire.DeviceIDScanner: "scanner", wire.DeviceIDStore: "store", wire.DeviceIDCentral: "central",
	wire.DeviceIDDisk: "disk", wire.DeviceIDFonts: "fonts", wire.DeviceIDOCRData: "ocr_data",
}

// EnclosureInput is a signal of the kiosk cabinet read from GPIO.
type EnclosureInput string

// Enclosure inputs.
const (
	DoorOpen EnclosureInput = "door_open"
	Presence EnclosureInput = "presence"
)

var enclosureInputs = set(DoorOpen, Presence)

// Version labels are checked by shape: a build is a module version (v1.2.3…), a 40-digit VCS
// revision or "(devel)"; a catalogue version starts with a letter and has no spaces or marks; the
// configuration is only ever exported as the digest of its file (ConfigDigest). Anything else is exported as
// "unknown", so that neither a name (spaces, Vietnamese marks) nor an ID number, receipt number or
// dossier code (they start with a digit) can pass.
var (
	buildVersion     = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+[0-9A-Za-z.+-]{0,40}$|^[0-9a-f]{40}$|^\(devel\)$`)
	catalogueVersion = regexp.MustCompile(`^[A-Za-z][0-9A-Za-z.+_-]{0,39}$`)
)

// Unknown is a version label whose value did not have the expected shape.
const Unknown = "unknown"

func shaped(re *regexp.Regexp, v string) string {
	if re.MatchString(v) {
		return v
	}
	return Unknown
}

func set[T ~string](vs ...T) map[string]bool {
	m := make(map[string]bool, len(vs))
	for _, v := range vs {
		m[string(v)] = true
	}
	return m
}

// label returns v when it is one of allowed, else Other.
func label[T ~string](allowed map[string]bool, v T) string {
	if allowed[string(v)] {
		return string(v)
	}
	return Other
}
