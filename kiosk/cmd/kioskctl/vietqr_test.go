package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tramso/tramso/kiosk/vietqr"
)

func TestVietQRCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	png := filepath.Join(dir, "fee.png")
	code, out, errs := kioskctl(t, ctx, nil, "vietqr", "--bin", "970436", "--account", "0011009999999", "--amount", "50000",
		"--ref", "000.00.21.H26-251124-0417", "--purpose", "Lệ phí chứng thực bản sao", "--png", png)
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
		t.Fatalf("not one line: %q", out)
	}
	payload := strings.TrimSuffix(out, "\n")
	p, err := vietqr.Parse(payload)
	if err != nil {
		t.Fatal(err)
	}
	if p.BIN != "970436" || p.Account != "0011009999999" || p.Amount != 50000 || p.Reference != "000.00.21.H26-251124-0417" || p.Purpose != "Le phi chung thuc ban sao" {
		t.Fatalf("payload fields %+v", p)
	}
	if zbar, err := exec.LookPath("zbarimg"); err == nil {
		got, err := exec.Command(zbar, "-q", "--raw", png).Output()
		if err != nil || strings.TrimSpace(string(got)) != payload {
			t.Fatalf("zbarimg read %q (%v), want %q", got, err, payload)
		}
	}
	// Without --purpose there is no tag 62.08.
	_, out, _ = kioskctl(t, ctx, nil, "vietqr", "--bin", "970436", "--account", "1", "--amount", "1", "--ref", "R")
	if p, err := vietqr.Parse(strings.TrimSpace(out)); err != nil || p.Purpose != "" || strings.Contains(out, "0800") {
		t.Fatalf("no purpose: %q %v", out, err)
	}
}

func TestVietQRCommandRefusesBadInput(t *testing.T) {
	ctx := context.Background()
	good := map[string]string{"--bin": "970415", "--account": "113366668888", "--amount": "79000", "--ref": "H56.14-240823-0001"}
	args := func(change map[string]string, extra ...string) []string {
		out := []string{"vietqr"}
		for _, k := range []string{"--bin", "--account", "--amount", "--ref"} {
			v, ok := change[k]
			if !ok {
				v = good[k]
			}
			if v != "<absent>" {
				out = append(out, k, v)
			}
		}
		return append(out, extra...)
	}
	for name, tc := range map[string]struct {
		args []string
		want string // a word of the message
	}{
		"no --ref":            {args(map[string]string{"--ref": "<absent>"}), "--ref"},
		"no --bin":            {args(map[string]string{"--bin": "<absent>"}), "--bin"},
		"amount zero":         {args(map[string]string{"--amount": "0"}), "--amount"},
		"amount negative":     {args(map[string]string{"--amount": "-5000"}), "--amount"},
		"amount decimal":      {args(map[string]string{"--amount": "50000.5"}), "--amount"},
		"amount separators":   {args(map[string]string{"--amount": "50.000"}), "--amount"},
		"amount exponent":     {args(map[string]string{"--amount": "5e4"}), "--amount"},
		"amount plus":         {args(map[string]string{"--amount": "+5000"}), "--amount"},
		"BIN of 5 digits":     {args(map[string]string{"--bin": "97041"}), "BIN"},
		"BIN of 7 digits":     {args(map[string]string{"--bin": "9704155"}), "BIN"},
		"BIN with a letter":   {args(map[string]string{"--bin": "97041X"}), "BIN"},
		"account of 20":       {args(map[string]string{"--account": strings.Repeat("1", 20)}), "account"},
		"account with space":  {args(map[string]string{"--account": "1133 6666"}), "account"},
		"reference of 26":     {args(map[string]string{"--ref": strings.Repeat("H", 26)}), "reference"},
		"reference not ASCII": {args(map[string]string{"--ref": "HỒSƠ-01"}), "reference"},
		"purpose of emoji":    {args(nil, "--purpose", "phí 🙂"), "purpose"},
		"unknown flag":        {args(nil, "--payer", "Nguyễn Văn An"), "payer"},
		"extra argument":      {args(nil, "now"), "now"},
	} {
		code, out, errs := kioskctl(t, ctx, nil, tc.args...)
		if code != 2 || out != "" || !strings.Contains(errs, tc.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", name, code, out, firstLine(errs))
			continue
		}
		// Vietnamese first, English in parentheses (an unknown flag is worded by the flag package).
		if l := firstLine(errs); name != "unknown flag" && !strings.Contains(l, "(") {
			t.Errorf("%s: message not bilingual: %q", name, l)
		}
	}
	// A PNG that cannot be written is a runtime failure: exit 1, nothing on stdout.
	code, out, errs := kioskctl(t, ctx, nil, args(nil, "--png", filepath.Join(t.TempDir(), "missing", "dir", "q.png"))...)
	if code != 1 || out != "" || !strings.Contains(errs, "PNG") {
		t.Fatalf("unwritable PNG: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Fatal("a folder was created")
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
