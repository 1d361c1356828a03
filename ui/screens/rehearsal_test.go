package screens

import (
	"strings"
	"testing"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/ui/theme"
)

// The rehearsal draws every sample screen, the editors and the staff entry, and what they write is
// all in theme.Letters, the glyphs warmed ahead (a symbol added to a screen and not to Letters
// fails here).
func TestRehearsalCoversScreens(t *testing.T) {
	th, err := theme.Load(theme.RegularFont, theme.BoldFont, theme.Options{})
	if err != nil {
		t.Skipf("font: %v", err)
	}
	r := NewRehearsal(th, false)
	drawn := map[string]bool{}
	for steps := 0; ; steps++ {
		if steps > 100 {
			t.Fatal("the rehearsal does not end")
		}
		done := r.Step()
		drawn[r.app.Name()] = true
		for _, c := range r.app.frame.Texts() {
			if c != '\n' && !strings.ContainsRune(theme.Letters, c) {
				t.Errorf("%s writes %q, which theme.Letters lacks", r.app.Name(), c)
			}
		}
		if done {
			break
		}
	}
	if !r.Step() {
		t.Error("Step after the end did not report done")
	}
	for name, v := range samples() {
		a := New(th, false, func(wire.Action) {})
		a.SetView(v)
		a.Frame() // builds: opens the keypad of the ID number step
		if !drawn[a.Name()] {
			t.Errorf("sample %s (%s) not rehearsed", name, a.Name())
		}
	}
	for _, want := range []string{"review-editing-form_incomplete-edit-text", "review-editing-form_incomplete-edit-date",
		"review-editing-form_incomplete-edit-number", "review-editing-form_incomplete-edit-choice", "choose_procedure-search", "staff-pin", "staff-menu"} {
		if !drawn[want] {
			t.Errorf("%s not rehearsed; rehearsed: %v", want, drawn)
		}
	}
}
