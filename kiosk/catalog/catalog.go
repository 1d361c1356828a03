// Package catalog is the list of administrative procedures (thủ tục hành chính) a kiosk accepts:
// for each, the papers the citizen must bring, the form fields, the fee and the legal processing
// time. The kiosk starts with an embedded starter catalogue of common commune-level procedures and
// replaces it with the province's catalogue when it syncs with the central system.
//
// Search is diacritic-insensitive and treats old and new tone placement (hòa/hoà) as equal.
package catalog

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

//go:embed starter.json
var starter []byte

// Catalogue is a set of procedures, and the places the citizen picks from in address fields.
type Catalogue struct {
	Version    string      `json:"version"`
	Note       string      `json:"note,omitempty"`
	Procedures []Procedure `json:"procedures"`
	// Places are the provinces and, where listed, their communes and wards, for the province and
	// commune fields: the citizen picks an address from a list instead of typing it.
	Places []Province `json:"places,omitempty"`
}

// Province is a province-level unit (tỉnh, thành phố) and the commune-level units (xã, phường,
// đặc khu) the catalogue lists for it (none: the citizen types the commune).
type Province struct {
	Name     string   `json:"name"`
	Communes []string `json:"communes,omitempty"`
}

// Procedure is one administrative procedure.
type Procedure struct {
	Code           string     `json:"code"` // national procedure code, e.g. 1.001193
	Name           string     `json:"name"`
	NameEn         string     `json:"nameEn,omitempty"`
	Popular        int        `json:"popular,omitempty"` // 1 = most asked for; 0 = not ranked
	Fee            string     `json:"fee,omitempty"`
	ProcessingTime string     `json:"processingTime,omitempty"`
	ProcessingDays int        `json:"processingDays"` // working days; 0 = the same working day
	Documents      []Document `json:"documents"`
	Fields         []Field    `json:"fields"`
}

// Document is a paper the procedure needs.
type Document struct {
	Type      string `json:"type"`
	Name      string `json:"name"`
	Required  bool   `json:"required"`
	Originals int    `json:"originals,omitempty"`
	Copies    int    `json:"copies,omitempty"`
}

// Field is one field of the procedure's form.
type Field struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	// Kind is text, date, number, choice (one of Choices), province (one of the catalogue's
	// provinces) or commune (one of the communes of the province chosen in field Of; typed when the
	// catalogue lists none for it).
	Kind     string   `json:"kind"`
	Required bool     `json:"required"`
	Choices  []string `json:"choices,omitempty"`
	Of       string   `json:"of,omitempty"` // commune: the key of its province field
	// From names where the kiosk fills the field from: "citizen.fullName" and the other keys of the
	// card data. Empty: the citizen types it (or the OCR of a scanned form proposes it).
	From string `json:"from,omitempty"`
}

// Errors.
var (
	ErrInvalid  = errors.New("danh mục thủ tục không hợp lệ (invalid procedure catalogue)")
	ErrNotFound = errors.New("không có thủ tục này (no such procedure)")
)

// Starter returns the embedded starter catalogue.
func Starter() *Catalogue {
	c, err := Parse(starter)
	if err != nil {
		panic(err) // the embedded file is checked by the tests
	}
	return c
}

// Parse decodes and checks a catalogue (the embedded one or the central system's).
func Parse(b []byte) (*Catalogue, error) {
	var c Catalogue
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if len(c.Procedures) == 0 {
		return nil, fmt.Errorf("%w: không có thủ tục nào (no procedures)", ErrInvalid)
	}
	seen := map[string]bool{}
	provinces := map[string]bool{}
	for i := range c.Places {
		pl := &c.Places[i]
		pl.Name = norm.NFC.String(pl.Name)
		if pl.Name == "" || provinces[pl.Name] {
			return nil, fmt.Errorf("%w: places[%d]: tên trống hoặc trùng (empty or duplicate name)", ErrInvalid, i)
		}
		provinces[pl.Name] = true
		seenC := map[string]bool{}
		for j := range pl.Communes {
			pl.Communes[j] = norm.NFC.String(pl.Communes[j])
			if pl.Communes[j] == "" || seenC[pl.Communes[j]] {
				return nil, fmt.Errorf("%w: %s: communes[%d]: tên trống hoặc trùng (empty or duplicate name)", ErrInvalid, pl.Name, j)
			}
			seenC[pl.Communes[j]] = true
		}
	}
	kinds := map[string]bool{"text": true, "date": true, "number": true, "choice": true, "province": true, "commune": true}
	for i := range c.Procedures {
		p := &c.Procedures[i]
		p.Name = norm.NFC.String(p.Name)
		switch {
		case p.Code == "" || p.Name == "":
			return nil, fmt.Errorf("%w: procedures[%d]: thiếu mã hoặc tên (missing code or name)", ErrInvalid, i)
		case seen[p.Code]:
			return nil, fmt.Errorf("%w: mã %s bị trùng (duplicate code)", ErrInvalid, p.Code)
		case len(p.Documents) == 0:
			return nil, fmt.Errorf("%w: %s: không có thành phần hồ sơ (no documents)", ErrInvalid, p.Code)
		}
		seen[p.Code] = true
		types := map[string]bool{}
		for j := range p.Documents {
			d := &p.Documents[j]
			d.Name = norm.NFC.String(d.Name)
			if d.Type == "" || d.Name == "" || types[d.Type] {
				return nil, fmt.Errorf("%w: %s: documents[%d]: loại trống hoặc trùng (empty or duplicate type)", ErrInvalid, p.Code, j)
			}
			types[d.Type] = true
		}
		keys := map[string]bool{}
		for j := range p.Fields {
			f := &p.Fields[j]
			f.Label = norm.NFC.String(f.Label)
			if f.Key == "" || keys[f.Key] || !kinds[f.Kind] || (f.Kind == "choice" && len(f.Choices) == 0) {
				return nil, fmt.Errorf("%w: %s: fields[%d]: khóa trống/trùng hoặc kiểu sai (bad key or kind)", ErrInvalid, p.Code, j)
			}
			switch {
			case f.Kind == "province" && len(c.Places) == 0:
				return nil, fmt.Errorf("%w: %s: %s: danh mục không có tỉnh nào (no places in the catalogue)", ErrInvalid, p.Code, f.Key)
			case f.Kind == "commune" && kindOf(p.Fields[:j], f.Of) != "province":
				return nil, fmt.Errorf("%w: %s: %s: of phải là một trường tỉnh đứng trước (of must name an earlier province field)", ErrInvalid, p.Code, f.Key)
			}
			keys[f.Key] = true
		}
	}
	return &c, nil
}

func kindOf(fs []Field, key string) string {
	for _, f := range fs {
		if f.Key == key {
			return f.Kind
		}
	}
	return ""
}

// Provinces lists the province names, in the catalogue's order.
func (c *Catalogue) Provinces() []string {
	out := make([]string, 0, len(c.Places))
	for _, p := range c.Places {
		out = append(out, p.Name)
	}
	return out
}

// Communes lists the communes and wards of the named province; none when the catalogue does not
// list them (or knows no such province).
func (c *Catalogue) Communes(province string) []string {
	province = norm.NFC.String(province)
	for _, p := range c.Places {
		if p.Name == province {
			return p.Communes
		}
	}
	return nil
}

// Get returns the procedure with the given code.
func (c *Catalogue) Get(code string) (*Procedure, error) {
	for i := range c.Procedures {
		if c.Procedures[i].Code == code {
			return &c.Procedures[i], nil
		}
	}
	return nil, fmt.Errorf("%w: %s", ErrNotFound, code)
}

// Browse returns the procedures for the catalogue screen: the popular ones first (by rank), then
// the rest in Vietnamese alphabetical order (diacritics folded).
func (c *Catalogue) Browse() []Procedure {
	out := append([]Procedure(nil), c.Procedures...)
	sort.SliceStable(out, func(i, j int) bool {
		pi, pj := out[i].Popular, out[j].Popular
		switch {
		case pi > 0 && pj > 0:
			return pi < pj
		case pi > 0 || pj > 0:
			return pi > 0
		}
		return Fold(out[i].Name) < Fold(out[j].Name)
	})
	return out
}

// Search returns the procedures whose name, English name or code contain every word of the query,
// compared with diacritics folded, popular ones first.
func (c *Catalogue) Search(query string) []Procedure {
	words := strings.Fields(Fold(query))
	if len(words) == 0 {
		return c.Browse()
	}
	var out []Procedure
	for _, p := range c.Browse() {
		hay := Fold(p.Name + " " + p.NameEn + " " + p.Code)
		ok := true
		for _, w := range words {
			if !strings.Contains(hay, w) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, p)
		}
	}
	return out
}

// Fold makes Vietnamese text comparable whatever its accents and tone placement: lower case, tone
// and vowel marks removed, đ → d, spaces collapsed. "Hoà Bình", "hòa binh" and "HOA BINH" fold alike.
func Fold(s string) string {
	var b strings.Builder
	space := true
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ':
			r = 'd'
		case unicode.IsSpace(r):
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		b.WriteRune(unicode.ToLower(r))
		space = false
	}
	return strings.TrimSpace(b.String())
}
