package main

// kioskctl staff: the staff commands over kioskd's staff API.

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tramso/tramso/kiosk/api/client"
	"github.com/tramso/tramso/kiosk/config"
	"github.com/tramso/tramso/kiosk/outbox"
	"github.com/tramso/tramso/kiosk/staff"
)

func staffCommand() *command {
	readPIN := func(e *env) (string, error) {
		fmt.Fprint(e.stderr, "Mã PIN cán bộ (staff PIN): ")
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && err != io.EOF {
			return "", err
		}
		return strings.TrimSpace(line), nil
	}
	withStaff := func(name, summary, usage string, run func(ctx context.Context, e *env, c *client.Client, args []string) error) *command {
		return &command{
			name: name, summary: summary, usage: usage,
			flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
				socket := fs.String("socket", defaultSocket, "ổ cắm của kioskd (kioskd socket)")
				return func(ctx context.Context, e *env, args []string) error {
					pin, err := readPIN(e)
					if err != nil {
						return err
					}
					ctx, cancel := context.WithTimeout(ctx, time.Minute)
					defer cancel()
					c := client.New(*socket)
					if err := c.StaffLogin(ctx, pin); err != nil {
						return err
					}
					return run(ctx, e, c, args)
				}
			},
		}
	}
	return &command{
		name:    "staff",
		summary: "việc của cán bộ một cửa: hồ sơ hôm nay, in lại biên nhận — counter staff: today's dossiers, reprint",
		help:    "Mã PIN được đọc từ đầu vào chuẩn (the PIN is read from standard input).",
		subs: []*command{
			{
				name:    "hash-pin",
				summary: "in mã băm argon2id của một mã PIN (đặt PIN: set-pin) — print a PIN's argon2id hash (to set one: set-pin)",
				flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
					return func(ctx context.Context, e *env, args []string) error {
						pin, err := readPIN(e)
						if err != nil {
							return err
						}
						h, err := staff.HashPIN(pin)
						if err != nil {
							return err
						}
						fmt.Fprintln(e.stdout, h)
						return nil
					}
				},
			},
			{
				name:    "set-pin",
				summary: "đặt mã PIN cán bộ (hoặc kỹ thuật viên) vào tệp bí mật của kioskd — set the staff (or technician) PIN in kioskd's secrets file",
				usage:   "[--technician] [--config FILE]",
				flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
					tech := fs.Bool("technician", false, "mã PIN kỹ thuật viên (the technician's PIN)")
					cfgPath := fs.String("config", defaultConfig, "tệp cấu hình (configuration file)")
					return func(ctx context.Context, e *env, args []string) error {
						cfg, err := config.Load(*cfgPath)
						if err != nil {
							return err
						}
						pin, err := readPIN(e)
						if err != nil {
							return err
						}
						h, err := staff.HashPIN(pin)
						if err != nil {
							return err
						}
						if err := config.SetPIN(cfg.Paths.SecretsFile(), *tech, h); err != nil {
							return err
						}
						if err := giveToService(cfg.Paths.StateDir, *cfgPath); err != nil {
							return err
						}
						fmt.Fprintf(e.stdout, "đã đặt mã PIN (PIN set) in %s; systemctl restart kioskd\n", cfg.Paths.SecretsFile())
						return nil
					}
				},
			},
			withStaff("dossiers", "hồ sơ hôm nay và trạng thái — today's dossiers and their state", "[--socket PATH]",
				func(ctx context.Context, e *env, c *client.Client, args []string) error {
					var list []outbox.Entry
					if err := c.Staff(ctx, "GET", "dossiers", &list); err != nil {
						return err
					}
					return writeDossiers(e.stdout, list)
				}),
			withStaff("devices", "trạng thái mọi thiết bị, kể cả đầu đọc thẻ và máy quét QR — every device's status, card reader and QR scanner included", "[--socket PATH]",
				func(ctx context.Context, e *env, c *client.Client, args []string) error {
					var h map[string]any
					if err := c.Staff(ctx, "GET", "devices", &h); err != nil {
						return err
					}
					return writeStatus(e.stdout, h)
				}),
			withStaff("reprint", "in lại biên nhận (mã chính thức nếu đã có) — reprint a receipt", "ID [--socket PATH]",
				func(ctx context.Context, e *env, c *client.Client, args []string) error {
					if len(args) != 1 {
						return usagef("cần ID hồ sơ (the dossier ID is required)")
					}
					var out map[string]any
					if err := c.Staff(ctx, "POST", "dossiers/"+args[0]+"/reprint", &out); err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "đã in lại (reprinted): %v\n", out["dossierCode"])
					return nil
				}),
			withStaff("retry", "gửi lại hồ sơ bị từ chối — queue a rejected dossier again", "ID [--socket PATH]",
				func(ctx context.Context, e *env, c *client.Client, args []string) error {
					if len(args) != 1 {
						return usagef("cần ID hồ sơ (the dossier ID is required)")
					}
					if err := c.Staff(ctx, "POST", "dossiers/"+args[0]+"/retry", nil); err != nil {
						return err
					}
					fmt.Fprintln(e.stdout, "đã xếp hàng gửi lại (queued)")
					return nil
				}),
		},
	}
}
