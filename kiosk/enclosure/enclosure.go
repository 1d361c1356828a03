// Package enclosure drives the kiosk cabinet's simple signals on GPIO through periph.io: the door
// (tamper) switch, a presence sensor (PIR or radar), the printer's paper near-end wire as inputs,
// and three lamps (card, receipt, fault) as outputs. Lines are named in kiosk.toml ([enclosure]);
// every line is optional and an enclosure with none does nothing. On a kiosk the lines come from
// the Linux GPIO character device (OpenChardev); tests and the simulated kiosk use periph's
// gpiotest pins.
package enclosure

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/tramso/tramso/kiosk/config"
)

// Input is one of the cabinet's input signals.
type Input string

// Inputs.
const (
	Door         Input = "door"
	Presence     Input = "presence"
	PaperNearEnd Input = "paper_near_end"
)

// Event is a change of an input: Active is the door open, someone present, the paper near its end.
type Event struct {
	Input  Input
	Active bool
}

// ErrLine is wrapped when a configured line cannot be opened or set up.
var ErrLine = errors.New("không dùng được đường GPIO của tủ kiosk (cannot use the cabinet's GPIO line)")

// Opener opens a GPIO line by its name.
type Opener func(name string) (gpio.PinIO, error)

// Options tune an Enclosure; zero values are the defaults.
type Options struct {
	// Poll is how often inputs are read when no edge arrives (default 100 ms): lines that cannot
	// report edges still work, and a missed edge is caught.
	Poll time.Duration
	// Settle is how long a level must hold after an edge before it counts (default 20 ms): door
	// switches bounce.
	Settle time.Duration
	// BlinkHalf is half a blink period (default 300 ms).
	BlinkHalf time.Duration
}

type input struct {
	kind      Input
	pin       gpio.PinIn
	activeLow bool
	edges     bool
}

type output struct {
	pin       gpio.PinOut
	activeLow bool
}

// Enclosure is the cabinet's configured lines.
type Enclosure struct {
	o       Options
	inputs  []input
	card    *output
	receipt *output
	fault   *output
	events  chan Event

	mu     sync.Mutex
	state  map[Input]bool
	lamps  Lamps
	lampCh chan struct{}
}

// Open opens the configured lines with open (OpenChardev on a kiosk). With no line configured it
// returns an enclosure that does nothing.
func Open(c config.Enclosure, open Opener, o Options) (*Enclosure, error) {
	e := newEnclosure(o)
	var opened []gpio.PinIO
	fail := func(key, name string, err error) (*Enclosure, error) {
		for _, p := range opened {
			p.Halt()
		}
		return nil, fmt.Errorf("%w: %s = %q: %w", ErrLine, key, name, err)
	}
	get := func(key, v string) (gpio.PinIO, bool, error) {
		if v == "" {
			return nil, false, nil
		}
		name, low := strings.CutPrefix(v, "!")
		p, err := open(name)
		if err != nil {
			return nil, false, err
		}
		opened = append(opened, p)
		return p, low, nil
	}
	for _, in := range []struct {
		key, v string
		kind   Input
	}{{"enclosure.door", c.Door, Door}, {"enclosure.presence", c.Presence, Presence}, {"enclosure.paper_near_end", c.PaperNearEnd, PaperNearEnd}} {
		p, low, err := get(in.key, in.v)
		if err != nil {
			return fail(in.key, in.v, err)
		}
		if p == nil {
			continue
		}
		if err := e.addInput(in.kind, p, low); err != nil {
			return fail(in.key, in.v, err)
		}
	}
	for _, out := range []struct {
		key, v string
		dst    **output
	}{{"enclosure.card_lamp", c.CardLamp, &e.card}, {"enclosure.receipt_lamp", c.ReceiptLamp, &e.receipt}, {"enclosure.fault_lamp", c.FaultLamp, &e.fault}} {
		p, low, err := get(out.key, out.v)
		if err != nil {
			return fail(out.key, out.v, err)
		}
		if p == nil {
			continue
		}
		o := &output{pin: p, activeLow: low}
		if err := o.set(false); err != nil {
			return fail(out.key, out.v, err)
		}
		*out.dst = o
	}
	return e, nil
}

func newEnclosure(o Options) *Enclosure {
	if o.Poll <= 0 {
		o.Poll = 100 * time.Millisecond
	}
	if o.Settle <= 0 {
		o.Settle = 20 * time.Millisecond
	}
	if o.BlinkHalf <= 0 {
		o.BlinkHalf = 300 * time.Millisecond
	}
	return &Enclosure{o: o, events: make(chan Event, 16), state: map[Input]bool{},
		lamps: Lamps{Card: Off, Receipt: Off, Fault: Off}, lampCh: make(chan struct{}, 1)}
}

// addInput sets a line up as an input: with edge detection where the line offers it, else read
// every Poll.
func (e *Enclosure) addInput(kind Input, p gpio.PinIn, activeLow bool) error {
	in := input{kind: kind, pin: p, activeLow: activeLow, edges: true}
	if err := p.In(gpio.PullNoChange, gpio.BothEdges); err != nil {
		in.edges = false
		if err := p.In(gpio.PullNoChange, gpio.NoEdge); err != nil {
			return err
		}
	}
	e.inputs = append(e.inputs, in)
	e.state[kind] = in.active()
	return nil
}

func (in input) active() bool { return (in.pin.Read() == gpio.High) != in.activeLow }

func (o *output) set(active bool) error {
	if o == nil {
		return nil
	}
	return o.pin.Out(gpio.Level(active != o.activeLow))
}

// Has reports whether the input's line is configured.
func (e *Enclosure) Has(kind Input) bool {
	for _, in := range e.inputs {
		if in.kind == kind {
			return true
		}
	}
	return false
}

// HasLamps reports whether any lamp is configured.
func (e *Enclosure) HasLamps() bool { return e.card != nil || e.receipt != nil || e.fault != nil }

// Active reports an input's current value (false when the line is not configured).
func (e *Enclosure) Active(kind Input) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.state[kind]
}

// Events delivers every change of an input, in order. Run must be running; a reader that falls
// behind by 16 events loses the oldest (Active always has the current value).
func (e *Enclosure) Events() <-chan Event { return e.events }

// SetLamps sets the lamps' patterns (from kioskd's state: LampsFor).
func (e *Enclosure) SetLamps(l Lamps) {
	e.mu.Lock()
	changed := l != e.lamps
	e.lamps = l
	e.mu.Unlock()
	if changed {
		select {
		case e.lampCh <- struct{}{}:
		default:
		}
	}
}

// Lamps returns the lamps' current patterns.
func (e *Enclosure) Lamps() Lamps {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.lamps
}

// Run watches the inputs and drives the lamps until ctx ends, then turns the lamps off and
// halts the lines.
func (e *Enclosure) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, in := range e.inputs {
		wg.Add(1)
		go func() { defer wg.Done(); e.watch(ctx, in) }()
	}
	e.driveLamps(ctx)
	for _, in := range e.inputs {
		in.pin.Halt()
	}
	wg.Wait()
	for _, o := range []*output{e.card, e.receipt, e.fault} {
		o.set(false)
	}
}

// watch reads one input: after an edge (or every Poll), a level that holds for Settle and differs
// from the last one reported is an event.
func (e *Enclosure) watch(ctx context.Context, in input) {
	for ctx.Err() == nil {
		if in.edges {
			if !in.pin.WaitForEdge(e.o.Poll) && ctx.Err() != nil {
				return
			}
		} else {
			select {
			case <-ctx.Done():
				return
			case <-time.After(e.o.Poll):
			}
		}
		v := in.active()
		e.mu.Lock()
		same := e.state[in.kind] == v
		e.mu.Unlock()
		if same {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(e.o.Settle):
		}
		if in.active() != v {
			continue // bounced
		}
		e.mu.Lock()
		e.state[in.kind] = v
		e.mu.Unlock()
		ev := Event{Input: in.kind, Active: v}
		for {
			select {
			case e.events <- ev:
			default:
				select {
				case <-e.events: // drop the oldest
				default:
				}
				continue
			}
			break
		}
	}
}

// driveLamps sets the lamp lines from the patterns; blinking ones toggle every BlinkHalf.
func (e *Enclosure) driveLamps(ctx context.Context) {
	if !e.HasLamps() {
		<-ctx.Done()
		return
	}
	t := time.NewTicker(e.o.BlinkHalf)
	defer t.Stop()
	phase := true
	apply := func() {
		l := e.Lamps()
		for _, x := range []struct {
			o *output
			p Pattern
		}{{e.card, l.Card}, {e.receipt, l.Receipt}, {e.fault, l.Fault}} {
			x.o.set(x.p == On || (x.p == Blink && phase))
		}
	}
	apply()
	for {
		select {
		case <-ctx.Done():
			return
		case <-e.lampCh:
			phase = true
			apply()
		case <-t.C:
			phase = !phase
			apply()
		}
	}
}
