package daemon

import "errors"

// ErrNoSim is the answer of a build without simulators (Go build tag nosim, as in the Debian package
// and the image) to whoever asks for the simulated kiosk (kioskd --sim, kioskctl demo).
var ErrNoSim = errors.New("bản cài đặt này không có thiết bị giả lập (this build has no simulators)")
