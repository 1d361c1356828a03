// Package testtool finds the outside programs tests drive (nfc-list, opensc-tool, pdfsig,
// promtool, espeak-ng…). Without the program a test skips on a developer's machine, but fails where
// the environment says the program must be there: make test sets TRAMSO_REQUIRE_… for every program
// it installs, so a missing install step can never turn into a silently skipped test in CI.
package testtool

import (
	"os"
	"os/exec"
	"testing"
)

// Program returns the path of the program name, from the Debian package pkg. When it is missing,
// the test fails if the environment variable require is set (make test sets it), and skips
// otherwise.
func Program(t testing.TB, name, pkg, require string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		Missing(t, name+" (Debian "+pkg+")", require, err)
	}
	return path
}

// Missing ends the test for a requirement that is not met: a failure when the environment variable
// require is set, a skip otherwise. what names the requirement and how to install it.
func Missing(t testing.TB, what, require string, err error) {
	t.Helper()
	if os.Getenv(require) != "" {
		t.Fatalf("%s is required here (%s is set): %v", what, require, err)
		return
	}
	t.Skipf("%s is missing (set %s to make this a failure): %v", what, require, err)
}
