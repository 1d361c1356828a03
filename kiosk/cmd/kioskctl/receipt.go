package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/tramso/tramso/drivers/escpos"
	"github.com/tramso/tramso/kiosk/receipt"
)

func receiptCommand() *command {
	return &command{
		name:    "receipt",
		summary: "biên nhận hồ sơ — the citizen's receipt",
		subs: []*command{{
			name:    "render",
			summary: "dựng biên nhận từ JSON thành lệnh ESC/POS — render a receipt JSON to ESC/POS bytes",
			usage:   "--in receipt.json --out receipt.bin [--paper 80|58] [--profile NAME]",
			help: `Đọc biên nhận dạng JSON (xem README, mục "Receipt JSON") và ghi ra lệnh máy in ESC/POS.
Chữ tiếng Việt được in dạng ảnh (phông Noto Sans) trừ khi hồ sơ máy in có bảng mã TCVN-3 đã kiểm tra.
Reads a receipt JSON and writes the ESC/POS job; print it with "kioskctl printer print".`,
			flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
				in := fs.String("in", "", "tệp JSON biên nhận (receipt JSON file)")
				out := fs.String("out", "", "tệp ESC/POS ghi ra (output ESC/POS file)")
				paper := fs.String("paper", "80", "khổ giấy 80 hoặc 58 mm (paper width)")
				profile := fs.String("profile", "", "hồ sơ máy in, ghi đè --paper (printer profile; see 'printer profiles')")
				return func(ctx context.Context, e *env, args []string) error {
					if *in == "" || *out == "" || len(args) > 0 {
						return usagef("cần --in và --out (--in and --out are required)")
					}
					p, err := profileFlag(*paper, *profile)
					if err != nil {
						return err
					}
					job, err := renderReceiptFile(*in, p)
					if err != nil {
						return err
					}
					if err := os.WriteFile(*out, job.Data, 0o644); err != nil {
						return fmt.Errorf("không ghi được %s (cannot write): %w", *out, err)
					}
					fmt.Fprintf(e.stdout, "%s: %d byte (%d dòng chữ máy in, %d dòng ảnh, %d byte ảnh), giấy %.0f mm, hồ sơ %s\n",
						*out, len(job.Data), job.TextLines, job.RasterLines, job.RasterBytes,
						float64(job.PaperDots)*25.4/float64(p.DPI), p.Name)
					return nil
				}
			},
		}},
	}
}

// profileFlag resolves --paper and --profile.
func profileFlag(paper, profile string) (escpos.Profile, error) {
	if profile != "" {
		return escpos.LookupProfile(profile)
	}
	switch paper {
	case "80", "58":
		return escpos.LookupProfile(paper)
	}
	return escpos.Profile{}, usagef("--paper phải là 80 hoặc 58 (--paper must be 80 or 58), not %q", paper)
}

// renderReceiptFile reads, validates and compiles a receipt JSON file.
func renderReceiptFile(path string, p escpos.Profile) (*escpos.Compiled, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("không đọc được %s (cannot read): %w", path, err)
	}
	r, err := receipt.Parse(b)
	if err != nil {
		return nil, err
	}
	fonts, err := escpos.LoadFonts()
	if err != nil {
		return nil, err
	}
	return escpos.Compile(receipt.Layout(r, p), p, fonts)
}
