package dossier

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/internal/errtext"
)

// Every refusal of the package reads as one bilingual sentence, its sentinel's, with English
// detail: a bad code, input, manifest, date, signature key, PDF, or an invalid dossier with one
// problem or many (each problem a sentence of its own in Problems, English in the text).
func TestRefusalsAreOneSentence(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	m, err := sample().Manifest()
	if err != nil {
		t.Fatal(err)
	}
	sig, _ := Sign(key, m)
	badDate := sample()
	badDate.Fields = map[string]string{"a": "31/02/2020", "b": "hôm qua"}
	badDate.DateFields = []string{"a", "b"}
	invalid := sample()
	invalid.Unit.Code, invalid.Applicant.IDNumber, invalid.Attachments = "H26", "12345", nil
	one := sample()
	one.KioskID = ""
	errs := map[string]struct {
		err  error
		want error
	}{}
	add := func(name string, err, want error) { errs[name] = struct{ err, want error }{err, want} }
	for _, s := range []string{"000.00.21.H26-251124-0000", "000.00.21.H26-251324-0001", "nope"} {
		_, err := ParseCode(s)
		add("code "+s, err, ErrBadCode)
	}
	_, err = NewCode("H26", time.Now(), 1)
	add("new code agency", err, ErrBadCode)
	_, err = NewCode("000.00.21.H26", time.Now(), 10000)
	add("new code sequence", err, ErrBadCode)
	for _, s := range []string{`{}`, `{"attachments":[{"type":"x"}]}`, `[]`, `{"attachments":[{"type":"x","path":"a"}]} {}`} {
		_, err := DecodeInput([]byte(s))
		add("input "+s, err, ErrBadInput)
	}
	_, err = ParseManifest(append(append([]byte(nil), m...), " {}"...))
	add("manifest trailing", err, ErrBadManifest)
	_, err = ParseManifest([]byte(`{"version":"one"}`))
	add("manifest type", err, ErrBadManifest)
	_, err = badDate.Manifest()
	add("manifest dates", err, ErrBadDate)
	add("validate dates", badDate.Validate(nil), ErrInvalid)
	add("validate many", invalid.Validate([]Requirement{{Type: "to-khai"}}), ErrInvalid)
	add("validate one", one.Validate(nil), ErrInvalid)
	add("verify P-384", Verify(&mustKey(t, elliptic.P384()).PublicKey, m, sig), ErrBadSignature)
	add("verify tampered", Verify(&key.PublicKey, append([]byte(" "), m...), sig), ErrBadSignature)
	_, err = Sign(mustKey(t, elliptic.P384()), m)
	add("sign P-384", err, nil)
	_, err = CheckPDF([]byte("%PDF-1.7\nstartxref\n0\n%%EOF"))
	add("pdf", err, ErrBadPDF)
	_, err = CheckPDF([]byte("GIF89a"))
	add("not pdf", err, ErrNotPDF)

	for name, c := range errs {
		if c.err == nil || (c.want != nil && !errors.Is(c.err, c.want)) {
			t.Errorf("%s: %v, want %v", name, c.err, c.want)
			continue
		}
		if werr := errtext.Check(c.err); werr != nil {
			t.Errorf("%s: %v", name, werr)
		}
	}
	// The problems stay worded for people, one sentence each, and the text names them in English.
	var ve *ValidationError
	err = invalid.Validate([]Requirement{{Type: "to-khai"}, {Type: "giay-chung-sinh"}})
	if !errors.As(err, &ve) || len(ve.Problems) < 3 || len(ve.Missing) != 2 {
		t.Fatalf("validate: %v", err)
	}
	for _, p := range ve.Problems {
		if n := len(errtext.Sentences(p)); n != 1 {
			t.Errorf("problem %q holds %d sentences", p, n)
		}
	}
	for _, en := range []string{"receiving unit code malformed", "personal id number must have 12 digits", "required documents missing: giay-chung-sinh, to-khai"} {
		if !strings.Contains(err.Error(), en) {
			t.Errorf("validate: %q lacks %q", err, en)
		}
	}
	if _, err := badDate.Manifest(); err == nil || !strings.HasSuffix(err.Error(), ": fields a, b") {
		t.Errorf("manifest dates: %v", err)
	}
}

func mustKey(t *testing.T, c elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Each sentinel is one sentence from end to end, so that errtext.English leaves no Vietnamese.
func TestSentinelsAreWholeSentences(t *testing.T) {
	for _, err := range []error{ErrInvalid, ErrBadManifest, ErrBadSignature, ErrBadCode, ErrNotPDF, ErrBadDate, ErrBadInput, ErrBadPDF} {
		if s := errtext.Sentences(err.Error()); len(s) != 1 || s[0] != err.Error() {
			t.Errorf("%q reads as %q", err, s)
		}
	}
}
