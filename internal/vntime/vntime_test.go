package vntime

import (
	"testing"
	"time"
)

// 17:30 UTC is 00:30 the next day in Vietnam, in summer and in winter alike.
func TestZone(t *testing.T) {
	for _, at := range []time.Time{
		time.Date(2026, 12, 6, 17, 30, 0, 0, time.UTC),
		time.Date(2026, 6, 6, 17, 30, 0, 0, time.UTC),
	} {
		got := at.In(Zone())
		if got.Hour() != 0 || got.Minute() != 30 || got.Day() != 7 {
			t.Errorf("%v in Vietnam: %v", at, got)
		}
	}
}
