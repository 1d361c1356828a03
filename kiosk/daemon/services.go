package daemon

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/outbox"
	"github.com/tramso/tramso/kiosk/session"
)

// citizenServices is the session's Services: the tracker, the queue and the rating, through the
// central client the uploader connected (none: offline), the kiosk's own outbox, the durable
// ratings queue and the receipt printer.
type citizenServices struct {
	store   *outbox.Store
	ratings *outbox.ServicesQueue
	printer *receiptPrinter
	kiosk   KioskInfo
	client  atomic.Pointer[central.Client]
	// wake nudges the ratings forwarder when a rating was stored.
	wake chan struct{}
	// timeout bounds each question to central while a citizen waits.
	timeout time.Duration
	// poll bounds the waits between the polls of a payment.
	poll central.PollOptions

	mu      sync.Mutex
	forward context.CancelFunc // the forwarder of the current connection
}

// newCitizenServices opens the ratings queue in the state folder and deletes the notification
// opt-ins whose dossier the outbox no longer holds (purged, or lost to a salvage while kioskd was
// stopped); the forwarder goes on doing so each round.
func newCitizenServices(ctx context.Context, stateDir string, store *outbox.Store, p *receiptPrinter, k KioskInfo) (*citizenServices, error) {
	r, err := outbox.OpenServicesQueue(ctx, stateDir)
	if err != nil {
		return nil, err
	}
	// Best effort: a kiosk that cannot read its outbox right now still starts; every forwarding
	// round and every retention purge prune again.
	r.PruneNotify(ctx, store)
	return &citizenServices{store: store, ratings: r, printer: p, kiosk: k, wake: make(chan struct{}, 1),
		timeout: 15 * time.Second, poll: central.PollOptions{Min: time.Second, Max: 15 * time.Second}}, nil
}

// close stops the forwarder and closes the ratings queue.
func (c *citizenServices) close() {
	if c == nil {
		return
	}
	c.disconnected()
	c.ratings.Close()
}

// connected hands the services the central client the uploader connected, and starts forwarding
// the ratings through it until ctx ends or disconnected is called.
func (c *citizenServices) connected(ctx context.Context, cl *central.Client) {
	if c == nil {
		return
	}
	c.client.Store(cl)
	fctx, cancel := context.WithCancel(ctx)
	c.mu.Lock()
	if c.forward != nil {
		c.forward()
	}
	c.forward = cancel
	c.mu.Unlock()
	go c.forwardRatings(fctx, cl)
}

// disconnected drops the central client: the services answer offline.
func (c *citizenServices) disconnected() {
	if c == nil {
		return
	}
	c.client.Store(nil)
	c.mu.Lock()
	if c.forward != nil {
		c.forward()
		c.forward = nil
	}
	c.mu.Unlock()
}

// forwardRatings sends the stored ratings and notification opt-ins when one is added and every
// 30 s; every 5 s after a failure or while an opt-in waits for central to hold its dossier. Each
// round first deletes the opt-ins whose dossier the outbox no longer holds.
func (c *citizenServices) forwardRatings(ctx context.Context, cl *central.Client) {
	wait := time.Duration(0)
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.wake:
		case <-time.After(wait):
		}
		_, err := c.ratings.ForwardRatings(ctx, cl)
		_, perr := c.ratings.PruneNotify(ctx, c.store)
		_, nerr := c.ratings.ForwardNotify(ctx, cl)
		nerr = errors.Join(perr, nerr)
		held, _ := c.ratings.PendingNotify(ctx)
		wait = 30 * time.Second
		if err != nil || nerr != nil || held > 0 {
			wait = 5 * time.Second
		}
	}
}

// Notify stores the citizen's opt-in with the idempotency key of the dossier just committed; it is
// handed to central once central holds the dossier, and the kiosk then forgets the contact.
func (c *citizenServices) Notify(ctx context.Context, s *session.Submitted, n session.NotifyChoice) error {
	id, err := strconv.ParseInt(s.ID, 10, 64)
	if err != nil {
		return fmt.Errorf("outbox id %q: %w", s.ID, err)
	}
	e, err := c.store.Get(ctx, id)
	if err != nil {
		return err
	}
	if err := c.ratings.AddNotify(ctx, e.IdempotencyKey, central.NotifyOptIn{Channels: n.Channels, Phone: n.Phone, Email: n.Email,
		ConsentAt: n.ConsentAt.UTC()}); err != nil {
		return err
	}
	select {
	case c.wake <- struct{}{}:
	default:
	}
	return nil
}

// central returns the connected client or ErrOffline.
func (c *citizenServices) central() (*central.Client, error) {
	cl := c.client.Load()
	if cl == nil {
		return nil, session.ErrOffline
	}
	return cl, nil
}

// classify turns a central error into the session's: no answer, a 5xx or a 429 is offline; a 404
// is not found.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var e *central.Error
	if !errors.As(err, &e) {
		return fmt.Errorf("%w: %w", session.ErrOffline, err)
	}
	switch {
	case e.StatusCode == http.StatusNotFound:
		return fmt.Errorf("%w: %w", session.ErrNotFound, err)
	case e.StatusCode >= 500 || e.StatusCode == http.StatusTooManyRequests:
		return fmt.Errorf("%w: %w", session.ErrOffline, err)
	}
	return err
}
