//go:build !nosim

package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tramso/tramso/drivers/escpos/escpossim"
	"github.com/tramso/tramso/internal/atomicfile"
)

func paperDots(paper string) (int, error) {
	switch paper {
	case "80":
		return escpossim.Paper80mm, nil
	case "58":
		return escpossim.Paper58mm, nil
	}
	return 0, usagef("--paper phải là 80 hoặc 58 (--paper must be 80 or 58), not %q", paper)
}

func printerSimulateCommand() *command {
	return &command{
		name:    "simulate",
		summary: "máy in giả lập trên một pty — a simulated printer on a pseudo-terminal",
		usage:   "--link PATH --out DIR [--paper 80|58] [--paper-out-after-dots N] [--ignore-gsr | --one-way]",
		help: `Tạo một pty với liên kết tại PATH; "kioskctl printer print --device serial:PATH" in vào đó như máy thật.
Mỗi biên nhận được cắt ghi thành DIR/receipt-NNNN.png. Gõ lệnh trên stdin để tạo sự cố:
  paper-out | paper-in | near-end | near-end-off | cover-open | cover-close | offline | online | cutter-jam | cutter-clear | status | unplug
--ignore-gsr: như nhiều máy in giá rẻ, trả lời DLE EOT nhưng bỏ qua GS r. --one-way: không trả lời gì cả.
Creates a pty linked at PATH that speaks ESC/POS like a real printer; each cut receipt becomes a PNG.
--ignore-gsr answers DLE EOT but ignores GS r, as many low-cost clones do; --one-way answers nothing at all.
Type the commands above on stdin to inject faults. Stops on Ctrl-C, "unplug" or "quit".`,
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			link := fs.String("link", "", "đường dẫn liên kết tới pty (symlink path the host opens)")
			out := fs.String("out", "", "thư mục ghi PNG biên nhận (folder for receipt PNGs)")
			paper := fs.String("paper", "80", "khổ giấy 80 hoặc 58 mm (paper width)")
			outAfter := fs.Int("paper-out-after-dots", 0, "hết giấy sau N điểm giấy (paper runs out after N dots; 8 dots = 1 mm)")
			ignoreGSr := fs.Bool("ignore-gsr", false, "bỏ qua GS r như máy in giá rẻ (ignore GS r, as low-cost clones do)")
			oneWay := fs.Bool("one-way", false, "không có đường trả lời (no back channel: answers nothing)")
			return func(ctx context.Context, e *env, args []string) error {
				if *link == "" || *out == "" || len(args) > 0 {
					return usagef("cần --link và --out (--link and --out are required)")
				}
				dots, err := paperDots(*paper)
				if err != nil {
					return err
				}
				if *ignoreGSr && *oneWay {
					return usagef("--ignore-gsr và --one-way loại trừ nhau (--ignore-gsr and --one-way exclude each other)")
				}
				if *outAfter < 0 {
					return usagef("--paper-out-after-dots không được âm (must not be negative)")
				}
				sim, err := escpossim.Serve(ctx, *link, escpossim.Config{
					PaperDots: dots, PaperOutAfterDots: *outAfter, OutDir: *out,
					IgnoreGSr: *ignoreGSr, OneWay: *oneWay,
				})
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "máy in giả lập sẵn sàng (printer simulator ready): %s, giấy %s mm, ảnh vào %s\n",
					sim.Link(), *paper, *out)
				return runSimulator(ctx, e, sim)
			}
		},
	}
}

// runSimulator reports receipts as they are cut and applies fault commands from stdin until the
// context ends or the line is unplugged.
func runSimulator(ctx context.Context, e *env, sim *escpossim.Simulator) error {
	p := sim.Printer()
	cmds := make(chan string)
	go func() {
		sc := bufio.NewScanner(e.stdin)
		for sc.Scan() {
			cmds <- strings.TrimSpace(sc.Text())
		}
		// End of input does not stop the printer: it runs until interrupted.
	}()
	done := make(chan error, 1)
	go func() { done <- sim.Wait() }()
	seen := 0
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	report := func() {
		rs := p.Receipts()
		for _, r := range rs {
			if r.Index <= seen {
				continue
			}
			seen = r.Index
			kind := "biên nhận (receipt)"
			if r.Partial {
				kind = "mảnh giấy dở (partial piece: " + r.Reason + ")"
			}
			fmt.Fprintf(e.stdout, "%s %d: %s\n", kind, r.Index, r.Path)
		}
	}
	for {
		select {
		case <-ctx.Done():
			sim.Unplug()
			<-done
			report()
			return nil
		case err := <-done:
			report()
			return err
		case <-tick.C:
			report()
		case c := <-cmds:
			switch c {
			case "":
				continue
			case "status":
				st := p.Status()
				fmt.Fprintf(e.stdout, "giấy hết=%v sắp hết=%v nắp mở=%v ngoại tuyến=%v đệm=%d mất=%d biên nhận=%d lệnh lạ=%d\n",
					st.PaperOut, st.NearEnd, st.CoverOpen, st.Offline, st.Buffered, st.LostBytes, st.Receipts, st.Unknown)
				continue
			case "unplug", "quit":
				sim.Unplug()
				<-done
				report()
				return nil
			default:
				if err := p.Fault(c); err != nil {
					fmt.Fprintf(e.stderr, "%v\n", err)
					continue
				}
			}
			fmt.Fprintf(e.stdout, "ok: %s\n", c)
		}
	}
}

func printerEmulateCommand() *command {
	return &command{
		name:    "emulate",
		summary: "giải mã tệp ESC/POS thành ảnh giấy — decode an ESC/POS file into a picture of the paper",
		usage:   "--in receipt.bin --png paper.png [--paper 80|58] [--strict]",
		help: `Mỗi lần cắt giấy cho một ảnh: paper.png, paper-2.png, … Lệnh lạ hoặc sai được liệt kê.
Each cut gives one picture; unknown or malformed commands are listed (--strict makes them an error).`,
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			in := fs.String("in", "", "tệp ESC/POS (ESC/POS file)")
			out := fs.String("png", "", "ảnh PNG ghi ra (output PNG)")
			paper := fs.String("paper", "80", "khổ giấy 80 hoặc 58 mm (paper width)")
			strict := fs.Bool("strict", false, "lệnh lạ là lỗi (unknown commands are an error)")
			return func(ctx context.Context, e *env, args []string) error {
				if *in == "" || *out == "" || len(args) > 0 {
					return usagef("cần --in và --png (--in and --png are required)")
				}
				dots, err := paperDots(*paper)
				if err != nil {
					return err
				}
				data, err := os.ReadFile(*in)
				if err != nil {
					return fmt.Errorf("không đọc được %s (cannot read): %w", *in, err)
				}
				res, err := escpossim.Emulate(data, dots)
				if err != nil {
					return err
				}
				for _, u := range res.Unknown {
					fmt.Fprintf(e.stderr, "lệnh lạ (unknown command) %s\n", u)
				}
				if len(res.Pages) == 0 {
					return fmt.Errorf("tệp không in ra gì (the file prints nothing)")
				}
				for i, pg := range res.Pages {
					name := *out
					if i > 0 {
						ext := filepath.Ext(name)
						name = fmt.Sprintf("%s-%d%s", strings.TrimSuffix(name, ext), i+1, ext)
					}
					if err := writePNGFile(name, pg); err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "%s: %d×%d điểm (dots)\n", name, pg.Bounds().Dx(), pg.Bounds().Dy())
				}
				for _, r := range res.Receipts {
					for _, q := range r.QR {
						fmt.Fprintf(e.stdout, "QR: %s\n", q)
					}
				}
				if *strict && len(res.Unknown) > 0 {
					return fmt.Errorf("%d lệnh lạ (unknown commands)", len(res.Unknown))
				}
				return nil
			}
		},
	}
}

// writePNGFile writes img as a PNG, replacing name only once the whole file is written.
func writePNGFile(name string, img image.Image) error {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return err
	}
	if err := atomicfile.Write(name, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("không ghi được %s (cannot write): %w", name, err)
	}
	return nil
}
