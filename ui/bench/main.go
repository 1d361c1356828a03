// Command bench measures the touchscreen against its targets on this machine, with the real
// programs: kioskd --sim, kiosk-ui under an Xvfb of its own (software rendering), and a scripted
// citizen (kioskctl demo). It reports
//
//   - the time from starting kiosk-ui to its first frame, and to the attract screen (target < 1.5 s);
//   - the CPU kiosk-ui uses on the idle attract screen (target < 2 % of one core);
//   - frame times while kioskd digitises a dossier on every core (target: no frame over 50 ms).
//
// Run it with `make bench-ui` (it builds the programs first). With KEEP=1 in the environment the
// working folder (logs, kiosk-ui's frame logs) is kept and named at the end.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tramso/tramso/internal/xvfb"
	"github.com/tramso/tramso/kiosk/api/client"
	"github.com/tramso/tramso/kiosk/api/wire"
)

func main() {
	bin := flag.String("bin", "bin", "folder with kioskd, kiosk-ui and kioskctl")
	runs := flag.Int("runs", 5, "kiosk-ui starts to time")
	idle := flag.Duration("idle", 10*time.Second, "how long to measure the idle attract screen")
	pages := flag.Int("pages", 4, "sheets of each document in the digitised dossier")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	if err := run(ctx, *bin, *runs, *idle, *pages); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, bin string, runs int, idle time.Duration, pages int) error {
	dir, err := os.MkdirTemp("", "tramso-uibench")
	if err != nil {
		return err
	}
	defer func() {
		if os.Getenv("KEEP") == "" {
			os.RemoveAll(dir)
		} else {
			fmt.Println("kept", dir)
		}
	}()
	display, stopX, err := xvfb.Start(ctx)
	if err != nil {
		return err
	}
	defer stopX()
	socket := filepath.Join(dir, "sim", "kiosk.sock")
	kioskd := exec.Command(filepath.Join(bin, "kioskd"), "--sim", "--sim-dir", filepath.Join(dir, "sim"))
	kioskd.Stdout, kioskd.Stderr = logFile(dir, "kioskd.log"), logFile(dir, "kioskd.log")
	if err := kioskd.Start(); err != nil {
		return err
	}
	defer stop(kioskd)
	c := client.New(socket)
	wctx, wcancel := context.WithTimeout(ctx, time.Minute)
	_, err = c.WaitFor(wctx, func(v wire.View) bool { return v.State == wire.Attract })
	wcancel()
	if err != nil {
		return fmt.Errorf("kioskd --sim not ready: %w", err)
	}
	fmt.Printf("machine: %d cores, %s/%s; kiosk-ui 1920×1080 under Xvfb (software GL)\n\n", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)

	// 1. Start to first frame.
	var first, attract []float64
	for i := range runs {
		ui, err := startUI(bin, display, socket, filepath.Join(dir, fmt.Sprintf("start-%d.log", i)))
		if err != nil {
			return err
		}
		f, a, err := ui.waitAttract(ctx, 30*time.Second)
		ui.stop()
		if err != nil {
			return err
		}
		first, attract = append(first, f), append(attract, a)
	}
	fmt.Printf("start to first frame       median %6.0f ms   max %6.0f ms   (%d starts; target < 1500 ms)\n", median(first), slices.Max(first), runs)
	fmt.Printf("start to the attract screen median %5.0f ms   max %6.0f ms\n", median(attract), slices.Max(attract))

	// 2. Idle CPU on the attract screen.
	ui, err := startUI(bin, display, socket, filepath.Join(dir, "run.log"))
	if err != nil {
		return err
	}
	defer ui.stop()
	if _, _, err := ui.waitAttract(ctx, 30*time.Second); err != nil {
		return err
	}
	warm, err := ui.waitWarm(ctx, time.Minute)
	if err != nil {
		return err
	}
	fmt.Printf("start to warm (every screen rehearsed once, theme.Glyphs and screens.Rehearsal): %.0f ms\n", warm)
	// Idle is nobody at the kiosk: the simulated presence sensor says so, and the attract screen rests.
	// With someone near, it beckons (a row of lights, ten steps a second) until they touch it.
	present := func(p bool) error {
		return c.Sim(ctx, "POST", "enclosure", map[string]bool{"presence": p}, nil)
	}
	if err := present(false); err != nil {
		return err
	}
	time.Sleep(time.Second) // settle
	cpu, err := cpuShare(ui.cmd.Process.Pid, idle)
	if err != nil {
		return err
	}
	fmt.Printf("idle attract screen        %6.2f %% of one core over %s   (target < 2 %%)\n", cpu*100, idle)
	if err := present(true); err != nil {
		return err
	}
	time.Sleep(time.Second)
	beckoning, err := cpuShare(ui.cmd.Process.Pid, idle)
	if err != nil {
		return err
	}
	fmt.Printf("attract screen beckoning someone near %6.2f %% of one core over %s\n", beckoning*100, idle)
	fmt.Printf("kiosk-ui resident memory, idle after the warm-up: %s\n", memory(ui.cmd.Process.Pid))

	// 3. Frame times of screen changes with kioskd idle: what presenting a new screen costs here.
	quietFrom := ui.sinceStart()
	for range 5 {
		for _, act := range []wire.ActionName{wire.ActStart, wire.ActTypeKey, wire.ActCancel} {
			if _, err := c.Act(ctx, act, ""); err != nil {
				return fmt.Errorf("%s: %w", act, err)
			}
			time.Sleep(400 * time.Millisecond)
		}
	}
	quietTo := ui.sinceStart()

	// 4. Frame times while kioskd digitises a dossier.
	from := ui.sinceStart()
	k0, err := cpuTicks(kioskd.Process.Pid)
	if err != nil {
		return err
	}
	began := time.Now()
	samples := make(chan []load, 1)
	sctx, stopSampling := context.WithCancel(ctx)
	defer stopSampling()
	go func() { samples <- sample(sctx, kioskd.Process.Pid, ui) }()
	marks := make(chan []float64, 1)
	go func() { marks <- digitising(sctx, c, ui) }()
	demo := exec.CommandContext(ctx, filepath.Join(bin, "kioskctl"), "demo", "--socket", socket, "--out", filepath.Join(dir, "demo"), "--pages", strconv.Itoa(pages))
	demo.Stdout, demo.Stderr = logFile(dir, "demo.log"), logFile(dir, "demo.log")
	if err := demo.Run(); err != nil {
		return fmt.Errorf("kioskctl demo: %w (see %s)", err, filepath.Join(dir, "demo.log"))
	}
	took := time.Since(began)
	stopSampling()
	busy, ocrMarks := <-samples, <-marks
	k1, err := cpuTicks(kioskd.Process.Pid)
	if err != nil {
		return err
	}
	kioskdCPU := (k1 - k0) / userHZ / took.Seconds()
	to := ui.sinceStart()
	after := memory(ui.cmd.Process.Pid)
	ui.stop()
	frames, err := readFrames(ui.log)
	if err != nil {
		return err
	}
	fmt.Printf("15 screen changes with kioskd idle (attract, QR step, ID keypad):\n")
	report(frames, func(f frame) bool { return f.at >= quietFrom && f.at <= quietTo })
	fmt.Printf("a citizen's whole session, %d sheets per document, %.1f s; kioskd (scanning, OCR, PDF, upload) used %.0f %% of a core:\n",
		pages, took.Seconds(), kioskdCPU*100)
	report(frames, func(f frame) bool { return f.at >= from && f.at <= to })
	// The moments kioskd was digitising pages (a document "processing"): OCR on every engine.
	var windows [][2]float64
	for i := 0; i+1 < len(ocrMarks); i += 2 {
		windows = append(windows, [2]float64{ocrMarks[i], ocrMarks[i+1]})
	}
	in := func(at float64) bool {
		for _, w := range windows {
			if at >= w[0] && at <= w[1] {
				return true
			}
		}
		return false
	}
	var share, n, span float64
	for _, l := range busy {
		if in(l.at) {
			share, n = share+l.share, n+1
		}
	}
	for _, w := range windows {
		span += w[1] - w[0]
	}
	fmt.Printf("while kioskd digitised pages (%.1f s in all; kioskd at %.0f %% of a core then, OCR below the screen's priority):\n",
		span/1000, 100*share/max(n, 1))
	report(frames, func(f frame) bool { return in(f.at) })
	fmt.Printf("kiosk-ui resident memory after the session: %s\n", after)
	return nil
}

// memory is the process's resident memory now and at its peak, from /proc/PID/status.
func memory(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return err.Error()
	}
	var rss, hwm string
	for _, ln := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(ln, "VmRSS:"); ok {
			rss = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(ln, "VmHWM:"); ok {
			hwm = strings.TrimSpace(v)
		}
	}
	return rss + " (peak " + hwm + ")"
}

// report prints the frame times (the time between two frames less the rest kiosk-ui took on
// purpose: the time the loop spent on a frame) and drawing times of the frames keep selects.
func report(frames []frame, keep func(frame) bool) {
	var gaps, draws []float64
	for _, f := range frames {
		if !keep(f) || f.gap == 0 {
			continue
		}
		gaps = append(gaps, f.gap-f.rest)
		if f.drew {
			draws = append(draws, f.draw)
		}
	}
	if len(gaps) == 0 {
		fmt.Println("  no frames")
		return
	}
	slices.Sort(gaps)
	slices.Sort(draws)
	over := 0
	for _, g := range gaps {
		if g > 50 {
			over++
		}
	}
	fmt.Printf("  frame time               p50 %5.1f ms   p99 %5.1f ms   max %5.1f ms   over 50 ms: %d of %d   (target: none)\n",
		pct(gaps, 50), pct(gaps, 99), gaps[len(gaps)-1], over, len(gaps))
	if len(draws) > 0 {
		fmt.Printf("  drawing (CPU side)       p50 %5.1f ms   p99 %5.1f ms   max %5.1f ms   (%d frames drew)\n",
			pct(draws, 50), pct(draws, 99), draws[len(draws)-1], len(draws))
	}
}

// load is kioskd's CPU share (cores) over the sampleEvery ending at ms (frame-log time).
type load struct{ at, share float64 }

const sampleEvery = 250 * time.Millisecond

// sample records kioskd's CPU share every sampleEvery until ctx ends.
func sample(ctx context.Context, pid int, ui *uiProc) []load {
	var out []load
	prev, _ := cpuTicks(pid)
	last := time.Now()
	t := time.NewTicker(sampleEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return out
		case <-t.C:
		}
		cur, err := cpuTicks(pid)
		if err != nil {
			return out
		}
		now := time.Now()
		out = append(out, load{at: ui.sinceStart(), share: (cur - prev) / userHZ / now.Sub(last).Seconds()})
		prev, last = cur, now
	}
}

// digitising watches the session and returns the frame-log times at which kioskd started and
// stopped digitising pages (a document in the "processing" state), as start, stop pairs.
func digitising(ctx context.Context, c *client.Client, ui *uiProc) []float64 {
	views := make(chan wire.View, 16)
	go c.Watch(ctx, views, nil)
	var marks []float64
	on := false
	for {
		select {
		case <-ctx.Done():
			if on {
				marks = append(marks, ui.sinceStart())
			}
			return marks
		case v := <-views:
			busy := false
			for _, d := range v.Documents {
				busy = busy || d.Status == "processing"
			}
			if busy != on {
				on = busy
				marks = append(marks, ui.sinceStart())
			}
		}
	}
}

type uiProc struct {
	cmd   *exec.Cmd
	log   string
	start time.Time
}

func startUI(bin, display, socket, log string) (*uiProc, error) {
	cmd := exec.Command(filepath.Join(bin, "kiosk-ui"), "--socket", socket, "--frame-log", log)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	cmd.Stderr = logFile(filepath.Dir(log), "kiosk-ui.log")
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &uiProc{cmd: cmd, log: log, start: start}, nil
}

func (u *uiProc) stop() {
	if u.cmd.ProcessState == nil {
		stop(u.cmd)
	}
}

// sinceStart is now, in the frame log's milliseconds (kiosk-ui's start is a few ms after ours).
func (u *uiProc) sinceStart() float64 {
	return float64(time.Since(u.start)) / float64(time.Millisecond)
}

// waitAttract waits for the first frame and for the first drawn attract frame and returns when it
// saw each in the log (kiosk-ui flushes it on its first frame and on every new screen), as
// milliseconds from starting the process; the log is polled every 2 ms.
func (u *uiProc) waitAttract(ctx context.Context, limit time.Duration) (first, attract float64, err error) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		frames, _ := readFrames(u.log)
		for _, f := range frames {
			if f.drew && first == 0 {
				first = u.sinceStart()
			}
			if f.drew && f.screen == "attract" {
				return first, u.sinceStart(), nil
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	return 0, 0, fmt.Errorf("kiosk-ui showed no attract screen within %s (see %s)", limit, u.log)
}

// waitWarm waits for kiosk-ui's "warm MS" line: it has drawn every screen once, off the screen, and
// returns MS.
func (u *uiProc) waitWarm(ctx context.Context, limit time.Duration) (float64, error) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		b, _ := os.ReadFile(u.log)
		for _, ln := range strings.Split(string(b), "\n") {
			if ms, ok := strings.CutPrefix(ln, "warm "); ok {
				return strconv.ParseFloat(ms, 64)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return 0, fmt.Errorf("kiosk-ui did not warm up within %s (see %s)", limit, u.log)
}

type frame struct {
	at, gap, draw float64
	rest          float64 // ms the frame before rested on purpose
	drew          bool
	screen        string
}

func readFrames(path string) ([]frame, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []frame
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 7 || fs[0] != "frame" {
			continue
		}
		var fr frame
		fr.at, _ = strconv.ParseFloat(fs[1], 64)
		fr.gap, _ = strconv.ParseFloat(fs[2], 64)
		fr.draw, _ = strconv.ParseFloat(fs[3], 64)
		fr.rest, _ = strconv.ParseFloat(fs[5], 64)
		fr.drew, fr.screen = fs[4] == "1", fs[6]
		out = append(out, fr)
	}
	return out, sc.Err()
}

// userHZ is the unit of the CPU times in /proc/PID/stat (USER_HZ, 100 on Linux).
const userHZ = 100

// cpuTicks is the CPU time (user + system, in 1/userHZ s) the process has used.
func cpuTicks(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	s := string(b)
	fs := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	u, _ := strconv.ParseFloat(fs[11], 64)
	k, _ := strconv.ParseFloat(fs[12], 64)
	return u + k, nil
}

// cpuShare is the share of one core the process used over d.
func cpuShare(pid int, d time.Duration) (float64, error) {
	t0, err := cpuTicks(pid)
	if err != nil {
		return 0, err
	}
	w0 := time.Now()
	time.Sleep(d)
	t1, err := cpuTicks(pid)
	if err != nil {
		return 0, err
	}
	return (t1 - t0) / userHZ / time.Since(w0).Seconds(), nil
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return pct(s, 50)
}

// pct is the p-th percentile of sorted s.
func pct(s []float64, p int) float64 {
	i := (len(s) - 1) * p / 100
	return s[i]
}

func logFile(dir, name string) *os.File {
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil
	}
	return f
}

func stop(cmd *exec.Cmd) {
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}
