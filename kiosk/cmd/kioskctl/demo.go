//go:build !nosim

package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tramso/tramso/kiosk/api/client"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/daemon"
)

func demoCommand() *command {
	return &command{
		name:    "demo",
		summary: "chạy thử kiosk trên thiết bị giả lập — run the kiosk on simulated hardware",
		usage:   "--out DIR [--headless] [--ui] [--pace 1s] [--pages 1] [--socket PATH]",
		help: `Với --ui, màn hình cảm ứng kiosk-ui hiện từng bước (cửa sổ nếu có màn hình, không thì Xvfb và ảnh chụp
vào DIR/screens). Khởi động "kioskd --sim" (hoặc dùng kioskd giả lập đang chạy, --socket) và đóng vai một công dân hư cấu:
quét mã QR trên thẻ, đặt thẻ CCCD lên đầu đọc, xem chi tiết rồi chọn "Đăng ký khai sinh", nạp và quét từng
giấy tờ, kiểm tra biểu mẫu kiosk đã điền, đồng ý và nộp; kiosk gửi hồ sơ lên máy chủ trung tâm thử và in biên
nhận. Sau đó: tra cứu hồ sơ, lấy số thứ tự, nộp phí bằng VietQR, và một hồ sơ "Chứng thực chữ ký" nộp phí
ngay cuối phiên (biên lai rồi biên nhận: fee-session-*.png).
Kết quả trong DIR: receipt.png, dossier-*.pdf (bản máy chủ nhận được), central-dossier.json, form.json,
transcript.txt (các bước đã qua).
Starts "kioskd --sim" (or uses a running simulated kioskd) and plays a fictional citizen through the
whole journey via the local API (the procedure's detail first), then the citizen services and a
signature attestation whose fee is paid by VietQR at the end of the session; leaves the receipt, the dossier PDFs as the central server received
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
	if o.ui {
		d.shots = filepath.Join(out, "screens")
	}
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
	if err == nil {
		err = d.feeJourney(ctx) // signature attestation, its fee paid at the end of the session (demo_fee.go)
	}
	stopWatch()
	<-watched
	if werr := os.WriteFile(filepath.Join(out, "transcript.txt"), []byte(strings.Join(d.transcript, "\n")+"\n"), 0o644); err == nil {
		err = werr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\nKết quả ở (results in) %s/: receipt.png, dossier-*.pdf (signed), signing-ca.pem, central-dossier.json, form.json, transcript.txt, status-slip.png, queue-ticket.png, fee-receipt.png, fee-session-bien-lai.png, fee-session-receipt.png, fee-session-dossier-*.pdf", out)
	if o.ui {
		fmt.Fprint(e.stdout, ", screens/*.png")
		if fileExists(filepath.Join(out, "speech")) {
			fmt.Fprint(e.stdout, ", speech/*.wav")
		}
	}
	fmt.Fprintln(e.stdout)
	return nil
}
