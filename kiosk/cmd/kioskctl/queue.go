package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tramso/tramso/internal/vntime"
	"github.com/tramso/tramso/kiosk/central"
)

// queueConn is how `kioskctl queue` reaches the centre's queue service.
type queueConn struct {
	url, kioskID, ca, cert, key, officer *string
	timeout                              *time.Duration
}

func queueFlags(fs *flag.FlagSet) *queueConn {
	return &queueConn{
		url:     fs.String("central", "", "địa chỉ API trung tâm (central API URL)"),
		kioskID: fs.String("kiosk-id", "", "mã kiosk đã đăng ký, với máy chủ thử HTTP (enrolled kiosk id, plain-HTTP development server)"),
		ca:      fs.String("ca", "", "CA của máy chủ trung tâm, PEM (the central server's CA, PEM); cần với https (needed with https)"),
		cert:    fs.String("cert", "", "chứng thư máy khách, PEM (client certificate, PEM); cần với https (needed with https)"),
		key:     fs.String("key", "", "khóa của chứng thư, PEM (the certificate's key, PEM)"),
		officer: fs.String("officer", "", "mã cán bộ ghi vào nhật ký của trung tâm (officer id for the centre's log)"),
		timeout: fs.Duration("timeout", 15*time.Second, "thời gian tối đa mỗi yêu cầu (per-request limit)"),
	}
}

// client checks the connection flags and opens a client.
func (q *queueConn) client() (*central.Client, error) {
	if *q.url == "" {
		return nil, usagef("cần --central (--central is required)")
	}
	opts := central.Options{KioskID: *q.kioskID, RequestTimeout: *q.timeout}
	if strings.HasPrefix(*q.url, "https://") {
		if *q.ca == "" || *q.cert == "" || *q.key == "" {
			return nil, usagef("với https cần --ca, --cert và --key (https needs --ca, --cert and --key)")
		}
		caPEM, err := os.ReadFile(*q.ca)
		if err != nil {
			return nil, fmt.Errorf("không đọc được CA (cannot read the CA): %w", err)
		}
		pair, err := tls.LoadX509KeyPair(*q.cert, *q.key)
		if err != nil {
			return nil, fmt.Errorf("không đọc được chứng thư hoặc khóa (cannot read the certificate or key): %w", err)
		}
		if opts.TLS, err = central.ClientTLS(caPEM, &pair); err != nil {
			return nil, err
		}
	} else if *q.kioskID == "" {
		return nil, usagef("với máy chủ thử HTTP cần --kiosk-id (a plain-HTTP development server needs --kiosk-id)")
	}
	c, err := central.New(*q.url, opts)
	if err != nil {
		return nil, usagef("%v", err)
	}
	return c, nil
}

// counterFlag reads --counter, which every officer action needs.
func counterFlag(fs *flag.FlagSet) *string {
	return fs.String("counter", "", "mã quầy, vd. 1 (counter id)")
}

func queueCommand() *command {
	const connUsage = "--central URL (--kiosk-id ID | --ca FILE --cert FILE --key FILE) [--officer ID]"
	action := func(name, summary, usage string, run func(ctx context.Context, e *env, c *central.Client, officer, counter string, fs *flag.FlagSet) error, extra func(fs *flag.FlagSet)) *command {
		return &command{
			name: name, summary: summary, usage: usage + " " + connUsage,
			flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
				conn := queueFlags(fs)
				counter := counterFlag(fs)
				if extra != nil {
					extra(fs)
				}
				return func(ctx context.Context, e *env, args []string) error {
					if len(args) > 0 {
						return usagef("thừa tham số %q (unexpected argument)", args[0])
					}
					if *counter == "" {
						return usagef("cần --counter (--counter is required)")
					}
					c, err := conn.client()
					if err != nil {
						return err
					}
					defer c.Close()
					return run(ctx, e, c, *conn.officer, *counter, fs)
				}
			},
		}
	}
	return &command{
		name:    "queue",
		summary: "hàng đợi của trung tâm, thao tác như cán bộ tại quầy — the centre's queue, as a counter officer",
		help: `Gọi số tiếp theo, gọi lại, tạm dừng và mở lại một quầy, xem các quầy, theo dõi sự kiện hàng đợi.
Calls the next number, recalls, pauses and resumes a counter, lists the counters, follows the queue's events.
Với máy chủ thử HTTP (kioskctl central-dev) dùng --kiosk-id của một kiosk đã đăng ký; với https dùng
--ca, --cert, --key. With the plain-HTTP development server use an enrolled kiosk's --kiosk-id; with
https use --ca, --cert, --key.`,
		subs: []*command{
			{
				name: "list", summary: "các quầy và số đang phục vụ — the counters and the numbers served", usage: connUsage,
				flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
					conn := queueFlags(fs)
					return func(ctx context.Context, e *env, args []string) error {
						if len(args) > 0 {
							return usagef("thừa tham số %q (unexpected argument)", args[0])
						}
						c, err := conn.client()
						if err != nil {
							return err
						}
						defer c.Close()
						cs, err := c.QueueCounters(ctx)
						if err != nil {
							return err
						}
						tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
						fmt.Fprintln(tw, "QUẦY/COUNTER\tTÊN/NAME\tLĨNH VỰC/FIELD\tĐANG GỌI/SERVING\tCHỜ/WAITING\tTRẠNG THÁI/STATE")
						for _, k := range cs.Counters {
							state := "mở (open)"
							if k.Paused {
								state = "tạm dừng (paused): " + k.PauseReason
							}
							serving := k.Serving
							if serving == "" {
								serving = "-"
							}
							fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", k.ID, k.Name, k.Field, serving, k.Waiting, state)
						}
						return tw.Flush()
					}
				},
			},
			action("call", "gọi số tiếp theo — call the next number", "--counter N",
				func(ctx context.Context, e *env, c *central.Client, officer, counter string, _ *flag.FlagSet) error {
					t, err := c.CallNext(ctx, officer, counter)
					if err != nil {
						return err
					}
					if t == nil {
						fmt.Fprintf(e.stdout, "Quầy %s: không còn ai chờ (nobody waiting)\n", counter)
						return nil
					}
					fmt.Fprintf(e.stdout, "Mời số %s đến %s (now calling %s at %s)\n", t.Number, t.CounterName, t.Number, t.CounterName)
					return nil
				}, nil),
			action("recall", "gọi lại số đang phục vụ — call the number being served again", "--counter N",
				func(ctx context.Context, e *env, c *central.Client, officer, counter string, _ *flag.FlagSet) error {
					t, err := c.Recall(ctx, officer, counter)
					if err != nil {
						return err
					}
					if t == nil {
						fmt.Fprintf(e.stdout, "Quầy %s: chưa gọi số nào (no number called)\n", counter)
						return nil
					}
					fmt.Fprintf(e.stdout, "Mời lại số %s đến %s (calling %s again at %s)\n", t.Number, t.CounterName, t.Number, t.CounterName)
					return nil
				}, nil),
			action("pause", "tạm dừng gọi số, kèm lý do — stop calling, with a reason", "--counter N --reason TEXT",
				func(ctx context.Context, e *env, c *central.Client, officer, counter string, fs *flag.FlagSet) error {
					reason := strings.TrimSpace(fs.Lookup("reason").Value.String())
					if reason == "" {
						return usagef("cần --reason (--reason is required)")
					}
					if err := c.Pause(ctx, officer, counter, reason); err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "Quầy %s tạm dừng (counter %s paused): %s\n", counter, counter, reason)
					return nil
				}, func(fs *flag.FlagSet) {
					fs.String("reason", "", "lý do hiện trên màn hình (reason shown on the display)")
				}),
			action("resume", "mở lại quầy đang tạm dừng — call again at a paused counter", "--counter N",
				func(ctx context.Context, e *env, c *central.Client, officer, counter string, _ *flag.FlagSet) error {
					if err := c.Resume(ctx, officer, counter); err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "Quầy %s mở lại (counter %s resumed)\n", counter, counter)
					return nil
				}, nil),
			{
				name: "watch", summary: "in các sự kiện hàng đợi khi chúng đến — print the queue's events as they come", usage: connUsage + " [--count N]",
				flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
					conn := queueFlags(fs)
					count := fs.Int("count", 0, "dừng sau N sự kiện, 0 = đến khi ngắt (stop after N events, 0 = until interrupted)")
					return func(ctx context.Context, e *env, args []string) error {
						if len(args) > 0 || *count < 0 {
							return usagef("tham số không hợp lệ (invalid arguments)")
						}
						c, err := conn.client()
						if err != nil {
							return err
						}
						defer c.Close()
						n := 0
						errDone := errors.New("done")
						err = c.QueueEvents(ctx, 0, func(ev central.QueueEvent) error {
							fmt.Fprintf(e.stdout, "%s\t%s\t%s\t%s\t%s\n", ev.At.In(vntime.Zone()).Format("15:04:05"), ev.Type, ev.Counter, ev.Number, ev.Reason)
							if n++; *count > 0 && n >= *count {
								return errDone
							}
							return nil
						})
						if errors.Is(err, errDone) || ctx.Err() != nil {
							return nil
						}
						return err
					}
				},
			},
		},
	}
}
