package screens

import (
	"image"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/ui/theme"
	"github.com/tramso/tramso/ui/widget"
)

// defaultTiles are the attract screen's entries when kioskd names none.
var defaultTiles = [...]wire.ServiceTile{
	{Action: wire.ActStart, Label: wire.Message{Vi: "Chạm để bắt đầu", En: "Touch the screen to start"}, Available: true},
	{Action: wire.ActTrack, Label: wire.Message{Vi: "Tra cứu hồ sơ", En: "Track a dossier"}, Available: true},
	{Action: wire.ActQueue, Label: wire.Message{Vi: "Lấy số thứ tự", En: "Take a queue number"}, Available: true},
}

// attractEntries lays out the attract screen's services in r: the start of a submission large on
// top, the other services (tracking, the queue number) in a row below it. A service kioskd says is
// not available now is shown without a touch target.
func (a *App) attractEntries(f *widget.Frame, r image.Rectangle) {
	tiles := a.services().Tiles
	if len(tiles) == 0 {
		tiles = defaultTiles[:]
	}
	var start *wire.ServiceTile
	var others []wire.ServiceTile
	for i, t := range tiles {
		if t.Action == wire.ActStart && start == nil {
			start = &tiles[i]
			continue
		}
		others = append(others, t)
	}
	handler := func(t wire.ServiceTile) (func(), string) {
		if !t.Available {
			return nil, t.Label.En + " · tạm ngừng (not available now)"
		}
		return a.act(t.Action, ""), t.Label.En
	}
	bottom := r.Max.Y
	if len(others) > 0 {
		h := 220
		top := r.Max.Y - h
		w := (r.Dx() - gap*(len(others)-1)) / len(others)
		for i, t := range others {
			x := r.Min.X + i*(w+gap)
			fn, sub := handler(t)
			f.Button(image.Rect(x, top, x+w, r.Max.Y), t.Label.Vi, sub, widget.Secondary, fn)
		}
		bottom = top - gap
	}
	if start != nil {
		if a.view.Presence {
			// Someone stands in front of the kiosk (kioskd's presence sensor): a row of lights runs
			// towards the start button. Without anyone there the attract screen rests, still.
			strip := image.Rect(r.Min.X, bottom-beckonH, r.Max.X, bottom)
			bottom = strip.Min.Y - gap/2
			f.Custom(strip, beckon(a.th))
		}
		fn, sub := handler(*start)
		f.Button(image.Rect(r.Min.X, r.Min.Y, r.Max.X, bottom), start.Label.Vi, sub, widget.Primary, fn)
	}
}

// beckonH is the height of the row of lights that beckons a person standing at the kiosk.
const beckonH = 60

// beckon draws a row of lights, one lit after another, every step: it repaints every light, so the
// animation needs nothing beneath it.
func beckon(th *theme.Theme) func(dst *ebiten.Image, r image.Rectangle, tick int) {
	const n = 7
	return func(dst *ebiten.Image, r image.Rectangle, tick int) {
		rad := float64(r.Dy()) / 4
		step := float64(r.Dx()) / n
		lit := (tick / 6) % n
		for i := range n {
			c := th.Border
			if i == lit || i == (lit+n-1)%n {
				c = th.Accent
			}
			fillCircle(th, dst, float64(r.Min.X)+step*(float64(i)+0.5), float64(r.Min.Y+r.Dy()/2), rad, c)
		}
	}
}

// sessionOffers adds, at the end of a session, why the dossier needs a counter (the queue number's
// button is in the footer) and the single-touch rating of the kiosk, inside r from its top; it
// returns the height used.
func (a *App) sessionOffers(f *widget.Frame, r image.Rectangle) int {
	p := a.th.Palette
	sv := a.services()
	y := r.Min.Y
	if sv.QueueOffered {
		why := "Hồ sơ của bạn cần đến quầy. (Your dossier needs a counter.)"
		if m := sv.QueueReason; m != nil && m.Vi != "" {
			why = msgText(*m)
		}
		y += f.Text(image.Rect(r.Min.X, y, r.Max.X, y), why, theme.Body, true, widget.Center, p.Danger) + gap
	}
	const ask = "Bạn có hài lòng với kiosk không? (không bắt buộc · optional)"
	switch {
	case !sv.RatingOffered:
	case a.w > a.h && r.Max.Y-y >= theme.MinTarget+20:
		// Landscape: the question and the three buttons on one row.
		h := min(r.Max.Y-y, 130)
		q := r.Dx() * 3 / 10
		f.Text(image.Rect(r.Min.X, y, r.Min.X+q-gap, y), ask, theme.Body, false, widget.Start, p.Fg)
		a.rateButtons(f, image.Rect(r.Min.X+q, y, r.Max.X, y+h), sv.Levels)
		y += h
	case r.Max.Y-y > 160:
		y += f.Text(image.Rect(r.Min.X, y, r.Max.X, y), ask, theme.Body, false, widget.Center, p.Fg) + gap/2
		h := min(r.Max.Y-y, 3*110+2*gap)
		a.rateButtons(f, image.Rect(r.Min.X, y, r.Max.X, y+h), sv.Levels)
		y += h
	}
	return y - r.Min.Y
}
