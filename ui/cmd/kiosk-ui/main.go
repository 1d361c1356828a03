// Command kiosk-ui is the citizen's touchscreen: it draws the session view kioskd publishes on its
// local API and posts the citizen's taps back. It opens no device and needs no network.
//
//	kiosk-ui [--socket /run/tramso/kiosk.sock] [--portrait] [--large-text] [--high-contrast]
//	         [--screenshot-dir DIR] [--windowed]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/png"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/tramso/tramso/kiosk/api/client"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/ui/screens"
	"github.com/tramso/tramso/ui/theme"
	"github.com/tramso/tramso/ui/widget"
)

func main() {
	socket := flag.String("socket", "/run/tramso/kiosk.sock", "kioskd's local API socket")
	portrait := flag.Bool("portrait", false, "portrait screen (1080×1920)")
	shots := flag.String("screenshot-dir", "", "write a PNG of every distinct screen shown into this directory")
	large := flag.Bool("large-text", false, "text 1.3× larger")
	contrast := flag.Bool("high-contrast", false, "black, white and yellow")
	windowed := flag.Bool("windowed", false, "a window instead of full screen (development)")
	regular := flag.String("font", theme.RegularFont, "Noto Sans Regular (fonts-noto-core)")
	bold := flag.String("font-bold", theme.BoldFont, "Noto Sans Bold (fonts-noto-core)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile to this file until exit (diagnostics)")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
			sig := make(chan os.Signal, 1)
			signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
			go func() { <-sig; pprof.StopCPUProfile(); f.Close(); os.Exit(0) }()
		}
	}

	th, err := theme.Load(*regular, *bold, theme.Options{LargeText: *large, HighContrast: *contrast})
	if err != nil {
		slog.Error("kiosk-ui", "err", err)
		os.Exit(1)
	}
	if *shots != "" {
		if err := os.MkdirAll(*shots, 0o755); err != nil {
			slog.Error("kiosk-ui: thư mục ảnh chụp màn hình (screenshot dir)", "err", err)
			os.Exit(1)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	g := newGame(ctx, client.New(*socket), th, *portrait, *shots)

	w, h := g.app.Size()
	ebiten.SetWindowTitle("tramso")
	ebiten.SetScreenClearedEveryFrame(false)
	ebiten.SetRunnableOnUnfocused(true)
	if *windowed {
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
}

type preview struct {
	doc, page int
	img       image.Image
}

// game is the Ebiten game: the App plus the channels to the API goroutines.
type game struct {
	app     *screens.App
	events  chan event
	actions chan wire.Action
	shots   string
	shot    string // name of the last screen written
	canvas  *ebiten.Image
}

func newGame(ctx context.Context, c *client.Client, th *theme.Theme, portrait bool, shots string) *game {
	g := &game{events: make(chan event, 16), actions: make(chan wire.Action, 8), shots: shots}
	g.app = screens.New(th, portrait, func(a wire.Action) {
		select {
		case g.actions <- a:
		default: // a burst of taps: drop, the citizen taps again
		}
	})
	go g.watch(ctx, c)
	go g.post(ctx, c)
	return g
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
					if img, err := c.Preview(ctx, v.Current, page); err == nil {
						fetched[k] = true
						g.send(ctx, event{preview: &preview{v.Current, page, img}})
					}
				}
			}
		}
	}
}

// post sends the citizen's actions; a refused one is shown, a stale one (409) ignored.
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
	}
}

// Update takes what the API goroutines sent, without waiting, then the finger.
func (g *game) Update() error {
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
	changed := g.app.Update(widget.Pointer{X: x, Y: y, Down: down})
	if !changed && !down && !g.app.Dirty() {
		// Nothing to show and no finger on the glass: rest, so an idle kiosk does not redraw and
		// present frames as fast as the GPU (or software renderer) allows. A tap is seen within
		// idleFrame; frames resume at full rate as soon as something changes.
		time.Sleep(idleFrame)
	}
	return nil
}

// idleFrame is the pause between ticks while nothing changes on screen.
const idleFrame = 50 * time.Millisecond

// Draw redraws only when something changed; the screen is not cleared between frames.
func (g *game) Draw(screen *ebiten.Image) {
	if !g.app.Dirty() && g.canvas != nil {
		return
	}
	g.app.Draw(screen)
	if g.canvas == nil {
		g.canvas = screen
	}
	if g.shots != "" {
		g.screenshot(screen)
	}
}

func (g *game) screenshot(screen *ebiten.Image) {
	name := g.app.Name()
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
