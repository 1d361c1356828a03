package main

import (
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
			qrSimulateCommand(),
		},
	}
}
