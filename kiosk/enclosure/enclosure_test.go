package enclosure

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/config"
)

func TestLampsFor(t *testing.T) {
	for _, c := range []struct {
		s    State
		want Lamps
	}{
		{State{Session: wire.Attract}, Lamps{Off, Off, Off}},
		{State{Session: wire.Identify, Step: wire.StepQR}, Lamps{Off, Off, Off}},
		{State{Session: wire.Identify, Step: wire.StepCard}, Lamps{On, Off, Off}},
		{State{Session: wire.Identify, Step: wire.StepReading}, Lamps{Blink, Off, Off}},
		{State{Session: wire.Identify, Step: wire.StepTypeKey}, Lamps{Off, Off, Off}},
		{State{Session: wire.Documents, Step: wire.StepPlace}, Lamps{Off, Off, Off}},
		{State{Session: wire.Receipt, Step: wire.StepPrinting}, Lamps{Off, Blink, Off}},
		{State{Session: wire.Receipt, Step: wire.StepPrinted}, Lamps{Off, On, Off}},
		{State{Session: wire.Receipt, Step: wire.StepPrintFail}, Lamps{Off, Off, On}},
		{State{Session: wire.Done}, Lamps{Off, Off, Off}},
		{State{Session: wire.Done, Printed: true}, Lamps{Off, On, Off}},
		{State{Session: wire.Attract, Printed: true}, Lamps{Off, Off, Off}},
		{State{Session: wire.Attract, Fault: true}, Lamps{Off, Off, On}},
		{State{Session: wire.Identify, Step: wire.StepCard, Fault: true}, Lamps{On, Off, On}},
		// A card step in another state is not the card step.
		{State{Session: wire.Documents, Step: wire.StepCard}, Lamps{Off, Off, Off}},
	} {
		if got := LampsFor(c.s); got != c.want {
			t.Errorf("%+v: %+v, want %+v", c.s, got, c.want)
		}
	}
}

// pins are gpiotest lines by name, as a chip would offer them.
type pins map[string]*gpiotest.Pin

func (p pins) open(name string) (gpio.PinIO, error) {
	if pin, ok := p[name]; ok {
		return pin, nil
	}
	return nil, errors.New("no such line")
}

func newPins(names ...string) pins {
	p := pins{}
	for i, n := range names {
		p[n] = &gpiotest.Pin{N: n, Num: i, EdgesChan: make(chan gpio.Level, 4)}
	}
	return p
}

func level(p *gpiotest.Pin) gpio.Level {
	p.Lock()
	defer p.Unlock()
	return p.L
}

func next(t *testing.T, e *Enclosure) Event {
	t.Helper()
	select {
	case ev := <-e.Events():
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
	}
	return Event{}
}

func TestNoLines(t *testing.T) {
	e, err := Open(config.Enclosure{}, func(string) (gpio.PinIO, error) { t.Fatal("opened a line"); return nil, nil }, Options{})
	if err != nil || e.HasLamps() || e.Has(Door) || e.Active(Door) {
		t.Fatalf("%v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.Run(ctx); close(done) }()
	e.SetLamps(Lamps{Card: On})
	cancel()
	<-done
}

func TestOpenRefusesMissingLine(t *testing.T) {
	p := newPins("DOOR")
	_, err := Open(config.Enclosure{Door: "DOOR", CardLamp: "LAMP"}, p.open, Options{})
	if !errors.Is(err, ErrLine) {
		t.Fatalf("missing line: %v", err)
	}
}

func TestInputs(t *testing.T) {
	p := newPins("DOOR", "PIR", "NEAR")
	// The door line is active-low (pulled low while the door is open) and the door shut at start.
	p["DOOR"].L = gpio.High
	e, err := Open(config.Enclosure{Door: "!DOOR", Presence: "PIR", PaperNearEnd: "NEAR"}, p.open, Options{Poll: 20 * time.Millisecond, Settle: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if !e.Has(Door) || !e.Has(Presence) || !e.Has(PaperNearEnd) || e.HasLamps() {
		t.Fatal("lines not seen")
	}
	if e.Active(Door) || e.Active(Presence) {
		t.Fatal("door open or someone present at start")
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); e.Run(ctx) }()
	defer func() { cancel(); wg.Wait() }()

	p["DOOR"].EdgesChan <- gpio.Low // the door opens
	if ev := next(t, e); ev != (Event{Door, true}) || !e.Active(Door) {
		t.Fatalf("door opened: %+v", ev)
	}
	p["PIR"].EdgesChan <- gpio.High
	if ev := next(t, e); ev != (Event{Presence, true}) {
		t.Fatalf("presence: %+v", ev)
	}
	// A level change without an edge (a line that cannot report edges, or a missed one) is
	// caught by the poll.
	p["NEAR"].Out(gpio.High)
	if ev := next(t, e); ev != (Event{PaperNearEnd, true}) {
		t.Fatalf("near end: %+v", ev)
	}
	p["DOOR"].EdgesChan <- gpio.High
	if ev := next(t, e); ev != (Event{Door, false}) {
		t.Fatalf("door shut: %+v", ev)
	}
	// An edge that does not change the level is no event.
	p["PIR"].EdgesChan <- gpio.High
	select {
	case ev := <-e.Events():
		t.Fatalf("event without a change: %+v", ev)
	case <-time.After(150 * time.Millisecond):
	}
}

func TestLampLines(t *testing.T) {
	p := newPins("CARD", "RCPT", "FAULT")
	p["FAULT"].L = gpio.High
	e, err := Open(config.Enclosure{CardLamp: "CARD", ReceiptLamp: "RCPT", FaultLamp: "!FAULT"}, p.open, Options{BlinkHalf: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	// Opening turns every lamp off (the active-low fault lamp's line high).
	if level(p["CARD"]) != gpio.Low || level(p["FAULT"]) != gpio.High {
		t.Fatal("lamps not off after open")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.Run(ctx); close(done) }()

	wait := func(what string, ok func() bool) {
		t.Helper()
		for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(2 * time.Millisecond) {
			if ok() {
				return
			}
		}
		t.Fatalf("%s: card %v receipt %v fault %v", what, level(p["CARD"]), level(p["RCPT"]), level(p["FAULT"]))
	}
	e.SetLamps(LampsFor(State{Session: wire.Identify, Step: wire.StepCard, Fault: true}))
	wait("card step", func() bool {
		return level(p["CARD"]) == gpio.High && level(p["RCPT"]) == gpio.Low && level(p["FAULT"]) == gpio.Low
	})
	// Blinking while the card is read: the line goes both ways.
	e.SetLamps(LampsFor(State{Session: wire.Identify, Step: wire.StepReading}))
	wait("blink low", func() bool { return level(p["CARD"]) == gpio.Low })
	wait("blink high", func() bool { return level(p["CARD"]) == gpio.High })
	wait("blink low again", func() bool { return level(p["CARD"]) == gpio.Low })
	wait("fault lamp off", func() bool { return level(p["FAULT"]) == gpio.High })
	e.SetLamps(LampsFor(State{Session: wire.Receipt, Step: wire.StepPrinted}))
	wait("receipt", func() bool { return level(p["RCPT"]) == gpio.High && level(p["CARD"]) == gpio.Low })
	if e.Lamps().Receipt != On {
		t.Fatalf("lamps %+v", e.Lamps())
	}
	cancel()
	<-done
	if level(p["RCPT"]) != gpio.Low || level(p["FAULT"]) != gpio.High {
		t.Fatal("lamps left on after Run ended")
	}
}
