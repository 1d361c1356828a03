package daemon

import (
	"context"
	"maps"
	"net/http"

	"github.com/tramso/tramso/kiosk/api"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/selftest"
)

// readerHealth is the card reader's and the QR scanner's line of the devices' status
// ("cardReader", "qrScanner"): what the self-test finds of each, within its step limit, worded
// like the printer's and the scanner's ("lỗi (error): …" when it failed). The card reader is
// exercised only when no citizen is using it.
func (d *Daemon) readerHealth(ctx context.Context) map[string]any {
	keys := map[wire.DeviceID]string{wire.DeviceIDCardReader: "cardReader", wire.DeviceIDQRScanner: "qrScanner"}
	checks := selftest.RunSteps(ctx, d.selfTestSteps(wire.DeviceIDCardReader, wire.DeviceIDQRScanner))
	h := map[string]any{}
	for _, c := range checks {
		if c.OK {
			h[keys[c.ID]] = c.Result
		} else {
			h[keys[c.ID]] = "lỗi (error): " + c.Result
		}
	}
	return h
}

// staffDevices answers GET /v1/staff/devices: the full health and the readers.
func (d *Daemon) staffDevices(w http.ResponseWriter, r *http.Request) {
	h := d.Health(r.Context())
	maps.Copy(h, d.readerHealth(r.Context()))
	api.WriteJSON(w, http.StatusOK, h)
}
