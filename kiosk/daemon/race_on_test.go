//go:build race

package daemon

// raceSlowdown scales the end-to-end tests' deadlines (kiosk.ctx and the waits built on it):
// under the race detector OCR and the simulated devices run several times slower, more so on a
// loaded machine. Normal runs keep their deadlines (race_off_test.go).
const raceSlowdown = 4
