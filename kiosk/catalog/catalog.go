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
	"github.com/tramso/tramso/internal/vntext"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/tramso/tramso/kiosk/api/wire"
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
	// Identify says, by document type, what a paper of that type looks like, so the kiosk can tell
	// the citizen when the page just scanned is another paper (see Recognise). Types without an
	// entry are never said to be wrong.
	Identify map[string]Identify `json:"identify,omitempty"`
}

// Identify is what identifies a document type on a scanned page. A page is taken as this type
// when the top of its first page carries one of Titles, or when MRZ is set and the page carries a
// machine-readable zone.
type Identify struct {
	// Titles are the words printed as the document's title, e.g. "GIẤY CHỨNG SINH", matched
	// without regard to case, diacritics or spacing in the top band of the first page.
	Titles []string `json:"titles,omitempty"`
	// MRZ says the document carries an ICAO 9303 machine-readable zone (the back of a chip ID
	// card, a passport).
	MRZ bool `json:"mrz,omitempty"`
}

// Province is a province-level unit (tỉnh, thành phố) and the commune-level units (xã, phường,
// đặc khu) the catalogue lists for it (none: the citizen types the commune).
type Province struct {
	Name     string   `json:"name"`
	Communes []string `json:"communes,omitempty"`
}

// Procedure is one administrative procedure.
type Procedure struct {
	Code    string `json:"code"` // national procedure code, e.g. 1.001193
	Name    string `json:"name"`
	NameEn  string `json:"nameEn,omitempty"`
	Popular int    `json:"popular,omitempty"` // 1 = most asked for; 0 = not ranked
	Fee     string `json:"fee,omitempty"`     // the fee in words shown to people
	// FeeVND is a fixed fee per dossier in đồng, and FeePages a fee by the page (see PageFee):
	// at most one of them; neither when the catalogue puts no number on the fee.
	FeeVND         int64      `json:"feeVnd,omitempty"`
	FeePages       *PageFee   `json:"feePages,omitempty"`
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
			if f.Key == "" || keys[f.Key] || !knownKind(f.Kind) || (f.Kind == wire.FieldChoice && len(f.Choices) == 0) {
				return nil, fmt.Errorf("%w: %s: fields[%d]: khóa trống/trùng hoặc kiểu sai (bad key or kind)", ErrInvalid, p.Code, j)
			}
			switch {
			case f.Kind == wire.FieldProvince && len(c.Places) == 0:
				return nil, fmt.Errorf("%w: %s: %s: danh mục không có tỉnh nào (no places in the catalogue)", ErrInvalid, p.Code, f.Key)
			case f.Kind == wire.FieldCommune && kindOf(p.Fields[:j], f.Of) != wire.FieldProvince:
				return nil, fmt.Errorf("%w: %s: %s: of phải là một trường tỉnh đứng trước (of must name an earlier province field)", ErrInvalid, p.Code, f.Key)
			case f.From != "" && !f.From.Known():
				return nil, fmt.Errorf("%w: %s: %s: nguồn %q không có trên thẻ (from names no card data)", ErrInvalid, p.Code, f.Key, f.From)
			}
			if f.Kind == wire.FieldSex {
				if len(f.Choices) == 0 {
					f.Choices = []string{SexMale, SexFemale}
				}
				if !slices.Equal(normAll(f.Choices), []string{SexMale, SexFemale}) {
					return nil, fmt.Errorf("%w: %s: %s: trường giới tính chỉ có Nam, Nữ (a sex field's choices are Nam, Nữ)", ErrInvalid, p.Code, f.Key)
				}
				f.Choices = []string{SexMale, SexFemale}
			}
			keys[f.Key] = true
		}
		if err := checkFee(p); err != nil {
			return nil, err
		}
	}
	if err := checkIdentify(&c); err != nil {
		return nil, err
	}
	return &c, nil
}

// checkIdentify normalises the identification specs and refuses one that cannot work: a type no
// procedure uses, a spec that identifies nothing, a title too short to mean anything or claimed by
// two document types.
func checkIdentify(c *Catalogue) error {
	used := map[string]bool{}
	for _, p := range c.Procedures {
		for _, d := range p.Documents {
			used[d.Type] = true
		}
	}
	owner := map[string]string{} // folded title → document type
	types := make([]string, 0, len(c.Identify))
	for t := range c.Identify {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		id := c.Identify[t]
		if !used[t] {
			return fmt.Errorf("%w: identify.%s: không thủ tục nào dùng loại giấy tờ này (no procedure uses this document type)", ErrInvalid, t)
		}
		if len(id.Titles) == 0 && !id.MRZ {
			return fmt.Errorf("%w: identify.%s: không có tiêu đề hay MRZ để nhận ra (nothing identifies it)", ErrInvalid, t)
		}
		for i, title := range id.Titles {
			title = norm.NFC.String(strings.TrimSpace(title))
			f := foldWords(title)
			if len([]rune(strings.ReplaceAll(f, " ", ""))) < 4 {
				return fmt.Errorf("%w: identify.%s: titles[%d] quá ngắn (title too short)", ErrInvalid, t, i)
			}
			if o, dup := owner[f]; dup {
				return fmt.Errorf("%w: identify.%s: titles[%d] trùng với %s (title also identifies %s)", ErrInvalid, t, i, o, o)
			}
			owner[f] = t
			id.Titles[i] = title
		}
		c.Identify[t] = id
	}
	return nil
}

// Recognised is what a scanned page was recognised as.
type Recognised struct {
	Type  string // the document type the page carries the marks of; "" when none
	Title string // the title found (as the catalogue writes it); "" when recognised by the MRZ
}

// Recognise tells which document type a page is, from the text read in the top band of its first
// page and whether a machine-readable zone was found on it, comparing words with case, diacritics
// and punctuation folded away. The longest title found wins (a form
// whose title contains another document's name is the form); a page with an MRZ and no title is
// the document type that has one. It returns the zero Recognised when nothing identifies the page.
func (c *Catalogue) Recognise(head string, mrz bool) Recognised {
	hay := " " + foldWords(head) + " "
	var best Recognised
	bestLen := 0
	for t, id := range c.Identify {
		for _, title := range id.Titles {
			f := foldWords(title)
			if len(f) > bestLen && strings.Contains(hay, " "+f+" ") {
				best, bestLen = Recognised{Type: t, Title: title}, len(f)
			} else if len(f) == bestLen && strings.Contains(hay, " "+f+" ") && t < best.Type {
				best = Recognised{Type: t, Title: title} // the same length twice: the same answer every time
			}
		}
	}
	if best.Type != "" || !mrz {
		return best
	}
	var withMRZ []string
	for t, id := range c.Identify {
		if id.MRZ {
			withMRZ = append(withMRZ, t)
		}
	}
	if len(withMRZ) == 1 {
		return Recognised{Type: withMRZ[0]}
	}
	return Recognised{}
}

// foldWords is Fold with everything but letters and digits turned into spaces: OCR glues
// punctuation to words ("SINH." or "SINH,").
func foldWords(s string) string {
	return strings.Join(strings.FieldsFunc(vntext.Fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }), " ")
}

// Identifies reports whether the catalogue knows what papers of document type t look like.
func (c *Catalogue) Identifies(t string) bool {
	_, ok := c.Identify[t]
	return ok
}

func kindOf(fs []Field, key string) wire.FieldKind {
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
		return vntext.Fold(out[i].Name) < vntext.Fold(out[j].Name)
	})
	return out
}

// Search returns the procedures whose name, English name or code contain every word of the query,
// compared with diacritics folded, popular ones first.
func (c *Catalogue) Search(query string) []Procedure {
	words := strings.Fields(vntext.Fold(query))
	if len(words) == 0 {
		return c.Browse()
	}
	var out []Procedure
	for _, p := range c.Browse() {
		hay := vntext.Fold(p.Name + " " + p.NameEn + " " + p.Code)
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
