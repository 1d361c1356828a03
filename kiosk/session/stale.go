package session

import "github.com/tramso/tramso/kiosk/api/wire"

// stale refuses an action made on a view that is no longer the current one, so that a tap (or a
// scripted citizen's request) never lands on a step or a document the citizen did not see: an accept
// made on document 0's preview must not accept document 1, and the same accept sent twice must not
// accept the next document. An action naming no view is applied to the current one (older
// clients). Cancel is honoured from any view of the current session: it only wipes.
func (s *session) stale(a Action) error {
	if !a.NamesView() {
		return nil
	}
	if a.Session != s.id {
		return ErrStale // another citizen's session, or one already wiped
	}
	if a.Action == wire.ActCancel {
		return nil
	}
	// A field typed while the documents were still being read lands once they are: the OCR
	// never overwrites what the citizen typed, so the review's two steps are one screen to it.
	sameScreen := a.Step == s.step || (s.state == wire.Review && a.Action == wire.ActSetField)
	if a.State != s.state || !sameScreen {
		return ErrStale
	}
	if s.state == wire.Documents && (a.Document == nil || *a.Document != s.current) {
		return ErrStale
	}
	return nil
}
