package systemd_test

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// exposureLimits are the highest `systemd-analyze security --offline=yes` exposure each unit may have.
var exposureLimits = map[string]float64{
	"kioskd.service":   2.0,
	"kiosk-ui.service": 1.5,
}

// unit is a parsed unit file: section → key → values in order (a key may repeat).
type unit map[string]map[string][]string

func readUnit(t *testing.T, name string) unit {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	u := unit{}
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[':
			section = strings.Trim(line, "[]")
			u[section] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Fatalf("%s: odd line %q", name, line)
			}
			u[section][k] = append(u[section][k], v)
		}
	}
	return u
}

// last returns the effective value of a single-valued key ("" when unset).
func (u unit) last(section, key string) string {
	v := u[section][key]
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

// all is every value of key in section, in order.
func (u unit) all(section, key string) []string { return u[section][key] }

func need(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is missing: install Debian package %q (make deps)", name, map[string]string{
			"systemd-analyze": "systemd", "systemd-sysusers": "systemd", "systemd-tmpfiles": "systemd", "udevadm": "udev",
		}[name])
	}
	return p
}

var exposureRE = regexp.MustCompile(`Overall exposure level for \S+: ([0-9.]+)`)

func TestSecurityExposure(t *testing.T) {
	analyze := need(t, "systemd-analyze")
	for name, limit := range exposureLimits {
		out, err := exec.Command(analyze, "security", "--offline=yes", "--no-pager", "./"+name).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, out)
		}
		m := exposureRE.FindSubmatch(out)
		if m == nil {
			t.Fatalf("%s: no overall exposure in\n%s", name, out)
		}
		got, err := strconv.ParseFloat(string(m[1]), 64)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s exposure %.1f (limit %.1f)", name, got, limit)
		if got > limit {
			t.Errorf("%s exposure %.1f > %.1f; the analyzer says:\n%s", name, got, limit, out)
		}
	}
}

// verifyRoot builds a root for `systemd-analyze verify --root=`: the build machine's own system units
// (targets, sockets the units refer to) plus ours in /etc/systemd/system, and stub executables for the
// binaries our ExecStart= lines name (kioskd, kiosk-ui and cage need not be installed to check units).
func verifyRoot(t *testing.T, stubs bool) string {
	t.Helper()
	root := t.TempDir()
	sys := ""
	for _, d := range []string{"/lib/systemd/system", "/usr/lib/systemd/system"} {
		if _, err := os.Stat(filepath.Join(d, "sysinit.target")); err == nil {
			sys = d
			break
		}
	}
	if sys == "" {
		t.Fatal("no system units on this machine (sysinit.target): install Debian package systemd")
	}
	if out, err := exec.Command("cp", "-a", sys+"/.", mkdir(t, root, "lib/systemd/system")).CombinedOutput(); err != nil {
		t.Fatalf("copying system units: %v\n%s", err, out)
	}
	etc := mkdir(t, root, "etc/systemd/system")
	bin := mkdir(t, root, "usr/bin")
	for name := range exposureLimits {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(etc, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		if !stubs {
			continue
		}
		for _, exec := range readUnit(t, name)["Service"]["ExecStart"] {
			path := strings.Fields(strings.TrimLeft(exec, "-@:+!"))[0]
			if err := os.WriteFile(filepath.Join(bin, filepath.Base(path)), []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	return root
}

func mkdir(t *testing.T, root, rel string) string {
	t.Helper()
	d := filepath.Join(root, rel)
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

func analyzeVerify(t *testing.T, root string) (string, error) {
	var args []string
	for name := range exposureLimits {
		args = append(args, "/etc/systemd/system/"+name)
	}
	args = append([]string{"verify", "--man=no", "--generators=no", "--root=" + root}, args...)
	out, err := exec.Command(need(t, "systemd-analyze"), args...).CombinedOutput()
	return string(out), err
}

// TestVerify runs `systemd-analyze verify` on the units: any message (an unknown directive, a bad
// value, a missing dependency) fails the test, not only the errors verify exits non-zero for.
func TestVerify(t *testing.T) {
	out, err := analyzeVerify(t, verifyRoot(t, true))
	if err != nil || strings.TrimSpace(out) != "" {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// TestVerifySeesMissingBinary makes sure the verify run above really looks at the units: without the
// stub binaries it must complain.
func TestVerifySeesMissingBinary(t *testing.T) {
	out, err := analyzeVerify(t, verifyRoot(t, false))
	if err == nil || !strings.Contains(out, "/usr/bin/kioskd") || !strings.Contains(out, "/usr/bin/cage") {
		t.Fatalf("verify without binaries: err=%v, output:\n%s", err, out)
	}
}

// TestKioskdUnit checks what the issue asks of kioskd's unit beyond the analyzer's score.
func TestKioskdUnit(t *testing.T) {
	u := readUnit(t, "kioskd.service")
	want := map[string]string{
		"Type": "notify", "Restart": "always", "User": "tramso", "ProtectSystem": "strict",
		"NoNewPrivileges": "yes", "CapabilityBoundingSet": "", "DevicePolicy": "closed",
		"StateDirectory": "tramso", "RuntimeDirectory": "tramso", "PrivateDevices": "",
	}
	for k, v := range want {
		if got := u.last("Service", k); got != v {
			t.Errorf("[Service] %s=%q, want %q", k, got, v)
		}
	}
	if _, set := u["Service"]["PrivateDevices"]; set {
		t.Error("PrivateDevices= must not be set: it hides the serial lines and printers")
	}
	if len(u["Service"]["SystemCallFilter"]) == 0 {
		t.Error("no SystemCallFilter=")
	}
	wd := parseDuration(t, u.last("Service", "WatchdogSec"))
	if wd < 5*time.Second || wd > 2*time.Minute {
		t.Errorf("WatchdogSec=%v, want between 5s and 2min", wd)
	}
	restart := parseDuration(t, u.last("Service", "RestartSec"))
	interval := parseDuration(t, u.last("Unit", "StartLimitIntervalSec"))
	burst, err := strconv.Atoi(u.last("Unit", "StartLimitBurst"))
	if err != nil {
		t.Fatalf("StartLimitBurst: %v", err)
	}
	if restart < time.Second {
		t.Errorf("RestartSec=%v: a crash loop would hit the start limit at once", restart)
	}
	// The limit must be reachable by a crash loop (or the reboot never comes) and not by a few crashes.
	if time.Duration(burst)*restart >= interval || burst < 3 {
		t.Errorf("StartLimitBurst=%d × RestartSec=%v vs StartLimitIntervalSec=%v: reboot escalation unreachable or too eager", burst, restart, interval)
	}
	if a := u.last("Unit", "StartLimitAction"); !strings.HasPrefix(a, "reboot") {
		t.Errorf("StartLimitAction=%q, want a reboot", a)
	}
	var groups []string
	for _, d := range u["Service"]["DeviceAllow"] {
		groups = append(groups, strings.Fields(d)[0])
	}
	slices.Sort(groups)
	wantGroups := []string{"char-gpiochip", "char-i2c", "char-ttyACM", "char-ttyS", "char-ttyUSB", "char-usb", "char-usb_device"}
	if !slices.Equal(groups, wantGroups) {
		t.Errorf("DeviceAllow groups %v, want exactly %v", groups, wantGroups)
	}
}

// TestKioskUIUnit checks the screen's unit: no network at all, a compositor, no console on its tty.
func TestKioskUIUnit(t *testing.T) {
	u := readUnit(t, "kiosk-ui.service")
	for k, v := range map[string]string{
		"PrivateNetwork": "yes", "IPAddressDeny": "any", "Restart": "always", "TTYPath": "/dev/tty1",
		"NoNewPrivileges": "yes", "CapabilityBoundingSet": "", "DevicePolicy": "closed", "User": "tramso-ui",
	} {
		if got := u.last("Service", k); got != v {
			t.Errorf("[Service] %s=%q, want %q", k, got, v)
		}
	}
	if fam := u.last("Service", "RestrictAddressFamilies"); strings.Contains(fam, "AF_INET") {
		t.Errorf("RestrictAddressFamilies=%s allows IP", fam)
	}
	exec := u.last("Service", "ExecStart")
	if !strings.HasPrefix(exec, "/usr/bin/cage ") || strings.Contains(exec, " -s") || !strings.Contains(exec, "/usr/bin/kiosk-ui") {
		t.Errorf("ExecStart=%q: want cage without -s (VT switching) running kiosk-ui", exec)
	}
	if c := u.last("Unit", "Conflicts"); !strings.Contains(c, "getty@tty1.service") {
		t.Errorf("Conflicts=%q: the getty on the kiosk display must go", c)
	}
	if !slices.Contains(strings.Fields(u.last("Service", "SupplementaryGroups")), "tramso-api") {
		t.Error("kiosk-ui cannot reach kioskd's socket without group tramso-api")
	}
	if !slices.Contains(strings.Fields(u.last("Service", "SupplementaryGroups")), "audio") || !slices.Contains(u.all("Service", "DeviceAllow"), "char-alsa rw") {
		t.Error("the spoken guidance cannot reach the sound card (group audio, DeviceAllow=char-alsa)")
	}
}

// TestLowerPriorityAllowed checks that both services may lower their own threads' priority (the
// page work runs in the idle scheduling class): the @resources deny list would refuse it.
func TestLowerPriorityAllowed(t *testing.T) {
	for _, name := range []string{"kioskd.service", "kiosk-ui.service"} {
		filters := readUnit(t, name).all("Service", "SystemCallFilter")
		allowed := map[string]bool{}
		for _, f := range filters {
			deny := strings.HasPrefix(f, "~")
			for _, c := range strings.Fields(strings.TrimPrefix(f, "~")) {
				for _, sc := range []string{"setpriority", "sched_setattr"} {
					if c == sc || (c == "@resources" && !deny) {
						allowed[sc] = true
					} else if c == "@resources" && deny {
						allowed[sc] = false
					}
				}
			}
		}
		for _, sc := range []string{"setpriority", "sched_setattr"} {
			if !allowed[sc] {
				t.Errorf("%s: SystemCallFilter refuses %s (filters %q)", name, sc, filters)
			}
		}
	}
}

// TestLockdown checks the console lock-down files say what the kiosk needs.
func TestLockdown(t *testing.T) {
	for file, wants := range map[string][]string{
		"lockdown/logind.conf": {"NAutoVTs=0", "ReserveVT=0", "HandlePowerKey=ignore", "HandleRebootKey=ignore"},
		"lockdown/system.conf": {"CtrlAltDelBurstAction=none"},
		"lockdown/sysctl.conf": {"kernel.sysrq = 0"},
		"lockdown/xorg.conf":   {`"DontVTSwitch" "true"`, `"DontZap" "true"`},
	} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range wants {
			if !bytes.Contains(data, []byte(w)) {
				t.Errorf("%s lacks %s", file, w)
			}
		}
	}
}

func parseDuration(t *testing.T, s string) time.Duration {
	t.Helper()
	s = strings.ReplaceAll(s, "min", "m")
	d, err := time.ParseDuration(s)
	if err != nil {
		t.Fatalf("duration %q: %v", s, err)
	}
	return d
}

// TestUsersAndDirectories applies sysusers.d and tmpfiles.d to an empty root with systemd's own tools,
// then checks the users the units run as exist and the state directory is private to kioskd.
func TestUsersAndDirectories(t *testing.T) {
	root := t.TempDir()
	mkdir(t, root, "etc")
	out, err := runWithFile(need(t, "systemd-sysusers"), "tramso.sysusers", "--root="+root, "-")
	if err != nil {
		t.Fatalf("systemd-sysusers: %v\n%s", err, out)
	}
	passwd, _ := os.ReadFile(filepath.Join(root, "etc/passwd"))
	group, _ := os.ReadFile(filepath.Join(root, "etc/group"))
	uids := map[string]string{}
	for _, l := range strings.Split(string(passwd), "\n") {
		if f := strings.Split(l, ":"); len(f) == 7 {
			uids[f[0]] = f[2]
		}
	}
	gids := map[string]string{}
	members := map[string]string{}
	for _, l := range strings.Split(string(group), "\n") {
		if f := strings.Split(l, ":"); len(f) == 4 {
			gids[f[0]] = f[2]
			members[f[0]] = f[3]
		}
	}
	for _, name := range []string{"kioskd.service", "kiosk-ui.service"} {
		u := readUnit(t, name)
		if user := u.last("Service", "User"); uids[user] == "" {
			t.Errorf("%s runs as %q, which sysusers does not create", name, user)
		}
		if g := u.last("Service", "Group"); gids[g] == "" {
			t.Errorf("%s runs with group %q, which sysusers does not create", name, g)
		}
		for _, g := range strings.Fields(u.last("Service", "SupplementaryGroups")) {
			if strings.HasPrefix(g, "tramso") && gids[g] == "" {
				t.Errorf("%s uses group %q, which sysusers does not create", name, g)
			}
		}
	}
	if !slices.Contains(strings.Split(members["tramso-api"], ","), "tramso-ui") {
		t.Error("tramso-ui is not in tramso-api")
	}
	if os.Geteuid() != 0 {
		t.Log("not root: tmpfiles.d ownership not checked")
		return
	}
	out, err = runWithFile(need(t, "systemd-tmpfiles"), "tramso.tmpfiles", "--root="+root, "--create", "-")
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("systemd-tmpfiles: %v\n%s", err, out)
	}
	st, err := os.Stat(filepath.Join(root, "var/lib/tramso"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o700 {
		t.Errorf("/var/lib/tramso mode %v, want 0700", st.Mode().Perm())
	}
	if uid := statUID(st); strconv.Itoa(uid) != uids["tramso"] {
		t.Errorf("/var/lib/tramso owned by uid %d, want tramso (%s)", uid, uids["tramso"])
	}
}

// runWithFile runs a command with file as its standard input (the systemd tools read "-" from there:
// a path would be taken inside --root).
func runWithFile(cmd, file string, args ...string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	c := exec.Command(cmd, args...)
	c.Stdin = f
	return c.CombinedOutput()
}
