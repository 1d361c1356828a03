package dossier

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// classicPDF builds a PDF with a classic cross-reference table from object bodies (numbered from 1)
// and a trailer dictionary.
func classicPDF(objs []string, trailer string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	var offs []int
	for i, o := range objs {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n%s\nstartxref\n%d\n%%%%EOF\n", trailer, x)
	return b.Bytes()
}

// objStmPDF builds a PDF whose catalog and page tree live in a compressed object stream, indexed by
// a cross-reference stream (as PDF 1.5 writers do).
func objStmPDF() []byte {
	body := "<< /Type /Catalog /Pages 3 0 R >> << /Type /Pages /Kids [4 0 R 5 0 R] /Count 2 >>"
	head := fmt.Sprintf("2 0 3 %d ", len("<< /Type /Catalog /Pages 3 0 R >> "))
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write([]byte(head + body))
	w.Close()
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	fmt.Fprintf(&b, "1 0 obj\n<< /Type /ObjStm /N 2 /First %d /Filter /FlateDecode /Length %d >>\nstream\n", len(head), z.Len())
	b.Write(z.Bytes())
	b.WriteString("\nendstream\nendobj\n")
	b.WriteString("4 0 obj\n<< /Type /Page /Parent 3 0 R >>\nendobj\n5 0 obj\n<< /Type /Page /Parent 3 0 R >>\nendobj\n")
	x := b.Len()
	fmt.Fprintf(&b, "6 0 obj\n<< /Type /XRef /Size 7 /Root 2 0 R /W [1 2 1] /Length 0 >>\nstream\n\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", x)
	return b.Bytes()
}

func goodClassicPDF() []byte {
	return classicPDF([]string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R 4 0 R 5 0 R] /Count 3 >>",
		"<< /Type /Page /Parent 2 0 R >>", "<< /Type /Page /Parent 2 0 R >>", "<< /Type /Page /Parent 2 0 R >>"},
		"<< /Size 6 /Root 1 0 R /ID [<00> <00>] >>")
}

func TestCheckPDFAccepts(t *testing.T) {
	for name, c := range map[string]struct {
		b    []byte
		want int
	}{"classic": {goodClassicPDF(), 3}, "object stream": {objStmPDF(), 2}} {
		n, err := CheckPDF(c.b)
		if err != nil || n != c.want {
			t.Errorf("%s: %d %v, want %d pages", name, n, err, c.want)
		}
	}
}

func TestCheckPDFRefuses(t *testing.T) {
	good := goodClassicPDF()
	cases := map[string][]byte{
		// What IsPDF (the old check) took: a %PDF- header and anything after it.
		"header only":           []byte("%PDF-1.4 <</Type /Page>>"),
		"header and junk":       append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 3000)...),
		"truncated":             good[:len(good)*2/3],
		"startxref past end":    []byte(strings.Replace(string(good), "startxref\n", "startxref\n9", 1)),
		"startxref not at xref": bytes.Replace(good, []byte("xref\n0 6"), []byte("junk\n0 6"), 1),
		"no trailer":            bytes.Replace(good, []byte("trailer"), []byte("trailex"), 1),
		"no root":               bytes.Replace(good, []byte("/Root 1 0 R"), []byte("/Rooo 1 0 R"), 1),
		"root missing":          bytes.Replace(good, []byte("/Root 1 0 R"), []byte("/Root 9 0 R"), 1),
		"root not catalog":      bytes.Replace(good, []byte("/Type /Catalog"), []byte("/Type /Outline"), 1),
		"no page tree":          bytes.Replace(good, []byte("/Type /Pages /Kids"), []byte("/Type /Fonts /Kids"), 1),
		"no count":              bytes.Replace(good, []byte("/Count 3"), []byte("/Cnt 3  "), 1),
		"zero pages":            bytes.Replace(good, []byte("/Count 3"), []byte("/Count 0"), 1),
		"stream not xref":       bytes.Replace(objStmPDF(), []byte("/Type /XRef"), []byte("/Type /XObj"), 1),
	}
	for name, b := range cases {
		if n, err := CheckPDF(b); !errors.Is(err, ErrBadPDF) {
			t.Errorf("%s: %d %v, want ErrBadPDF", name, n, err)
		}
	}
	if _, err := CheckPDF([]byte("GIF89a")); !errors.Is(err, ErrNotPDF) {
		t.Errorf("GIF: %v, want ErrNotPDF", err)
	}
}

func FuzzCheckPDF(f *testing.F) {
	f.Add(goodClassicPDF())
	f.Add(objStmPDF())
	f.Add([]byte("%PDF-1.4 <</Type /Page>>"))
	f.Add([]byte("%PDF-1.7\nstartxref\n0\n%%EOF"))
	f.Add([]byte("junk"))
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := CheckPDF(b)
		if err == nil && n < 1 {
			t.Fatalf("accepted with %d pages", n)
		}
		if err != nil && !errors.Is(err, ErrBadPDF) && !errors.Is(err, ErrNotPDF) {
			t.Fatalf("unexpected error %v", err)
		}
	})
}
