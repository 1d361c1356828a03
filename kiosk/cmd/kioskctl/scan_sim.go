//go:build !nosim

package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"

	"github.com/tramso/tramso/drivers/scanner/esclsim"
)

// scanSimulate is "scan simulate": an eSCL scanner simulator serving page images.
func scanSimulate(ctx context.Context, e *env, args []string) error {
	var listen, pages string
	var f esclsim.Faults
	done, err := subFlags(e, "simulate", "--listen 127.0.0.1:PORT --pages DIR [faults]", args, func(fs *flag.FlagSet) {
		fs.StringVar(&listen, "listen", "127.0.0.1:8090", "địa chỉ nghe (listen address)")
		fs.StringVar(&pages, "pages", "", "thư mục ảnh trang PNG/JPEG (folder of page images)")
		fs.BoolVar(&f.ADFEmpty, "adf-empty", false, "khay nạp trống (feeder empty)")
		fs.IntVar(&f.JamOnPage, "jam-on-page", 0, "kẹt giấy ở trang N (jam on page N)")
		fs.IntVar(&f.BusyFirst, "busy-first", 0, "trả 503 cho K lần lấy trang đầu (answer 503 to the first K page requests)")
		fs.IntVar(&f.RetryAfter, "retry-after", 0, "Retry-After, giây, kèm 503 (seconds)")
		fs.DurationVar(&f.PageDelay, "page-delay", 0, "thời gian quét mỗi trang (time to scan each page)")
	})
	if done || err != nil {
		return err
	}
	if pages == "" {
		return usagef("cần --pages (--pages is required)")
	}
	if f.JamOnPage < 0 || f.BusyFirst < 0 || f.RetryAfter < 0 || f.PageDelay < 0 {
		return usagef("giá trị sự cố không được âm (fault values must not be negative)")
	}
	log := slog.New(slog.NewTextHandler(e.stdout, nil))
	srv, err := esclsim.Serve(ctx, listen, esclsim.Config{PagesDir: pages, Faults: f, Logger: log})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "máy quét giả lập sẵn sàng (scanner simulator ready): escl:%s\n", srv.URL())
	fmt.Fprintf(e.stdout, "sane-airscan: [devices] \"tramso\" = %s, eSCL  → sane:airscan:e0:tramso\n", srv.URL())
	return srv.Wait()
}
