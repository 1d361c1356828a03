package systemd

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Rule is one rule of a udev rules file: the key/value pairs of one logical line.
type Rule struct {
	Line  int    // the line number where the rule starts, counting from 1
	Pairs []Pair // in file order
}

// Pair is one key, operator and value of a rule, e.g. ATTRS{idVendor}=="0c2e".
type Pair struct {
	Key   string // ATTRS
	Attr  string // idVendor; empty for keys without braces
	Op    string // ==, !=, =, +=, -= or :=
	Value string // the value without its quotes, escapes as written
}

// IsMatch reports whether the pair is a match (== or !=) rather than an assignment.
func (p Pair) IsMatch() bool { return p.Op == "==" || p.Op == "!=" }

// Get returns the value of the first pair with the given key and attribute, and whether there is one.
func (r Rule) Get(key, attr string) (string, bool) {
	for _, p := range r.Pairs {
		if p.Key == key && p.Attr == attr {
			return p.Value, true
		}
	}
	return "", false
}

// ErrSyntax is wrapped by every error ParseRules returns for a malformed rules file.
var ErrSyntax = errors.New("sai cú pháp luật udev (udev rules syntax error)")

// SyntaxError is a malformed rule: where it is and what is wrong with it.
type SyntaxError struct {
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("dòng %d (line %d): %s", e.Line, e.Line, e.Msg)
}

// Unwrap makes errors.Is(err, ErrSyntax) true.
func (e *SyntaxError) Unwrap() error { return ErrSyntax }

// attrNeed says whether a key takes a {attribute}.
type attrNeed int

const (
	attrNone attrNeed = iota
	attrRequired
	attrOptional
)

// keySpec is what udev (systemd 252, udev-rules.c) accepts for one key. IMPORT and PROGRAM are
// matches that are customarily written with "=", which udev accepts.
type keySpec struct {
	attr   attrNeed
	match  bool // may be used with == and !=
	assign bool // may be used with =, += and :=
	remove bool // may be used with -=
}

// udevKeys are the keys udev knows, with the operators each accepts.
var udevKeys = map[string]keySpec{
	"ACTION":     {attr: attrNone, match: true},
	"DEVPATH":    {attr: attrNone, match: true},
	"KERNEL":     {attr: attrNone, match: true},
	"SYMLINK":    {attr: attrNone, match: true, assign: true, remove: true},
	"NAME":       {attr: attrNone, match: true, assign: true},
	"ENV":        {attr: attrRequired, match: true, assign: true},
	"CONST":      {attr: attrRequired, match: true},
	"TAG":        {attr: attrNone, match: true, assign: true, remove: true},
	"TAGS":       {attr: attrNone, match: true},
	"SUBSYSTEM":  {attr: attrNone, match: true},
	"DRIVER":     {attr: attrNone, match: true},
	"ATTR":       {attr: attrRequired, match: true, assign: true},
	"SYSCTL":     {attr: attrRequired, match: true, assign: true},
	"KERNELS":    {attr: attrNone, match: true},
	"SUBSYSTEMS": {attr: attrNone, match: true},
	"DRIVERS":    {attr: attrNone, match: true},
	"ATTRS":      {attr: attrRequired, match: true},
	"TEST":       {attr: attrOptional, match: true},
	"PROGRAM":    {attr: attrNone, match: true, assign: true},
	"IMPORT":     {attr: attrRequired, match: true, assign: true},
	"RESULT":     {attr: attrNone, match: true},
	"OPTIONS":    {attr: attrNone, assign: true},
	"OWNER":      {attr: attrNone, assign: true},
	"GROUP":      {attr: attrNone, assign: true},
	"MODE":       {attr: attrNone, assign: true},
	"SECLABEL":   {attr: attrRequired, assign: true},
	"RUN":        {attr: attrOptional, assign: true},
	"GOTO":       {attr: attrNone, assign: true},
	"LABEL":      {attr: attrNone, assign: true},
}

// maxLine bounds one logical line, as udev does (UDEV_LINE_SIZE).
const maxLine = 16 * 1024

// ParseRules reads a udev rules file and returns its rules. It rejects what udev would reject or ignore
// with a warning: unknown keys, operators a key does not take, missing or stray {attributes}, unquoted
// or unterminated values, a missing comma between pairs, GOTO to a label that does not follow, and
// odd values of the keys tramso relies on (MODE, IMPORT types).
func ParseRules(r io.Reader) ([]Rule, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	var (
		rules   []Rule
		logical strings.Builder
		start   int
		n       int
	)
	for sc.Scan() {
		n++
		line := sc.Text()
		if logical.Len() == 0 {
			start = n
			trimmed := strings.TrimLeft(line, " \t")
			if trimmed == "" || trimmed[0] == '#' {
				continue
			}
		}
		if strings.HasSuffix(line, "\\") {
			logical.WriteString(strings.TrimSuffix(line, "\\"))
			if logical.Len() > maxLine {
				return nil, &SyntaxError{start, "dòng quá dài (line too long)"}
			}
			continue
		}
		logical.WriteString(line)
		rule, err := parseRule(logical.String(), start)
		logical.Reset()
		if err != nil {
			return nil, err
		}
		rules = append(rules, rule)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, &SyntaxError{n + 1, "dòng quá dài (line too long)"}
		}
		return nil, fmt.Errorf("đọc luật udev (reading udev rules): %w", err)
	}
	if logical.Len() > 0 {
		return nil, &SyntaxError{start, "dòng nối tiếp (\\) ở cuối tệp (continuation at end of file)"}
	}
	return rules, checkGotos(rules)
}

// checkGotos makes sure every GOTO names a LABEL further down: udev only jumps forward.
func checkGotos(rules []Rule) error {
	for i, r := range rules {
		target, ok := r.Get("GOTO", "")
		if !ok {
			continue
		}
		found := false
		for _, later := range rules[i+1:] {
			if l, ok := later.Get("LABEL", ""); ok && l == target {
				found = true
				break
			}
		}
		if !found {
			return &SyntaxError{r.Line, fmt.Sprintf("GOTO tới nhãn %q không có phía sau (no LABEL %q follows)", target, target)}
		}
	}
	return nil
}

func parseRule(s string, line int) (Rule, error) {
	rule := Rule{Line: line}
	i := 0
	bad := func(msg string, a ...any) (Rule, error) {
		return Rule{}, &SyntaxError{line, fmt.Sprintf(msg, a...)}
	}
	for {
		// Separators: blanks, and a single comma between pairs.
		comma := false
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == ',') {
			if s[i] == ',' {
				if comma || len(rule.Pairs) == 0 {
					return bad("dấu phẩy thừa (stray comma)")
				}
				comma = true
			}
			i++
		}
		if i >= len(s) {
			break
		}
		if len(rule.Pairs) > 0 && !comma {
			return bad("thiếu dấu phẩy giữa các cặp khóa (missing comma between pairs)")
		}
		// Key and optional {attribute}.
		k := i
		for i < len(s) && (s[i] >= 'A' && s[i] <= 'Z') {
			i++
		}
		key := s[k:i]
		if key == "" {
			return bad("cần một khóa ở vị trí %d (key expected at column %d)", i+1, i+1)
		}
		attr := ""
		hasAttr := false
		if i < len(s) && s[i] == '{' {
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return bad("thiếu } sau %s{ (unterminated attribute)", key)
			}
			attr = s[i+1 : i+end]
			hasAttr = true
			i += end + 1
			if attr == "" {
				return bad("%s{} rỗng (empty attribute)", key)
			}
		}
		spec, ok := udevKeys[key]
		if !ok {
			return bad("khóa lạ %q (unknown key)", key)
		}
		switch {
		case spec.attr == attrNone && hasAttr:
			return bad("%s không nhận {thuộc tính} (takes no attribute)", key)
		case spec.attr == attrRequired && !hasAttr:
			return bad("%s cần {thuộc tính} (needs an attribute)", key)
		}
		// Operator.
		op := ""
		for _, o := range []string{"==", "!=", "+=", "-=", ":=", "="} {
			if strings.HasPrefix(s[i:], o) {
				op = o
				break
			}
		}
		if op == "" {
			return bad("thiếu toán tử sau %s (operator expected)", key)
		}
		i += len(op)
		switch op {
		case "==", "!=":
			ok = spec.match
		case "-=":
			ok = spec.remove
		default:
			ok = spec.assign
		}
		if !ok {
			return bad("%s không dùng được với %s (key does not take this operator)", key, op)
		}
		// Quoted value, optionally e"…" with escapes.
		escaped := false
		if i < len(s) && s[i] == 'e' {
			escaped = true
			i++
		}
		if i >= len(s) || s[i] != '"' {
			return bad("giá trị của %s phải nằm trong dấu nháy kép (value must be double-quoted)", key)
		}
		i++
		v := i
		for i < len(s) && s[i] != '"' {
			if s[i] == '\\' && (escaped || (i+1 < len(s) && s[i+1] == '"')) {
				i++
			}
			i++
		}
		if i >= len(s) {
			return bad("thiếu dấu nháy đóng cho %s (unterminated value)", key)
		}
		value := s[v:i]
		i++
		p := Pair{Key: key, Attr: attr, Op: op, Value: value}
		if err := checkValue(p); err != nil {
			return bad("%s", err.Error())
		}
		rule.Pairs = append(rule.Pairs, p)
	}
	if len(rule.Pairs) == 0 {
		return bad("luật rỗng (empty rule)")
	}
	return rule, nil
}

// checkValue rejects values udev would refuse for keys whose values have a fixed form.
func checkValue(p Pair) error {
	switch p.Key {
	case "MODE":
		if len(p.Value) < 3 || len(p.Value) > 4 || strings.Trim(p.Value, "01234567") != "" {
			return fmt.Errorf("MODE %q phải là số bát phân (must be octal)", p.Value)
		}
	case "IMPORT":
		switch p.Attr {
		case "program", "builtin", "file", "db", "cmdline", "parent":
		default:
			return fmt.Errorf("IMPORT{%s} lạ (unknown import type)", p.Attr)
		}
	case "GOTO", "LABEL":
		if p.Value == "" {
			return fmt.Errorf("%s rỗng (empty label)", p.Key)
		}
	case "SYMLINK":
		if strings.HasPrefix(p.Value, "/") {
			return fmt.Errorf("SYMLINK %q phải tương đối với /dev (must be relative to /dev)", p.Value)
		}
	}
	return nil
}
