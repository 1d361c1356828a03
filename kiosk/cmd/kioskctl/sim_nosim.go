//go:build nosim

package main

import (
	"context"
	"errors"
	"flag"
)

// errNoSim is the answer of a build without simulators (tag nosim: the Debian package and the
// image) to the demo, the development central server and the device simulators.
var errNoSim = errors.New("bản cài đặt này không có thiết bị giả lập (this build has no simulators)")

// noSimCommand stands for a command this build leaves out: it says so and exits 2.
func noSimCommand(name string) *command {
	return &command{
		name:    name,
		summary: errNoSim.Error(), // also shown when flags meant for the simulator are refused
		flags: func(*flag.FlagSet) func(context.Context, *env, []string) error {
			return func(context.Context, *env, []string) error { return usageError{errNoSim.Error()} }
		},
	}
}

func demoCommand() *command            { return noSimCommand("demo") }
func centralDevCommand() *command      { return noSimCommand("central-dev") }
func printerSimulateCommand() *command { return noSimCommand("simulate") }
func printerEmulateCommand() *command  { return noSimCommand("emulate") }
func cardSimulateCommand() *command    { return noSimCommand("simulate") }
func qrSimulateCommand() *command      { return noSimCommand("simulate") }

// scanSimulate answers errNoSim ("scan simulate").
func scanSimulate(context.Context, *env, []string) error { return usageError{errNoSim.Error()} }
