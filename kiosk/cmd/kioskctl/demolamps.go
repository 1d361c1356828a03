//go:build !nosim

package main

import (
	"context"
	"net/http"
	"time"
)

// lamp reads a lamp of the simulated kiosk's cabinet back from its line (GET /v1/sim/enclosure):
// on, off or blink. It waits up to 2 s for want (the lamps follow kioskd's state a moment later).
func (d *demo) lamp(ctx context.Context, name, want string) string {
	var s struct {
		Lamps map[string]string `json:"lamps"`
	}
	for end := time.Now().Add(2 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if err := d.c.Sim(ctx, http.MethodGet, "enclosure", nil, &s); err != nil {
			return "không đọc được (unreadable)"
		}
		if s.Lamps[name] == want || time.Now().After(end) {
			return s.Lamps[name]
		}
	}
}
