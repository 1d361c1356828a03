//go:build !nosim

package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"

	"github.com/tramso/tramso/drivers/codereader/codereadersim"
)

// qrSimulateCommand is "qr simulate": a simulated serial QR scanner on a pty.
func qrSimulateCommand() *command {
	return &command{
		name:    "simulate",
		summary: "máy quét giả lập trên một pty: mỗi dòng stdin là một lần quét — a simulated scanner; each stdin line is one scan",
		usage:   "--link PATH [--terminator crlf|cr|lf]",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			link := fs.String("link", "", "đường dẫn liên kết tới pty (symlink path the host opens)")
			term := fs.String("terminator", "crlf", "ký tự kết thúc mỗi mã (terminator after each code): crlf, cr, lf")
			return func(ctx context.Context, e *env, args []string) error {
				if *link == "" || len(args) > 0 {
					return usagef("cần --link (--link is required)")
				}
				terms := map[string]string{"crlf": "\r\n", "cr": "\r", "lf": "\n"}
				t, ok := terms[*term]
				if !ok {
					return usagef("--terminator phải là crlf, cr hoặc lf")
				}
				sim, err := codereadersim.Serve(ctx, *link, codereadersim.Config{Terminator: t})
				if err != nil {
					return err
				}
				defer sim.Close()
				fmt.Fprintf(e.stderr, "máy quét giả lập sẵn sàng (scanner simulator ready): %s\n", sim.Link())
				lines := make(chan string)
				go func() {
					defer close(lines)
					sc := bufio.NewScanner(e.stdin)
					sc.Buffer(make([]byte, 64*1024), 64*1024)
					for sc.Scan() {
						lines <- sc.Text()
					}
				}()
				for {
					select {
					case <-ctx.Done():
						return nil
					case l, ok := <-lines:
						if !ok {
							// End of input: keep the device present until interrupted, like a
							// scanner left plugged in.
							<-ctx.Done()
							return nil
						}
						if err := sim.Scan(ctx, l); err != nil {
							return err
						}
					}
				}
			}
		},
	}
}
