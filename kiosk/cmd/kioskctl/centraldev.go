//go:build !nosim

package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"text/tabwriter"
	"time"

	"github.com/tramso/tramso/kiosk/central/devserver"
)

func centralDevCommand() *command {
	return &command{
		name:    "central-dev",
		summary: "máy chủ trung tâm giả lập để phát triển và kiểm thử — development central server",
		usage:   "--listen 127.0.0.1:PORT --data DIR [--tls-dir DIR] [--faults SPEC]  |  dump --data DIR [--json]",
		help: `Thực hiện hợp đồng API trung tâm (kiosk/central/openapi.yaml) với SQLite, cấp mã hồ sơ theo Thông tư
01/2018 và chống trùng theo Idempotency-Key. Implements the central API contract with SQLite, issues dossier
codes per Circular 01/2018 and deduplicates on the Idempotency-Key.
--faults: cặp loại=xác suất cách nhau bằng dấu phẩy (comma-separated kind=probability), loại (kinds)
  500, reset, slow, hang, 429; vd. (e.g.) --faults 500=0.1,reset=0.05,429=0.05
Không có --tls-dir thì dùng HTTP thường, chỉ trên loopback (without --tls-dir: plain HTTP, loopback only).
Với --tls-dir: tạo (lần đầu) hoặc nạp CA thử, chứng thư máy chủ; ký chứng thư kiosk khi đăng ký; bắt buộc mTLS.
With --tls-dir: creates (first run) or loads a dev CA and server certificate, signs kiosk certificates at
enrolment, requires mTLS.
dump: liệt kê hồ sơ đã nhận kèm mã băm tệp (lists stored dossiers with attachment hashes).`,
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			listen := fs.String("listen", "127.0.0.1:8480", "địa chỉ lắng nghe (listen address)")
			data := fs.String("data", "", "thư mục dữ liệu của máy chủ (server data directory)")
			tlsDir := fs.String("tls-dir", "", "thư mục CA và chứng thư (CA and certificate directory)")
			faults := fs.String("faults", "", "lỗi giả lập (faults to inject), vd. 500=0.1,reset=0.05")
			slow := fs.Duration("slow", 2*time.Second, "độ trễ của lỗi slow (delay of the slow fault)")
			hangMax := fs.Duration("hang-max", 2*time.Minute, "thời gian treo tối đa của lỗi hang (longest hang)")
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) > 0 && args[0] == "dump" {
					return centralDevDump(ctx, e, *data, args[1:])
				}
				if len(args) > 0 {
					return usagef("thừa tham số %q (unexpected argument)", args[0])
				}
				if *data == "" {
					return usagef("cần --data (--data is required)")
				}
				host, _, err := net.SplitHostPort(*listen)
				if err != nil {
					return usagef("--listen phải có dạng HOST:PORT (--listen must be HOST:PORT)")
				}
				if ip := net.ParseIP(host); *tlsDir == "" && host != "localhost" && (ip == nil || !ip.IsLoopback()) {
					return usagef("HTTP thường chỉ nghe trên loopback; dùng --tls-dir (plain HTTP listens on loopback only; use --tls-dir)")
				}
				spec, err := devserver.ParseFaults(*faults)
				if err != nil {
					return usagef("--faults: %v", err)
				}
				log := slog.New(slog.NewTextHandler(e.stderr, nil))
				cfg := devserver.Config{Dir: *data, TLSDir: *tlsDir, SlowDelay: *slow, HangMax: *hangMax, Logger: log}
				if len(spec) > 0 {
					cfg.Faults = spec.Decide
				}
				srv, err := devserver.Open(ctx, cfg)
				if err != nil {
					return err
				}
				defer srv.Close()
				ln, err := net.Listen("tcp", *listen)
				if err != nil {
					return fmt.Errorf("không lắng nghe được (cannot listen): %w", err)
				}
				scheme := "http"
				if *tlsDir != "" {
					scheme = "https"
				}
				fmt.Fprintf(e.stdout, "central-dev: đang phục vụ (serving) %s://%s faults=%q\n", scheme, ln.Addr(), spec.String())
				if f, ok := e.stdout.(interface{ Sync() error }); ok {
					f.Sync()
				}
				return srv.Serve(ctx, ln)
			}
		},
	}
}

func centralDevDump(ctx context.Context, e *env, data string, args []string) error {
	fs := flag.NewFlagSet("central-dev dump", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	dataFlag := fs.String("data", data, "thư mục dữ liệu của máy chủ (server data directory)")
	asJSON := fs.Bool("json", false, "in ra JSON (print JSON)")
	if err := fs.Parse(args); err != nil {
		return usagef("%v", err)
	}
	if *dataFlag == "" {
		return usagef("cần --data (--data is required)")
	}
	list, err := devserver.Dump(ctx, *dataFlag)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(list)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "MÃ HỒ SƠ/CODE\tTHỦ TỤC/PROCEDURE\tKIOSK\tTRẠNG THÁI/STATUS\tTỆP/FILES")
	for _, d := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", d.DossierCode, d.ProcedureCode, d.KioskID, d.Status, len(d.Attachments))
	}
	return tw.Flush()
}
