package enclosure

import (
	"fmt"

	"periph.io/x/conn/v3/driver/driverreg"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/host/v3/gpioioctl"
)

// OpenChardev opens a line by name from the Linux GPIO character devices (/dev/gpiochip*), through
// periph.io's gpioioctl driver. kioskd's unit allows the gpiochip devices (DeviceAllow).
func OpenChardev(name string) (gpio.PinIO, error) {
	if _, err := driverreg.Init(); err != nil {
		return nil, fmt.Errorf("periph.io: %w", err)
	}
	for _, chip := range gpioioctl.Chips {
		if l := chip.ByName(name); l != nil {
			return l, nil
		}
	}
	if p := gpioreg.ByName(name); p != nil {
		return p, nil
	}
	return nil, fmt.Errorf("không có đường GPIO tên %q trên /dev/gpiochip* (no GPIO line of that name; see gpioinfo)", name)
}
