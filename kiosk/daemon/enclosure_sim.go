//go:build !nosim

package daemon

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/tramso/tramso/kiosk/api"
	"github.com/tramso/tramso/kiosk/config"
	"github.com/tramso/tramso/kiosk/staff"
)

// SimTechnicianPINFile is the file in the simulation folder that holds the simulated kiosk's
// technician PIN.
const SimTechnicianPINFile = "technician-pin"

// writeSimPINs makes the simulated kiosk's staff and technician PINs, writes them for whoever runs
// the simulation (DIR/staff-pin, DIR/technician-pin) and their hashes to the secrets file.
func writeSimPINs(dir, secrets string) error {
	var sec config.Secrets
	for _, p := range []struct {
		file string
		hash *string
	}{{SimStaffPINFile, &sec.StaffPINHash}, {SimTechnicianPINFile, &sec.TechnicianPINHash}} {
		pin, err := simStaffPIN()
		if err != nil {
			return err
		}
		if *p.hash, err = staff.HashPIN(pin); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, p.file), []byte(pin+"\n"), 0o600); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Dir(secrets), 0o700); err != nil {
		return err
	}
	return config.WriteSecrets(secrets, &sec)
}

// The simulated cabinet's line names.
const (
	simDoor         = "SIM_DOOR"
	simPresence     = "SIM_PRESENCE"
	simPaperNearEnd = "SIM_PAPER_NEAR_END"
	simCardLamp     = "SIM_CARD_LAMP"
	simReceiptLamp  = "SIM_RECEIPT_LAMP"
	simFaultLamp    = "SIM_FAULT_LAMP"
)

// simEnclosure is the simulated kiosk's cabinet: periph's gpiotest pins standing for the GPIO
// lines, named as a chip would name them. The inputs are set through /v1/sim/enclosure; the lamps
// are read back from their lines (a line that changed level within the last second is blinking).
type simEnclosure struct {
	lines map[string]*simLine
}

// simLine is a gpiotest pin that remembers when its level last changed.
type simLine struct {
	*gpiotest.Pin
	mu      sync.Mutex
	changes []time.Time
}

func (l *simLine) Out(v gpio.Level) error {
	changed := l.Read() != v
	err := l.Pin.Out(v)
	if changed {
		l.mu.Lock()
		l.changes = append(l.changes, time.Now())
		if len(l.changes) > 8 {
			l.changes = l.changes[len(l.changes)-8:]
		}
		l.mu.Unlock()
	}
	return err
}

// pattern reads the lamp back from its line: blinking when it changed level at least twice within
// the last 1.5 s, else on or off by its level.
func (l *simLine) pattern() string {
	l.mu.Lock()
	recent := 0
	for _, t := range l.changes {
		if time.Since(t) < 1500*time.Millisecond {
			recent++
		}
	}
	l.mu.Unlock()
	switch {
	case recent >= 2:
		return "blink"
	case l.Read() == gpio.High:
		return "on"
	}
	return "off"
}

func newSimEnclosure() *simEnclosure {
	s := &simEnclosure{lines: map[string]*simLine{}}
	for i, n := range []string{simDoor, simPresence, simPaperNearEnd, simCardLamp, simReceiptLamp, simFaultLamp} {
		s.lines[n] = &simLine{Pin: &gpiotest.Pin{N: n, Num: i, EdgesChan: make(chan gpio.Level, 4)}}
	}
	// Someone stands at the simulated kiosk until a test or demo says otherwise.
	s.lines[simPresence].Pin.Out(gpio.High)
	return s
}

// config names the simulated lines in the enclosure configuration.
func (s *simEnclosure) config(c config.Enclosure) config.Enclosure {
	c.Door, c.Presence, c.PaperNearEnd = simDoor, simPresence, simPaperNearEnd
	c.CardLamp, c.ReceiptLamp, c.FaultLamp = simCardLamp, simReceiptLamp, simFaultLamp
	return c
}

func (s *simEnclosure) open(name string) (gpio.PinIO, error) {
	if l, ok := s.lines[name]; ok {
		return l, nil
	}
	return nil, errors.New("không có đường GPIO giả lập này (no such simulated line)")
}

// set moves an input line to a level, with an edge.
func (s *simEnclosure) set(name string, active bool) {
	l := s.lines[name]
	l.Pin.Out(gpio.Level(active))
	select {
	case l.EdgesChan <- gpio.Level(active):
	default: // the edge queue is full: the level is read at the next poll
	}
}

// state is what GET /v1/sim/enclosure answers.
func (s *simEnclosure) state() map[string]any {
	return map[string]any{
		"door":         s.lines[simDoor].Read() == gpio.High,
		"presence":     s.lines[simPresence].Read() == gpio.High,
		"paperNearEnd": s.lines[simPaperNearEnd].Read() == gpio.High,
		"lamps": map[string]string{"card": s.lines[simCardLamp].pattern(), "receipt": s.lines[simReceiptLamp].pattern(),
			"fault": s.lines[simFaultLamp].pattern()},
	}
}

// withEnclosureHandlers adds the cabinet's controls: POST /v1/sim/enclosure {door, presence,
// paperNearEnd: bool, each optional} sets the inputs; GET /v1/sim/enclosure reads them and the
// lamps back from the lines.
func (s *Sim) withEnclosureHandlers(h map[string]http.Handler) map[string]http.Handler {
	none := func(w http.ResponseWriter) bool {
		if s.enclosure == nil {
			api.Problem(w, http.StatusNotFound, "no-enclosure", "kiosk giả lập không có tủ (no simulated cabinet)", "")
			return true
		}
		return false
	}
	h["GET /v1/sim/enclosure"] = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if none(w) {
			return
		}
		api.WriteJSON(w, http.StatusOK, s.enclosure.state())
	})
	h["POST /v1/sim/enclosure"] = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if none(w) {
			return
		}
		var req struct {
			Door         *bool `json:"door"`
			Presence     *bool `json:"presence"`
			PaperNearEnd *bool `json:"paperNearEnd"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1024)).Decode(&req); err != nil {
			api.Problem(w, http.StatusBadRequest, "bad-sim-request", "yêu cầu không hợp lệ (malformed request)", "")
			return
		}
		for _, in := range []struct {
			v    *bool
			line string
		}{{req.Door, simDoor}, {req.Presence, simPresence}, {req.PaperNearEnd, simPaperNearEnd}} {
			if in.v != nil {
				s.enclosure.set(in.line, *in.v)
			}
		}
		api.WriteJSON(w, http.StatusOK, s.enclosure.state())
	})
	return h
}
