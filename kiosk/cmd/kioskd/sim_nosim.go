//go:build nosim

package main

import (
	"context"
	"log/slog"

	kdaemon "github.com/tramso/tramso/kiosk/daemon"
)

// simBuilt: this build (tag nosim: the Debian package and the image) has no simulators, so
// `kioskd --sim` is refused.
const simBuilt = false

// startSim answers kdaemon.ErrNoSim.
func startSim(context.Context, *slog.Logger, string, *kdaemon.Options) (func(), error) {
	return nil, kdaemon.ErrNoSim
}
