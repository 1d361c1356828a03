//go:build !nosim

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

	"github.com/tramso/tramso/internal/vntext"
	"github.com/tramso/tramso/internal/vntime"
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
	if err == nil {
		err = d.services(ctx) // the tracker, a queue number and a paid fee (demo_services.go)
	}
	stopWatch()
	<-watched
	if werr := os.WriteFile(filepath.Join(out, "transcript.txt"), []byte(strings.Join(d.transcript, "\n")+"\n"), 0o644); err == nil {
		err = werr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\nKết quả ở (results in) %s/: receipt.png, dossier-*.pdf (signed), signing-ca.pem, central-dossier.json, form.json, transcript.txt, status-slip.png, queue-ticket.png, fee-receipt.png", out)
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
	d.record(line)
	fmt.Fprintf(d.e.stdout, "• %s\n", line)
	time.Sleep(d.pace)
}

// record adds a line to the transcript only.
func (d *demo) record(line string) {
	d.mu.Lock()
	d.transcript = append(d.transcript, time.Now().In(vntime.Zone()).Format("15:04:05.000")+"  "+line)
	d.mu.Unlock()
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
					s += "/" + string(v.Step)
				}
				if v.Message != nil {
					s += "  [" + v.Message.Code + "] " + v.Message.Vi
				}
				if s != last {
					d.mu.Lock()
					d.transcript = append(d.transcript, time.Now().In(vntime.Zone()).Format("15:04:05.000")+"  màn hình (screen): "+s)
					d.mu.Unlock()
					last = s
				}
			}
		}
	}()
	return done
}

// demoPaper is the sample sheet of the simulated scanner (POST /v1/sim/scanner {"load": n}) that is
// the paper of a document type of birth registration, and the line its digitised copy begins with
// (kiosk/daemon's sample sheets).
func demoPaper(docType string) (sheet int, title string, ok bool) {
	switch docType {
	case "to-khai-khai-sinh":
		return 1, "TỜ KHAI ĐĂNG KÝ KHAI SINH", true
	case "giay-chung-sinh":
		return 2, "GIẤY CHỨNG SINH", true
	case "giay-to-tuy-than":
		return 3, "BẢN SAO CĂN CƯỚC", true
	}
	return 0, "", false
}

// demoBusy reports whether the kiosk is working and the citizen can only wait.
func demoBusy(v wire.View) bool {
	switch {
	case v.State == wire.Identify && v.Step == wire.StepReading,
		v.State == wire.Documents && v.Step == wire.StepScanning,
		v.State == wire.Review && v.Step == wire.StepProcessing,
		v.State == wire.Submitting,
		v.State == wire.Receipt && v.Step == wire.StepPrinting:
		return true
	}
	return false
}

// journey plays the citizen. Like a person at the screen it looks at the current view, decides
// what to do on it, and names that view in its action; when kioskd answers that the screen had
// already changed (409), it looks again and decides anew, never sending the same tap blindly. Each
// paper is loaded for the document the view shows.
func (d *demo) journey(ctx context.Context) error {
	const citizen = "tran-van-an"
	sim := func(method, name string, body any) error { return d.c.Sim(ctx, method, name, body, nil) }
	var (
		started, qrShown, cardPlaced, identified bool
		loaded                                   = map[int]string{} // document index → type of the paper scanned into it
		tries                                    = map[string]int{} // decisions per view, to stop a demo going round in circles
		refused                                  int
	)
	v, err := d.c.View(ctx)
	if err != nil {
		return err
	}
	for {
		if demoBusy(v) {
			if v, err = d.changed(ctx, v); err != nil {
				return err
			}
			continue
		}
		act, value := wire.ActionName(""), ""
		switch v.State {
		case wire.Attract:
			if started {
				return fmt.Errorf("phiên bị xóa giữa chừng (the session was wiped midway): %+v", v.Message)
			}
			act = wire.ActStart
		case wire.Identify:
			switch {
			case cardPlaced && v.Message != nil && v.Message.Code != "card_keep_still":
				return fmt.Errorf("thẻ không đọc được (card not read): [%s] %s", v.Message.Code, v.Message.Vi)
			case v.Step == wire.StepQR && !qrShown:
				if err := sim(http.MethodPost, "qr", map[string]any{"citizen": citizen}); err != nil {
					return err
				}
				qrShown = true
				d.note("công dân đưa mã QR trên thẻ vào máy quét (the citizen shows the card's QR code)")
			case v.Step == wire.StepCard && !cardPlaced:
				d.note("đèn \"đặt thẻ tại đây\" của tủ kiosk (the cabinet's card lamp): %s", d.lamp(ctx, "card", "on"))
				if err := sim(http.MethodPost, "card", map[string]any{"citizen": citizen}); err != nil {
					return err
				}
				cardPlaced = true
				d.note("công dân đặt thẻ CCCD lên đầu đọc (the citizen puts the card on the reader)")
			}
		case wire.ChooseProcedure:
			if !identified {
				identified = true
				d.note("kiosk đã đọc và xác thực thẻ: %s, %s, xác thực thụ động %s", v.Citizen.FullName, v.Citizen.IDMasked, v.Citizen.PassiveAuth)
				sim(http.MethodDelete, "card", nil)
			}
			act, value = wire.ActSearch, "khai sinh"
			if v.Query == value {
				act, value = wire.ActChoose, "1.001193"
			}
		case wire.Documents:
			if v.Current < 0 || v.Current >= len(v.Documents) {
				return fmt.Errorf("màn hình giấy tờ không có giấy tờ %d (no document %d on the screen)", v.Current, v.Current)
			}
			doc := v.Documents[v.Current]
			sheet, _, known := demoPaper(doc.Type)
			switch {
			case v.Step == wire.StepPlace && !doc.Required:
				d.note("bỏ qua giấy tờ không bắt buộc (optional, skipped): %s", doc.Name)
				act = wire.ActSkip
			case v.Step == wire.StepPlace && !known:
				return fmt.Errorf("công dân giả lập không có giấy tờ %s (the demo citizen has no paper for it)", doc.Type)
			case v.Step == wire.StepPlace:
				// The paper of the document this view asks for, loaded now, scanned on this view.
				if err := sim(http.MethodPost, "scanner", map[string]any{"load": sheet, "pages": d.pages}); err != nil {
					return err
				}
				loaded[v.Current] = doc.Type
				act = wire.ActScan
			case v.Step == wire.StepPreview && loaded[v.Current] != doc.Type:
				d.note("trang trên màn hình không phải giấy vừa nạp cho %s: quét lại (not the paper loaded for it: rescan)", doc.Name)
				act = wire.ActRescan
			case v.Step == wire.StepPreview && !doc.PreviewReady:
				// The citizen looks at the page before accepting it: wait for its preview.
			case v.Step == wire.StepPreview && v.Message != nil && v.Message.Retry:
				d.note("kiosk cảnh báo (the kiosk warns) [%s] %s: quét lại (rescan)", v.Message.Code, v.Message.Vi)
				act = wire.ActRescan
			case v.Step == wire.StepPreview:
				d.note("đã quét (scanned) %s: %d trang, cảnh báo chất lượng (quality warnings): %d", doc.Name, doc.Pages, len(doc.Quality))
				act = wire.ActAccept
			}
		case wire.Review:
			if v.Step == wire.StepEditing {
				for _, f := range v.Form {
					d.note("biểu mẫu (form): %s = %q (nguồn/source %s)", f.Label, f.Value, f.Source)
				}
				if err := writeJSON(filepath.Join(d.out, "form.json"), v.Form); err != nil {
					return err
				}
				act = wire.ActConfirm
			}
		case wire.Consent:
			act = wire.ActAgree
		case wire.Receipt:
			if v.Step == wire.StepPrintFail {
				return fmt.Errorf("biên nhận chưa in (receipt not printed): %+v", v.Message)
			}
		case wire.Done:
			if v.Receipt == nil || !v.Receipt.Printed {
				return fmt.Errorf("biên nhận chưa in (receipt not printed): %+v", v.Message)
			}
			kind := "chính thức (official)"
			if v.Receipt.Provisional {
				kind = "tạm (provisional)"
			}
			d.note("biên nhận đã in, mã hồ sơ %s %s (receipt printed)", kind, v.Receipt.DossierCode)
			d.note("đèn \"nhận biên nhận\" của tủ kiosk (the cabinet's receipt lamp): %s", d.lamp(ctx, "receipt", "on"))
			return d.collect(ctx, v.Receipt.DossierCode)
		}
		if act == "" { // nothing to do on this view: wait for the next one
			if v, err = d.changed(ctx, v); err != nil {
				return err
			}
			continue
		}
		key := fmt.Sprintf("%s/%s/%d/%s", v.State, v.Step, v.Current, act)
		if tries[key]++; tries[key] > 3 {
			return fmt.Errorf("công dân giả lập lặp lại %s quá nhiều lần (the demo citizen is going round in circles)", key)
		}
		nv, err := d.c.ActOn(ctx, v, act, value)
		var p *client.Problem
		switch {
		case err == nil:
		case errors.As(err, &p) && p.Status == http.StatusConflict && p.View != nil:
			// The screen had changed (or the tap did not apply to it): nothing was done. Look again.
			if refused++; refused > 20 {
				return fmt.Errorf("kioskd từ chối quá nhiều thao tác (too many refused actions): %w", err)
			}
			d.record(fmt.Sprintf("kioskd từ chối %s trên %s/%s (giấy tờ %d): %s; xem lại màn hình (refused; looking again)",
				act, v.State, v.Step, v.Current, p.Detail))
			if v = *p.View; !errors.Is(err, client.ErrStale) {
				// The tap does not apply to the view as it is: decide again once it changes.
				wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				v, err = d.changed(wctx, v)
				cancel()
				if err != nil {
					return err
				}
			}
			continue
		default:
			return fmt.Errorf("%s: %w", act, err)
		}
		started = true
		switch act {
		case wire.ActStart:
			d.note("công dân chạm màn hình để bắt đầu (the citizen touches the screen to start)")
		case wire.ActSearch:
			d.note("tìm \"khai sinh\": %d thủ tục (search: %d procedures)", len(nv.Procedures), len(nv.Procedures))
		case wire.ActChoose:
			d.note("chọn thủ tục (procedure chosen): %s, %d giấy tờ", nv.Procedure.Name, len(nv.Documents))
		case wire.ActConfirm:
			if nv.State == wire.Consent {
				d.note("công dân xác nhận biểu mẫu, đọc phần đồng ý (form confirmed; the consent screen)")
			}
		case wire.ActAgree:
			d.note("công dân đồng ý và nộp hồ sơ (consent given, dossier submitted)")
		}
		v = nv
	}
}

// changed waits for a view other than v (a new seq or session).
func (d *demo) changed(ctx context.Context, v wire.View) (wire.View, error) {
	nv, err := d.c.WaitFor(ctx, func(x wire.View) bool { return x.Seq != v.Seq || x.Session != v.Session })
	if err != nil {
		return nv, fmt.Errorf("chờ màn hình sau (waiting for the screen after) %s/%s: %w", v.State, v.Step, err)
	}
	return nv, nil
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
	// The CA of the simulated kiosk's signing certificate, to check the copies with:
	// pdfsig -nssdir DIR dossier-1-….pdf, after certutil -A -t CT,C,C -i signing-ca.pem -d DIR.
	if ca, err := d.c.SimFile(ctx, "central/ca.pem"); err == nil {
		if err := os.WriteFile(filepath.Join(d.out, "signing-ca.pem"), ca, 0o644); err != nil {
			return err
		}
	}
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
		if err := checkPaper(ctx, filepath.Join(d.out, name), a.Type); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := checkSigned(ctx, filepath.Join(d.out, name)); err != nil {
			return fmt.Errorf("%s: %w", name, err)
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

// ErrWrongPaper is a delivered copy that is not the paper the demo loaded for its document.
var ErrWrongPaper = errors.New("bản số không phải giấy tờ đã nạp cho nó (the digitised copy is another paper)")

// checkPaper checks that the delivered PDF of a document of type docType is the paper the demo
// loaded for it: the first line of its text layer (pdftotext, poppler-utils) is that paper's title.
func checkPaper(ctx context.Context, path, docType string) error {
	if _, _, ok := demoPaper(docType); !ok {
		return nil // not a paper of the demo citizen's
	}
	out, err := exec.CommandContext(ctx, "pdftotext", "-l", "1", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		return fmt.Errorf("không đọc được chữ của bản số bằng pdftotext, cần poppler-utils (cannot read the copy's text): %w", err)
	}
	first := ""
	for _, line := range strings.Split(string(out), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			first = line
			break
		}
	}
	return paperMatches(docType, first)
}

// checkSigned checks with pdfsig (poppler-utils) that the copy carries the kiosk's signature and
// that the signed bytes are intact. Whether the certificate is trusted depends on pdfsig's
// certificate store; the tests check that against the CA.
func checkSigned(ctx context.Context, path string) error {
	out, _ := exec.CommandContext(ctx, "pdfsig", path).CombinedOutput() // exit status varies with trust
	if !strings.Contains(string(out), "Signature is Valid.") {
		return fmt.Errorf("bản số không mang chữ ký số hợp lệ (the copy has no valid signature): %s", strings.TrimSpace(string(out)))
	}
	return nil
}

// paperMatches checks that first, the first line of a digitised copy, is the title of the paper of
// docType: nearer to it than to any other paper's title (after folding case and diacritics, so that
// a tone mark misread by the OCR does not count) and within a quarter of its letters.
func paperMatches(docType, first string) error {
	_, want, _ := demoPaper(docType)
	got := foldTitle(first)
	best, bestDist := "", -1
	for _, t := range []string{"to-khai-khai-sinh", "giay-chung-sinh", "giay-to-tuy-than"} {
		_, title, _ := demoPaper(t)
		if dist := editDistance(foldTitle(title), got); bestDist < 0 || dist < bestDist {
			best, bestDist = t, dist
		}
	}
	if best != docType || bestDist > len([]rune(foldTitle(want)))/4 {
		return fmt.Errorf("%w: %s bắt đầu bằng %q, cần %q (begins with %q, not %q)", ErrWrongPaper, docType, first, want, first, want)
	}
	return nil
}

// foldTitle is s in capitals without diacritics, spaces collapsed.
func foldTitle(s string) string { return strings.ToUpper(vntext.Fold(s)) }

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
