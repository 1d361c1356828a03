package testtool

import (
	"strings"
	"testing"
)

// recorder is a testing.TB that remembers whether the test failed or skipped.
type recorder struct {
	testing.TB
	failed, skipped string
}

func (r *recorder) Helper()                      {}
func (r *recorder) Fatalf(f string, args ...any) { r.failed = f }
func (r *recorder) Skipf(f string, args ...any)  { r.skipped = f }

func TestProgram(t *testing.T) {
	if p := Program(t, "sh", "dash", "TRAMSO_TESTTOOL_REQUIRE"); !strings.HasSuffix(p, "/sh") {
		t.Fatalf("Program(sh) = %q", p)
	}
	t.Setenv("TRAMSO_TESTTOOL_REQUIRE", "")
	r := &recorder{TB: t}
	Program(r, "tramso-no-such-program", "none", "TRAMSO_TESTTOOL_REQUIRE")
	if r.skipped == "" || r.failed != "" {
		t.Errorf("missing program without the requirement: skipped %q, failed %q", r.skipped, r.failed)
	}
	t.Setenv("TRAMSO_TESTTOOL_REQUIRE", "1")
	r = &recorder{TB: t}
	Program(r, "tramso-no-such-program", "none", "TRAMSO_TESTTOOL_REQUIRE")
	if r.failed == "" || r.skipped != "" {
		t.Errorf("missing program with the requirement: skipped %q, failed %q", r.skipped, r.failed)
	}
}
