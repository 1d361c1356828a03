// Command kioskctl is the technician's and counter staff's tool for a tramso kiosk: device
// diagnostics (printer, card reader, scanner), receipt rendering and reprinting, the device simulators
// used for tests and the demo, and (where kioskd runs) provisioning and outbox inspection.
//
// Exit codes: 0 done, 1 failed, 2 wrong usage.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// env is what a command reads and writes besides its flags.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// command is one node of the command tree: a group (with subs) or a leaf (with run).
type command struct {
	name    string
	summary string // one line, Vietnamese — English
	usage   string // argument synopsis for leaves
	help    string // longer text shown by --help
	flags   func(fs *flag.FlagSet) func(ctx context.Context, e *env, args []string) error
	subs    []*command
}

// usageError makes the command exit 2 and print its usage.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

func root() *command {
	return &command{
		name:    "kioskctl",
		summary: "công cụ kỹ thuật của kiosk tramso — tramso kiosk technician and staff tool",
		subs: present(
			receiptCommand(),
			printerCommand(),
			cardCommand(),
			qrCommand(),
			scanCommand(),
			ocrCommand(),
			outboxCommand(),
			centralDevCommand(),
			statusCommand(),
			selftestCommand(),
			provisionCommand(),
			staffCommand(),
			logsCommand(),
			demoCommand(),
			vietqrCommand(),
			queueCommand(),
		),
	}
}

// present drops command groups that are not built into this binary.
func present(cmds ...*command) []*command {
	var out []*command
	for _, c := range cmds {
		if c != nil {
			out = append(out, c)
		}
	}
	return out
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	cmd := root()
	path := []string{cmd.name}
	for len(cmd.subs) > 0 {
		if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
			printGroupHelp(stdout, path, cmd)
			if len(args) == 0 {
				return 2
			}
			return 0
		}
		next := find(cmd.subs, args[0])
		if next == nil {
			fmt.Fprintf(stderr, "%s: lệnh không có (unknown command) %q\n\n", strings.Join(path, " "), args[0])
			printGroupHelp(stderr, path, cmd)
			return 2
		}
		cmd, args, path = next, args[1:], append(path, next.name)
	}
	fs := flag.NewFlagSet(strings.Join(path, " "), flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	runFn := cmd.flags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printLeafHelp(stdout, path, cmd, fs)
			return 0
		}
		fmt.Fprintf(stderr, "%s: %v\n\n", strings.Join(path, " "), err)
		printLeafHelp(stderr, path, cmd, fs)
		return 2
	}
	err := runFn(ctx, e, fs.Args())
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "%s: %s\n\n", strings.Join(path, " "), ue.msg)
		printLeafHelp(stderr, path, cmd, fs)
		return 2
	default:
		fmt.Fprintf(stderr, "lỗi (error): %v\n", err)
		return 1
	}
}

func find(cmds []*command, name string) *command {
	for _, c := range cmds {
		if c.name == name {
			return c
		}
	}
	return nil
}

func printGroupHelp(w io.Writer, path []string, cmd *command) {
	fmt.Fprintf(w, "%s — %s\n\n", strings.Join(path, " "), cmd.summary)
	if cmd.help != "" {
		fmt.Fprintf(w, "%s\n\n", strings.TrimSpace(cmd.help))
	}
	fmt.Fprintf(w, "Cách dùng (usage): %s <lệnh/command> [tuỳ chọn/flags]\n\nLệnh (commands):\n", strings.Join(path, " "))
	for _, s := range cmd.subs {
		fmt.Fprintf(w, "  %-12s %s\n", s.name, s.summary)
	}
	fmt.Fprintf(w, "\nXem chi tiết (details): %s <lệnh> --help\n", strings.Join(path, " "))
}

func printLeafHelp(w io.Writer, path []string, cmd *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "%s — %s\n\nCách dùng (usage): %s %s\n", strings.Join(path, " "), cmd.summary, strings.Join(path, " "), cmd.usage)
	if cmd.help != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(cmd.help))
	}
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	if len(names) == 0 {
		return
	}
	sort.Strings(names)
	fmt.Fprintf(w, "\nTuỳ chọn (flags):\n")
	for _, n := range names {
		f := fs.Lookup(n)
		def := ""
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			def = fmt.Sprintf(" (mặc định/default %s)", f.DefValue)
		}
		fmt.Fprintf(w, "  --%-22s %s%s\n", n, f.Usage, def)
	}
}
