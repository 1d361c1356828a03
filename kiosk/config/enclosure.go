package config

import (
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Enclosure names the cabinet's GPIO lines (Linux GPIO character device line names, as gpioinfo
// shows them). Every line is optional: a kiosk with none works as one without a cabinet. A name
// starting with "!" is active-low (e.g. a door switch that closes when the door is shut).
type Enclosure struct {
	Door         string `toml:"door"`
	Presence     string `toml:"presence"`
	CardLamp     string `toml:"card_lamp"`
	ReceiptLamp  string `toml:"receipt_lamp"`
	FaultLamp    string `toml:"fault_lamp"`
	PaperNearEnd string `toml:"paper_near_end"`
	// AbsentTimeout: with a presence sensor, a session nobody has stood at (and tapped) for this
	// long is ended as abandoned, sooner than session.idle_timeout.
	AbsentTimeout Duration `toml:"absent_timeout"`
}

// Lines returns the configured lines by key (enclosure.door, …), without the empty ones.
func (e Enclosure) Lines() map[string]string {
	out := map[string]string{}
	for k, v := range map[string]string{"enclosure.door": e.Door, "enclosure.presence": e.Presence,
		"enclosure.card_lamp": e.CardLamp, "enclosure.receipt_lamp": e.ReceiptLamp,
		"enclosure.fault_lamp": e.FaultLamp, "enclosure.paper_near_end": e.PaperNearEnd} {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// validate checks the line names (1–31 printable ASCII characters, after an optional "!") and
// that no line is used twice.
func (e Enclosure) validate(idle time.Duration) error {
	bad := func(key, reason string) error { return wrapKey(key, reason) }
	seen := map[string]string{}
	lines := e.Lines()
	for _, key := range slices.Sorted(maps.Keys(lines)) {
		v := lines[key]
		name := strings.TrimPrefix(v, "!")
		ok := name != "" && len(name) <= 31
		for _, r := range name {
			ok = ok && r < unicode.MaxASCII && unicode.IsPrint(r) && r != ' '
		}
		if !ok {
			return bad(key, "cần tên đường GPIO 1–31 ký tự ASCII, tùy chọn ! phía trước cho mức thấp (want a GPIO line name of 1–31 ASCII characters, ! in front for active-low)")
		}
		if other, dup := seen[name]; dup {
			return bad(key, "đường GPIO đã dùng cho (line already used by) "+other)
		}
		seen[name] = key
	}
	if e.Presence != "" && (e.AbsentTimeout.Duration < 10*time.Second || e.AbsentTimeout.Duration > idle) {
		return bad("enclosure.absent_timeout", "từ 10s đến session.idle_timeout (from 10s to session.idle_timeout)")
	}
	return nil
}
