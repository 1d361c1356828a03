package screens

import (
	"strings"
	"testing"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/ui/theme"
)

// While kioskd says the cabinet door is open, the attract screen says "Đang bảo trì" and offers no
// start; the staff entry stays.
func TestAttractInMaintenance(t *testing.T) {
	a, _ := newApp(t, false, theme.Options{})
	a.SetView(wire.View{State: wire.Attract, Maintenance: true})
	f := a.Frame()
	if !strings.Contains(f.Texts(), "Đang bảo trì") {
		t.Fatalf("texts %q", f.Texts())
	}
	if _, ok := f.Center("Chạm để bắt đầu"); ok {
		t.Fatal("the start button shows during maintenance")
	}
	if _, ok := f.Center("Dành cho cán bộ"); !ok {
		t.Fatal("the staff entry is gone during maintenance")
	}
	a.SetView(wire.View{State: wire.Attract, Seq: 1})
	if _, ok := a.Frame().Center("Chạm để bắt đầu"); !ok || strings.Contains(a.Frame().Texts(), "Đang bảo trì") {
		t.Fatal("maintenance shown after the door closed")
	}
}

// TestAttractRestsUntilSomeoneIsThere: the attract screen is still (kiosk-ui rests between polls)
// until the presence sensor sees someone; then lights beckon towards the start button, and they stop
// when the person leaves.
func TestAttractRestsUntilSomeoneIsThere(t *testing.T) {
	a, _ := newApp(t, false, theme.Options{})
	a.SetView(wire.View{State: wire.Attract})
	if a.Frame().Animated {
		t.Fatal("the attract screen animates with nobody in front of the kiosk")
	}
	a.SetView(wire.View{State: wire.Attract, Presence: true, Seq: 1})
	if !a.Frame().Animated {
		t.Fatal("someone stands at the kiosk and the attract screen does not wake")
	}
	if _, ok := a.Frame().Center("Chạm để bắt đầu"); !ok {
		t.Fatal("the start button is gone while someone stands at the kiosk")
	}
	a.SetView(wire.View{State: wire.Attract, Seq: 2})
	if a.Frame().Animated {
		t.Fatal("the attract screen keeps animating after the person left")
	}
	a.SetView(wire.View{State: wire.Attract, Presence: true, Maintenance: true, Seq: 3})
	if a.Frame().Animated {
		t.Fatal("the attract screen beckons while the kiosk is under maintenance")
	}
}
