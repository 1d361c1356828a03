package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"text/tabwriter"

	"github.com/tramso/tramso/drivers/codereader"
	"github.com/tramso/tramso/drivers/escpos"
	"github.com/tramso/tramso/drivers/scanner"
	"github.com/tramso/tramso/kiosk/config"
	"github.com/tramso/tramso/kiosk/identity"
	"github.com/tramso/tramso/kiosk/outbox"
	"github.com/tramso/tramso/kiosk/selftest"
)

func selftestCommand() *command {
	return &command{
		name:    "selftest",
		summary: "kiểm tra mọi thiết bị đã cấu hình, kèm cách khắc phục — exercise every configured device",
		usage:   "[--config /etc/tramso/kiosk.toml] [--json]",
		help: `Mở từng thiết bị trong tệp cấu hình và thử nó: máy in (trạng thái), đầu đọc thẻ, máy quét QR,
máy quét giấy tờ, kho hồ sơ, máy chủ trung tâm, bộ nhớ trống, phông chữ và dữ liệu nhận dạng chữ (cùng
các bước kiểm tra của cán bộ trong kioskd). In bảng đạt/lỗi và cách khắc phục; mã thoát 1 nếu có lỗi. Nên dừng kioskd trước (systemctl stop kioskd) để thiết bị rảnh.
Opens and exercises each configured device (the same checks as kioskd's staff self-test) and
prints pass/fail with the fix to try.`,
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			cfgPath := fs.String("config", defaultConfig, "tệp cấu hình (configuration file)")
			asJSON := fs.Bool("json", false, "in ra JSON (print JSON)")
			return func(ctx context.Context, e *env, args []string) error {
				cfg, err := config.Load(*cfgPath)
				if err != nil {
					return err
				}
				checks := selftest.Run(ctx, cfg, configuredDevices{cfg}, selftest.Options{})
				if *asJSON {
					json.NewEncoder(e.stdout).Encode(checks)
				} else {
					tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "THIẾT BỊ (DEVICE)\tKẾT QUẢ (RESULT)\tCÁCH KHẮC PHỤC (FIX)")
					for _, c := range checks {
						mark := "ĐẠT (PASS)"
						if !c.OK {
							mark = "LỖI (FAIL)"
						}
						fmt.Fprintf(tw, "%s\t%s: %s\t%s\n", c.Device, mark, c.Result, c.Fix)
					}
					tw.Flush()
				}
				for _, c := range checks {
					if !c.OK {
						return errors.New("có thiết bị lỗi, xem bảng trên (some devices failed: see the table)")
					}
				}
				return nil
			}
		},
	}
}

// configuredDevices are the kiosk's devices as kioskctl selftest exercises them with kioskd
// stopped: each opened from the configuration, and closed again.
type configuredDevices struct{ cfg *config.Config }

// ProbePrinter opens the configured printer and asks what it answers.
func (c configuredDevices) ProbePrinter(ctx context.Context) (escpos.StatusMode, *escpos.Status, error) {
	p, err := escpos.LookupProfile(c.cfg.Devices.PrinterProfile)
	if err != nil {
		return escpos.StatusAuto, nil, err
	}
	return selftest.ProbePrinter(ctx, c.cfg.Devices.Printer, p)
}

// OpenCardReader opens the configured card reader and closes it.
func (c configuredDevices) OpenCardReader(ctx context.Context) error {
	rd, err := identity.OpenReader(ctx, c.cfg.Devices.CardReader)
	if err != nil {
		return err
	}
	rd.Close()
	return nil
}

// OpenQR opens the configured QR scanner and closes it.
func (c configuredDevices) OpenQR() error {
	r, err := codereader.Open(c.cfg.Devices.QRScanner)
	if err != nil {
		return fmt.Errorf("không mở được máy quét QR (cannot open the QR scanner): %w", err)
	}
	r.Close()
	return nil
}

// ScannerCapabilities opens the configured document scanner and asks what it can do.
func (c configuredDevices) ScannerCapabilities(ctx context.Context) (scanner.Capabilities, error) {
	s, err := scanner.Open(c.cfg.Devices.Scanner)
	if err != nil {
		return scanner.Capabilities{}, err
	}
	return s.Capabilities(ctx)
}

// Store opens the dossier store in the state folder (its full integrity check runs first).
func (c configuredDevices) Store(ctx context.Context) (selftest.Store, func(), error) {
	s, err := outbox.Open(ctx, filepath.Join(c.cfg.Paths.StateDir, "outbox"), outbox.Options{KioskID: c.cfg.Kiosk.ID})
	if err != nil {
		return nil, nil, err
	}
	return s, func() { s.Close() }, nil
}
