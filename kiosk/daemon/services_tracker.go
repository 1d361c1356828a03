package daemon

import (
	"context"
	"time"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/identity"
	"github.com/tramso/tramso/kiosk/receipt"
	"github.com/tramso/tramso/kiosk/session"
)

func (c *citizenServices) Track(ctx context.Context, code string) (*session.Tracked, error) {
	cl, err := c.central()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	t, err := cl.Track(ctx, code)
	if err != nil {
		return nil, classify(err)
	}
	out := tracked(*t)
	return &out, nil
}

func (c *citizenServices) TrackHolder(ctx context.Context, card *identity.Result) ([]session.Tracked, error) {
	cl, err := c.central()
	if err != nil {
		return nil, err
	}
	proof := central.HolderProof{IDHash: central.HolderIDHash(card.Citizen.IDNumber), PassiveAuth: string(card.PassiveAuth), ReadAt: time.Now().UTC()}
	if err := proof.Sign(c.store.DeviceKey()); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	h, err := cl.TrackHolder(ctx, proof)
	if err != nil {
		return nil, classify(err)
	}
	var out []session.Tracked
	for _, t := range h.Dossiers {
		out = append(out, tracked(t))
	}
	return out, nil
}

// tracked converts central's answer for the session.
func tracked(t central.TrackedDossier) session.Tracked {
	out := session.Tracked{DossierCode: t.DossierCode, ProcedureName: t.ProcedureName, StatusCode: int(t.StatusCode),
		ReceivedAt: t.ReceivedAt, UpdatedAt: t.UpdatedAt, Appointment: t.Appointment}
	if o := t.Owed; o != nil {
		ov := &wire.OwedView{FeeVND: o.FeeVND, FeePaid: o.FeePaid, Where: o.Where}
		if o.FeeVND > 0 {
			ov.Fee = receipt.Dong(o.FeeVND)
		}
		for _, d := range o.Documents {
			ov.Documents = append(ov.Documents, wire.OwedDocumentView{Name: d.Name, Note: d.Note})
		}
		out.Owed = ov
	}
	if h := t.Holder; h != nil {
		out.Holder = &wire.HolderView{FullName: h.FullName, Documents: h.Documents}
	}
	return out
}

// Known is what the kiosk's own outbox knows of a code: the dossier's delivery state and when it
// was captured, never a status of its handling.
func (c *citizenServices) Known(ctx context.Context, code string) (*session.Tracked, error) {
	entries, err := c.store.List(ctx)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if e.DossierCode == code || e.ReceiptNo == code {
			return &session.Tracked{DossierCode: code, ReceivedAt: e.CapturedAt, Local: e.State}, nil
		}
	}
	return nil, nil
}
