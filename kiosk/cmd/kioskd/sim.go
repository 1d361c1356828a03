//go:build !nosim

package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"

	kdaemon "github.com/tramso/tramso/kiosk/daemon"
)

// simBuilt: this build contains the simulators (built without the nosim tag).
const simBuilt = true

// startSim starts the simulated hardware in simDir (a new temporary folder when empty) and points
// opts at it; stop closes the simulators and removes the temporary folder.
func startSim(ctx context.Context, log *slog.Logger, simDir string, opts *kdaemon.Options) (stop func(), err error) {
	var cleanup []func()
	stop = func() {
		for i := len(cleanup) - 1; i >= 0; i-- {
			cleanup[i]()
		}
	}
	if simDir == "" {
		d, err := os.MkdirTemp("", "tramso-sim-")
		if err != nil {
			return nil, err
		}
		cleanup = append(cleanup, func() { os.RemoveAll(d) })
		simDir = d
	}
	s, cfg, err := kdaemon.StartSim(ctx, simDir)
	if err != nil {
		stop()
		return nil, err
	}
	cleanup = append(cleanup, s.Close)
	opts.Sim, opts.Config = s, cfg
	log.Info("simulated kiosk", "dir", simDir, "printer", cfg.Devices.Printer, "scanner", cfg.Devices.Scanner, "central", cfg.Central.URL,
		"staffPIN", filepath.Join(simDir, kdaemon.SimStaffPINFile))
	return stop, nil
}
