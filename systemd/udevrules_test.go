package systemd_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/tramso/tramso/systemd"
)

func TestParseRulesAccepts(t *testing.T) {
	src := `# comment
   # indented comment

ACTION=="remove", GOTO="end"
SUBSYSTEM=="tty", ATTRS{idVendor}=="0c2e", \
  ATTRS{serial}=="A1 B", SYMLINK+="tramso/qr", MODE="0660", TAG+="systemd"
KERNEL=="lp[0-9]*",IMPORT{builtin}="path_id", ENV{X}=e"a\tb\"c", RUN+="/bin/true"
LABEL="end"
`
	rules, err := systemd.ParseRules(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 4 {
		t.Fatalf("got %d rules, want 4: %+v", len(rules), rules)
	}
	r := rules[1]
	if r.Line != 5 {
		t.Errorf("continued rule starts on line %d, want 5", r.Line)
	}
	if v, ok := r.Get("ATTRS", "serial"); !ok || v != "A1 B" {
		t.Errorf(`ATTRS{serial} = %q, %v; want "A1 B"`, v, ok)
	}
	if v, _ := r.Get("SYMLINK", ""); v != "tramso/qr" {
		t.Errorf("SYMLINK = %q", v)
	}
	if !r.Pairs[0].IsMatch() || r.Pairs[3].IsMatch() {
		t.Errorf("IsMatch wrong for %+v", r.Pairs)
	}
	if v, _ := rules[2].Get("ENV", "X"); v != `a\tb\"c` {
		t.Errorf("ENV{X} = %q", v)
	}
}

func TestParseRulesRejects(t *testing.T) {
	cases := map[string]string{
		"unknown key":          `SUBSYSTEMX=="tty", SYMLINK+="a"`,
		"missing comma":        `SUBSYSTEM=="tty" SYMLINK+="a"`,
		"double comma":         `SUBSYSTEM=="tty",, SYMLINK+="a"`,
		"leading comma":        `, SUBSYSTEM=="tty"`,
		"unquoted":             `SUBSYSTEM==tty`,
		"unterminated":         `SUBSYSTEM=="tty`,
		"match-only assigned":  `SUBSYSTEM="tty"`,
		"assign-only matched":  `MODE=="0660"`,
		"ATTRS without attr":   `ATTRS=="x"`,
		"attr on plain key":    `KERNEL{x}=="y"`,
		"empty attr":           `ENV{}=="y"`,
		"unterminated attr":    `ATTRS{idVendor=="y"`,
		"no operator":          `KERNEL "x"`,
		"bad mode":             `KERNEL=="x", MODE="rw"`,
		"bad import":           `IMPORT{magic}="x"`,
		"absolute symlink":     `KERNEL=="x", SYMLINK+="/dev/x"`,
		"goto without label":   "KERNEL==\"x\", GOTO=\"nowhere\"\n",
		"goto backwards":       "LABEL=\"back\"\nKERNEL==\"x\", GOTO=\"back\"\n",
		"dangling backslash":   "KERNEL==\"x\", \\",
		"minus on non-list":    `KERNEL=="x", MODE-="0660"`,
		"lowercase key":        `kernel=="x"`,
		"trailing junk":        `KERNEL=="x", "y"`,
		"empty label":          `LABEL=""`,
		"line too long":        `KERNEL=="` + strings.Repeat("x", 20000) + `"`,
		"continued too long":   strings.Repeat(`KERNEL=="xxxxxxxxxxxxxxxxxxxxxxxxx", \`+"\n", 1000) + `KERNEL=="x"`,
		"only a comma at end:": `KERNEL=="x",`,
	}
	for name, src := range cases {
		_, err := systemd.ParseRules(strings.NewReader(src))
		if name == "only a comma at end:" {
			// udev tolerates a trailing comma; so do we.
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		if !errors.Is(err, systemd.ErrSyntax) {
			t.Errorf("%s: err = %v, want ErrSyntax", name, err)
			continue
		}
		var se *systemd.SyntaxError
		if !errors.As(err, &se) || se.Line < 1 {
			t.Errorf("%s: no line in %v", name, err)
		}
	}
}

// TestShippedRules checks 70-tramso.rules: it parses, names exactly tramso's three devices, and its
// commented examples are valid rules too.
func TestShippedRules(t *testing.T) {
	data, err := os.ReadFile("70-tramso.rules")
	if err != nil {
		t.Fatal(err)
	}
	rules, err := systemd.ParseRules(strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]bool{}
	for _, r := range rules {
		link, ok := r.Get("SYMLINK", "")
		if !ok {
			continue
		}
		switch link {
		case "tramso/printer", "tramso/qr", "tramso/nfc":
			named[link] = true
		default:
			t.Errorf("line %d: unexpected name %q", r.Line, link)
		}
		if g, _ := r.Get("GROUP", ""); g != "tramso-hw" {
			t.Errorf("line %d: GROUP %q, want tramso-hw (kioskd's device group)", r.Line, g)
		}
		if m, _ := r.Get("MODE", ""); m != "0660" {
			t.Errorf("line %d: MODE %q, want 0660", r.Line, m)
		}
		_, vendor := r.Get("ATTRS", "idVendor")
		kernel, _ := r.Get("KERNEL", "")
		if !vendor && kernel != "lp[0-9]*" {
			t.Errorf("line %d: a name not keyed on the USB vendor", r.Line)
		}
	}
	for _, want := range []string{"tramso/printer", "tramso/qr"} {
		if !named[want] {
			t.Errorf("no rule names %s", want)
		}
	}
	var examples []string
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "# SUBSYSTEM==") {
			examples = append(examples, strings.TrimPrefix(l, "# "))
		}
	}
	if len(examples) < 2 {
		t.Fatalf("found %d example rules in the comments, want at least 2", len(examples))
	}
	for _, ex := range examples {
		if _, err := systemd.ParseRules(strings.NewReader(ex)); err != nil {
			t.Errorf("example %q: %v", ex, err)
		}
	}
}

func FuzzParseRules(f *testing.F) {
	for _, seed := range []string{
		"ACTION==\"remove\", GOTO=\"x\"\nLABEL=\"x\"\n",
		`SUBSYSTEM=="tty", ATTRS{idVendor}=="0c2e", SYMLINK+="tramso/qr", MODE="0660"`,
		"KERNEL==\"a\", \\\n ENV{X}=e\"\\x41\"",
		`IMPORT{builtin}="usb_id"`,
		`ATTRS{`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		rules, err := systemd.ParseRules(strings.NewReader(src))
		if err != nil {
			if !errors.Is(err, systemd.ErrSyntax) {
				t.Fatalf("error not ErrSyntax: %v", err)
			}
			return
		}
		for _, r := range rules {
			if len(r.Pairs) == 0 || r.Line < 1 {
				t.Fatalf("bad rule %+v", r)
			}
			for _, p := range r.Pairs {
				if p.Key == "" || p.Op == "" {
					t.Fatalf("bad pair %+v", p)
				}
			}
		}
	})
}
