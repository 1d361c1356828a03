// Package screens draws kioskd's session view for the citizen and turns taps into actions. The App
// holds the current view plus the little local state a screen needs (the keyboard being typed on,
// the field being edited, scroll positions, page previews); the session itself lives in kioskd.
package screens

import (
	"fmt"
	"image"
	"math"
	"strings"
	"time"

	"github.com/hajimehoshi/ebiten/v2"
	"golang.org/x/text/unicode/norm"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/ui/theme"
	"github.com/tramso/tramso/ui/widget"
)

// Screen sizes in logical pixels.
const (
	Long  = 1920
	Short = 1080
)

// TPS is the number of Update calls per second the App expects (Ebiten's default).
const TPS = 60

// App is the citizen's touchscreen: it builds the frame of the current view and feeds it the finger.
// Use it from the game loop only.
type App struct {
	th   *theme.Theme
	w, h int
	send func(wire.Action)

	view      wire.View
	online    bool
	connected bool      // kioskd has been reached at least once
	problem   string    // the last refused action's reason, until the next view
	viewAt    time.Time // when the view arrived (idle countdown)
	now       func() time.Time
	tick      int
	previews  map[[2]int]*ebiten.Image
	offsets   map[string]float64
	edit      *editor
	searching *widget.Keyboard
	staff     *staffState
	staffPort func(StaffRequest)
	qr        *qrShown  // the QR code on screen (payment, queue ticket)
	svc       *svcState // the citizen services' local state (typing a code, a comment, a contact)

	frame   *widget.Frame
	touch   *widget.Touch
	shown   widget.Drawn // what shownOn shows: the next frame redraws only what differs
	shownOn *ebiten.Image
	rebuild bool
	redraw  bool      // the whole screen
	animate bool      // the animated parts only
	drawnAt time.Time // when the screen was last drawn (animation steps)
}

// editor is the field (or typed ID) being entered.
type editor struct {
	key    string // field key; "" for the ID number
	label  string
	kind   string // text, number, date, choice
	kb     *widget.Keyboard
	choice []string
	// A long choice list can be searched: find is the keyboard while typing, query what was found.
	find  *widget.Keyboard
	query string
}

// New returns an App of a landscape (or portrait) screen that posts the citizen's actions with send.
// send must not block (queue the action for the API goroutine).
func New(th *theme.Theme, portrait bool, send func(wire.Action)) *App {
	a := &App{th: th, w: Long, h: Short, send: send, previews: map[[2]int]*ebiten.Image{},
		offsets: map[string]float64{}, touch: widget.NewTouch(), rebuild: true, now: time.Now}
	if portrait {
		a.w, a.h = Short, Long
	}
	return a
}

// Size is the logical screen size.
func (a *App) Size() (int, int) { return a.w, a.h }

// SetView shows a new session view. Local state (an open keyboard, previews) is dropped when the
// session, state or step changes.
//
// A view older than the one shown (a lower Seq of the same session, e.g. the answer to an action
// arriving after the event stream already brought the next view) is ignored: going back to it
// would offer buttons for a step that is over.
func (a *App) SetView(v wire.View) {
	old := a.view
	if a.online && v.Session == old.Session && v.Seq > 0 && v.Seq < old.Seq {
		return
	}
	if !a.online || v.Session != old.Session || v.State != old.State || v.Step != old.Step {
		a.edit, a.searching, a.svc = nil, nil, nil
		a.touch = widget.NewTouch()
	}
	if v.Session != old.Session {
		a.dropPreviews()
		clear(a.offsets)
	}
	if v.State == wire.Documents && v.Current != old.Current {
		a.offsets["preview"] = 0
	}
	if a.staff != nil && v.State != wire.Attract && v.State != "" {
		a.closeStaff() // a citizen started (a QR code shown): their session comes first
	}
	a.view, a.online, a.connected, a.problem = v, true, true, ""
	a.viewAt = a.now()
	a.rebuild = true
}

// SetOffline shows that kioskd cannot be reached; the next view clears it.
func (a *App) SetOffline() {
	if a.online || a.frame == nil {
		a.online = false
		a.rebuild = true
	}
}

// SetProblem shows why kioskd refused the last action (Vietnamese first).
func (a *App) SetProblem(detail string) {
	a.problem = detail
	a.rebuild = true
}

// SetPreview gives the App a scanned page of the current session for the preview screen.
func (a *App) SetPreview(doc, page int, img image.Image) {
	k := [2]int{doc, page}
	if old := a.previews[k]; old != nil {
		old.Deallocate()
	}
	// A texture of its own: on one of Ebiten's atlases, a page grew the atlas now and then, and the
	// frame that did so copied the whole atlas (68 ms with software rendering while OCR ran).
	a.previews[k] = ebiten.NewImageFromImageWithOptions(img, &ebiten.NewImageFromImageOptions{Unmanaged: true})
	a.rebuild = true
}

// dropPreviews frees the page previews' textures.
func (a *App) dropPreviews() {
	for _, img := range a.previews {
		img.Deallocate()
	}
	clear(a.previews)
}

// View is the view being shown.
func (a *App) View() wire.View { return a.view }

// Online reports whether kioskd is reachable.
func (a *App) Online() bool { return a.online }

// Update advances one tick with the finger's state; it reports whether Draw would show something new.
func (a *App) Update(p widget.Pointer) bool {
	a.tick++
	if s := a.staff; s != nil {
		if p.Down {
			s.lastTap = a.now()
		} else if a.now().Sub(s.lastTap) > StaffIdle {
			a.closeStaff()
		}
	}
	if a.rebuild {
		a.build()
	}
	if a.frame.Handle(p, a.touch) {
		a.redraw = true
	}
	if a.rebuild {
		a.build()
	}
	// Animations and the idle countdown redraw their own rectangles ten times a second.
	if a.frame.Animated && a.NextStep() == 0 {
		a.animate = true
	}
	return a.redraw || a.animate
}

// Dirty reports whether the screen must be redrawn, in whole or in its animated parts.
func (a *App) Dirty() bool { return a.redraw || a.rebuild || a.animate }

// Animated reports whether the screen shows an animation.
func (a *App) Animated() bool { return a.frame != nil && a.frame.Animated }

// AnimationStep is the time between two steps of an animation (spinners, the card and paper
// pictures, the idle countdown): ten a second.
const AnimationStep = 100 * time.Millisecond

// NextStep is how long until the animation's next step is due (0: now); for a screen without
// animation it is AnimationStep.
func (a *App) NextStep() time.Duration {
	if !a.Animated() {
		return AnimationStep
	}
	return max(0, AnimationStep-a.now().Sub(a.drawnAt))
}

// Draw draws the screen onto dst (a.Size() logical pixels). dst must hold the previous frame when
// only the animated parts changed: they alone are redrawn then.
func (a *App) Draw(dst *ebiten.Image) {
	if a.rebuild || a.frame == nil {
		a.build()
	}
	if dst != a.shownOn {
		a.shown, a.shownOn = widget.Drawn{}, dst
	}
	if a.redraw || !a.animate {
		a.shown = a.frame.DrawOver(dst, a.shown, a.touch, a.tick)
	} else {
		a.frame.DrawAnimated(dst, a.touch, a.tick)
	}
	a.redraw, a.animate, a.drawnAt = false, false, a.now()
}

// Frame is the current frame (for tests: its buttons and texts).
func (a *App) Frame() *widget.Frame {
	if a.rebuild || a.frame == nil {
		a.build()
	}
	return a.frame
}

// PageShown reports whether the preview screen is up with the page the citizen is asked to accept
// drawn on it (until then its accept does nothing).
func (a *App) PageShown() bool {
	return a.view.State == wire.Documents && a.view.Step == wire.StepPreview && a.previewShown()
}

// Name names the screen shown: state, step, message code, overlays and open editors; the screenshot
// files are named by it.
func (a *App) Name() string {
	if !a.online && !a.connected {
		return "starting"
	}
	if !a.online {
		return "offline"
	}
	if a.staff != nil {
		return "staff-" + a.staff.screen
	}
	v := a.view
	parts := []string{string(v.State)}
	if v.Step != "" {
		parts = append(parts, string(v.Step))
	}
	if v.Message != nil && v.Message.Code != "" {
		parts = append(parts, v.Message.Code)
	}
	switch {
	case a.edit != nil && a.edit.find != nil:
		parts = append(parts, "edit-"+a.edit.kind+"-search")
	case a.edit != nil:
		parts = append(parts, "edit-"+a.edit.kind)
	case a.searching != nil:
		parts = append(parts, "search")
	case a.svc != nil && a.svc.typing != "":
		parts = append(parts, "type-"+a.svc.typing)
	case a.svc != nil && a.svc.checklist:
		parts = append(parts, "checklist")
	}
	if a.problem != "" {
		parts = append(parts, "problem")
	}
	if v.IdleWarning {
		parts = append(parts, "idle")
	}
	return strings.Join(parts, "-")
}

// act returns the tap handler of a button that posts the action name with value. The action names
// the view the button is built on, the one the citizen sees it on, so kioskd refuses it (409) when
// the session has moved on before the tap arrives instead of applying it to another step.
func (a *App) act(name wire.ActionName, value string) func() {
	v := a.view
	return func() { a.send(wire.ActionOn(v, name, norm.NFC.String(value))) }
}

// setField posts a field's new value, made on the view shown.
func (a *App) setField(key, value string) {
	act := wire.ActionOn(a.view, wire.ActSetField, value)
	act.Key = key
	a.send(act)
}

func (a *App) changed() { a.rebuild = true }

// build makes the frame of the current view and local state.
func (a *App) build() {
	a.rebuild, a.redraw = false, true
	f := widget.NewFrame(a.th, a.w, a.h, a.offsets)
	a.frame = f
	if !a.online {
		a.offline(f)
		return
	}
	if a.staff != nil {
		a.staffScreen(f)
		return
	}
	switch a.view.State {
	case wire.Attract, "":
		a.attract(f)
	case wire.Identify:
		a.identify(f)
	case wire.ChooseProcedure:
		a.choose(f)
	case wire.Documents:
		a.documents(f)
	case wire.Review:
		a.review(f)
	case wire.Consent:
		a.consent(f)
	case wire.Submitting:
		a.submitting(f)
	case wire.Receipt, wire.Done:
		a.receipt(f)
	case wire.Tracker:
		a.tracker(f)
	case wire.Queue:
		a.queue(f)
	case wire.Rating:
		a.rating(f)
	case wire.Payment:
		a.payment(f)
	default:
		a.offline(f)
	}
	if a.view.IdleWarning {
		a.idle(f)
	}
}

// secondsLeft is the idle countdown, counted down locally since the view arrived.
func (a *App) secondsLeft() int {
	left := a.view.IdleSecondsLeft - int(a.now().Sub(a.viewAt)/time.Second)
	return max(left, 0)
}

// spinner draws a ring of dots turning, for waits.
func spinner(th *theme.Theme) func(dst *ebiten.Image, r image.Rectangle, tick int) {
	return func(dst *ebiten.Image, r image.Rectangle, tick int) {
		cx, cy := float64(r.Min.X+r.Dx()/2), float64(r.Min.Y+r.Dy()/2)
		rad := float64(min(r.Dx(), r.Dy())) / 2 * 0.8
		head := (tick / 6) % 12
		for i := range 12 {
			ang := float64(i) * math.Pi / 6
			c := th.Border
			if (head-i+12)%12 < 3 {
				c = th.Accent
			}
			fillCircle(th, dst, cx+rad*math.Cos(ang), cy+rad*math.Sin(ang), rad/6, c)
		}
	}
}

func pct(p float64) string { return fmt.Sprintf("%d%%", int(math.Round(p*100))) }
