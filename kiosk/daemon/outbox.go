package daemon

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/catalog"
	"github.com/tramso/tramso/kiosk/dossier"
	"github.com/tramso/tramso/kiosk/outbox"
	"github.com/tramso/tramso/kiosk/session"
)

// outboxSubmitter commits the citizen's dossier to the outbox and waits briefly for the uploader
// to obtain the official dossier code.
type outboxSubmitter struct {
	store   *outbox.Store
	kiosk   KioskInfo
	catalog func() *catalog.Catalogue
	commits sync.WaitGroup // captures in progress: shutdown waits for them
	gate    commitGate     // a capture and the retention purge never run together (retention.go)
}

// consentText identifies the consent wording shown on the consent screen.
const consentText = "tramso-consent-v1"

func (o *outboxSubmitter) Submit(ctx context.Context, d *session.Dossier, wait time.Duration) (*session.Submitted, error) {
	o.commits.Add(1)
	o.gate.enter(context.WithoutCancel(ctx)) // the purge in progress is short; the commit is not given up
	e, err := o.capture(ctx, d)
	o.gate.leave()
	o.commits.Done()
	if err != nil {
		return nil, err
	}
	s := &session.Submitted{ID: strconv.FormatInt(e.ID, 10), DossierCode: e.ReceiptNo, Provisional: true, ReceivedAt: e.CapturedAt}
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		cur, err := o.store.Get(ctx, e.ID)
		if err == nil && cur.State == outbox.StateAccepted && cur.DossierCode != "" {
			s.DossierCode, s.Provisional = cur.DossierCode, false
			break
		}
		select {
		case <-time.After(150 * time.Millisecond):
		case <-ctx.Done():
			return s, nil // committed: the receipt carries the provisional reference
		}
	}
	s.LookupURL = o.kiosk.lookupURL(s.DossierCode)
	return s, nil
}

func (o *outboxSubmitter) capture(ctx context.Context, d *session.Dossier) (outbox.Entry, error) {
	dd := &dossier.Dossier{
		Procedure: dossier.Procedure{Code: d.ProcedureCode, Name: d.ProcedureName},
		Unit:      dossier.Unit{Code: o.kiosk.UnitCode, Name: o.kiosk.UnitName},
		Applicant: dossier.Applicant{
			IDNumber: d.Applicant.IDNumber, FullName: d.Applicant.FullName, DateOfBirth: d.Applicant.DateOfBirth.String(),
			Phone: d.Fields["phone"], Address: d.Applicant.PlaceOfResidence, PassiveAuth: wire.PassiveAuth(d.PassiveAuth),
		},
		Fields:     d.Fields,
		Consent:    dossier.Consent{Given: d.Consent, At: d.CapturedAt, Text: consentText},
		CapturedAt: d.CapturedAt,
	}
	var files []outbox.File
	for _, doc := range d.Documents {
		f := outbox.File{Type: doc.Type, Name: doc.Name, Data: doc.PDF, Pages: doc.Pages}
		if m := doc.Mismatch; m != nil {
			f.Mismatch = &dossier.Mismatch{Code: m.Code, LooksLike: m.LooksLike, Page: m.Page}
		}
		files = append(files, f)
	}
	var required []dossier.Requirement
	if p, err := o.catalog().Get(d.ProcedureCode); err == nil {
		for _, doc := range p.Documents {
			required = append(required, dossier.Requirement{Type: doc.Type, Name: doc.Name, Optional: !doc.Required})
		}
		for _, f := range p.Fields { // typed dd/mm/yyyy: the manifest has them YYYY-MM-DD
			if f.Kind == wire.FieldDate {
				dd.DateFields = append(dd.DateFields, f.Key)
			}
		}
	}
	// The commit gets its own context: a citizen walking away must not abort it half way.
	return o.store.Capture(context.WithoutCancel(ctx), dd, files, required)
}
