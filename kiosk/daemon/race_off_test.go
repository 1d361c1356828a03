//go:build !race

package daemon

// raceSlowdown leaves the end-to-end tests' deadlines as written outside the race detector
// (race_on_test.go scales them under it).
const raceSlowdown = 1
