package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/tramso/tramso/drivers/escpos"
)

func printerCommand() *command {
	return &command{
		name:    "printer",
		summary: "máy in biên nhận — the receipt printer",
		help: `Thiết bị (device): serial:/dev/ttyUSB0?baud=115200[&rtscts=1][&status=…] | usblp:/dev/usb/lp0[?status=…] | /dev/tramso/printer
Máy in nối tiếp phải đặt cùng tốc độ baud với máy (xem trang tự kiểm tra của máy in).
status=full|realtime|none nói máy in trả lời gì (mặc định: tự dò): full = DLE EOT và GS r; realtime = chỉ DLE EOT
(nhiều máy in giá rẻ); none = không có đường trả lời (USB không có đầu đọc, cáp chỉ có TX): biên nhận chỉ được ghi
là đã gửi, không phát hiện được hết giấy.
Serial printers must be set to the same baud rate as the line (see the printer's self-test page).
status= says what the printer answers (default: probed): full = DLE EOT and GS r; realtime = DLE EOT only (many
low-cost clones); none = no back channel: receipts are only known to be sent, and paper-out cannot be detected.`,
		subs: []*command{
			printerStatusCommand(),
			printerPrintCommand(),
			printerTestCommand(),
			printerProfilesCommand(),
			printerSimulateCommand(),
			printerEmulateCommand(),
		},
	}
}

type deviceFlags struct {
	device, paper, profile *string
	timeout                *time.Duration
}

func addDeviceFlags(fs *flag.FlagSet) deviceFlags {
	return deviceFlags{
		device:  fs.String("device", "", "máy in (printer device), vd. serial:/dev/tramso/printer?baud=115200"),
		paper:   fs.String("paper", "80", "khổ giấy 80 hoặc 58 mm (paper width)"),
		profile: fs.String("profile", "", "hồ sơ máy in, ghi đè --paper (printer profile)"),
		timeout: fs.Duration("timeout", 2*time.Minute, "thời gian tối đa (overall time limit)"),
	}
}

func (d deviceFlags) open() (*escpos.Printer, error) {
	if *d.device == "" {
		return nil, usagef("cần --device (--device is required)")
	}
	p, err := profileFlag(*d.paper, *d.profile)
	if err != nil {
		return nil, err
	}
	return escpos.Open(*d.device, p)
}

func printerStatusCommand() *command {
	return &command{
		name:    "status",
		summary: "đọc trạng thái máy in — read the printer's status",
		usage:   "--device DEVICE [--json]",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			df := addDeviceFlags(fs)
			asJSON := fs.Bool("json", false, "in ra JSON (print JSON)")
			return func(ctx context.Context, e *env, args []string) error {
				pr, err := df.open()
				if err != nil {
					return err
				}
				defer pr.Close()
				ctx, cancel := context.WithTimeout(ctx, *df.timeout)
				defer cancel()
				st, err := pr.Status(ctx)
				if errors.Is(err, escpos.ErrNoReply) && !pr.Forced() {
					return fmt.Errorf("%w; nếu máy in không có đường trả lời, thêm status=none vào thiết bị (if the printer has no back channel, add status=none to the device)", err)
				}
				if err != nil {
					return err
				}
				mode := pr.Mode()
				if st.OK() && !pr.Forced() {
					if mode, err = pr.Probe(ctx); err != nil {
						return err
					}
				}
				if *asJSON {
					j := statusJSON(st)
					j["statusMode"] = mode.String()
					return json.NewEncoder(e.stdout).Encode(j)
				}
				fmt.Fprintf(e.stdout, "Trạng thái máy in (printer status): %s\n", st)
				fmt.Fprintf(e.stdout, "Trạng thái trả về (status mode) %s: %s\n", mode, mode.Describe())
				if !st.OK() {
					return escpos.NotReady(st)
				}
				return nil
			}
		},
	}
}

func statusJSON(st escpos.Status) map[string]any {
	return map[string]any{
		"ready": st.OK(), "online": st.Online, "coverOpen": st.CoverOpen, "paperEnd": st.PaperEnd || st.StoppedByEnd,
		"paperNearEnd": st.PaperNearEnd, "cutterError": st.CutterError, "unrecoverableError": st.Unrecoverable,
		"autoRecoverableError": st.AutoRecoverable, "problems": st.Problems(),
	}
}

func printerPrintCommand() *command {
	return &command{
		name:    "print",
		summary: "in một tệp ESC/POS (vd. biên nhận đã dựng) — print an ESC/POS file",
		usage:   "--device DEVICE --in receipt.bin",
		help: `Kiểm tra trạng thái trước khi in, gửi từng phần và chờ máy in xác nhận; nếu máy in dừng giữa chừng
(hết giấy, mở nắp, rút cáp) lệnh báo rõ đã in được bao nhiêu và trả mã lỗi 1: cần in lại.
Checks status first, sends the job in confirmed chunks, and says exactly how far it got if it fails.`,
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			df := addDeviceFlags(fs)
			in := fs.String("in", "", "tệp ESC/POS (ESC/POS file)")
			return func(ctx context.Context, e *env, args []string) error {
				if *in == "" {
					return usagef("cần --in (--in is required)")
				}
				job, err := os.ReadFile(*in)
				if err != nil {
					return fmt.Errorf("không đọc được %s (cannot read): %w", *in, err)
				}
				pr, err := df.open()
				if err != nil {
					return err
				}
				defer pr.Close()
				ctx, cancel := context.WithTimeout(ctx, *df.timeout)
				defer cancel()
				res, err := pr.Print(ctx, job)
				return reportPrint(e, res, err)
			}
		},
	}
}

func reportPrint(e *env, res escpos.Result, err error) error {
	for _, w := range res.Warnings {
		fmt.Fprintf(e.stderr, "cảnh báo (warning): %s\n", w)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: %d/%d byte đã xác nhận (confirmed), trạng thái trả về (status mode) %s\n", res.Outcome, res.Confirmed, res.Total, res.Mode)
	return nil
}

func printerTestCommand() *command {
	return &command{
		name:    "test",
		summary: "in trang thử: mọi cỡ chữ, tiếng Việt, QR, trạng thái — print a test page",
		usage:   "--device DEVICE [--paper 80|58] [--profile NAME]",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			df := addDeviceFlags(fs)
			return func(ctx context.Context, e *env, args []string) error {
				pr, err := df.open()
				if err != nil {
					return err
				}
				defer pr.Close()
				ctx, cancel := context.WithTimeout(ctx, *df.timeout)
				defer cancel()
				var stp *escpos.Status
				st, err := pr.Status(ctx)
				switch {
				case errors.Is(err, escpos.ErrNoStatus):
					fmt.Fprintf(e.stdout, "Trạng thái (status): %s\n", escpos.StatusNone.Describe())
				case err != nil:
					return err
				default:
					stp = &st
					fmt.Fprintf(e.stdout, "Trạng thái (status): %s\n", st)
				}
				fonts, err := escpos.LoadFonts()
				if err != nil {
					return err
				}
				job, err := escpos.Compile(escpos.TestPage(pr.Profile(), stp, time.Now()), pr.Profile(), fonts)
				if err != nil {
					return err
				}
				res, err := pr.Print(ctx, job.Data)
				return reportPrint(e, res, err)
			}
		},
	}
}

func printerProfilesCommand() *command {
	return &command{
		name:    "profiles",
		summary: "liệt kê hồ sơ máy in có sẵn — list built-in printer profiles",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			return func(ctx context.Context, e *env, args []string) error {
				ps := escpos.Profiles()
				for _, n := range escpos.ProfileNames() {
					p := ps[n]
					fmt.Fprintf(e.stdout, "%-16s %3d điểm  %-6s %s\n", n, p.DotsPerLine, p.Vietnamese(), p.Description)
				}
				return nil
			}
		},
	}
}
