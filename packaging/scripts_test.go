package packaging_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fakeTools puts stand-ins for the commands the maintainer scripts call on PATH; each logs its
// arguments. deb-systemd-helper answers was-enabled with "yes" (a first install), getent finds
// every user and group.
func fakeTools(t *testing.T) (dir, log string) {
	t.Helper()
	dir = t.TempDir()
	log = filepath.Join(dir, "calls")
	for _, name := range []string{"deb-systemd-helper", "deb-systemd-invoke", "systemd-sysusers", "systemd-tmpfiles",
		"udevadm", "systemctl", "systemd-sysctl", "getent", "userdel", "groupdel"} {
		script := "#!/bin/sh\necho \"" + name + " $*\" >>\"" + log + "\"\nexit 0\n"
		if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir, log
}

func runScript(t *testing.T, script string, root string, args ...string) string {
	t.Helper()
	tools, log := fakeTools(t)
	cmd := exec.Command("sh", append([]string{filepath.Join("debian", script)}, args...)...)
	cmd.Env = []string{"PATH=" + tools + ":/usr/bin:/bin", "DPKG_ROOT=" + root}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", script, args, err, out)
	}
	calls, _ := os.ReadFile(log)
	return string(calls)
}

func TestPostinstConfigure(t *testing.T) {
	root := t.TempDir()
	calls := runScript(t, "postinst", root, "configure", "")
	for _, want := range []string{
		"systemd-sysusers --root=" + root + " tramso.conf",
		"systemd-tmpfiles --root=" + root + " --create tramso.conf",
		"deb-systemd-helper enable kioskd.service",
		"deb-systemd-helper enable kiosk-ui.service",
		"deb-systemd-helper mask ctrl-alt-del.target",
		"deb-systemd-helper mask getty@tty1.service",
	} {
		if !strings.Contains(calls, want+"\n") {
			t.Errorf("postinst configure did not run %q; calls:\n%s", want, calls)
		}
	}
	// The users exist before anything refers to them.
	if strings.Index(calls, "systemd-sysusers") > strings.Index(calls, "deb-systemd-helper enable") {
		t.Error("units enabled before the users are created")
	}
}

func TestPostrmRemoveGivesConsoleBack(t *testing.T) {
	root := t.TempDir()
	keep := filepath.Join(root, "var/lib/tramso/outbox.db")
	if err := os.MkdirAll(filepath.Dir(keep), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keep, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	calls := runScript(t, "postrm", root, "remove")
	for _, want := range []string{"deb-systemd-helper unmask ctrl-alt-del.target", "deb-systemd-helper unmask getty@tty1.service"} {
		if !strings.Contains(calls, want+"\n") {
			t.Errorf("postrm remove did not run %q; calls:\n%s", want, calls)
		}
	}
	if strings.Contains(calls, "userdel") {
		t.Error("remove deleted users")
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("remove (not purge) deleted the dossier store: %v", err)
	}
}

func TestPostrmPurgeIsClean(t *testing.T) {
	root := t.TempDir()
	leftovers := []string{
		"var/lib/tramso/outbox.db", "var/lib/tramso/tls/key.pem", "var/cache/tramso/x",
		"var/lib/tramso-local/71-tramso-local.rules", "etc/tramso/csca/ca.pem",
		"etc/udev/rules.d/71-tramso-local.rules",
	}
	for _, f := range leftovers {
		p := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	other := filepath.Join(root, "etc/udev/rules.d/99-other.rules")
	if err := os.WriteFile(other, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	calls := runScript(t, "postrm", root, "purge")
	for _, f := range leftovers {
		if _, err := os.Stat(filepath.Join(root, f)); err == nil {
			t.Errorf("purge left %s", f)
		}
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("purge removed a file that is not ours: %v", err)
	}
	for _, want := range []string{"deb-systemd-helper purge kioskd.service kiosk-ui.service", "userdel tramso-ui", "userdel tramso", "groupdel tramso-api", "groupdel tramso-hw"} {
		if !strings.Contains(calls, want+"\n") {
			t.Errorf("purge did not run %q; calls:\n%s", want, calls)
		}
	}
}

func TestScriptsSyntax(t *testing.T) {
	for _, s := range []string{"postinst", "prerm", "postrm"} {
		if out, err := exec.Command("sh", "-n", filepath.Join("debian", s)).CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", s, err, out)
		}
		if sc, err := exec.LookPath("shellcheck"); err == nil {
			if out, err := exec.Command(sc, filepath.Join("debian", s)).CombinedOutput(); err != nil {
				t.Errorf("shellcheck %s: %s", s, out)
			}
		}
	}
}

// TestPostinstFleetUnits: on a first install the log upload, agent and node exporter are enabled
// (where their packages are installed) and Debian's full Prometheus server masked; an upgrade
// leaves the administrator's choice alone; a unit whose package is absent is not touched.
func TestPostinstFleetUnits(t *testing.T) {
	root := t.TempDir()
	for _, u := range []string{"systemd-journal-upload.service", "tramso-prometheus-agent.service", "prometheus.service"} {
		p := filepath.Join(root, "lib/systemd/system", u)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("[Unit]\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	calls := runScript(t, "postinst", root, "configure", "")
	for _, want := range []string{"deb-systemd-helper enable systemd-journal-upload.service",
		"deb-systemd-helper enable tramso-prometheus-agent.service", "deb-systemd-helper mask prometheus.service"} {
		if !strings.Contains(calls, want+"\n") {
			t.Errorf("first install did not run %q; calls:\n%s", want, calls)
		}
	}
	if strings.Contains(calls, "enable prometheus-node-exporter.service") {
		t.Errorf("enabled the node exporter, whose package is not installed:\n%s", calls)
	}
	calls = runScript(t, "postinst", root, "configure", "0.1.0+git20261201.abcdef12")
	if strings.Contains(calls, "enable systemd-journal-upload.service") || strings.Contains(calls, "enable tramso-prometheus-agent.service") {
		t.Errorf("an upgrade re-enabled the fleet units:\n%s", calls)
	}
}
