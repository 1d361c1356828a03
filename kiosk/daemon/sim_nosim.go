//go:build nosim

package daemon

import (
	"context"
	"net/http"

	"periph.io/x/conn/v3/gpio"

	"github.com/tramso/tramso/drivers/mrtd/lds"
	"github.com/tramso/tramso/kiosk/config"
)

// Sim would be the simulated hardware of `kioskd --sim`. This build (tag nosim: the Debian package
// and the image) links no simulator, no development central server and no test PKI, so a Sim
// never exists and Options.Sim is always nil.
type Sim struct {
	enclosure *simEnclosure
}

// StartSim answers ErrNoSim: this build has no simulators.
func StartSim(context.Context, string) (*Sim, *config.Config, error) {
	return nil, nil, ErrNoSim
}

// Trust is nil: no test CSCA in this build.
func (*Sim) Trust() *lds.TrustStore { return nil }

// Handlers is empty: no /v1/sim/ routes in this build.
func (*Sim) Handlers() map[string]http.Handler { return nil }

// Close does nothing.
func (*Sim) Close() {}

// simEnclosure stands for the simulated cabinet, which this build does not contain.
type simEnclosure struct{}

func (*simEnclosure) open(string) (gpio.PinIO, error) { return nil, ErrNoSim }
