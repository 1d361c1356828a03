// Command kiosk-ui is the citizen's touchscreen: it draws the session view kioskd publishes on its
// local API and posts the citizen's taps back. It opens no device and needs no network.
//
//	kiosk-ui [--socket /run/tramso/kiosk.sock] [--portrait] [--large-text] [--high-contrast]
//	         [--speech [--speech-dir DIR]] [--screenshot-dir DIR] [--windowed] [--frame-log FILE]
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/png"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"syscall"
	"time"

	xdraw "golang.org/x/image/draw"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/tramso/tramso/internal/lowprio"
	"github.com/tramso/tramso/kiosk/api/client"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/ui/cmd/kiosk-ui/internal/startup"
	"github.com/tramso/tramso/ui/screens"
	"github.com/tramso/tramso/ui/speech"
	"github.com/tramso/tramso/ui/theme"
	"github.com/tramso/tramso/ui/widget"
)

func main() {
	opt := startup.Define(flag.CommandLine, theme.RegularFont, theme.BoldFont)
	flag.Parse()
	start := time.Now()
	if os.Getenv("LP_NUM_THREADS") == "" {
		// Mesa's software renderer (llvmpipe, no GPU): more rasteriser threads than cores finish a
		// frame sooner when other work holds a core. A GPU driver ignores it.
		os.Setenv("LP_NUM_THREADS", strconv.Itoa(max(4, 2*runtime.NumCPU())))
	}
	if opt.CPUProfile != "" {
		f, err := os.Create(opt.CPUProfile)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
			sig := make(chan os.Signal, 1)
			signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
			go func() { <-sig; pprof.StopCPUProfile(); f.Close(); os.Exit(0) }()
		}
	}

	th, err := theme.Load(opt.Regular, opt.Bold, theme.Options{LargeText: opt.Large, HighContrast: opt.Contrast})
	if err != nil {
		slog.Error("kiosk-ui", "err", err)
		os.Exit(1)
	}
	if _, err := exec.LookPath("glxinfo"); err != nil {
		// Ebiten asks glxinfo whether GLX can make its context, and uses EGL when it cannot tell;
		// with Mesa's software renderer EGL sends every frame through the X socket.
		slog.Warn("kiosk-ui: thiếu glxinfo, màn hình vẽ chậm hơn khi không có GPU (glxinfo missing: frames are presented through EGL, slower with software rendering; install mesa-utils)")
	}
	if opt.Shots != "" {
		if err := os.MkdirAll(opt.Shots, 0o755); err != nil {
			slog.Error("kiosk-ui: thư mục ảnh chụp màn hình (screenshot dir)", "err", err)
			os.Exit(1)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	g := newGame(ctx, opt.Socket, th, opt.Portrait, opt.Shots)
	if opt.Speak {
		sp, err := speech.New(speech.Options{Output: opt.SpeechDir})
		if err != nil {
			slog.Warn("kiosk-ui: không có hướng dẫn bằng giọng nói (no spoken guidance)", "err", err)
		} else {
			defer sp.Close()
			g.speaker = sp
		}
	}
	if opt.FrameLog != "" {
		f, err := os.Create(opt.FrameLog)
		if err != nil {
			slog.Error("kiosk-ui: frame log", "err", err)
			os.Exit(1)
		}
		defer f.Close()
		g.frames = &frameLogger{w: bufio.NewWriter(f), start: start}
		defer g.frames.w.Flush()
	}

	w, h := g.app.Size()
	ebiten.SetWindowTitle("tramso")
	ebiten.SetScreenClearedEveryFrame(false)
	// Frames are paced by the game itself (pace): no waiting for the display's refresh in
	// SwapBuffers, which with software rendering is a sleep inside every frame presented.
	ebiten.SetVsyncEnabled(false)
	ebiten.SetRunnableOnUnfocused(true)
	if opt.Windowed {
		ebiten.SetWindowSize(w/2, h/2)
		ebiten.SetWindowResizingMode(ebiten.WindowResizingModeEnabled)
	} else {
		ebiten.SetFullscreen(true)
		ebiten.SetWindowDecorated(false)
		ebiten.SetCursorMode(ebiten.CursorModeHidden)
		ebiten.SetWindowClosingHandled(true)
	}
	if err := ebiten.RunGame(g); err != nil && !errors.Is(err, ebiten.Termination) {
		slog.Error("kiosk-ui", "err", err)
		os.Exit(1)
	}
}

// event is what the API goroutines hand to the game loop.
type event struct {
	view    *wire.View
	offline bool
	problem string
	preview *preview
	staff   *screens.StaffResult
}

type preview struct {
	doc, page int
	img       image.Image
}

// game is the Ebiten game: the App plus the channels to the API goroutines.
type game struct {
	app       *screens.App
	events    chan event
	wake      chan struct{} // poked after each event, to end a rest early
	actions   chan wire.Action
	shots     string
	shot      string // name of the last screen written
	canvas    *ebiten.Image
	frames    *frameLogger
	rested    time.Duration // how long the last frame rested (pace): the next one comes that late on purpose
	drawn     time.Time     // when the last Draw returned
	updated   time.Time     // when this frame's Update began
	present   time.Duration // from the last Draw's return to this Update: Ebiten's flush and present
	down      bool          // a finger is on the glass
	speaker   *speech.Speaker
	spoken    string // the screen whose guidance was last said
	glyphs    *theme.Glyphs
	rehearsal *screens.Rehearsal // until every screen has been drawn once
	warmed    chan struct{}      // closed once glyphs are warm
	ticks     int
}

// frameLogger writes a line per frame: "frame MS_SINCE_START MS_SINCE_LAST_FRAME MS_DRAWING DREW
// MS_RESTED SCREEN MS_PRESENT MS_UPDATE". DREW is 1 when the frame drew something, MS_RESTED how long
// the frame before it rested on purpose (pace), SCREEN the screen's name, MS_PRESENT the time from the
// last frame's Draw to this frame's Update (Ebiten flushing and presenting the last frame), MS_UPDATE
// the time in Update. The frame's own time is the time since the last frame less the rest. The first
// frame that drew is also written as "first-frame MS_SINCE_START SCREEN", and the end of the start-up
// rehearsal as "warm MS_SINCE_START". Written from the game loop into a buffer, flushed on every new
// screen and once a second.
type frameLogger struct {
	w           *bufio.Writer
	start, last time.Time
	flushed     time.Time
	first       bool
	screen      string // the last screen drawn
}

func (l *frameLogger) frame(began time.Time, drew bool, rested, present, update time.Duration, screen string) {
	now := time.Now()
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	gap := 0.0
	if !l.last.IsZero() {
		gap = ms(began.Sub(l.last))
	}
	l.last = began
	bit := func(b bool) int {
		if b {
			return 1
		}
		return 0
	}
	fmt.Fprintf(l.w, "frame %.1f %.2f %.2f %d %.1f %s %.2f %.2f\n", ms(began.Sub(l.start)), gap, ms(now.Sub(began)), bit(drew), ms(rested), screen, ms(present), ms(update))
	if drew && !l.first {
		l.first = true
		fmt.Fprintf(l.w, "first-frame %.1f %s\n", ms(now.Sub(l.start)), screen)
	}
	if (drew && screen != l.screen) || now.Sub(l.flushed) > time.Second {
		if drew {
			l.screen = screen
		}
		l.w.Flush()
		l.flushed = now
	}
}

// warm notes that the rehearsal (screens.Rehearsal) is over: "warm MS_SINCE_START".
func (l *frameLogger) warm(now time.Time) {
	fmt.Fprintf(l.w, "warm %.1f\n", float64(now.Sub(l.start))/float64(time.Millisecond))
}

func newGame(ctx context.Context, socket string, th *theme.Theme, portrait bool, shots string) *game {
	g := &game{events: make(chan event, 16), wake: make(chan struct{}, 1), actions: make(chan wire.Action, 8), shots: shots,
		glyphs: th.Glyphs(), warmed: make(chan struct{}), rehearsal: screens.NewRehearsal(th, portrait)}
	g.app = screens.New(th, portrait, func(a wire.Action) {
		select {
		case g.actions <- a:
		default: // a burst of taps: drop, the citizen taps again
		}
	})
	staff := make(chan screens.StaffRequest, 1)
	g.app.SetStaffPort(func(r screens.StaffRequest) {
		select {
		case staff <- r:
		default: // one at a time: the screen shows the call in flight
		}
	})
	c := client.New(socket)
	go g.watch(ctx, c)
	go g.post(ctx, c)
	go g.staff(ctx, socket, staff)
	return g
}

// staff makes the staff screens' calls on a client of its own (its session token is the staff's).
func (g *game) staff(ctx context.Context, socket string, reqs <-chan screens.StaffRequest) {
	c := client.New(socket)
	for {
		var r screens.StaffRequest
		select {
		case <-ctx.Done():
			return
		case r = <-reqs:
		}
		res := screens.StaffResult{Kind: r.Kind}
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		var err error
		switch r.Kind {
		case screens.StaffLogin:
			err = c.StaffLogin(cctx, r.PIN)
		case screens.StaffLogout:
			c.StaffLogout(cctx)    // ends the session on kioskd too
			c = client.New(socket) // forget the token
		case screens.StaffDossiers:
			err = c.Staff(cctx, http.MethodGet, "dossiers", &res.Dossiers)
		case screens.StaffDevices:
			err = c.Staff(cctx, http.MethodGet, "devices", &res.Devices)
		case screens.StaffReprint:
			var out struct {
				DossierCode string `json:"dossierCode"`
			}
			if err = c.Staff(cctx, http.MethodPost, fmt.Sprintf("dossiers/%d/reprint", r.ID), &out); err == nil {
				res.Note = "Đã in lại biên nhận " + out.DossierCode + " (receipt reprinted)"
			}
		case screens.StaffRetry:
			if err = c.Staff(cctx, http.MethodPost, fmt.Sprintf("dossiers/%d/retry", r.ID), nil); err == nil {
				res.Note = "Hồ sơ sẽ được gửi lại (queued to resend)"
			}
		case screens.StaffTestPage:
			if err = c.Staff(cctx, http.MethodPost, "printer/test", nil); err == nil {
				res.Note = "Đã in trang thử (test page printed)"
			}
		case screens.StaffSelfTest:
			res.Checks, err = c.SelfTest(cctx)
		}
		cancel()
		if err != nil {
			res.Err = staffError(err)
		}
		g.send(ctx, event{staff: &res})
	}
}

// staffError words a failed staff call for the screen.
func staffError(err error) string {
	var p *client.Problem
	switch {
	case errors.As(err, &p) && p.Detail != "":
		return p.Detail
	case errors.Is(err, client.ErrUnavailable):
		return "Không kết nối được kioskd (kioskd unreachable)"
	}
	return err.Error()
}

// watch streams views from kioskd (reconnecting) and fetches the page previews they need.
func (g *game) watch(ctx context.Context, c *client.Client) {
	views, errs := make(chan wire.View), make(chan error, 1)
	go c.Watch(ctx, views, errs)
	fetched := map[[3]string]bool{}
	for {
		select {
		case <-ctx.Done():
			return
		case err := <-errs:
			slog.Warn("kiosk-ui: mất kết nối kioskd (lost kioskd)", "err", err)
			g.send(ctx, event{offline: true})
		case v := <-views:
			g.send(ctx, event{view: &v})
			if v.State == wire.Documents && v.Step == wire.StepPreview && v.Current < len(v.Documents) {
				page := max(v.Documents[v.Current].Pages-1, 0)
				k := [3]string{v.Session, fmt.Sprint(v.Current), fmt.Sprint(page)}
				if !fetched[k] {
					// Decoding and scaling the page is heavy: below the drawing's priority.
					var img *image.RGBA
					lowprio.Run(func() {
						if p, err := c.Preview(ctx, v.Current, page); err == nil {
							img = forScreen(p)
						}
					})
					if img != nil {
						fetched[k] = true
						g.send(ctx, event{preview: &preview{v.Current, page, img}})
					}
				}
			}
		}
	}
}

// previewSide is the longest side a page preview is shown at (it fits the preview box of both
// orientations).
const previewSide = 1000

// forScreen scales a page preview down to previewSide and turns it into RGBA here, beside the game
// loop: handed to the loop as it comes (grey, 1000×1414) it would cost the loop a conversion pixel
// by pixel and a bigger upload, a visible hitch.
func forScreen(img image.Image) *image.RGBA {
	b := img.Bounds()
	s := min(1, float64(previewSide)/float64(max(b.Dx(), b.Dy())))
	dst := image.NewRGBA(image.Rect(0, 0, max(1, int(float64(b.Dx())*s)), max(1, int(float64(b.Dy())*s))))
	xdraw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, b, xdraw.Src, nil)
	return dst
}

// post sends the citizen's actions; a refused one is shown, a stale one (409) only brings the
// current view.
func (g *game) post(ctx context.Context, c *client.Client) {
	for {
		select {
		case <-ctx.Done():
			return
		case a := <-g.actions:
			v, err := c.Do(ctx, a)
			var p *client.Problem
			switch {
			case err == nil:
				g.send(ctx, event{view: &v})
			case errors.As(err, &p) && p.Status == 422:
				g.send(ctx, event{problem: p.Detail})
			case errors.Is(err, client.ErrStale):
				// Made on a screen that had already changed: nothing was applied; show the current one.
				slog.Info("kiosk-ui: thao tác trên màn hình cũ bị từ chối (stale action refused)", "action", a.Action)
				if cur, ok := client.StaleView(err); ok {
					g.send(ctx, event{view: &cur})
				}
			case errors.As(err, &p):
				slog.Info("kiosk-ui: thao tác bị từ chối (action refused)", "action", a.Action, "status", p.Status)
			default:
				g.send(ctx, event{offline: true})
			}
		}
	}
}

func (g *game) send(ctx context.Context, e event) {
	select {
	case g.events <- e:
	case <-ctx.Done():
		return
	}
	select {
	case g.wake <- struct{}{}: // end a rest: the new view is drawn at once
	default:
	}
}

// Update takes what the API goroutines sent, without waiting, then the finger.
func (g *game) Update() error {
	g.updated = time.Now()
	if !g.drawn.IsZero() {
		g.present = g.updated.Sub(g.drawn)
	}
	for {
		select {
		case e := <-g.events:
			switch {
			case e.view != nil:
				g.app.SetView(*e.view)
			case e.offline:
				g.app.SetOffline()
			case e.preview != nil:
				g.app.SetPreview(e.preview.doc, e.preview.page, e.preview.img)
			case e.staff != nil:
				g.app.SetStaffResult(*e.staff)
			default:
				g.app.SetProblem(e.problem)
			}
			continue
		default:
		}
		break
	}
	x, y := ebiten.CursorPosition()
	down := ebiten.IsMouseButtonPressed(ebiten.MouseButtonLeft)
	g.app.Update(widget.Pointer{X: x, Y: y, Down: down})
	g.down = down
	g.ticks++
	if g.ticks%keepGlyphs == 0 && closed(g.warmed) {
		g.glyphs.Keep()
	}
	if g.speaker != nil {
		if name := g.app.Name(); name != g.spoken {
			g.spoken = name
			g.speaker.Say(g.app.Guidance()) // never blocks: the speaker has its own goroutine
		}
	}
	return nil
}

// keepGlyphs is how often (in ticks) the warmed glyphs are marked used: Ebiten forgets glyphs unused
// for 60 ticks.
const keepGlyphs = 30

// closed reports whether c is closed, without waiting.
func closed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// idleFrame is how long a frame rests when nothing is to be shown and no finger is on the glass.
// An idle kiosk then presents nothing and wakes fifteen times a second instead of sixty; a tap is
// seen within a frame (Ebiten keeps a press made between two polls) and frames run at full rate
// while a finger is down. An animated screen rests until its next step (screens.AnimationStep), so
// each frame is one step: with software rendering every frame presented costs a copy of the
// whole screen, and Ebiten presents a few frames more after each change.
const idleFrame = 50 * time.Millisecond

// attractFrame is how long a frame rests on the still attract screen once the start-up rehearsal is
// over: the kiosk spends most of its day there, and every wake costs Ebiten's loop (events, timers)
// even when nothing is presented. A tap is still kept between two polls, and is seen within 0.1 s.
const attractFrame = 100 * time.Millisecond

// busyFrame is the shortest frame while a finger is on the glass or the screen keeps changing:
// sixty a second, as the display shows them.
const busyFrame = time.Second / 60

// pace rests after a frame begun at began as idleFrame and busyFrame say, and returns how long it
// slept.
func (g *game) pace(began time.Time) time.Duration {
	rest := busyFrame - time.Since(began)
	if !g.down && !g.app.Dirty() {
		rest = idleFrame
		if g.rehearsal == nil && g.app.View().State == wire.Attract && !g.app.Animated() {
			rest = attractFrame
		}
		if g.app.Animated() {
			rest = g.app.NextStep()
		}
	}
	if rest <= 0 {
		return 0
	}
	t := time.Now()
	timer := time.NewTimer(rest)
	select {
	case <-timer.C:
	case <-g.wake: // something came from kioskd: show it now
		timer.Stop()
	}
	return time.Since(t) // as slept: the frame log counts the frame's own time without it
}

// Draw redraws only when something changed; the screen is not cleared between frames.
func (g *game) Draw(screen *ebiten.Image) {
	began := time.Now()
	defer func() { g.drawn = time.Now() }()
	if !g.app.Dirty() && g.canvas != nil {
		g.rehearse(began)
		if g.frames != nil {
			g.frames.frame(began, false, g.rested, g.present, began.Sub(g.updated), g.app.Name())
		}
		g.rested = g.pace(began)
		return
	}
	g.app.Draw(screen)
	if g.frames != nil {
		g.frames.frame(began, true, g.rested, g.present, began.Sub(g.updated), g.app.Name())
	}
	if g.canvas == nil {
		g.canvas = screen
		// Once the first screen is up, render the letters of every face beside the game loop, so no
		// screen shown later rasterises its text in the frame that shows it (theme.Glyphs).
		go func() {
			t := time.Now()
			lowprio.Run(g.glyphs.Warm)
			close(g.warmed)
			slog.Info("kiosk-ui: glyphs warm", "took", time.Since(t).Round(time.Millisecond))
		}()
	}
	if g.shots != "" {
		g.screenshot(screen)
	}
	if g.app.Animated() {
		// The attract screen animates while someone is near: its steps are small, and without this
		// the rehearsal would wait for a still frame that never comes.
		g.rehearse(began)
	}
	g.rested = g.pace(began)
}

// rehearse draws the next screen of the start-up rehearsal while the attract screen waits untouched
// and the letters are warm, and logs "warm" once every screen has been drawn.
func (g *game) rehearse(began time.Time) {
	if g.rehearsal == nil || g.down || g.app.View().State != wire.Attract || !closed(g.warmed) {
		return
	}
	if g.rehearsal.Step() {
		g.rehearsal = nil
		if g.frames != nil {
			g.frames.warm(began)
		}
	}
}

func (g *game) screenshot(screen *ebiten.Image) {
	name := g.app.Name()
	if g.app.PageShown() {
		name += "-page" // the preview screen again, once the page is drawn on it
	}
	if name == g.shot {
		return
	}
	g.shot = name
	b := screen.Bounds()
	img := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	screen.ReadPixels(img.Pix)
	go func() {
		path := filepath.Join(g.shots, name+".png")
		f, err := os.Create(path)
		if err == nil {
			err = errors.Join(png.Encode(f, img), f.Close())
		}
		if err != nil {
			slog.Warn("kiosk-ui: không ghi được ảnh màn hình (cannot write screenshot)", "err", err)
		}
	}()
}

func (g *game) Layout(int, int) (int, int) { return g.app.Size() }

// DrawFinalScreen puts the drawn screen on the window. It replaces every pixel (the screen is
// opaque), so it copies instead of blending: with software rendering every frame presented pays for
// this pass, and a blend would read the window's pixels first.
func (g *game) DrawFinalScreen(screen ebiten.FinalScreen, offscreen *ebiten.Image, geoM ebiten.GeoM) {
	screen.DrawImage(offscreen, &ebiten.DrawImageOptions{GeoM: geoM, Blend: ebiten.BlendCopy})
}
