package screens

import (
	"strings"
	"testing"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/ui/theme"
)

// While kioskd's dossier store is out of service, the attract screen says so and where to go
// (kioskd's message), offers no start, and keeps the staff entry.
func TestAttractOutOfService(t *testing.T) {
	a, _ := newApp(t, false, theme.Options{})
	msg := &wire.Message{Code: "outOfService", Vi: "Ki-ốt tạm ngừng phục vụ — xin mời đến quầy tiếp nhận hồ sơ của Phường Thử.",
		En: "This kiosk is out of service — please go to the reception counter of Phường Thử."}
	a.SetView(wire.View{State: wire.Attract, OutOfService: msg})
	f := a.Frame()
	if texts := f.Texts(); !strings.Contains(texts, "tạm ngừng phục vụ") || !strings.Contains(texts, "quầy tiếp nhận hồ sơ của Phường Thử") {
		t.Fatalf("texts %q", texts)
	}
	if _, ok := f.Center("Chạm để bắt đầu"); ok {
		t.Fatal("the start button shows out of service")
	}
	if _, ok := f.Center("Dành cho cán bộ"); !ok {
		t.Fatal("the staff entry is gone out of service")
	}
}
