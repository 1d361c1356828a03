package main

import (
	"context"
	"fmt"
	"os"

	"github.com/tramso/tramso/kiosk/config"
	"github.com/tramso/tramso/packaging/journal"
)

// provisionFleet writes what sends the kiosk's journal and metrics to the province (packaging/journal)
// when provision was given their endpoints, and starts those services where systemd runs (the
// package and the image have enabled them; they wait for their configuration).
func provisionFleet(ctx context.Context, e *env, cfg *config.Config) error {
	var en journal.Enabler
	if _, err := os.Stat("/run/systemd/system"); err == nil && os.Geteuid() == 0 {
		en = journal.Systemctl{}
	}
	r, err := journal.Provision(ctx, "/", cfg, en)
	if err != nil {
		return err
	}
	for _, p := range r.Written {
		fmt.Fprintf(e.stdout, "• đã ghi (written): %s\n", p)
	}
	for _, u := range r.Enabled {
		fmt.Fprintf(e.stdout, "• đã khởi động (started): %s\n", u)
	}
	if len(r.Written) > 0 && len(r.Enabled) == 0 {
		fmt.Fprintln(e.stdout, "  systemd không chạy: dịch vụ sẽ chạy ở lần khởi động sau (systemd is not running: the services start at the next boot)")
	}
	return nil
}
