package packaging_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// builtDeb is one package built from stub programs, shared by the tests.
var built struct {
	once sync.Once
	dir  string
	deb  string
	err  error
	log  string
}

// TestMain removes the shared package's folder when the tests are done, so that every run does not
// leave megabytes behind in the temporary folder.
func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// buildDeb builds the package from stub kioskd and kioskctl programs (no kiosk-ui: a build must ship
// whichever programs exist).
func buildDeb(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"dpkg-deb", "file", "strip"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s missing: install Debian packages dpkg, file, binutils", tool)
		}
	}
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "tramso-deb-test")
		if err != nil {
			built.err = err
			return
		}
		built.dir = dir
		bin := filepath.Join(dir, "bin")
		cmd := exec.Command("./go-build.sh", bin, "./testdata/stub")
		if out, err := cmd.CombinedOutput(); err != nil {
			built.err, built.log = err, string(out)
			return
		}
		data, _ := os.ReadFile(filepath.Join(bin, "stub"))
		for _, name := range []string{"kioskd", "kioskctl"} {
			if err := os.WriteFile(filepath.Join(bin, name), data, 0o755); err != nil {
				built.err = err
				return
			}
		}
		os.Remove(filepath.Join(bin, "stub"))
		cmd = exec.Command("./build-deb.sh", bin, filepath.Join(dir, "out"), "0.1.0+test1")
		cmd.Env = append(os.Environ(), "SOURCE_DATE_EPOCH=1767225600")
		out, err := cmd.Output()
		if err != nil {
			built.err = err
			if ee, ok := err.(*exec.ExitError); ok {
				built.log = string(ee.Stderr)
			}
			return
		}
		built.deb = strings.TrimSpace(string(out))
	})
	if built.err != nil {
		t.Fatalf("build-deb.sh: %v\n%s", built.err, built.log)
	}
	return built.deb
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

func TestControl(t *testing.T) {
	deb := buildDeb(t)
	if filepath.Base(deb) != "tramso_0.1.0+test1_"+strings.TrimSpace(run(t, "dpkg", "--print-architecture"))+".deb" {
		t.Errorf("package file %s", deb)
	}
	fields := map[string]string{}
	for _, f := range []string{"Package", "Version", "Depends", "Maintainer", "Description"} {
		fields[f] = strings.TrimSpace(run(t, "dpkg-deb", "-f", deb, f))
	}
	if fields["Package"] != "tramso" || fields["Version"] != "0.1.0+test1" {
		t.Errorf("Package %q Version %q", fields["Package"], fields["Version"])
	}
	var deps []string
	for _, d := range strings.Split(fields["Depends"], ",") {
		deps = append(deps, strings.Fields(d)[0])
	}
	// Fonts and Tesseract data are dependencies, not copies; the compositor and the device daemons too.
	for _, want := range []string{"systemd", "udev", "init-system-helpers", "cage", "xwayland", "fonts-noto-core",
		"tesseract-ocr", "tesseract-ocr-vie", "tesseract-ocr-eng", "pcscd", "sane-utils"} {
		if !slices.Contains(deps, want) {
			t.Errorf("Depends lacks %s: %s", want, fields["Depends"])
		}
	}
}

// TestContents checks what the package installs, its owners and modes, and that nothing else is in it.
func TestContents(t *testing.T) {
	deb := buildDeb(t)
	want := map[string]string{
		"./usr/bin/kioskd":                                                        "-rwxr-xr-x",
		"./usr/bin/kioskctl":                                                      "-rwxr-xr-x",
		"./usr/sbin/tramso-device-name":                                           "-rwxr-xr-x",
		"./usr/share/man/man8/kioskd.8.gz":                                        "-rw-r--r--",
		"./usr/share/man/man1/kioskctl.1.gz":                                      "-rw-r--r--",
		"./usr/share/man/man8/tramso-device-name.8.gz":                            "-rw-r--r--",
		"./lib/systemd/system/kioskd.service":                                     "-rw-r--r--",
		"./lib/systemd/system/kiosk-ui.service":                                   "-rw-r--r--",
		"./lib/udev/rules.d/70-tramso.rules":                                      "-rw-r--r--",
		"./usr/lib/sysusers.d/tramso.conf":                                        "-rw-r--r--",
		"./usr/lib/tmpfiles.d/tramso.conf":                                        "-rw-r--r--",
		"./usr/lib/systemd/logind.conf.d/50-tramso-kiosk.conf":                    "-rw-r--r--",
		"./usr/lib/systemd/system.conf.d/50-tramso-kiosk.conf":                    "-rw-r--r--",
		"./usr/lib/sysctl.d/50-tramso-kiosk.conf":                                 "-rw-r--r--",
		"./usr/share/X11/xorg.conf.d/50-tramso-kiosk.conf":                        "-rw-r--r--",
		"./etc/tramso/kiosk.toml":                                                 "-rw-r--r--",
		"./usr/share/doc/tramso/copyright":                                        "-rw-r--r--",
		"./usr/share/doc/tramso/changelog.gz":                                     "-rw-r--r--",
		"./usr/share/doc/tramso/TECHNICIAN.md":                                    "-rw-r--r--",
		"./usr/share/lintian/overrides/tramso":                                    "-rw-r--r--",
		"./usr/lib/systemd/system/systemd-journal-upload.service.d/tramso.conf":   "-rw-r--r--",
		"./etc/systemd/journal-upload.conf.d/tramso.conf":                         "lrwxrwxrwx",
		"./lib/systemd/system/tramso-prometheus-agent.service":                    "-rw-r--r--",
		"./usr/lib/systemd/system/prometheus-node-exporter.service.d/tramso.conf": "-rw-r--r--",
		"./usr/share/tramso/prometheus/tramso-alerts.yml":                         "-rw-r--r--",
	}
	got := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(run(t, "dpkg-deb", "-c", deb)), "\n") {
		f := strings.Fields(l)
		if len(f) < 6 {
			t.Fatalf("odd listing line %q", l)
		}
		if f[1] != "root/root" {
			t.Errorf("%s owned by %s", f[5], f[1])
		}
		if f[0][0] == 'd' {
			continue
		}
		got[f[5]] = f[0]
	}
	for path, mode := range want {
		if got[path] != mode {
			t.Errorf("%s: mode %q, want %q", path, got[path], mode)
		}
	}
	for path := range got {
		if _, ok := want[path]; !ok {
			t.Errorf("unexpected file %s", path)
		}
	}
	dir := t.TempDir()
	run(t, "dpkg-deb", "-x", deb, dir)
	run(t, "dpkg-deb", "-e", deb, filepath.Join(dir, "DEBIAN"))
	conffiles, _ := os.ReadFile(filepath.Join(dir, "DEBIAN/conffiles"))
	if strings.TrimSpace(string(conffiles)) != "/etc/tramso/kiosk.toml" {
		t.Errorf("conffiles %q", conffiles)
	}
	shipped, _ := os.ReadFile(filepath.Join(dir, "etc/tramso/kiosk.toml"))
	example, err := os.ReadFile("../kiosk/config/kiosk.example.toml")
	if err == nil && !bytes.Equal(shipped, example) {
		t.Error("/etc/tramso/kiosk.toml is not kiosk/config/kiosk.example.toml")
	}
	if l, err := os.Readlink(filepath.Join(dir, "etc/systemd/journal-upload.conf.d/tramso.conf")); err != nil || l != "../../tramso/journal-upload.conf" {
		t.Errorf("journal-upload.conf.d/tramso.conf links to %q (%v), want ../../tramso/journal-upload.conf", l, err)
	}
	if a, _ := os.ReadFile("journal/systemd-journal-upload-tramso.conf"); !bytes.Equal(a, must(os.ReadFile(filepath.Join(dir, "usr/lib/systemd/system/systemd-journal-upload.service.d/tramso.conf")))) {
		t.Error("the journal-upload drop-in differs from packaging/journal's")
	}
	for _, name := range []string{"kioskd.service", "kiosk-ui.service", "70-tramso.rules"} {
		a, _ := os.ReadFile(filepath.Join("../systemd", name))
		matches, _ := filepath.Glob(filepath.Join(dir, "lib/*/*", name))
		if len(matches) != 1 {
			matches, _ = filepath.Glob(filepath.Join(dir, "lib/*/*/", name))
		}
		if len(matches) != 1 {
			t.Errorf("%s not found once in the package", name)
			continue
		}
		b, _ := os.ReadFile(matches[0])
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs from systemd/%s", matches[0], name)
		}
	}
}

// TestLintian runs lintian on the package: no error or warning may remain that is not overridden
// (with its reason) in debian/lintian-overrides.
func TestLintian(t *testing.T) {
	deb := buildDeb(t)
	if _, err := exec.LookPath("lintian"); err != nil {
		t.Fatal("lintian missing: install Debian package lintian")
	}
	out, err := exec.Command("lintian", "--fail-on", "error,warning", deb).CombinedOutput()
	var tags []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "E: ") || strings.HasPrefix(l, "W: ") {
			tags = append(tags, l)
		}
	}
	if err != nil || len(tags) > 0 {
		t.Fatalf("lintian: %v\n%s", err, out)
	}
}

func must(b []byte, _ error) []byte { return b }
