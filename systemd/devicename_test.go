package systemd_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tramso/tramso/systemd"
)

// fakeUdevadm puts a udevadm on PATH that answers `info` with props and logs every other call.
func fakeUdevadm(t *testing.T, props string) (env []string, log string) {
	t.Helper()
	dir := t.TempDir()
	log = filepath.Join(dir, "calls")
	script := "#!/bin/sh\nif [ \"$1\" = info ]; then\n  [ -n \"$FAKE_PROPS\" ] || exit 1\n  printf '%s\\n' \"$FAKE_PROPS\"\n  exit 0\nfi\necho \"$*\" >>\"$FAKE_LOG\"\n"
	if err := os.WriteFile(filepath.Join(dir, "udevadm"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return []string{
		"PATH=" + dir + ":" + os.Getenv("PATH"),
		"FAKE_PROPS=" + props,
		"FAKE_LOG=" + log,
	}, log
}

func runDeviceName(t *testing.T, rules, props string, args ...string) (string, error) {
	t.Helper()
	env, _ := fakeUdevadm(t, props)
	cmd := exec.Command("./tramso-device-name", args...)
	cmd.Env = append(env, "TRAMSO_UDEV_LOCAL="+rules)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

const bridgeProps = `DEVNAME=/dev/ttyUSB0
SUBSYSTEM=tty
ID_VENDOR_ID=0403
ID_MODEL_ID=6001
ID_SERIAL_SHORT=A10K3XYZ
ID_USB_INTERFACE_NUM=00
ID_PATH=pci-0000:00:14.0-usb-0:2:1.0`

func TestDeviceName(t *testing.T) {
	rules := filepath.Join(t.TempDir(), "71-tramso-local.rules")
	if out, err := runDeviceName(t, rules, bridgeProps, "nfc", "/dev/ttyUSB0"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	noSerial := strings.Replace(bridgeProps, "ID_SERIAL_SHORT=A10K3XYZ\n", "", 1)
	noSerial = strings.Replace(noSerial, "0403", "1a86", 1)
	if out, err := runDeviceName(t, rules, noSerial, "printer", "/dev/ttyUSB1"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// Naming the NFC reader again replaces its rule rather than adding a second one.
	again := strings.Replace(bridgeProps, "A10K3XYZ", "B22", 1)
	if out, err := runDeviceName(t, rules, again, "nfc", "/dev/ttyUSB0"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	data, err := os.ReadFile(rules)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := systemd.ParseRules(strings.NewReader(string(data)))
	if err != nil {
		t.Fatalf("generated rules do not parse: %v\n%s", err, data)
	}
	byName := map[string]systemd.Rule{}
	for _, r := range parsed {
		link, _ := r.Get("SYMLINK", "")
		if _, dup := byName[link]; dup {
			t.Errorf("two rules for %s:\n%s", link, data)
		}
		byName[link] = r
	}
	nfc, ok := byName["tramso/nfc"]
	if !ok {
		t.Fatalf("no nfc rule:\n%s", data)
	}
	if s, _ := nfc.Get("ATTRS", "serial"); s != "B22" {
		t.Errorf("nfc keyed on serial %q, want B22", s)
	}
	if v, _ := nfc.Get("ATTRS", "idVendor"); v != "0403" {
		t.Errorf("nfc vendor %q", v)
	}
	printer, ok := byName["tramso/printer"]
	if !ok {
		t.Fatalf("no printer rule:\n%s", data)
	}
	if _, hasSerial := printer.Get("ATTRS", "serial"); hasSerial {
		t.Error("printer without a serial number keyed on serial")
	}
	if p, _ := printer.Get("ENV", "ID_PATH"); p != "pci-0000:00:14.0-usb-0:2:1.0" {
		t.Errorf("printer keyed on port %q", p)
	}
	if i, _ := printer.Get("ENV", "ID_USB_INTERFACE_NUM"); i != "00" {
		t.Errorf("printer interface %q", i)
	}
}

func TestDeviceNameTriggersUdev(t *testing.T) {
	env, log := fakeUdevadm(t, bridgeProps)
	cmd := exec.Command("./tramso-device-name", "qr", "/dev/ttyUSB0", "--by-port")
	cmd.Env = append(env, "TRAMSO_UDEV_LOCAL="+filepath.Join(t.TempDir(), "x.rules"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	calls, _ := os.ReadFile(log)
	if !strings.Contains(string(calls), "control --reload-rules") || !strings.Contains(string(calls), "trigger --action=add") {
		t.Errorf("udev not reloaded and re-triggered; calls:\n%s", calls)
	}
}

func TestDeviceNameRefuses(t *testing.T) {
	cases := map[string]struct {
		props string
		args  []string
	}{
		"unknown role":      {bridgeProps, []string{"camera", "/dev/ttyUSB0"}},
		"no device":         {"", []string{"nfc", "/dev/ttyUSB9"}},
		"not a tty":         {strings.Replace(bridgeProps, "SUBSYSTEM=tty", "SUBSYSTEM=usbmisc", 1), []string{"printer", "/dev/usb/lp0"}},
		"no usb ids":        {"SUBSYSTEM=tty\nDEVNAME=/dev/ttyS0", []string{"printer", "/dev/ttyS0"}},
		"quote in serial":   {strings.Replace(bridgeProps, "A10K3XYZ", `A"B`, 1), []string{"nfc", "/dev/ttyUSB0"}},
		"quote in path":     {strings.Replace(bridgeProps, "usb-0:2", `usb-0"2`, 1), []string{"nfc", "/dev/ttyUSB0", "--by-port"}},
		"odd option":        {bridgeProps, []string{"nfc", "/dev/ttyUSB0", "--force"}},
		"too few arguments": {bridgeProps, []string{"nfc"}},
	}
	for name, c := range cases {
		rules := filepath.Join(t.TempDir(), "local.rules")
		out, err := runDeviceName(t, rules, c.props, c.args...)
		if err == nil {
			t.Errorf("%s: accepted:\n%s", name, out)
		}
		if _, statErr := os.Stat(rules); statErr == nil {
			t.Errorf("%s: rules written although refused", name)
		}
	}
}
