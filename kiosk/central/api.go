// Package central is the kiosk's side of the central API (the provincial administrative-procedure
// information system, or an adapter in front of it): the wire types of the contract in openapi.yaml
// and a Client for it. Every write is idempotent: uploads are content-addressed and resumable,
// dossier submissions carry an Idempotency-Key; errors arrive as application/problem+json.
package central

import (
	"time"

	"github.com/tramso/tramso/kiosk/catalog"
	"github.com/tramso/tramso/kiosk/dossier"
)

// Paths of the contract, relative to the server's base URL.
const (
	PathEnrolments = "/v1/enrolments"
	PathProcedures = "/v1/procedures"
	PathUploads    = "/v1/uploads"
	PathDossiers   = "/v1/dossiers"
	PathHeartbeat  = "/v1/heartbeat"
)

// Header names of the contract.
const (
	HeaderIdempotencyKey = "Idempotency-Key" // structured-field string: "uuid"
	HeaderKioskID        = "Kiosk-Id"        // identifies the kiosk when no client certificate is used
	HeaderUploadOffset   = "Upload-Offset"   // bytes of an upload the server holds
	HeaderUploadComplete = "Upload-Complete" // ?1 once the server holds the whole file, hash verified
	ContentTypeProblem   = "application/problem+json"
	ContentTypeChunk     = "application/offset+octet-stream"
)

// Dossier statuses reported by the central system (the lifecycle of the information system).
const (
	StatusReceived      = "received"             // đã tiếp nhận
	StatusProcessing    = "processing"           // đang xử lý
	StatusNeedDocuments = "needs-more-documents" // yêu cầu bổ sung
	StatusCompleted     = "completed"            // đã có kết quả
	StatusReturned      = "returned"             // đã trả kết quả
	StatusRefused       = "refused"              // từ chối
	StatusWithdrawn     = "withdrawn"            // rút hồ sơ
)

// Terminal reports whether a dossier in status s will not change any more.
func Terminal(s string) bool {
	return s == StatusReturned || s == StatusRefused || s == StatusWithdrawn
}

// Problem types (the "type" member of a problem document).
const (
	ProblemBadRequest        = "urn:tramso:problem:bad-request"
	ProblemUnauthenticated   = "urn:tramso:problem:unauthenticated"
	ProblemNotFound          = "urn:tramso:problem:not-found"
	ProblemOffsetMismatch    = "urn:tramso:problem:offset-mismatch"
	ProblemHashMismatch      = "urn:tramso:problem:hash-mismatch"
	ProblemAttachmentMissing = "urn:tramso:problem:attachment-missing"
	ProblemInProgress        = "urn:tramso:problem:request-in-progress"
	ProblemKeyReused         = "urn:tramso:problem:idempotency-key-reused"
	ProblemBadSignature      = "urn:tramso:problem:invalid-signature"
	ProblemInvalidDossier    = "urn:tramso:problem:invalid-dossier"
	ProblemUnavailable       = "urn:tramso:problem:unavailable"
	ProblemTooManyRequests   = "urn:tramso:problem:too-many-requests"
	ProblemCodesExhausted    = "urn:tramso:problem:codes-exhausted"
	ProblemReceiptReused     = "urn:tramso:problem:receipt-number-reused" // another dossier, under another key, has this receipt number
)

// Problem is an RFC 9457 problem document. Servers put no personal data in it.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	Offset *int64 `json:"offset,omitempty"` // with offset-mismatch: what the server holds
}

// EnrolRequest asks for a client certificate for the kiosk's device key.
type EnrolRequest struct {
	KioskID string `json:"kioskId"`
	CSR     string `json:"csr"` // PEM "CERTIFICATE REQUEST", signed by the device key
}

// EnrolResponse carries the kiosk's client certificate (when the server issues them) and the CA.
type EnrolResponse struct {
	KioskID       string `json:"kioskId"`
	Certificate   string `json:"certificate,omitempty"`   // PEM
	CACertificate string `json:"caCertificate,omitempty"` // PEM
}

// Catalogue is the procedure catalogue served at PathProcedures (with an ETag).
type Catalogue struct {
	Procedures []CatalogueProcedure `json:"procedures"`
	// Places are the provinces and their communes for address fields (optional: a kiosk keeps its
	// own when absent).
	Places []catalog.Province `json:"places,omitempty"`
}

// CatalogueProcedure is one procedure with its required documents, and optionally what a kiosk
// needs to take it: the form's fields, the processing time in working days, how popular it is.
type CatalogueProcedure struct {
	Code           string                `json:"code"`
	Name           string                `json:"name"`
	NameEn         string                `json:"nameEn,omitempty"`
	Documents      []dossier.Requirement `json:"documents"`
	Fee            string                `json:"fee,omitempty"`      // the fee in words shown to people
	FeeVND         int64                 `json:"feeVnd,omitempty"`   // a fixed fee per dossier, in đồng
	FeePages       *catalog.PageFee      `json:"feePages,omitempty"` // or a fee by the page
	ProcessingTime string                `json:"processingTime,omitempty"`
	ProcessingDays int                   `json:"processingDays,omitempty"`
	Popular        int                   `json:"popular,omitempty"`
	Fields         []catalog.Field       `json:"fields,omitempty"`
}

// UploadRequest opens (or finds again) the upload session of one content-addressed file.
type UploadRequest struct {
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// UploadSession is the server's state of one upload.
type UploadSession struct {
	ID       string `json:"id"`
	SHA256   string `json:"sha256"`
	Size     int64  `json:"size"`
	Offset   int64  `json:"offset"`
	Complete bool   `json:"complete"`
}

// DossierStatus is what the central system says about a submitted dossier.
type DossierStatus struct {
	IdempotencyKey string    `json:"idempotencyKey"`
	DossierCode    string    `json:"dossierCode"`
	Status         string    `json:"status"`
	ReceivedAt     time.Time `json:"receivedAt"`
	UpdatedAt      time.Time `json:"updatedAt"`
	Note           string    `json:"note,omitempty"`
}

// Heartbeat is the kiosk's periodic sign of life.
type Heartbeat struct {
	KioskID string    `json:"kioskId"`
	Queued  int       `json:"queued"`
	SentAt  time.Time `json:"sentAt"`
	// Facts are the kiosk's versions, device states and outbox, as its metrics say (optional).
	Facts *KioskFacts `json:"facts,omitempty"`
}

// KioskFacts are what a kiosk's metrics say of its versions, devices and outbox: states only,
// nothing about a citizen.
type KioskFacts struct {
	Build     string `json:"build"`
	Config    string `json:"config"`    // digest of kiosk.toml, "sha256:" and 12 hex digits
	Catalogue string `json:"catalogue"` // catalogue version
	// Devices says, for each device looked at (printer, scanner, card_reader, qr_scanner), whether
	// it answers.
	Devices map[string]bool `json:"devices,omitempty"`
	// Printer lists the printer's conditions present (paper_out, paper_near_end, cover_open,
	// offline, error).
	Printer             []string        `json:"printer,omitempty"`
	Enclosure           map[string]bool `json:"enclosure,omitempty"` // door_open, presence
	OutboxOldestSeconds int64           `json:"outboxOldestQueuedSeconds"`
}

// HeartbeatResponse carries the server's clock, for the kiosk to notice a drifting clock.
type HeartbeatResponse struct {
	ServerTime time.Time `json:"serverTime"`
}
