package main

import (
	"context"
	_ "embed"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tramso/tramso/drivers/escpos"
	"github.com/tramso/tramso/drivers/escpos/escpossim"
	"github.com/tramso/tramso/kiosk/receipt"
)

//go:embed sample-receipt.json
var sampleReceipt []byte

func demoCommand() *command {
	return &command{
		name:    "demo",
		summary: "chạy thử kiosk trên thiết bị giả lập — run the kiosk on simulated hardware",
		usage:   "--out DIR [--headless]",
		help: `Dựng một biên nhận mẫu (mã tạm, chưa có mạng), in qua máy in giả lập trên pty như máy thật,
và ghi vào DIR: receipt.json, receipt.bin (lệnh ESC/POS), receipt.png (ảnh giấy in ra).
Renders a sample receipt, prints it through the simulated printer on a pseudo-terminal and leaves
the JSON, the ESC/POS bytes and the picture of the paper in DIR.`,
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			out := fs.String("out", "demo-out", "thư mục kết quả (output folder)")
			fs.Bool("headless", true, "không mở cửa sổ (no window)")
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) > 0 {
					return usagef("thừa đối số (unexpected arguments) %q", args)
				}
				return runDemo(ctx, e, *out)
			}
		},
	}
}

func runDemo(ctx context.Context, e *env, out string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("không tạo được %s (cannot create): %w", out, err)
	}
	step := func(format string, a ...any) { fmt.Fprintf(e.stdout, "• "+format+"\n", a...) }

	r, err := receipt.Parse(sampleReceipt)
	if err != nil {
		return err
	}
	p, _ := escpos.LookupProfile("generic-80")
	fonts, err := escpos.LoadFonts()
	if err != nil {
		return err
	}
	job, err := escpos.Compile(receipt.Layout(r, p), p, fonts)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "receipt.json"), sampleReceipt, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "receipt.bin"), job.Data, 0o644); err != nil {
		return err
	}
	step("biên nhận dựng xong (receipt rendered): %d byte ESC/POS, %d dòng ảnh chữ tiếng Việt", len(job.Data), job.RasterLines)

	tmp, err := os.MkdirTemp("", "tramso-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	link := filepath.Join(tmp, "printer")
	simCtx, stop := context.WithCancel(ctx)
	defer stop()
	sim, err := escpossim.Serve(simCtx, link, escpossim.Config{PaperDots: p.DotsPerLine, OutDir: tmp})
	if err != nil {
		return err
	}
	step("máy in giả lập chạy trên pty (printer simulator on a pseudo-terminal): %s", link)
	pr, err := escpos.Open("serial:"+link+"?baud=115200", p)
	if err != nil {
		return err
	}
	defer pr.Close()
	pctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	res, err := pr.Print(pctx, job.Data)
	if err != nil {
		return err
	}
	step("in xong (printed): %s, %d/%d byte máy in xác nhận", res.Outcome, res.Confirmed, res.Total)
	var png string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if rs := sim.Printer().Receipts(); len(rs) > 0 && rs[0].Path != "" {
			png = rs[0].Path
			break
		}
	}
	if png == "" {
		return fmt.Errorf("máy in giả lập không cắt giấy (the simulated printer did not cut the receipt)")
	}
	b, err := os.ReadFile(png)
	if err != nil {
		return err
	}
	dst := filepath.Join(out, "receipt.png")
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		return err
	}
	step("ảnh biên nhận (receipt picture): %s", dst)
	fmt.Fprintf(e.stdout, "\nKết quả ở (results in) %s/: receipt.json, receipt.bin, receipt.png\n", out)
	return nil
}
