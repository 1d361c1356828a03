package pades

import (
	"bytes"
	"fmt"
	"strconv"
)

// This file reads just enough of an existing PDF to append an incremental update to it: the
// cross-reference tables (classic "xref" sections, following /Prev), the trailer, and single
// objects by number. Values keep their raw bytes, so rewritten dictionaries copy what they do not
// change exactly as it was.

// Limits on what is read, so that hostile input cannot make the parser loop or recurse deeply.
const (
	maxDepth    = 64 // nesting of arrays and dictionaries
	maxSections = 64 // cross-reference sections followed through /Prev
	maxPageTree = 32 // levels of the page tree
)

type kind int

const (
	kNull kind = iota
	kBool
	kNumber
	kString // literal or hexadecimal; raw keeps the delimiters
	kName
	kArray
	kDict
	kRef
)

// value is one parsed PDF object. start and end locate raw in the file.
type value struct {
	kind       kind
	raw        []byte
	start, end int
	name       string  // kName: the name without the slash (escapes #xx left as written)
	num        float64 // kNumber
	isInt      bool    // kNumber: written without a decimal point
	ref        ref     // kRef
	arr        []value // kArray
	dict       *dict   // kDict
}

type ref struct{ num, gen int }

func (r ref) String() string { return fmt.Sprintf("%d %d R", r.num, r.gen) }

// dict is a dictionary with its keys in file order.
type dict struct {
	keys []string
	vals []value
}

func (d *dict) get(key string) (value, bool) {
	if d == nil {
		return value{}, false
	}
	for i, k := range d.keys {
		if k == key {
			return d.vals[i], true
		}
	}
	return value{}, false
}

func (d *dict) nameOf(key string) string {
	v, ok := d.get(key)
	if !ok || v.kind != kName {
		return ""
	}
	return v.name
}

// parser reads values from b.
type parser struct {
	b   []byte
	pos int
}

func isSpace(c byte) bool {
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '
}

func isDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

func (p *parser) skipSpace() {
	for p.pos < len(p.b) {
		c := p.b[p.pos]
		switch {
		case isSpace(c):
			p.pos++
		case c == '%':
			for p.pos < len(p.b) && p.b[p.pos] != '\n' && p.b[p.pos] != '\r' {
				p.pos++
			}
		default:
			return
		}
	}
}

// token reads a run of regular characters (a number or a keyword).
func (p *parser) token() []byte {
	p.skipSpace()
	s := p.pos
	for p.pos < len(p.b) && !isSpace(p.b[p.pos]) && !isDelim(p.b[p.pos]) {
		p.pos++
	}
	return p.b[s:p.pos]
}

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format+" (byte %d)", append([]any{ErrMalformed}, append(args, p.pos)...)...)
}

// value parses the value at the current position.
func (p *parser) value(depth int) (value, error) {
	if depth > maxDepth {
		return value{}, p.errorf("nesting too deep")
	}
	p.skipSpace()
	if p.pos >= len(p.b) {
		return value{}, p.errorf("unexpected end")
	}
	start := p.pos
	v := value{start: start}
	switch c := p.b[p.pos]; {
	case c == '<' && p.pos+1 < len(p.b) && p.b[p.pos+1] == '<':
		p.pos += 2
		d := &dict{}
		for {
			p.skipSpace()
			if p.pos+1 < len(p.b) && p.b[p.pos] == '>' && p.b[p.pos+1] == '>' {
				p.pos += 2
				break
			}
			k, err := p.value(depth + 1)
			if err != nil {
				return v, err
			}
			if k.kind != kName {
				return v, p.errorf("dictionary key is not a name")
			}
			val, err := p.value(depth + 1)
			if err != nil {
				return v, err
			}
			d.keys, d.vals = append(d.keys, k.name), append(d.vals, val)
		}
		v.kind, v.dict = kDict, d
	case c == '<':
		end := bytes.IndexByte(p.b[p.pos:], '>')
		if end < 0 {
			return v, p.errorf("unterminated hex string")
		}
		p.pos += end + 1
		v.kind = kString
	case c == '(':
		level := 0
		for p.pos < len(p.b) {
			ch := p.b[p.pos]
			p.pos++
			if ch == '\\' {
				p.pos++
				continue
			}
			if ch == '(' {
				level++
			} else if ch == ')' {
				level--
				if level == 0 {
					break
				}
			}
		}
		if level != 0 || p.pos > len(p.b) {
			return v, p.errorf("unterminated string")
		}
		v.kind = kString
	case c == '[':
		p.pos++
		for {
			p.skipSpace()
			if p.pos < len(p.b) && p.b[p.pos] == ']' {
				p.pos++
				break
			}
			e, err := p.value(depth + 1)
			if err != nil {
				return v, err
			}
			v.arr = append(v.arr, e)
		}
		v.kind = kArray
	case c == '/':
		p.pos++
		for p.pos < len(p.b) && !isSpace(p.b[p.pos]) && !isDelim(p.b[p.pos]) {
			p.pos++
		}
		v.kind, v.name = kName, string(p.b[start+1:p.pos])
	default:
		tok := p.token()
		switch string(tok) {
		case "":
			return v, p.errorf("unexpected %q", c)
		case "true", "false":
			v.kind = kBool
		case "null":
			v.kind = kNull
		default:
			f, err := strconv.ParseFloat(string(tok), 64)
			if err != nil {
				return v, p.errorf("unexpected %q", tok)
			}
			v.kind, v.num, v.isInt = kNumber, f, bytes.IndexByte(tok, '.') < 0
			// "num gen R" is a reference.
			if v.isInt && f >= 0 {
				save := p.pos
				gen := p.token()
				if g, err := strconv.Atoi(string(gen)); err == nil && g >= 0 && len(gen) > 0 && string(p.token()) == "R" {
					n, err := strconv.Atoi(string(tok))
					if err == nil {
						v.kind, v.ref = kRef, ref{n, g}
						break
					}
				}
				p.pos = save
			}
		}
	}
	v.end = p.pos
	v.raw = p.b[start:p.pos]
	return v, nil
}

// document is what the parser learnt about a PDF.
type document struct {
	b         []byte
	offsets   map[int]xrefEntry // object number → newest entry in use
	trailer   *dict             // newest trailer
	startxref int               // offset of the newest cross-reference section
	size      int               // trailer /Size (at least the highest object number + 1)
}

type xrefEntry struct{ offset, gen int }

// readDocument parses the cross-reference sections and trailers of b.
func readDocument(b []byte) (*document, error) {
	tail := b[max(0, len(b)-2048):]
	i := bytes.LastIndex(tail, []byte("startxref"))
	if i < 0 {
		return nil, fmt.Errorf("%w: no startxref", ErrMalformed)
	}
	p := &parser{b: b, pos: len(b) - len(tail) + i + len("startxref")}
	off, err := strconv.Atoi(string(p.token()))
	if err != nil || off < 0 || off >= len(b) {
		return nil, fmt.Errorf("%w: bad startxref", ErrMalformed)
	}
	doc := &document{b: b, offsets: map[int]xrefEntry{}, startxref: off}
	seen := map[int]bool{}
	for n := 0; ; n++ {
		if n >= maxSections || seen[off] {
			return nil, fmt.Errorf("%w: cross-reference chain loops", ErrMalformed)
		}
		seen[off] = true
		tr, err := doc.readSection(off)
		if err != nil {
			return nil, err
		}
		if doc.trailer == nil {
			doc.trailer = tr
		}
		prev, ok := tr.get("Prev")
		if !ok {
			break
		}
		if prev.kind != kNumber || !prev.isInt || prev.num < 0 || prev.num >= float64(len(b)) {
			return nil, fmt.Errorf("%w: bad /Prev", ErrMalformed)
		}
		off = int(prev.num)
	}
	if _, ok := doc.trailer.get("Encrypt"); ok {
		return nil, fmt.Errorf("%w: encrypted document", ErrUnsupported)
	}
	sz, ok := doc.trailer.get("Size")
	if !ok || sz.kind != kNumber || !sz.isInt || sz.num < 1 || sz.num > 1e7 {
		return nil, fmt.Errorf("%w: bad /Size", ErrMalformed)
	}
	doc.size = int(sz.num)
	for n := range doc.offsets {
		doc.size = max(doc.size, n+1)
	}
	return doc, nil
}

// readSection reads one classic cross-reference section at off and returns its trailer.
func (doc *document) readSection(off int) (*dict, error) {
	p := &parser{b: doc.b, pos: off}
	kw := p.token()
	if string(kw) != "xref" {
		if _, err := strconv.Atoi(string(kw)); err == nil {
			return nil, fmt.Errorf("%w: cross-reference streams", ErrUnsupported)
		}
		return nil, fmt.Errorf("%w: no xref at startxref", ErrMalformed)
	}
	for {
		save := p.pos
		tok := p.token()
		if string(tok) == "trailer" {
			break
		}
		first, err1 := strconv.Atoi(string(tok))
		count, err2 := strconv.Atoi(string(p.token()))
		if err1 != nil || err2 != nil || first < 0 || count < 0 || first > 1e7 || count > (len(doc.b)-p.pos)/18+1 {
			p.pos = save
			return nil, p.errorf("bad cross-reference subsection")
		}
		for i := 0; i < count; i++ {
			o, err1 := strconv.Atoi(string(p.token()))
			g, err2 := strconv.Atoi(string(p.token()))
			t := string(p.token())
			if err1 != nil || err2 != nil || (t != "n" && t != "f") || o < 0 || g < 0 {
				return nil, p.errorf("bad cross-reference entry")
			}
			num := first + i
			if _, known := doc.offsets[num]; known {
				continue // a newer section already said where it is
			}
			if t == "n" {
				if o >= len(doc.b) {
					return nil, p.errorf("object %d beyond the end", num)
				}
				doc.offsets[num] = xrefEntry{o, g}
			} else {
				doc.offsets[num] = xrefEntry{-1, g}
			}
		}
	}
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	if v.kind != kDict {
		return nil, p.errorf("trailer is not a dictionary")
	}
	return v.dict, nil
}

// object returns object num (its value, and its generation).
func (doc *document) object(num int) (value, int, error) {
	e, ok := doc.offsets[num]
	if !ok || e.offset < 0 {
		return value{}, 0, fmt.Errorf("%w: object %d missing", ErrMalformed, num)
	}
	p := &parser{b: doc.b, pos: e.offset}
	n, err1 := strconv.Atoi(string(p.token()))
	g, err2 := strconv.Atoi(string(p.token()))
	if err1 != nil || err2 != nil || n != num || string(p.token()) != "obj" {
		return value{}, 0, fmt.Errorf("%w: object %d not where the cross-reference table says", ErrMalformed, num)
	}
	v, err := p.value(0)
	return v, g, err
}

// resolve follows v if it is a reference.
func (doc *document) resolve(v value) (value, error) {
	if v.kind != kRef {
		return v, nil
	}
	o, _, err := doc.object(v.ref.num)
	if err == nil && o.kind == kRef {
		return value{}, fmt.Errorf("%w: reference to a reference", ErrMalformed)
	}
	return o, err
}

// dictRef returns the dictionary object that v refers to.
func (doc *document) dictRef(v value, what string) (ref, *dict, error) {
	if v.kind != kRef {
		return ref{}, nil, fmt.Errorf("%w: %s is not an indirect object", ErrMalformed, what)
	}
	o, g, err := doc.object(v.ref.num)
	if err != nil {
		return ref{}, nil, err
	}
	if o.kind != kDict {
		return ref{}, nil, fmt.Errorf("%w: %s is not a dictionary", ErrMalformed, what)
	}
	return ref{v.ref.num, g}, o.dict, nil
}

// catalog returns the document catalog.
func (doc *document) catalog() (ref, *dict, error) {
	root, ok := doc.trailer.get("Root")
	if !ok {
		return ref{}, nil, fmt.Errorf("%w: no /Root", ErrMalformed)
	}
	return doc.dictRef(root, "catalog")
}

// firstPage walks the page tree from the catalog to the first page.
func (doc *document) firstPage(cat *dict) (ref, *dict, error) {
	node, _ := cat.get("Pages")
	for level := 0; level < maxPageTree; level++ {
		r, d, err := doc.dictRef(node, "page tree node")
		if err != nil {
			return ref{}, nil, err
		}
		if d.nameOf("Type") == "Page" {
			return r, d, nil
		}
		kids, _ := d.get("Kids")
		kids, err = doc.resolve(kids)
		if err != nil {
			return ref{}, nil, err
		}
		if kids.kind != kArray || len(kids.arr) == 0 {
			return ref{}, nil, fmt.Errorf("%w: page tree without pages", ErrMalformed)
		}
		node = kids.arr[0]
	}
	return ref{}, nil, fmt.Errorf("%w: page tree too deep", ErrMalformed)
}
