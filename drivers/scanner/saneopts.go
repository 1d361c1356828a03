package scanner

import (
	"bufio"
	"strconv"
	"strings"
)

// saneOption is one device option as `scanimage -d DEV -A` lists it.
type saneOption struct {
	Name     string   // "--mode", "-x"
	Values   []string // for a list constraint, the allowed values (unit removed)
	Min, Max float64  // for a range constraint
	IsRange  bool
	Current  string
	Inactive bool
}

// saneOptions is the option list of one device.
type saneOptions map[string]saneOption

// parseSANEOptions reads the option list `scanimage -d DEV -A` prints, for example
//
//	--mode Gray|Color [Gray]
//	--resolution 1..1200dpi (in steps of 1) [50]
//	--source Flatbed|Automatic Document Feeder [Flatbed]
//	-x 0..215.9mm [215.9]
//
// Lines that are not options (group titles, help text) are skipped.
func parseSANEOptions(out string) saneOptions {
	opts := saneOptions{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "-") {
			continue
		}
		name, rest, _ := strings.Cut(line, " ")
		if strings.HasPrefix(name, "--") {
			name, _, _ = strings.Cut(name, "[") // "--hand-scanner[=(yes|no)]"
		} else if len(name) != 2 {
			continue
		}
		o := saneOption{Name: name}
		if i := strings.LastIndex(rest, " ["); i >= 0 && strings.HasSuffix(rest, "]") {
			o.Current = rest[i+2 : len(rest)-1]
			rest = rest[:i]
		} else if strings.HasPrefix(rest, "[") && strings.HasSuffix(rest, "]") {
			o.Current = rest[1 : len(rest)-1]
			rest = ""
		}
		o.Inactive = o.Current == "inactive"
		if i := strings.Index(rest, " (in steps of"); i >= 0 {
			rest = rest[:i]
		}
		rest = strings.TrimSpace(rest)
		if lo, hi, ok := strings.Cut(rest, ".."); ok && !strings.Contains(rest, "|") {
			min, err1 := strconv.ParseFloat(stripUnit(lo), 64)
			max, err2 := strconv.ParseFloat(stripUnit(strings.TrimSuffix(hi, ",...")), 64)
			if err1 == nil && err2 == nil {
				o.IsRange, o.Min, o.Max = true, min, max
			}
		} else if rest != "" {
			vals := strings.Split(rest, "|")
			vals[len(vals)-1] = stripUnit(vals[len(vals)-1])
			o.Values = vals
		}
		opts[name] = o
	}
	return opts
}

// stripUnit removes a SANE unit suffix (dpi, mm, pel, bit, %, us) from a number.
func stripUnit(s string) string {
	s = strings.TrimSpace(s)
	for _, u := range []string{"dpi", "mm", "pel", "bit", "us", "%"} {
		if strings.HasSuffix(s, u) {
			if _, err := strconv.ParseFloat(strings.TrimSuffix(s, u), 64); err == nil {
				return strings.TrimSuffix(s, u)
			}
		}
	}
	return s
}

// usable returns the option if the device has it and it is active.
func (o saneOptions) usable(name string) (saneOption, bool) {
	opt, ok := o[name]
	return opt, ok && !opt.Inactive
}

// modeNames are the names SANE backends give colour modes, in order of preference.
var modeNames = map[Mode][]string{
	Gray:    {"gray", "grey", "grayscale", "greyscale", "8bit gray", "true gray"},
	Color:   {"color", "colour", "24bit color", "rgb"},
	Lineart: {"lineart", "binary", "black & white", "black and white", "monochrome", "halftone"},
}

func matchMode(values []string, m Mode) (string, bool) {
	for _, want := range modeNames[m] {
		for _, v := range values {
			if strings.EqualFold(v, want) {
				return v, true
			}
		}
	}
	return "", false
}

func sourceOf(value string) (Source, bool) {
	v := strings.ToLower(value)
	switch {
	case strings.Contains(v, "duplex") || strings.Contains(v, "back"):
		return 0, false
	case strings.Contains(v, "flatbed") || strings.Contains(v, "platen") || v == "normal" || strings.Contains(v, "document table"):
		return Flatbed, true
	case strings.Contains(v, "adf") || strings.Contains(v, "feeder"):
		return ADF, true
	}
	return 0, false
}

func matchSource(values []string, s Source) (string, bool) {
	for _, v := range values {
		if got, ok := sourceOf(v); ok && got == s {
			return v, true
		}
	}
	return "", false
}

// nearestResolution picks the supported resolution closest to want.
func nearestResolution(opt saneOption, want int) int {
	if opt.IsRange {
		return int(min(max(float64(want), opt.Min), opt.Max))
	}
	best, bestDiff := want, -1
	for _, v := range opt.Values {
		r, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			continue
		}
		d := r - want
		if d < 0 {
			d = -d
		}
		if bestDiff < 0 || d < bestDiff {
			best, bestDiff = r, d
		}
	}
	return best
}

// capabilities turns a device's options into Capabilities.
func (o saneOptions) capabilities(model string) Capabilities {
	var sc SourceCaps
	if mode, ok := o["--mode"]; ok {
		for _, m := range []Mode{Gray, Color, Lineart} {
			if _, ok := matchMode(mode.Values, m); ok {
				sc.Modes = append(sc.Modes, m)
			}
		}
		if _, ok := matchMode(mode.Values, Lineart); !ok && hasGray(sc.Modes) {
			sc.Modes = append(sc.Modes, Lineart)
		}
	}
	if res, ok := o["--resolution"]; ok {
		if res.IsRange {
			sc.MinResolution, sc.MaxResolution = int(res.Min), int(res.Max)
		} else {
			for _, v := range res.Values {
				if r, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
					sc.Resolutions = append(sc.Resolutions, r)
				}
			}
		}
	}
	if x, ok := o["-x"]; ok && x.IsRange {
		sc.MaxWidth = x.Max
	}
	if y, ok := o["-y"]; ok && y.IsRange {
		sc.MaxHeight = y.Max
	}
	caps := Capabilities{MakeAndModel: model}
	src, ok := o["--source"]
	if !ok {
		sc.Source = Flatbed
		caps.Sources = []SourceCaps{sc}
		return caps
	}
	for _, s := range []Source{Flatbed, ADF} {
		if _, ok := matchSource(src.Values, s); ok {
			c := sc
			c.Source = s
			caps.Sources = append(caps.Sources, c)
		}
	}
	return caps
}

func (o saneOptions) hasDepth1() bool {
	d, ok := o["--depth"]
	if !ok {
		return false
	}
	for _, v := range d.Values {
		if strings.TrimSpace(v) == "1" {
			return true
		}
	}
	return false
}

func hasGray(modes []Mode) bool {
	for _, m := range modes {
		if m == Gray {
			return true
		}
	}
	return false
}
