package screens

import (
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/tramso/tramso/ui/theme"
)

// Every citizen screen has something to say, in NFC Vietnamese, and none reads out personal data.
func TestGuidanceForEveryScreen(t *testing.T) {
	personal := []string{"Lê Thị Ỷ", "Phạm Văn Ễ", "079", "1234"}
	for name, v := range samples() {
		a, _ := newApp(t, false, theme.Options{})
		a.SetView(v)
		g := a.Guidance()
		if g == "" {
			t.Errorf("%s: no guidance", name)
			continue
		}
		if !norm.NFC.IsNormalString(g) {
			t.Errorf("%s: guidance not NFC", name)
		}
		for _, p := range personal {
			if strings.Contains(g, p) {
				t.Errorf("%s: guidance reads out %q: %q", name, p, g)
			}
		}
	}
	a, _ := newApp(t, false, theme.Options{})
	a.openStaff()
	if g := a.Guidance(); g != "" {
		t.Errorf("staff screen guidance %q, want none", g)
	}
	b, _ := newApp(t, false, theme.Options{})
	b.SetView(samples()["choose-idle"])
	if g := b.Guidance(); !strings.Contains(g, "Thêm thời gian") {
		t.Errorf("idle warning guidance %q does not name the button", g)
	}
}
