package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tramso/tramso/internal/xvfb"
	"github.com/tramso/tramso/kiosk/api/client"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/central/devserver"
	"github.com/tramso/tramso/kiosk/daemon"
)

func demoCommand() *command {
	return &command{
		name:    "demo",
		summary: "chạy thử kiosk trên thiết bị giả lập — run the kiosk on simulated hardware",
		usage:   "--out DIR [--headless] [--ui] [--pace 1s] [--pages 1] [--socket PATH]",
		help: `Với --ui, màn hình cảm ứng kiosk-ui hiện từng bước (cửa sổ nếu có màn hình, không thì Xvfb và ảnh chụp
vào DIR/screens). Khởi động "kioskd --sim" (hoặc dùng kioskd giả lập đang chạy, --socket) và đóng vai một công dân hư cấu:
quét mã QR trên thẻ, đặt thẻ CCCD lên đầu đọc, chọn "Đăng ký khai sinh", nạp và quét từng giấy tờ, kiểm tra
biểu mẫu kiosk đã điền, đồng ý và nộp; kiosk gửi hồ sơ lên máy chủ trung tâm thử và in biên nhận.
Kết quả trong DIR: receipt.png, dossier-*.pdf (bản máy chủ nhận được), central-dossier.json, form.json,
transcript.txt (các bước đã qua).
Starts "kioskd --sim" (or uses a running simulated kioskd) and plays a fictional citizen through the
whole journey via the local API; leaves the receipt, the dossier PDFs as the central server received
them, the server's record of the dossier and a transcript of the states visited in DIR.`,
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			out := fs.String("out", "demo-out", "thư mục kết quả (output folder)")
			headless := fs.Bool("headless", false, "không mở cửa sổ dù có màn hình; với --ui: chạy kiosk-ui trong Xvfb (no window even with a display)")
			ui := fs.Bool("ui", false, "chạy cả màn hình cảm ứng kiosk-ui: cửa sổ nếu có màn hình, không thì Xvfb và ảnh chụp vào DIR/screens (also run kiosk-ui)")
			pace := fs.Duration("pace", 0, "dừng sau mỗi bước để xem hoặc chụp màn hình (pause after each step; default 1.5s with --ui)")
			socket := fs.String("socket", "", "dùng kioskd giả lập đang chạy trên ổ cắm này (use a running simulated kioskd)")
			pages := fs.Int("pages", 1, "số tờ của mỗi giấy tờ (sheets of each document)")
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) > 0 {
					return usagef("thừa đối số (unexpected arguments) %q", args)
				}
				if *ui && *pace == 0 {
					*pace = 1500 * time.Millisecond
				}
				if *pages < 1 || *pages > 20 {
					return usagef("--pages từ 1 đến 20 (1 to 20)")
				}
				return runDemo(ctx, e, demoOptions{out: *out, socket: *socket, ui: *ui, headless: *headless, pace: *pace, pages: *pages})
			}
		},
	}
}

type demoOptions struct {
	out, socket  string
	ui, headless bool
	pace         time.Duration
	pages        int // sheets of each document
}

func runDemo(ctx context.Context, e *env, o demoOptions) error {
	out, socket := o.out, o.socket
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("không tạo được %s (cannot create): %w", out, err)
	}
	if socket == "" {
		stop, sock, err := startSimKioskd(ctx, e)
		if err != nil {
			return err
		}
		defer stop()
		socket = sock
	}
	if o.ui {
		stop, err := startKioskUI(ctx, e, socket, filepath.Join(out, "screens"), o.headless)
		if err != nil {
			return err
		}
		defer stop()
	}
	d := &demo{e: e, out: out, c: client.New(socket), pace: o.pace, pages: max(o.pages, 1)}
	if _, err := d.c.WaitFor(ctx, func(v wire.View) bool { return v.State == wire.Attract }); err != nil {
		return fmt.Errorf("kioskd chưa sẵn sàng (kioskd not ready): %w", err)
	}
	if o.ui {
		if pin, err := os.ReadFile(filepath.Join(filepath.Dir(socket), daemon.SimStaffPINFile)); err == nil {
			fmt.Fprintf(e.stdout, "• màn hình cán bộ (staff screens): \"Dành cho cán bộ\", PIN %s\n", strings.TrimSpace(string(pin)))
		}
	}
	wctx, stopWatch := context.WithCancel(ctx)
	watched := d.watch(wctx)
	err := d.journey(ctx)
	stopWatch()
	<-watched
	if werr := os.WriteFile(filepath.Join(out, "transcript.txt"), []byte(strings.Join(d.transcript, "\n")+"\n"), 0o644); err == nil {
		err = werr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\nKết quả ở (results in) %s/: receipt.png, dossier-*.pdf, central-dossier.json, form.json, transcript.txt", out)
	if o.ui {
		fmt.Fprint(e.stdout, ", screens/*.png")
		if fileExists(filepath.Join(out, "speech")) {
			fmt.Fprint(e.stdout, ", speech/*.wav")
		}
	}
	fmt.Fprintln(e.stdout)
	return nil
}

// startSimKioskd starts `kioskd --sim` beside this kioskctl (or from PATH) in a temporary folder.
func startSimKioskd(ctx context.Context, e *env) (stop func(), socket string, err error) {
	bin := "kioskd"
	if self, err := os.Executable(); err == nil {
		if p := filepath.Join(filepath.Dir(self), "kioskd"); fileExists(p) {
			bin = p
		}
	}
	if _, err := exec.LookPath(bin); err != nil {
		return nil, "", fmt.Errorf("không tìm thấy kioskd; chạy make build (kioskd not found: run make build): %w", err)
	}
	dir, err := os.MkdirTemp("", "tdemo")
	if err != nil {
		return nil, "", err
	}
	logf, _ := os.Create(filepath.Join(dir, "kioskd.log"))
	cmd := exec.Command(bin, "--sim", "--sim-dir", dir)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, "", err
	}
	fmt.Fprintf(e.stdout, "• kioskd --sim đang chạy (running), thư mục (folder) %s\n", dir)
	return func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		logf.Close()
		os.RemoveAll(dir)
	}, filepath.Join(dir, "kiosk.sock"), nil
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// startKioskUI runs kiosk-ui on the kiosk's socket: in a window when a display exists (and
// headless is false), otherwise under an Xvfb of its own, writing a screenshot of every screen.
func startKioskUI(ctx context.Context, e *env, socket, shots string, headless bool) (stop func(), err error) {
	bin := "kiosk-ui"
	if self, err := os.Executable(); err == nil {
		if p := filepath.Join(filepath.Dir(self), "kiosk-ui"); fileExists(p) {
			bin = p
		}
	}
	if _, err := exec.LookPath(bin); err != nil {
		return nil, fmt.Errorf("không tìm thấy kiosk-ui; chạy make build (kiosk-ui not found: run make build): %w", err)
	}
	var stops []func()
	stopAll := func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	display := os.Getenv("DISPLAY")
	args := []string{"--socket", socket, "--screenshot-dir", shots}
	if display != "" && !headless {
		args = append(args, "--windowed")
		fmt.Fprintf(e.stdout, "• kiosk-ui trong cửa sổ (in a window) trên %s\n", display)
	} else {
		disp, xvfbStop, err := xvfb.Start(ctx)
		if err != nil {
			return nil, err
		}
		stops = append(stops, xvfbStop)
		display = disp
		// No one listens to a virtual screen: the spoken guidance goes to WAV files beside the pictures.
		args = append(args, "--speech", "--speech-dir", filepath.Join(filepath.Dir(shots), "speech"))
		fmt.Fprintf(e.stdout, "• kiosk-ui trong Xvfb %s, ảnh chụp màn hình vào (screenshots in) %s\n", disp, shots)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	if err := cmd.Start(); err != nil {
		stopAll()
		return nil, err
	}
	stops = append(stops, func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
	time.Sleep(2 * time.Second) // first frame
	return stopAll, nil
}

type demo struct {
	e          *env
	out        string
	pace       time.Duration // pause after each step, so a person (or the screenshot writer) sees every screen
	pages      int           // sheets of each document
	c          *client.Client
	mu         sync.Mutex
	transcript []string
}

func (d *demo) note(format string, a ...any) {
	line := fmt.Sprintf(format, a...)
	d.mu.Lock()
	d.transcript = append(d.transcript, time.Now().Format("15:04:05.000")+"  "+line)
	d.mu.Unlock()
	fmt.Fprintf(d.e.stdout, "• %s\n", line)
	time.Sleep(d.pace)
}

// watch records every state and step the session goes through, from the event stream.
func (d *demo) watch(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	views := make(chan wire.View, 16)
	go d.c.Watch(ctx, views, nil)
	go func() {
		defer close(done)
		last := ""
		for {
			select {
			case <-ctx.Done():
				return
			case v := <-views:
				s := string(v.State)
				if v.Step != "" {
					s += "/" + v.Step
				}
				if v.Message != nil {
					s += "  [" + v.Message.Code + "] " + v.Message.Vi
				}
				if s != last {
					d.mu.Lock()
					d.transcript = append(d.transcript, time.Now().Format("15:04:05.000")+"  màn hình (screen): "+s)
					d.mu.Unlock()
					last = s
				}
			}
		}
	}()
	return done
}

func (d *demo) journey(ctx context.Context) error {
	sim := func(method, name string, body any) error { return d.c.Sim(ctx, method, name, body, nil) }
	wait := func(what string, ok func(wire.View) bool) (wire.View, error) {
		v, err := d.c.WaitFor(ctx, ok)
		if err != nil {
			return v, fmt.Errorf("chờ (waiting for) %s: %w", what, err)
		}
		return v, nil
	}
	const citizen = "tran-van-an"
	if _, err := d.c.Act(ctx, wire.ActStart, ""); err != nil {
		return err
	}
	d.note("công dân chạm màn hình để bắt đầu (the citizen touches the screen to start)")
	if err := sim(http.MethodPost, "qr", map[string]any{"citizen": citizen}); err != nil {
		return err
	}
	d.note("công dân đưa mã QR trên thẻ vào máy quét (the citizen shows the card's QR code)")
	if _, err := wait("card step", func(v wire.View) bool { return v.State == wire.Identify && v.Step == wire.StepCard }); err != nil {
		return err
	}
	if err := sim(http.MethodPost, "card", map[string]any{"citizen": citizen}); err != nil {
		return err
	}
	d.note("công dân đặt thẻ CCCD lên đầu đọc (the citizen puts the card on the reader)")
	v, err := wait("catalogue", func(v wire.View) bool { return v.State == wire.ChooseProcedure })
	if err != nil {
		return err
	}
	d.note("kiosk đã đọc và xác thực thẻ: %s, %s, xác thực thụ động %s", v.Citizen.FullName, v.Citizen.IDMasked, v.Citizen.PassiveAuth)
	sim(http.MethodDelete, "card", nil)
	if v, err = d.c.Act(ctx, wire.ActSearch, "khai sinh"); err != nil {
		return err
	}
	d.note("tìm \"khai sinh\": %d thủ tục (search: %d procedures)", len(v.Procedures), len(v.Procedures))
	if v, err = d.c.Act(ctx, wire.ActChoose, "1.001193"); err != nil {
		return err
	}
	d.note("chọn thủ tục (procedure chosen): %s, %d giấy tờ", v.Procedure.Name, len(v.Documents))
	for v.State == wire.Documents {
		doc := v.Documents[v.Current]
		if !doc.Required {
			d.note("bỏ qua giấy tờ không bắt buộc (optional, skipped): %s", doc.Name)
			if v, err = d.c.Act(ctx, wire.ActSkip, ""); err != nil {
				return err
			}
			continue
		}
		if err := sim(http.MethodPost, "scanner", map[string]any{"load": v.Current + 1, "pages": d.pages}); err != nil {
			return err
		}
		if _, err = d.c.Act(ctx, wire.ActScan, ""); err != nil {
			return err
		}
		pv, err := wait("preview", func(v wire.View) bool { return v.Step == wire.StepPreview })
		if err != nil {
			return err
		}
		d.note("đã quét (scanned) %s: %d trang, cảnh báo chất lượng (quality warnings): %d", doc.Name, pv.Documents[pv.Current].Pages, len(pv.Documents[pv.Current].Quality))
		if v, err = d.c.Act(ctx, wire.ActAccept, ""); err != nil {
			return err
		}
	}
	v, err = wait("the form", func(v wire.View) bool { return v.State == wire.Review && v.Step == wire.StepEditing })
	if err != nil {
		return err
	}
	for _, f := range v.Form {
		d.note("biểu mẫu (form): %s = %q (nguồn/source %s)", f.Label, f.Value, f.Source)
	}
	if err := writeJSON(filepath.Join(d.out, "form.json"), v.Form); err != nil {
		return err
	}
	if _, err = d.c.Act(ctx, wire.ActConfirm, ""); err != nil {
		return err
	}
	d.note("công dân xác nhận biểu mẫu, đọc phần đồng ý (form confirmed; the consent screen)")
	if _, err = d.c.Act(ctx, wire.ActAgree, ""); err != nil {
		return err
	}
	d.note("công dân đồng ý và nộp hồ sơ (consent given, dossier submitted)")
	v, err = wait("the receipt", func(v wire.View) bool { return v.State == wire.Done || v.Step == wire.StepPrintFail })
	if err != nil {
		return err
	}
	if v.Receipt == nil || !v.Receipt.Printed {
		return fmt.Errorf("biên nhận chưa in (receipt not printed): %+v", v.Message)
	}
	kind := "chính thức (official)"
	if v.Receipt.Provisional {
		kind = "tạm (provisional)"
	}
	d.note("biên nhận đã in, mã hồ sơ %s %s (receipt printed)", kind, v.Receipt.DossierCode)
	return d.collect(ctx, v.Receipt.DossierCode)
}

// collect saves the receipt picture and the central server's copy of the dossier.
func (d *demo) collect(ctx context.Context, code string) error {
	var receipts []struct {
		Index int `json:"index"`
	}
	if err := d.c.Sim(ctx, http.MethodGet, "receipts", nil, &receipts); err != nil || len(receipts) == 0 {
		return fmt.Errorf("không lấy được biên nhận (no receipt): %v", err)
	}
	png, err := d.c.SimFile(ctx, fmt.Sprintf("receipts/%d", receipts[len(receipts)-1].Index))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(d.out, "receipt.png"), png, 0o644); err != nil {
		return err
	}
	var held []devserver.DumpEntry
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(200 * time.Millisecond) {
		if err := d.c.Sim(ctx, http.MethodGet, "central", nil, &held); err != nil {
			return err
		}
		if len(held) > 0 && (held[len(held)-1].DossierCode == code || strings.HasPrefix(code, "SIM-")) {
			break
		}
		if time.Now().After(deadline) {
			return errors.New("máy chủ trung tâm chưa nhận hồ sơ (the central server has not received the dossier)")
		}
	}
	rec := held[len(held)-1]
	if err := writeJSON(filepath.Join(d.out, "central-dossier.json"), rec); err != nil {
		return err
	}
	for i, a := range rec.Attachments {
		b, err := d.c.SimFile(ctx, "central/blobs/"+a.SHA256)
		if err != nil {
			return err
		}
		name := fmt.Sprintf("dossier-%d-%s.pdf", i+1, a.Type)
		if err := os.WriteFile(filepath.Join(d.out, name), b, 0o644); err != nil {
			return err
		}
		d.note("máy chủ trung tâm nhận (central received) %s: %d byte, SHA-256 %s…", name, len(b), a.SHA256[:12])
	}
	return nil
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
