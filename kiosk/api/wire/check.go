package wire

// Check is one line of the kiosk self-test: a device or resource, whether it passed, what was found
// and, when it failed, what the technician should try. kioskd's POST /v1/staff/selftest answers a
// list of them, in the shape kioskctl selftest --json prints.
type Check struct {
	// Device names what was checked, Vietnamese (English), e.g. "máy in (printer)".
	Device string `json:"device"`
	// OK is true when the device passed.
	OK bool `json:"ok"`
	// Result is what was found: the device's answer when it passed, the error when it failed.
	Result string `json:"result"`
	// Fix is what to try, Vietnamese (English); set only when the check failed.
	Fix string `json:"fix,omitempty"`
}
