package enclosure

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/config"
)

// On the kernel's gpio-sim (a GPIO chip simulated by the kernel, created through configfs), the
// enclosure opens its lines by name through the character device, sees a door edge and lights the
// card lamp, read back from the simulated line. It needs root, configfs and the gpio-sim module.
func TestOnGPIOSim(t *testing.T) {
	const root = "/sys/kernel/config/gpio-sim"
	if _, err := os.Stat(root); err != nil {
		t.Skipf("no gpio-sim here (%s: %v): this kernel has no configfs or no gpio-sim module (modprobe gpio-sim); "+
			"the logic is tested on periph's gpiotest pins", root, err)
	}
	dev := filepath.Join(root, "tramso-test")
	bank := filepath.Join(dev, "bank0")
	write := func(path, v string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(v), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(bank, 0o755); err != nil {
		t.Skipf("cannot create a gpio-sim chip: %v", err)
	}
	t.Cleanup(func() {
		os.WriteFile(filepath.Join(dev, "live"), []byte("0"), 0o644)
		for _, l := range []string{"line0", "line1"} {
			os.Remove(filepath.Join(bank, l))
		}
		os.Remove(bank)
		os.Remove(dev)
	})
	write(filepath.Join(bank, "num_lines"), "2")
	for i, name := range []string{"TRAMSO_DOOR", "TRAMSO_CARD"} {
		l := filepath.Join(bank, "line"+string(rune('0'+i)))
		if err := os.Mkdir(l, 0o755); err != nil {
			t.Fatal(err)
		}
		write(filepath.Join(l, "name"), name)
	}
	write(filepath.Join(dev, "live"), "1")
	read := func(path string) string {
		b, _ := os.ReadFile(path)
		return strings.TrimSpace(string(b))
	}
	sim := filepath.Join("/sys/devices/platform", read(filepath.Join(dev, "dev_name")), read(filepath.Join(bank, "chip_name")))

	e, err := Open(config.Enclosure{Door: "TRAMSO_DOOR", CardLamp: "TRAMSO_CARD"}, OpenChardev, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	write(filepath.Join(sim, "sim_gpio0", "pull"), "pull-up") // the door opens
	if ev := next(t, e); ev != (Event{Door, true}) {
		t.Fatalf("door: %+v", ev)
	}
	e.SetLamps(LampsFor(State{Session: wire.Identify, Step: wire.StepCard}))
	for end := time.Now().Add(5 * time.Second); read(filepath.Join(sim, "sim_gpio1", "value")) != "1"; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatal("the card lamp's simulated line did not go high")
		}
	}
}
