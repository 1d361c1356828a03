package enclosure

import "github.com/tramso/tramso/kiosk/api/wire"

// Pattern is what a lamp does.
type Pattern string

// Lamp patterns.
const (
	Off   Pattern = "off"
	On    Pattern = "on"
	Blink Pattern = "blink"
)

// Lamps are the patterns of the cabinet's three lamps.
type Lamps struct {
	// Card is the "place your card here" lamp on the card reader.
	Card Pattern `json:"card"`
	// Receipt is the "take your receipt" lamp at the printer slot.
	Receipt Pattern `json:"receipt"`
	// Fault is the device fault lamp a technician sees from the door.
	Fault Pattern `json:"fault"`
}

// State is the part of kioskd's state the lamps show: the citizen session's state and step, and
// whether a device is at fault. The lamps are never driven by kiosk-ui.
type State struct {
	Session wire.State
	Step    wire.Step
	// Printed: the session's receipt came out of the printer (wire.ReceiptView.Printed).
	Printed bool
	// Fault: a device kioskd holds (printer, scanner, card reader) answers with an error.
	Fault bool
}

// LampsFor is the lamps' patterns for a state: the card lamp on while the card is asked for and
// blinking while it is read; the receipt lamp blinking while the receipt prints and on once it is
// out, until the session ends; the fault lamp on while a device is at fault or the receipt failed.
func LampsFor(s State) Lamps {
	l := Lamps{Card: Off, Receipt: Off, Fault: Off}
	switch {
	case s.Session == wire.Identify && s.Step == wire.StepCard:
		l.Card = On
	case s.Session == wire.Identify && s.Step == wire.StepReading:
		l.Card = Blink
	case s.Session == wire.Receipt && s.Step == wire.StepPrinting:
		l.Receipt = Blink
	case s.Session == wire.Receipt && s.Step == wire.StepPrinted, s.Session == wire.Done && s.Printed:
		l.Receipt = On
	}
	if s.Fault || (s.Session == wire.Receipt && s.Step == wire.StepPrintFail) {
		l.Fault = On
	}
	return l
}
