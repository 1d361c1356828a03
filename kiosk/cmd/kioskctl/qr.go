package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/tramso/tramso/drivers/codereader"
)

func qrCommand() *command {
	return &command{
		name:    "qr",
		summary: "máy quét mã QR (chế độ cổng nối tiếp) — the QR code scanner (serial mode)",
		help: `Máy quét phải đặt ở chế độ cổng nối tiếp (USB-CDC/VCOM hoặc RS-232), không phải bàn phím (HID):
ở chế độ bàn phím, máy quét không gõ được chữ có dấu trên mã QR của thẻ căn cước.
Scanners must be in serial (USB-CDC/VCOM or RS-232) mode: in keyboard (HID) mode they cannot type
the Vietnamese letters of the ID card's QR code.`,
		subs: []*command{
			{
				name:    "read",
				summary: "đọc mã từ máy quét và in ra — read codes from the scanner and print them",
				usage:   "--device serial:/dev/tramso/qr?baud=9600 [--count N]",
				flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
					device := fs.String("device", "", "máy quét (scanner device), vd. serial:/dev/tramso/qr?baud=9600")
					count := fs.Int("count", 1, "số mã cần đọc, 0 = đọc mãi (codes to read, 0 = until interrupted)")
					return func(ctx context.Context, e *env, args []string) error {
						if *device == "" {
							return usagef("cần --device (--device is required)")
						}
						if hids, err := codereader.DetectHID("/sys"); err == nil {
							for _, h := range hids {
								fmt.Fprintf(e.stderr, "cảnh báo (warning): %v\n", h.Err())
							}
						}
						r, err := codereader.Open(*device)
						if err != nil {
							return err
						}
						defer r.Close()
						fmt.Fprintln(e.stderr, "Đưa mã QR vào máy quét… (show a QR code to the scanner)")
						for n := 0; *count == 0 || n < *count; n++ {
							s, err := r.Next(ctx)
							if errors.Is(err, context.Canceled) {
								return nil
							}
							if err != nil {
								return err
							}
							fmt.Fprintln(e.stdout, s.Payload)
						}
						return nil
					}
				},
			},
			{
				name:    "simulate",
				summary: "máy quét giả lập trên một pty: mỗi dòng stdin là một lần quét — a simulated scanner; each stdin line is one scan",
				usage:   "--link PATH [--terminator crlf|cr|lf]",
				flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
					link := fs.String("link", "", "đường dẫn liên kết tới pty (symlink path the host opens)")
					term := fs.String("terminator", "crlf", "ký tự kết thúc mỗi mã (terminator after each code): crlf, cr, lf")
					return func(ctx context.Context, e *env, args []string) error {
						if *link == "" || len(args) > 0 {
							return usagef("cần --link (--link is required)")
						}
						terms := map[string]string{"crlf": "\r\n", "cr": "\r", "lf": "\n"}
						t, ok := terms[*term]
						if !ok {
							return usagef("--terminator phải là crlf, cr hoặc lf")
						}
						sim, err := codereader.NewSimulator(*link)
						if err != nil {
							return err
						}
						defer sim.Close()
						sim.Terminator = t
						fmt.Fprintf(e.stderr, "máy quét giả lập sẵn sàng (scanner simulator ready): %s\n", sim.Link())
						lines := make(chan string)
						go func() {
							defer close(lines)
							sc := bufio.NewScanner(e.stdin)
							sc.Buffer(make([]byte, 64*1024), 64*1024)
							for sc.Scan() {
								lines <- sc.Text()
							}
						}()
						for {
							select {
							case <-ctx.Done():
								return nil
							case l, ok := <-lines:
								if !ok {
									// End of input: keep the device present until interrupted, like a
									// scanner left plugged in.
									<-ctx.Done()
									return nil
								}
								if err := sim.Scan(ctx, l); err != nil {
									return err
								}
							}
						}
					}
				},
			},
		},
	}
}
