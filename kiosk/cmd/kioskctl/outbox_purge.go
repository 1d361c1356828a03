package main

// kioskctl outbox purge: the retention purge, contacts for notifications included.

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tramso/tramso/kiosk/outbox"
)

// outboxPurgeCommand purges the personal data of dossiers past their retention period and, when the
// state folder holds the services queue, the notification contacts of every dossier the outbox no
// longer holds with its data.
func outboxPurgeCommand() *command {
	return &command{
		name:    "purge",
		summary: "xóa dữ liệu cá nhân đã quá thời hạn lưu giữ — purge data past its retention",
		usage:   "--data DIR [--days N] [--state DIR]",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			data := fs.String("data", "", "thư mục dữ liệu hàng đợi (outbox data directory)")
			days := fs.Int("days", 30, "số ngày lưu giữ sau khi được tiếp nhận (days kept after acceptance)")
			state := fs.String("state", "", "thư mục trạng thái có hàng đợi dịch vụ, mặc định thư mục cha của --data (state folder holding the services queue; default: the parent of --data)")
			return func(ctx context.Context, e *env, args []string) error {
				if *data == "" {
					return usagef("cần --data (--data is required)")
				}
				if *days < 0 {
					return usagef("--days phải ≥ 0 (--days must be ≥ 0)")
				}
				s, err := outbox.Open(ctx, *data, outbox.Options{Retention: time.Duration(*days)*24*time.Hour + 1})
				if err != nil {
					return err
				}
				defer s.Close()
				if *state == "" {
					*state = filepath.Dir(filepath.Clean(*data))
				}
				if _, err := os.Stat(filepath.Join(*state, outbox.ServicesQueueFile)); os.IsNotExist(err) {
					// No services queue: no contact to delete with the dossiers.
					n, err := s.Purge(ctx)
					if err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "đã xóa dữ liệu của %d hồ sơ (purged %d dossiers)\n", n, n)
					return nil
				}
				q, err := outbox.OpenServicesQueue(ctx, *state)
				if err != nil {
					return err
				}
				defer q.Close()
				n, forgotten, err := s.PurgeWithContacts(ctx, q)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "đã xóa dữ liệu của %d hồ sơ và %d liên hệ nhận tin (purged %d dossiers and %d notification contacts)\n", n, forgotten, n, forgotten)
				return nil
			}
		},
	}
}
