package screens

import (
	"image"
	"slices"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/ui/theme"
	"github.com/tramso/tramso/ui/widget"
)

// Rehearsal draws every screen once, from made-up views, onto an image of its own that is never
// shown.
//
// With software rendering a screen drawn for the first time costs several times what it costs
// later: the renderer compiles a pipeline for each new combination of state, the theme draws the
// disc sprites of new corner sizes, and Ebiten's atlases grow and are copied. That happened in the
// frame that showed a citizen a new screen: once per screen after every start, slow frames while
// kioskd was busy digitising. kiosk-ui rehearses while the attract screen waits, one screen per
// Step, so these costs are paid before anyone touches the glass.
type Rehearsal struct {
	app   *App
	dst   *ebiten.Image
	steps []func(a *App)
}

// NewRehearsal returns a rehearsal of the screens of an App with th and the orientation given.
func NewRehearsal(th *theme.Theme, portrait bool) *Rehearsal {
	a := New(th, portrait, func(wire.Action) {})
	a.SetStaffPort(func(StaffRequest) {})
	w, h := a.Size()
	// A texture of its own, as the screen has: not on an atlas beside the glyphs it draws.
	r := &Rehearsal{app: a, dst: ebiten.NewImageWithOptions(image.Rect(0, 0, w, h), &ebiten.NewImageOptions{Unmanaged: true})}
	views := samples()
	names := make([]string, 0, len(views))
	for n := range views {
		names = append(names, n)
	}
	slices.Sort(names)
	// A small page: drawing it scaled takes the same pipeline as a real preview, for less memory.
	page := image.NewRGBA(image.Rect(0, 0, 70, 99))
	for i := range page.Pix {
		page.Pix[i] = 0xF0
	}
	for _, n := range names {
		v := views[n]
		r.steps = append(r.steps, func(a *App) {
			a.SetView(v)
			if v.State == wire.Documents {
				a.SetPreview(v.Current, 0, page)
			}
		})
	}
	// The local screens: keyboards, keypads, choice lists, search, staff.
	editing := views["review-editing"]
	for _, fv := range editing.Form {
		r.steps = append(r.steps, func(a *App) {
			a.SetView(editing)
			a.openEditor(fv)
		})
	}
	r.steps = append(r.steps,
		func(a *App) {
			a.SetView(views["choose"])
			a.searching = widget.NewKeyboard(widget.Letters, "")
			a.rebuild = true
		},
		func(a *App) {
			a.SetView(views["attract"])
			a.openStaff()
		},
		func(a *App) {
			a.staff.screen = "menu"
			a.rebuild = true
		},
	)
	return r
}

// Step draws the next screen and reports whether all have been drawn. It costs what showing that
// screen for the first time would have cost; call it from the game loop, once a frame while
// nothing else is shown.
func (r *Rehearsal) Step() bool {
	if len(r.steps) == 0 {
		return true
	}
	r.steps[0](r.app)
	r.steps = r.steps[1:]
	r.app.build()
	r.app.frame.Draw(r.dst, r.app.touch, 0)
	// Ebiten sends its commands to the renderer only when a frame is presented or pixels are
	// read: read one, so this screen's work is done now and not in the next frame shown.
	var px [4]byte
	r.dst.SubImage(image.Rect(0, 0, 1, 1)).(*ebiten.Image).ReadPixels(px[:])
	done := len(r.steps) == 0
	if done {
		r.dst.Deallocate()
		r.app.dropPreviews()
	}
	return done
}
