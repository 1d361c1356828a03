// Package session is the citizen's journey at the kiosk as an explicit state machine: attract →
// identify (QR code, then the chip card; typed fallback) → choose a procedure → scan each document →
// review the pre-filled form → consent → submit (committed to the outbox) → receipt → done.
//
// # The loop
//
// One goroutine (Machine.Run) owns all session data and handles one event at a time: the
// citizen's actions posted by kiosk-ui through the local API (Machine.Do), and the results of
// device work it started. Device work runs under the session's context, which ends when the
// session is wiped, so a cancelled or abandoned session leaves nothing running. Cancel, idle
// timeout, card removal and device faults are handled from every state; a finished or abandoned
// session is wiped: its data is dropped (byte buffers overwritten) and the next View shows the
// attract screen. The states, steps, actions and document statuses are the wire package's
// typed vocabulary; the answer to an action is the view after it (the loop publishes before it
// replies).
//
// # Stale actions and stale results
//
// Every action names the view it was made on (wire.ActionOn); one made on a view that has moved
// on is refused with ErrStale and changes nothing (stale.go). A device result is dropped when
// what it answers is gone: card and scan results carry the number of the device wait they
// answer (session.waitSeq), the results of a citizen's background jobs carry the number of the
// citizen they belong to (session.citizenSeq), and each document's OCR result carries the job
// number of the pages it read (doc.job).
//
// # Files
//
// machine.go is the loop and its API; session.go the session's data and the dispatch of events
// and actions; identify.go, choose.go, documents.go, review.go and submit.go the steps of the
// journey; view.go the view published to the screens; wipe.go the end of a citizen's session;
// devices.go the small interfaces of the devices the session drives. Config.Now is the clock
// the session reads (idle timeouts, the done screen, the capture time), so tests can move it.
package session
