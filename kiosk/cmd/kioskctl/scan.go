package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tramso/tramso/drivers/scanner"
	"github.com/tramso/tramso/internal/atomicfile"
)

const scanUsage = `--scanner sane:THIẾT_BỊ|escl:URL --out DIR [--resolution 300] [--mode gray|color|lineart] [--source flatbed|adf]
       kioskctl scan list [--scanner sane:THIẾT_BỊ|escl:URL]
       kioskctl scan simulate --listen 127.0.0.1:PORT --pages DIR [--adf-empty] [--jam-on-page N] [--busy-first K] [--page-delay D]`

func scanCommand() *command {
	return &command{
		name:    "scan",
		summary: "máy quét: quét trang, liệt kê, giả lập — scanners: scan pages, list, simulate",
		usage:   scanUsage,
		help: `Quét từ mặt kính (flatbed) một trang hoặc từ khay nạp (adf) mọi tờ, ghi DIR/page-001.png, … với độ
phân giải ghi trong PNG (pHYs). Thiết bị: sane:TÊN (tên như "scan list" in ra, qua scanimage) hoặc
escl:http://máy:cổng/eSCL (máy quét mạng AirScan/Mopria).
"scan list" liệt kê máy quét SANE, hoặc khả năng của máy quét --scanner.
"scan simulate" chạy máy quét eSCL giả lập phục vụ các ảnh PNG/JPEG trong --pages đến khi ngắt (Ctrl-C).

Scans one page from the glass (flatbed) or every sheet in the feeder (adf) into DIR/page-001.png, …,
with the resolution recorded in the PNG. Devices: sane:NAME (via scanimage) or escl:URL (network
scanner). "scan list" lists SANE scanners, or the capabilities of --scanner. "scan simulate" runs an
eSCL scanner serving the PNG/JPEG pages in --pages until interrupted. SANE_CONFIG_DIR is honoured.`,
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			dev := fs.String("scanner", "", "máy quét (scanner): sane:THIẾT_BỊ hoặc escl:URL")
			res := fs.Int("resolution", scanner.DefaultResolution, "độ phân giải, dpi (resolution)")
			mode := fs.String("mode", "gray", "chế độ màu gray|color|lineart (colour mode)")
			source := fs.String("source", "flatbed", "nguồn giấy flatbed|adf (paper source)")
			out := fs.String("out", "", "thư mục ghi trang PNG (folder for page PNGs)")
			maxPages := fs.Int("max-pages", 0, "dừng khay nạp sau N trang, 0 là hết (stop the feeder after N pages)")
			timeout := fs.Duration("timeout", 5*time.Minute, "thời gian tối đa (overall time limit)")
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) > 0 {
					switch args[0] {
					case "list":
						return scanList(ctx, e, *dev, *timeout, args[1:])
					case "simulate":
						return scanSimulate(ctx, e, args[1:])
					}
					return usagef("lệnh không biết (unknown command) %q", args[0])
				}
				if *dev == "" || *out == "" {
					return usagef("cần --scanner và --out (--scanner and --out are required)")
				}
				opts := scanner.Options{Resolution: *res, MaxPages: *maxPages}
				var err error
				if opts.Mode, err = scanner.ParseMode(*mode); err != nil {
					return usagef("%v", err)
				}
				if opts.Source, err = scanner.ParseSource(*source); err != nil {
					return usagef("%v", err)
				}
				if *res <= 0 || *maxPages < 0 {
					return usagef("--resolution phải dương, --max-pages không âm (--resolution must be positive, --max-pages not negative)")
				}
				s, err := scanner.Open(*dev)
				if err != nil {
					return usagef("%v", err)
				}
				if err := os.MkdirAll(*out, 0o755); err != nil {
					return fmt.Errorf("không tạo được thư mục %s (cannot create folder): %w", *out, err)
				}
				ctx, cancel := context.WithTimeout(ctx, *timeout)
				defer cancel()
				n := 0
				for p, err := range s.Scan(ctx, opts) {
					if err != nil {
						if n > 0 {
							fmt.Fprintf(e.stdout, "đã ghi %d trang trước lỗi (%d pages written before the error)\n", n, n)
						}
						return err
					}
					n++
					name := filepath.Join(*out, fmt.Sprintf("page-%03d.png", p.Index))
					if err := writePagePNG(name, p); err != nil {
						return err
					}
					b := p.Image.Bounds()
					fmt.Fprintf(e.stdout, "trang %d (page): %s %d×%d điểm, %d dpi, %v\n", p.Index, name, b.Dx(), b.Dy(), p.DPI, p.Source)
				}
				return nil
			}
		},
	}
}

// writePagePNG writes a page as a PNG recording its resolution, replacing name only once the
// whole file is on disk.
func writePagePNG(name string, p scanner.Page) error {
	err := atomicfile.WriteFunc(name, 0o644, func(w io.Writer) error {
		return scanner.EncodePNG(w, p.Image, p.DPI)
	})
	if err != nil {
		return fmt.Errorf("không ghi được %s (cannot write): %w", name, err)
	}
	return nil
}

// subFlags parses the flags of a "scan" verb; help is printed to stdout and ends the verb.
func subFlags(e *env, verb, usage string, args []string, define func(fs *flag.FlagSet)) (bool, error) {
	fs := flag.NewFlagSet("kioskctl scan "+verb, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	define(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(e.stdout, "Cách dùng (usage): kioskctl scan %s %s\n\nTuỳ chọn (flags):\n", verb, usage)
			fs.VisitAll(func(f *flag.Flag) { fmt.Fprintf(e.stdout, "  --%-16s %s\n", f.Name, f.Usage) })
			return true, nil
		}
		return false, usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return false, usagef("thừa đối số (unexpected arguments) %q", fs.Args())
	}
	return false, nil
}

func scanList(ctx context.Context, e *env, dev string, timeout time.Duration, args []string) error {
	done, err := subFlags(e, "list", "[--scanner sane:THIẾT_BỊ|escl:URL]", args, func(fs *flag.FlagSet) {
		fs.StringVar(&dev, "scanner", dev, "máy quét cần xem khả năng (scanner whose capabilities to show)")
	})
	if done || err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if dev == "" {
		devs, err := scanner.Config{}.ListSANE(ctx)
		if err != nil {
			return err
		}
		if len(devs) == 0 {
			fmt.Fprintln(e.stdout, "không thấy máy quét SANE nào (no SANE scanner found)")
			return nil
		}
		for _, d := range devs {
			fmt.Fprintf(e.stdout, "%s\t%s %s (%s)\n", d.Name, d.Vendor, d.Model, d.Type)
		}
		return nil
	}
	s, err := scanner.Open(dev)
	if err != nil {
		return usagef("%v", err)
	}
	caps, err := s.Capabilities(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: %s\n", dev, caps.MakeAndModel)
	for _, sc := range caps.Sources {
		var modes []string
		for _, m := range sc.Modes {
			modes = append(modes, m.String())
		}
		res := fmt.Sprint(sc.Resolutions)
		if len(sc.Resolutions) == 0 {
			res = fmt.Sprintf("%d..%d", sc.MinResolution, sc.MaxResolution)
		}
		fmt.Fprintf(e.stdout, "  %-8s chế độ (modes) %s; dpi %s; tối đa (max) %.0f×%.0f mm\n",
			sc.Source, strings.Join(modes, ","), res, sc.MaxWidth, sc.MaxHeight)
	}
	return nil
}
