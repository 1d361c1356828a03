package daemon

import (
	"context"
	"maps"
	"net/http"

	"github.com/tramso/tramso/kiosk/api"
)

// readerHealth is the card reader's and the QR scanner's line of the devices' status
// ("cardReader", "qrScanner"): what the self-test finds of each, within its step limit, worded
// like the printer's and the scanner's ("lỗi (error): …" when it failed). The card reader is
// exercised only when no citizen is using it.
func (d *Daemon) readerHealth(ctx context.Context) map[string]any {
	checks := runSteps(ctx, []step{
		{device: "cardReader", timeout: stepTimeout, run: d.checkCardReader},
		{device: "qrScanner", timeout: stepTimeout, run: d.checkQR},
	})
	h := map[string]any{}
	for _, c := range checks {
		if c.OK {
			h[c.Device] = c.Result
		} else {
			h[c.Device] = "lỗi (error): " + c.Result
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
