package daemon

import (
	"context"
	"slices"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/session"
)

func (c *citizenServices) Counters(ctx context.Context, procedure string) ([]wire.CounterView, error) {
	cl, err := c.central()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	cs, err := cl.QueueCounters(ctx)
	if err != nil {
		return nil, classify(err)
	}
	var out []wire.CounterView
	for _, k := range cs.Counters {
		serves := procedure != "" && slices.Contains(k.Procedures, procedure)
		out = append(out, wire.CounterView{ID: k.ID, Name: k.Name, Field: k.Field, Waiting: k.Waiting, Paused: k.Paused,
			PauseReason: k.PauseReason, Serves: serves})
	}
	// The counters serving the procedure first.
	slices.SortStableFunc(out, func(a, b wire.CounterView) int {
		switch {
		case a.Serves == b.Serves:
			return 0
		case a.Serves:
			return -1
		}
		return 1
	})
	return out, nil
}

func (c *citizenServices) TakeTicket(ctx context.Context, key string, req session.TicketRequest) (*wire.TicketView, error) {
	cl, err := c.central()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	r := central.TicketRequest{CounterID: req.CounterID, Source: central.SourceWalkIn, DossierCode: req.DossierCode}
	if req.CounterID == "" {
		r.ProcedureCode = req.ProcedureCode
	}
	t, err := cl.TakeTicket(ctx, key, r)
	if err != nil {
		return nil, classify(err)
	}
	return &wire.TicketView{Number: t.Number, CounterName: t.CounterName, Field: t.Field, Ahead: t.Ahead,
		WaitMinutes: (t.EstimatedWait + 59) / 60, IssuedAt: t.IssuedAt, FollowURL: t.FollowURL}, nil
}

func (c *citizenServices) Rate(ctx context.Context, r session.Rating) error {
	err := c.ratings.AddRating(ctx, central.Rating{ID: r.ID, Subject: r.Subject, DossierCode: r.DossierCode, Level: r.Level,
		Reasons: r.Reasons, Comment: r.Comment, RatedAt: r.RatedAt.UTC()})
	if err != nil {
		return err
	}
	select {
	case c.wake <- struct{}{}:
	default:
	}
	return nil
}
