package osimage_test

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func read(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// mkosiPackages returns the Packages= list of mkosi.default.
func mkosiPackages(t *testing.T) []string {
	var pkgs []string
	in := false
	sc := bufio.NewScanner(strings.NewReader(read(t, "mkosi.default")))
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "Packages="):
			in = true
			pkgs = append(pkgs, strings.Fields(strings.TrimPrefix(l, "Packages="))...)
		case in && (strings.HasPrefix(l, "\t") || strings.HasPrefix(l, " ")):
			pkgs = append(pkgs, strings.Fields(l)...)
		default:
			in = false
		}
	}
	return pkgs
}

// TestImageHasPackageDependencies: mkosi.postinst installs the .deb with dpkg and no network, so the
// image's package list must already hold every dependency the package declares.
func TestImageHasPackageDependencies(t *testing.T) {
	pkgs := mkosiPackages(t)
	control := read(t, "../packaging/debian/control.in")
	for _, field := range []string{"Depends", "Recommends"} {
		m := regexp.MustCompile(`(?m)^` + field + `: (.*)$`).FindStringSubmatch(control)
		if m == nil {
			t.Fatalf("no %s in control.in", field)
		}
		for _, d := range strings.Split(strings.ReplaceAll(m[1], "@SHLIBS@", ""), ",") {
			name := strings.Fields(d)[0]
			if !slices.Contains(pkgs, name) && name != "init-system-helpers" {
				t.Errorf("package %s (%s of tramso) is not in mkosi.default's Packages=", name, field)
			}
		}
	}
	for _, want := range []string{"linux-image-amd64", "rauc", "rauc-service", "grub-common", "cage", "xwayland", "systemd-resolved"} {
		if !slices.Contains(pkgs, want) {
			t.Errorf("mkosi.default lacks %s", want)
		}
	}
}

// TestSlotsAgree: the RAUC slots, the disk layout, fstab and the boot loader must name the same
// partitions and slots, or an update writes one partition and GRUB boots another.
func TestSlotsAgree(t *testing.T) {
	rauc := read(t, "mkosi.extra/etc/rauc/system.conf")
	assemble := read(t, "assemble.sh")
	grub := read(t, "grub.cfg")
	fstab := read(t, "mkosi.extra/etc/fstab")
	slots := map[string]string{"A": "tramso-root-a", "B": "tramso-root-b"}
	for boot, label := range slots {
		if !regexp.MustCompile(`device=/dev/disk/by-partlabel/` + label + `\ntype=raw\nbootname=` + boot + `\n`).MatchString(rauc) {
			t.Errorf("system.conf: no slot %s on %s", boot, label)
		}
		if !strings.Contains(assemble, "name="+label) {
			t.Errorf("assemble.sh does not create partition %s", label)
		}
		if !strings.Contains(grub, "set label="+label) {
			t.Errorf("grub.cfg does not boot %s", label)
		}
	}
	// GRUB addresses the slots by partition number: A is the 2nd partition, B the 3rd.
	order := regexp.MustCompile(`name=(tramso-[a-z-]+)`).FindAllStringSubmatch(assemble, -1)
	var names []string
	for _, m := range order {
		names = append(names, m[1])
	}
	if !slices.Equal(names, []string{"tramso-esp", "tramso-root-a", "tramso-root-b", "tramso-data"}) {
		t.Errorf("partition order %v", names)
	}
	if !strings.Contains(grub, "set part=gpt2\n\tset label=tramso-root-a") || !strings.Contains(grub, "set part=gpt3\n\tset label=tramso-root-b") {
		t.Error("grub.cfg partition numbers do not match the layout")
	}
	for _, want := range []string{"PARTLABEL=tramso-data  /var ", "PARTLABEL=tramso-esp   /boot/efi "} {
		if !strings.Contains(fstab, want) {
			t.Errorf("fstab lacks %q", want)
		}
	}
	if !strings.Contains(rauc, "grubenv=/boot/efi/EFI/tramso/grubenv") || !strings.Contains(assemble, "::EFI/tramso/grubenv") {
		t.Error("RAUC's grubenv is not where assemble.sh puts it")
	}
	if !strings.Contains(rauc, "bundle-formats=-plain") {
		t.Error("plain bundles are accepted")
	}
	if !strings.Contains(rauc, "compatible=tramso-kiosk-amd64") || !strings.Contains(read(t, "bundle.sh"), "compatible=tramso-kiosk-amd64") {
		t.Error("bundle and system compatible strings differ")
	}
}

func TestGrubScript(t *testing.T) {
	check, err := exec.LookPath("grub-script-check")
	if err != nil {
		t.Fatal("grub-script-check missing: install Debian package grub-common")
	}
	if out, err := exec.Command(check, "grub.cfg").CombinedOutput(); err != nil {
		t.Fatalf("grub.cfg: %v\n%s", err, out)
	}
	broken := filepath.Join(t.TempDir(), "broken.cfg")
	os.WriteFile(broken, []byte(read(t, "grub.cfg")+"\nif [ x ]; then\n"), 0o644)
	if exec.Command(check, broken).Run() == nil {
		t.Error("grub-script-check accepted an unterminated if: the check above proves nothing")
	}
}

// TestImageUnits verifies the image's own units together with the package's, as they meet on the kiosk.
func TestImageUnits(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Fatal("systemd-analyze missing: install Debian package systemd")
	}
	root := t.TempDir()
	mk := func(rel string) string {
		d := filepath.Join(root, rel)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	if out, err := exec.Command("cp", "-a", "/lib/systemd/system/.", mk("lib/systemd/system")).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	etc := mk("etc/systemd/system")
	for _, src := range []string{"../systemd/kioskd.service", "mkosi.extra/etc/systemd/system/tramso-mark-good.service",
		"mkosi.extra/etc/systemd/system/tramso-udev-local.service", "testdata/agent/tramso-test-agent.service"} {
		data := read(t, src)
		os.WriteFile(filepath.Join(etc, filepath.Base(src)), []byte(data), 0o644)
	}
	for _, stub := range []string{"usr/bin/kioskd", "usr/bin/rauc", "usr/bin/udevadm", "usr/lib/tramso/tramso-healthy", "usr/lib/tramso/tramso-test-agent"} {
		mk(filepath.Dir(stub))
		os.WriteFile(filepath.Join(root, stub), []byte("#!/bin/sh\n"), 0o755)
	}
	out, err := exec.Command(analyze, "verify", "--man=no", "--generators=no", "--root="+root,
		"/etc/systemd/system/tramso-mark-good.service", "/etc/systemd/system/tramso-udev-local.service",
		"/etc/systemd/system/tramso-test-agent.service").CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
	mark := read(t, "mkosi.extra/etc/systemd/system/tramso-mark-good.service")
	for _, want := range []string{"After=kioskd.service", "Requires=kioskd.service", "ExecStart=/usr/bin/rauc status mark-good", "ExecStart=/usr/lib/tramso/tramso-healthy"} {
		if !strings.Contains(mark, want) {
			t.Errorf("mark-good unit lacks %s", want)
		}
	}
	if strings.Index(mark, "tramso-healthy") > strings.Index(mark, "mark-good\n") {
		t.Error("the slot is marked good before the health check")
	}
	wd := read(t, "mkosi.extra/etc/systemd/system.conf.d/60-tramso-watchdog.conf")
	if !strings.Contains(wd, "RuntimeWatchdogSec=20s") {
		t.Error("no hardware watchdog")
	}
}

// fakes puts systemctl and (optionally) kioskctl stand-ins on PATH for tramso-healthy.
func runHealthy(t *testing.T, active bool, kioskctl string, selftestOK bool) error {
	t.Helper()
	dir := t.TempDir()
	state := "exit 3"
	if active {
		state = "exit 0"
	}
	os.WriteFile(filepath.Join(dir, "systemctl"), []byte("#!/bin/sh\n"+state+"\n"), 0o755)
	if kioskctl != "" {
		os.WriteFile(filepath.Join(dir, "kioskctl"), []byte("#!/bin/sh\n"+kioskctl+"\n"), 0o755)
	}
	run := t.TempDir()
	if selftestOK {
		os.WriteFile(filepath.Join(run, "selftest.ok"), nil, 0o644)
	}
	cmd := exec.Command("mkosi.extra/usr/lib/tramso/tramso-healthy", "2")
	cmd.Env = []string{"PATH=" + dir + ":/usr/bin:/bin", "TRAMSO_RUNTIME_DIR=" + run, "TRAMSO_HEALTH_INTERVAL=1"}
	return cmd.Run()
}

func TestHealthy(t *testing.T) {
	cases := []struct {
		name       string
		active     bool
		kioskctl   string
		selftestOK bool
		healthy    bool
	}{
		{"ready, self-test file", true, "", true, true},
		{"ready, no self-test yet", true, "", false, false},
		{"kioskd not running", false, "", true, false},
		{"kioskctl status answers", true, `[ "$1" = status ] && exit 0; exit 2`, false, true},
		{"kioskctl status fails", true, `[ "$1" = status ] && [ "$2" = --help ] && exit 0; exit 1`, true, false},
		{"kioskctl without status", true, "exit 2", true, true},
		{"kioskctl without status, no marker", true, "exit 2", false, false},
	}
	for _, c := range cases {
		err := runHealthy(t, c.active, c.kioskctl, c.selftestOK)
		if (err == nil) != c.healthy {
			t.Errorf("%s: healthy=%v, want %v", c.name, err == nil, c.healthy)
		}
	}
}

// TestStubKioskd checks the VM test's stand-in for kioskd speaks the protocol kioskd.service expects.
func TestStubKioskd(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "kioskd")
	if out, err := exec.Command("go", "build", "-o", bin, "./testdata/stubkioskd").CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if err := exec.Command(bin, "-fail").Run(); err == nil {
		t.Error("-fail exited 0")
	}
	notifyPath := filepath.Join(dir, "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: notifyPath, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	runDir := filepath.Join(dir, "run")
	os.Mkdir(runDir, 0o755)
	cmd := exec.Command(bin, "-socket", filepath.Join(runDir, "kiosk.sock"))
	cmd.Env = []string{"NOTIFY_SOCKET=" + notifyPath, "WATCHDOG_USEC=100000"}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var got []string
	buf := make([]byte, 256)
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for len(got) < 2 {
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("after %q: %v", got, err)
		}
		got = append(got, string(buf[:n]))
	}
	if !strings.HasPrefix(got[0], "READY=1") || got[1] != "WATCHDOG=1" {
		t.Errorf("notifications %q", got)
	}
	if _, err := os.Stat(filepath.Join(runDir, "selftest.ok")); err != nil {
		t.Error("no selftest.ok after READY")
	}
	cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); err != nil {
		t.Errorf("stop: %v", err)
	}
}

func TestScriptsSyntax(t *testing.T) {
	for _, s := range []string{"assemble.sh", "bundle.sh", "build-root.sh", "keys.sh", "mkrootfs.sh", "mktest.sh", "vmtest.sh",
		"mkosi.postinst", "tools/systemd-nspawn", "mkosi.extra/usr/lib/tramso/tramso-healthy", "testdata/agent/tramso-test-agent"} {
		if out, err := exec.Command("sh", "-n", s).CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", s, err, out)
		}
		if fi, err := os.Stat(s); err != nil || fi.Mode()&0o111 == 0 {
			t.Errorf("%s is not executable", s)
		}
	}
}
