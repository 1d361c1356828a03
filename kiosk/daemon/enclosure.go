package daemon

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tramso/tramso/drivers/escpos"
	"github.com/tramso/tramso/internal/vntime"
	"github.com/tramso/tramso/kiosk/api"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/enclosure"
	"github.com/tramso/tramso/kiosk/metrics"
	"github.com/tramso/tramso/kiosk/session"
)

// enclosureObserver records the cabinet's inputs for the fleet (the metrics: Daemon.SetEnclosureInput).
type enclosureObserver interface {
	SetEnclosureInput(in metrics.EnclosureInput, active bool)
}

// cabinet is kioskd's side of the enclosure: what its inputs mean for staff, the citizen session
// and the lamps.
type cabinet struct {
	e   *enclosure.Enclosure // nil: no line configured, or the lines could not be opened
	err error                // why the configured lines could not be opened

	absentAfter time.Duration
	lookEvery   time.Duration // how often the devices are looked at for the fault lamp
	// lastActivity is when (unix nanoseconds) the citizen last acted through the API or the
	// session last moved to another screen (a card read, a scan).
	lastActivity atomic.Int64
	fault        atomic.Bool // a device answered with an error at the last look

	mu          sync.Mutex
	notify      chan struct{} // closed and replaced on every change the view shows
	absentSince time.Time
	alarms      int       // door openings outside a technician session since start
	lastAlarm   time.Time // the last of them
	wg          sync.WaitGroup
}

// errMaintenance refuses a new session while the cabinet door is open.
type errMaintenance struct{}

func (errMaintenance) Error() string {
	return "kiosk đang bảo trì, xin quay lại sau (the kiosk is under maintenance: please come back later)"
}
func (errMaintenance) Is(target error) bool { return target == session.ErrNotNow }

// startEnclosure opens the cabinet's lines (the simulated ones with --sim) and follows them until
// ctx ends or stop is called; stop waits for the lamps to be turned off. Lines that cannot be opened are reported in the health and the
// journal, and the kiosk runs without them (as with none configured).
func (d *Daemon) startEnclosure(ctx context.Context, sim *Sim, fault bool) (stop func()) {
	c := &cabinet{absentAfter: d.cfg.Enclosure.AbsentTimeout.Duration, lookEvery: time.Minute,
		notify: make(chan struct{}), absentSince: time.Now()}
	if sim != nil {
		c.lookEvery = 2 * time.Second // the simulated kiosk's faults show at once
	}
	c.fault.Store(fault)
	d.cabinet = c
	if len(d.cfg.Enclosure.Lines()) == 0 {
		return func() {}
	}
	open := enclosure.OpenChardev
	if sim != nil && sim.enclosure != nil {
		open = sim.enclosure.open
	}
	e, err := enclosure.Open(d.cfg.Enclosure, open, enclosure.Options{})
	if err != nil {
		c.err = err
		d.log.Warn("cabinet lines unavailable: running without them", "err", err)
		return func() {}
	}
	c.e = e
	if e.HasLamps() && !fault {
		c.fault.Store(d.deviceFault(ctx))
	}
	if c.absentAfter <= 0 {
		c.absentAfter = 30 * time.Second
	}
	d.printer.wireNearEnd(func() bool { return e.Active(enclosure.PaperNearEnd) })
	var obs enclosureObserver = d
	for in, m := range map[enclosure.Input]metrics.EnclosureInput{enclosure.Door: metrics.DoorOpen, enclosure.Presence: metrics.Presence} {
		if e.Has(in) {
			obs.SetEnclosureInput(m, e.Active(in))
		}
	}
	if e.Active(enclosure.Door) {
		d.doorOpened(c)
	}
	ctx, cancel := context.WithCancel(ctx)
	views := d.machine.Watch(ctx)
	c.wg.Add(2)
	go func() { defer c.wg.Done(); e.Run(ctx) }()
	go func() { defer c.wg.Done(); d.followCabinet(ctx, c, views, obs) }()
	return func() { cancel(); c.wg.Wait() }
}

// followCabinet handles the inputs' changes, sets the lamps from the session's views and the
// devices' faults, and ends a session nobody stands at.
func (d *Daemon) followCabinet(ctx context.Context, c *cabinet, views <-chan session.View, obs enclosureObserver) {
	e := c.e
	var v session.View
	lamps := func() {
		e.SetLamps(enclosure.LampsFor(enclosure.State{Session: v.State, Step: v.Step,
			Printed: v.Receipt != nil && v.Receipt.Printed, Fault: c.fault.Load()}))
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	look := time.NewTicker(c.lookEvery)
	defer look.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case nv, ok := <-views:
			if !ok {
				return
			}
			if nv.Session != v.Session || nv.State != v.State || nv.Step != v.Step {
				c.lastActivity.Store(time.Now().UnixNano())
			}
			v = nv
			lamps()
		case ev := <-e.Events():
			switch ev.Input {
			case enclosure.Door:
				obs.SetEnclosureInput(metrics.DoorOpen, ev.Active)
				if ev.Active {
					d.doorOpened(c)
				} else {
					d.log.Info("cabinet door closed")
				}
			case enclosure.Presence:
				obs.SetEnclosureInput(metrics.Presence, ev.Active)
				if !ev.Active {
					c.mu.Lock()
					c.absentSince = time.Now()
					c.mu.Unlock()
				}
			case enclosure.PaperNearEnd:
				d.log.Info("printer paper near its end (wire)", "nearEnd", ev.Active)
			}
			c.changed()
		case <-look.C:
			// With a fault lamp, devices are looked at again while no citizen is served (a look
			// never competes with a citizen's print or scan).
			if e.HasLamps() && v.State == wire.Attract {
				c.fault.Store(d.deviceFault(ctx))
				lamps()
			}
		case <-tick.C:
			d.endIfAbandoned(ctx, c, v)
		}
	}
}

// deviceFault looks at the printer and the scanner: a printer that cannot print (no paper, cover
// open, offline, an error) or does not answer, or a scanner that does not answer, is a fault. A
// printer with no back channel cannot say, and is not one.
func (d *Daemon) deviceFault(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	st, err := d.printer.status(ctx)
	if (err != nil && !errors.Is(err, escpos.ErrNoStatus)) || (err == nil && !st.OK()) {
		return true
	}
	if d.scanner != nil {
		if _, err := d.scanner.Capabilities(ctx); err != nil {
			return true
		}
	}
	return false
}

// doorOpened: the cabinet door opened. Outside a technician's session it is an alarm: logged,
// every staff session ended (staff functions need the PIN again) and shown to staff.
func (d *Daemon) doorOpened(c *cabinet) {
	if d.guard != nil && d.guard.Technician() {
		d.log.Info("cabinet door opened during a technician session")
		return
	}
	ended := 0
	if d.guard != nil {
		ended = d.guard.RevokeAll()
	}
	c.mu.Lock()
	c.alarms++
	c.lastAlarm = time.Now()
	c.mu.Unlock()
	d.log.Warn("cabinet door opened outside a technician session: staff sessions ended", "ended", ended)
}

// endIfAbandoned ends a session when the presence sensor has seen nobody, and nothing has
// happened on it (no tap, no new screen), for enclosure.absent_timeout.
func (d *Daemon) endIfAbandoned(ctx context.Context, c *cabinet, v session.View) {
	e := c.e
	if !e.Has(enclosure.Presence) || e.Active(enclosure.Presence) || v.State == wire.Attract || v.State == "" {
		return
	}
	c.mu.Lock()
	since := c.absentSince
	c.mu.Unlock()
	now := time.Now()
	if now.Sub(since) < c.absentAfter || now.Sub(time.Unix(0, c.lastActivity.Load())) < c.absentAfter {
		return
	}
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := d.machine.Do(cctx, wire.ActionOn(v, wire.ActCancel, "")); err == nil {
		d.log.Info("session ended: nobody in front of the kiosk", "state", v.State, "step", v.Step)
	}
}

// changed tells the views' watchers that what the cabinet shows changed.
func (c *cabinet) changed() {
	c.mu.Lock()
	close(c.notify)
	c.notify = make(chan struct{})
	c.mu.Unlock()
}

func (c *cabinet) changes() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.notify
}

// overlay puts the cabinet's state into a view: maintenance while the door is open, presence.
func (c *cabinet) overlay(v session.View) session.View {
	v.Maintenance = c.e.Active(enclosure.Door)
	v.Presence = c.e.Active(enclosure.Presence)
	return v
}

// enclosureHealth is the cabinet's part of the health (the staff screen's device list).
func (d *Daemon) enclosureHealth() map[string]any {
	c := d.cabinet
	if c == nil {
		return nil
	}
	if c.err != nil {
		return map[string]any{"enclosure": "lỗi (error): " + c.err.Error()}
	}
	if c.e == nil {
		return nil
	}
	h := map[string]any{}
	yes := func(b bool, y, n string) string {
		if b {
			return y
		}
		return n
	}
	if c.e.Has(enclosure.Door) {
		h["door"] = yes(c.e.Active(enclosure.Door), "mở (open)", "đóng (closed)")
	}
	if c.e.Has(enclosure.Presence) {
		h["presence"] = yes(c.e.Active(enclosure.Presence), "có người (someone present)", "không có ai (nobody)")
	}
	if c.e.Has(enclosure.PaperNearEnd) {
		h["paperNearEnd"] = yes(c.e.Active(enclosure.PaperNearEnd), "giấy sắp hết (paper near its end)", "đủ giấy (paper fine)")
	}
	if c.e.HasLamps() {
		h["lamps"] = c.e.Lamps()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.alarms > 0 {
		h["doorAlarm"] = fmt.Sprintf("lỗi (error): cửa tủ bị mở ngoài phiên kỹ thuật viên %d lần, lần cuối %s (cabinet door opened outside a technician session %d times, last at %s)",
			c.alarms, c.lastAlarm.In(vntime.Zone()).Format("15:04 02/01/2006"), c.alarms, c.lastAlarm.In(vntime.Zone()).Format("15:04 02/01/2006"))
	}
	return h
}

// apiSession is the session the local API serves: the machine, with the cabinet's state in its
// views when an enclosure is configured.
func (d *Daemon) apiSession() api.Session {
	if d.cabinet == nil || d.cabinet.e == nil {
		return d.machine
	}
	return cabinetSession{Machine: d.machine, c: d.cabinet}
}

type cabinetSession struct {
	*session.Machine
	c *cabinet
}

func (s cabinetSession) View() session.View { return s.c.overlay(s.Machine.View()) }

// Do refuses a new session while the door is open and notes the citizen's last action.
func (s cabinetSession) Do(ctx context.Context, a session.Action) error {
	starts := a.Action == wire.ActStart || ((a.Action == wire.ActTrack || a.Action == wire.ActQueue) && s.Machine.View().State == wire.Attract)
	if starts && s.c.e.Active(enclosure.Door) {
		return errMaintenance{}
	}
	s.c.lastActivity.Store(time.Now().UnixNano())
	return s.Machine.Do(ctx, a)
}

// Watch sends the machine's views with the cabinet's state, and the current view again whenever
// that state changes (same Seq: the screen redraws it).
func (s cabinetSession) Watch(ctx context.Context) <-chan session.View {
	in := s.Machine.Watch(ctx)
	out := make(chan session.View, 1)
	go func() {
		defer close(out)
		var last session.View
		have := false
		for {
			select {
			case v, ok := <-in:
				if !ok {
					return
				}
				last, have = v, true
			case <-s.c.changes():
			case <-ctx.Done():
				return
			}
			if !have {
				continue
			}
			v := s.c.overlay(last)
			select {
			case out <- v:
			default:
				select {
				case <-out: // a slow reader gets the latest view only
				default:
				}
				out <- v
			}
		}
	}()
	return out
}
