package daemon

// The retention purge: kioskd removes by itself the personal data, the attachment files and the
// notification contacts of dossiers accepted by the central system more than the retention period
// ago (outbox.Store.PurgeWithContacts), once shortly after start and then every hour, so that no
// citizen's data outlives its period because nobody ran kioskctl outbox purge.

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/tramso/tramso/kiosk/outbox"
)

// How often kioskd runs the retention purge (Options.RetentionEvery's default), and how long after
// start it runs the first one at most.
const (
	retentionEvery = time.Hour
	retentionFirst = time.Minute
)

// commitGate lets one dossier commit or one retention purge work on the outbox at a time: a purge
// waits for the commit in progress, a commit for the purge in progress. The nil gate lets
// everything through.
type commitGate chan struct{}

func newCommitGate() commitGate { return make(commitGate, 1) }

// enter waits for the gate until ctx ends.
func (g commitGate) enter(ctx context.Context) error {
	if g == nil {
		return nil
	}
	select {
	case g <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// leave lets the next one through.
func (g commitGate) leave() {
	if g != nil {
		<-g
	}
}

// retention runs the retention purge of a store and the services queue holding its contacts.
type retention struct {
	store    *outbox.Store
	contacts *outbox.ServicesQueue
	gate     commitGate
	log      *slog.Logger
	// purged counts the dossiers purged (the metrics; nil: not counted).
	purged func(n int)
	now    func() time.Time
	// last is when a purge last ran to its end, Unix milliseconds (0: not since the start).
	last atomic.Int64
}

// run purges once at most retentionFirst after the start, then every every, until ctx ends.
func (r *retention) run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = retentionEvery
	}
	t := time.NewTimer(min(every, retentionFirst))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		r.purge(ctx)
		t.Reset(every)
	}
}

// purge runs one retention purge, between dossier commits. A store out of service holds nothing
// to purge (and its opt-ins must stay until it is repaired): nothing is done then. Only counts are
// logged.
func (r *retention) purge(ctx context.Context) {
	if r.store.Unavailable() != nil {
		return
	}
	if err := r.gate.enter(ctx); err != nil {
		return
	}
	purged, forgotten, err := r.store.PurgeWithContacts(ctx, r.contacts)
	r.gate.leave()
	if purged > 0 && r.purged != nil {
		r.purged(purged)
	}
	switch {
	case err != nil && ctx.Err() != nil:
		return // stopping: the next start purges
	case err != nil:
		r.log.Warn("retention purge failed; next round retries", "dossiers", purged, "contacts", forgotten, "err", err)
		return
	case purged > 0 || forgotten > 0:
		r.log.Info("retention purge", "dossiers", purged, "contacts", forgotten)
	}
	r.last.Store(r.now().UnixMilli())
}

// newRetention returns the retention purge of the daemon's store, its contacts in the services
// queue, between the commits of the session's submitter, counted in the metrics.
func (d *Daemon) newRetention() *retention {
	r := &retention{store: d.store, contacts: d.services.ratings, gate: d.submit.gate, log: d.log, now: d.now}
	if r.now == nil {
		r.now = time.Now
	}
	if d.metrics != nil {
		r.purged = d.metrics.m.DossiersPurged
	}
	return r
}

// start runs the retention purge every every (0: every hour) until ctx ends or the returned
// function is called; that function waits for a purge in progress.
func (r *retention) start(ctx context.Context, every time.Duration) (stop func()) {
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { r.run(rctx, every); close(done) }()
	return func() { cancel(); <-done }
}

// retentionHealth puts when the retention purge last ran into the health (kioskctl status --json).
func (d *Daemon) retentionHealth(h map[string]any) {
	if d.retention == nil {
		return
	}
	if ms := d.retention.last.Load(); ms > 0 {
		h["retentionLastPurge"] = time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z07:00")
	}
}
