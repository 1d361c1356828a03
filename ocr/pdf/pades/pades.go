// Package pades signs PDFs with PAdES baseline B-B signatures and checks them.
//
// Sign appends an incremental update to an existing PDF (one with classic cross-reference tables,
// such as ocr/pdf's writer makes): a signature dictionary (/Filter /Adobe.PPKLite, /SubFilter
// /ETSI.CAdES.detached, /ByteRange, /Contents, /M), an invisible signature field on page 1 (a
// widget annotation with /F 132), the catalog with an /AcroForm (/SigFlags 3) and a new
// cross-reference section with /Prev. The bytes before the update are left as they were, so the
// text layer and everything else of the document is unchanged.
//
// The signature is a detached CMS SignedData (RFC 5652) made with an ECDSA P-256 key over
// SHA-256, with the signed attributes content-type, message-digest and ESS signing-certificate-v2
// that ETSI EN 319 142-1 asks of a B-B signature, and the signing certificate (and any chain given)
// in the certificates set.
package pades

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	ocrpdf "github.com/tramso/tramso/ocr/pdf"
)

// Sentinel errors, to be tested with errors.Is.
var (
	ErrMalformed   = errors.New("tệp PDF hỏng, không đọc được cấu trúc (PDF structure unreadable)")
	ErrUnsupported = errors.New("dạng PDF này chưa ký được (this kind of PDF cannot be signed)")
	ErrKey         = errors.New("khóa ký phải là ECDSA P-256 và khớp chứng thư (signing key must be ECDSA P-256 and match the certificate)")
	ErrNoSignature = errors.New("tệp PDF không có chữ ký số (PDF has no signature)")
	ErrDigest      = errors.New("nội dung PDF đã bị thay đổi sau khi ký (PDF changed after signing: digest mismatch)")
	ErrSignature   = errors.New("chữ ký số không hợp lệ (signature invalid)")
	ErrUntrusted   = errors.New("chứng thư ký không được tin cậy (signing certificate not trusted)")
)

// Options are what a signature says besides who signed.
type Options struct {
	// Time is the claimed signing time, written to /M. Default: time.Now().
	Time time.Time
	// Name, Reason and Location are shown by PDF readers; empty ones are left out.
	Name, Reason, Location string
	// ContentsSize is the space reserved for the CMS signature in bytes (twice that in hex digits).
	// Default: room for the certificates given plus 2 KB, at least 4 KB.
	ContentsSize int
}

// Sign returns pdf with a PAdES B-B signature appended as an incremental update, made with key
// for the certificate chain[0]; the rest of chain (issuers) is carried in the signature for
// verifiers. pdf itself is not modified.
func Sign(pdf []byte, key crypto.Signer, chain []*x509.Certificate, opts Options) ([]byte, error) {
	if len(chain) == 0 || chain[0] == nil || key == nil {
		return nil, ErrKey
	}
	pub, ok := key.Public().(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() || !pub.Equal(chain[0].PublicKey) {
		return nil, ErrKey
	}
	if opts.Time.IsZero() {
		opts.Time = time.Now()
	}
	if opts.ContentsSize <= 0 {
		n := 2048
		for _, c := range chain {
			n += len(c.Raw)
		}
		opts.ContentsSize = max(4096, (n+1023)/1024*1024)
	}
	doc, err := readDocument(pdf)
	if err != nil {
		return nil, err
	}
	catRef, cat, err := doc.catalog()
	if err != nil {
		return nil, err
	}
	pageRef, page, err := doc.firstPage(cat)
	if err != nil {
		return nil, err
	}
	sigNum, fieldNum := doc.size, doc.size+1
	field := ref{fieldNum, 0}

	// The catalog with an /AcroForm listing the new field besides any the document has.
	var fields []string
	var formRest []string
	if af, ok := cat.get("AcroForm"); ok {
		af, err = doc.resolve(af)
		if err != nil {
			return nil, err
		}
		if af.kind == kDict {
			for i, k := range af.dict.keys {
				v := af.dict.vals[i]
				switch k {
				case "Fields":
					arr, err := doc.resolve(v)
					if err != nil {
						return nil, err
					}
					for _, e := range arr.arr {
						fields = append(fields, string(e.raw))
					}
				case "SigFlags":
				default:
					formRest = append(formRest, "/"+k+" "+string(v.raw))
				}
			}
		}
	}
	fields = append(fields, field.String())
	acroForm := fmt.Sprintf("<< /Fields [%s] /SigFlags 3%s >>", strings.Join(fields, " "), prefixed(formRest))

	// Page 1 with the widget in its /Annots.
	var annots []string
	if a, ok := page.get("Annots"); ok {
		arr, err := doc.resolve(a)
		if err != nil {
			return nil, err
		}
		for _, e := range arr.arr {
			annots = append(annots, string(e.raw))
		}
	}
	annots = append(annots, field.String())
	if pageRef == catRef {
		return nil, fmt.Errorf("%w: page is the catalog", ErrMalformed)
	}

	var out bytes.Buffer
	out.Grow(len(pdf) + 2*opts.ContentsSize + 2048)
	out.Write(pdf)
	if len(pdf) > 0 && pdf[len(pdf)-1] != '\n' && pdf[len(pdf)-1] != '\r' {
		out.WriteByte('\n')
	}
	offsets := map[int]int{}
	begin := func(r ref) {
		offsets[r.num] = out.Len()
		fmt.Fprintf(&out, "%d %d obj\n", r.num, r.gen)
	}
	begin(catRef)
	out.WriteString(rewrite(cat, map[string]string{"AcroForm": acroForm}))
	out.WriteString("\nendobj\n")
	begin(pageRef)
	out.WriteString(rewrite(page, map[string]string{"Annots": "[" + strings.Join(annots, " ") + "]"}))
	out.WriteString("\nendobj\n")
	begin(field)
	fmt.Fprintf(&out, "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature%d) /V %d 0 R /F 132 /Rect [0 0 0 0] /P %s >>\nendobj\n",
		fieldNum, sigNum, pageRef)
	begin(ref{sigNum, 0})
	out.WriteString("<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [")
	byteRangeAt := out.Len()
	out.WriteString(strings.Repeat(" ", byteRangeWidth))
	out.WriteString("] /Contents ")
	contentsAt := out.Len()
	out.WriteByte('<')
	out.WriteString(strings.Repeat("0", 2*opts.ContentsSize))
	out.WriteByte('>')
	contentsEnd := out.Len()
	fmt.Fprintf(&out, " /M %s", ocrpdf.TextString(pdfDate(opts.Time)))
	for _, kv := range [][2]string{{"Name", opts.Name}, {"Reason", opts.Reason}, {"Location", opts.Location}} {
		if kv[1] != "" {
			fmt.Fprintf(&out, " /%s %s", kv[0], ocrpdf.TextString(kv[1]))
		}
	}
	out.WriteString(" >>\nendobj\n")

	xref := out.Len()
	out.WriteString("xref\n")
	nums := []int{catRef.num, pageRef.num, sigNum, fieldNum}
	gens := map[int]int{catRef.num: catRef.gen, pageRef.num: pageRef.gen}
	for _, n := range sortedUnique(nums) {
		fmt.Fprintf(&out, "%d 1\n%010d %05d n \n", n, offsets[n], gens[n])
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root %s", fieldNum+1, catRef)
	for _, k := range []string{"Info", "ID"} {
		if v, ok := doc.trailer.get(k); ok {
			fmt.Fprintf(&out, " /%s %s", k, v.raw)
		}
	}
	fmt.Fprintf(&out, " /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", doc.startxref, xref)

	b := out.Bytes()
	br := fmt.Sprintf("0 %d %d %d", contentsAt, contentsEnd, len(b)-contentsEnd)
	if len(br) > byteRangeWidth {
		return nil, fmt.Errorf("%w: file too large", ErrUnsupported)
	}
	copy(b[byteRangeAt:], br)
	h := sha256.New()
	h.Write(b[:contentsAt])
	h.Write(b[contentsEnd:])
	cms, err := signCMS(h.Sum(nil), key, chain)
	if err != nil {
		return nil, err
	}
	if len(cms) > opts.ContentsSize {
		return nil, fmt.Errorf("%w: signature of %d bytes exceeds the %d reserved", ErrUnsupported, len(cms), opts.ContentsSize)
	}
	hex.Encode(b[contentsAt+1:], cms)
	return b, nil
}

// byteRangeWidth is the room left for "0 a b c": three numbers of up to 11 digits.
const byteRangeWidth = 2 + 3*12

// rewrite writes d again with the entries of set replacing (or added to) its own.
func rewrite(d *dict, set map[string]string) string {
	var s strings.Builder
	s.WriteString("<<")
	for i, k := range d.keys {
		if _, ok := set[k]; ok {
			continue
		}
		fmt.Fprintf(&s, " /%s %s", k, d.vals[i].raw)
	}
	for _, k := range sortedKeys(set) {
		fmt.Fprintf(&s, " /%s %s", k, set[k])
	}
	s.WriteString(" >>")
	return s.String()
}

func prefixed(items []string) string {
	if len(items) == 0 {
		return ""
	}
	return " " + strings.Join(items, " ")
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

func sortedUnique(n []int) []int {
	s := slices.Clone(n)
	slices.Sort(s)
	return slices.Compact(s)
}

// pdfDate formats t as a PDF date, D:YYYYMMDDHHmmSS+HH'mm'.
func pdfDate(t time.Time) string {
	_, off := t.Zone()
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("D:%s%c%02d'%02d'", t.Format("20060102150405"), sign, off/3600, off%3600/60)
}
