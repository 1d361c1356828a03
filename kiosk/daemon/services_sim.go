//go:build !nosim

package daemon

import (
	"context"
	"io"
	"net/http"

	"github.com/tramso/tramso/kiosk/api"
)

// centralDev is a simulator route that plays the centre's staff or the bank on the development
// central server: fn gets the dossier code of the path and the JSON body.
func (s *Sim) centralDev(fn func(ctx context.Context, code string, body []byte) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<16))
		if err != nil {
			api.Problem(w, http.StatusBadRequest, "bad-sim-request", err.Error(), "")
			return
		}
		if err := fn(r.Context(), r.PathValue("code"), body); err != nil {
			api.Problem(w, http.StatusBadRequest, "central-dev", err.Error(), r.PathValue("code"))
			return
		}
		api.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}
