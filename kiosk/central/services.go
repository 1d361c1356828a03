package central

import (
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
