// Package vntime is the time zone of every time a person reads at the kiosk: Asia/Ho_Chi_Minh,
// whatever the machine's own zone. Receipt numbers, dossier codes and the staff's lists are dated
// by it. Importing it links the zone database (time/tzdata), so no zone files are needed.
package vntime

import (
	"time"
	_ "time/tzdata" // Asia/Ho_Chi_Minh even on a machine without the zone files
)

// Zone returns Asia/Ho_Chi_Minh. Vietnam keeps UTC+7 all year (no daylight saving since 1975), so
// should the zone database ever fail, a fixed UTC+7 gives the same times.
func Zone() *time.Location {
	if loc, err := time.LoadLocation("Asia/Ho_Chi_Minh"); err == nil {
		return loc
	}
	return time.FixedZone("ICT", 7*60*60)
}
