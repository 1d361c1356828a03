package pades

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"time"
)

// VerifyOptions say what a signature is checked against.
type VerifyOptions struct {
	// Roots are the trusted certification authorities; nil checks the signatures without building
	// a chain of trust.
	Roots *x509.CertPool
	// Time is when the certificates must be valid. Default: time.Now().
	Time time.Time
}

// Signature describes one verified signature of a PDF.
type Signature struct {
	Signer       *x509.Certificate   // the signing certificate
	Certificates []*x509.Certificate // all certificates the signature carries
	ByteRange    [4]int64
}

// Verify checks every signature of pdf: that the bytes each covers hash to its message digest,
// that the CMS signature over the signed attributes verifies with the signing certificate, that
// the signing-certificate-v2 attribute names that certificate, that (with opts.Roots) the
// certificate chains to a trusted root, and that the newest signature covers the whole file. It
// returns the signatures, oldest first; ErrNoSignature when there is none.
func Verify(pdf []byte, opts VerifyOptions) ([]Signature, error) {
	if opts.Time.IsZero() {
		opts.Time = time.Now()
	}
	doc, err := readDocument(pdf)
	if err != nil {
		return nil, err
	}
	_, cat, err := doc.catalog()
	if err != nil {
		return nil, err
	}
	af, _ := cat.get("AcroForm")
	af, err = doc.resolve(af)
	if err != nil {
		return nil, err
	}
	fields, _ := af.dict.get("Fields")
	fields, err = doc.resolve(fields)
	if err != nil {
		return nil, err
	}
	var out []Signature
	var ends []int64
	for _, f := range fields.arr {
		fd, err := doc.resolve(f)
		if err != nil {
			return nil, err
		}
		if fd.kind != kDict || fd.dict.nameOf("FT") != "Sig" {
			continue
		}
		v, ok := fd.dict.get("V")
		if !ok {
			continue // an empty signature field
		}
		sd, err := doc.resolve(v)
		if err != nil {
			return nil, err
		}
		if sd.kind != kDict {
			return nil, fmt.Errorf("%w: signature value is not a dictionary", ErrMalformed)
		}
		s, err := verifyOne(pdf, sd.dict, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
		ends = append(ends, s.ByteRange[2]+s.ByteRange[3])
	}
	if len(out) == 0 {
		return nil, ErrNoSignature
	}
	newest := int64(0)
	for _, e := range ends {
		newest = max(newest, e)
	}
	if newest != int64(len(pdf)) {
		return nil, fmt.Errorf("%w: %d bytes added after the last signature", ErrDigest, int64(len(pdf))-newest)
	}
	return out, nil
}

func verifyOne(pdf []byte, sig *dict, opts VerifyOptions) (Signature, error) {
	var s Signature
	if sig.nameOf("SubFilter") != "ETSI.CAdES.detached" && sig.nameOf("SubFilter") != "adbe.pkcs7.detached" {
		return s, fmt.Errorf("%w: /SubFilter /%s", ErrUnsupported, sig.nameOf("SubFilter"))
	}
	brv, _ := sig.get("ByteRange")
	contents, ok := sig.get("Contents")
	if brv.kind != kArray || len(brv.arr) != 4 || !ok || contents.kind != kString || contents.raw[0] != '<' {
		return s, fmt.Errorf("%w: /ByteRange or /Contents missing", ErrMalformed)
	}
	for i, e := range brv.arr {
		if e.kind != kNumber || !e.isInt || e.num < 0 || e.num > float64(len(pdf)) {
			return s, fmt.Errorf("%w: bad /ByteRange", ErrMalformed)
		}
		s.ByteRange[i] = int64(e.num)
	}
	br := s.ByteRange
	if br[0] != 0 || br[1] != int64(contents.start) || br[2] != int64(contents.end) || br[2]+br[3] > int64(len(pdf)) {
		return s, fmt.Errorf("%w: /ByteRange does not cover all but /Contents", ErrSignature)
	}
	h := sha256.New()
	h.Write(pdf[:br[1]])
	h.Write(pdf[br[2] : br[2]+br[3]])
	digest := h.Sum(nil)

	hexDigits := bytes.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, contents.raw[1:len(contents.raw)-1])
	der := make([]byte, hex.DecodedLen(len(hexDigits)))
	if _, err := hex.Decode(der, hexDigits); err != nil {
		return s, fmt.Errorf("%w: /Contents: %w", ErrMalformed, err)
	}
	var ci contentInfo
	rest, err := asn1.Unmarshal(der, &ci)
	if err != nil || !ci.ContentType.Equal(oidSignedData) || len(bytes.Trim(rest, "\x00")) != 0 {
		return s, fmt.Errorf("%w: not a CMS SignedData", ErrSignature)
	}
	var sd signedData
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil {
		return s, fmt.Errorf("%w: SignedData unreadable: %w", ErrSignature, err)
	}
	if !sd.EncapContentInfo.EContentType.Equal(oidData) || len(sd.EncapContentInfo.EContent.FullBytes) != 0 || len(sd.SignerInfos) != 1 {
		return s, fmt.Errorf("%w: not a detached signature with one signer", ErrSignature)
	}
	certs, err := elements(sd.Certificates.Bytes)
	if err != nil {
		return s, fmt.Errorf("%w: certificates unreadable", ErrSignature)
	}
	for _, c := range certs {
		cert, err := x509.ParseCertificate(c.FullBytes)
		if err != nil {
			return s, fmt.Errorf("%w: certificate unreadable: %w", ErrSignature, err)
		}
		s.Certificates = append(s.Certificates, cert)
	}
	si := sd.SignerInfos[0]
	if !si.DigestAlgorithm.Algorithm.Equal(oidSHA256) || !si.SignatureAlgorithm.Algorithm.Equal(oidECDSAWithSHA256) {
		return s, fmt.Errorf("%w: algorithms other than ECDSA with SHA-256", ErrUnsupported)
	}
	var ias issuerAndSerial
	if _, err := asn1.Unmarshal(si.SID.FullBytes, &ias); err != nil {
		return s, fmt.Errorf("%w: signer identifier unreadable", ErrSignature)
	}
	for _, c := range s.Certificates {
		if bytes.Equal(c.RawIssuer, ias.Issuer.FullBytes) && bytes.Equal(mustMarshal(c.SerialNumber), ias.Serial.FullBytes) {
			s.Signer = c
		}
	}
	if s.Signer == nil {
		return s, fmt.Errorf("%w: signing certificate not included", ErrSignature)
	}
	if len(si.SignedAttrs.FullBytes) == 0 {
		return s, fmt.Errorf("%w: no signed attributes", ErrSignature)
	}
	attrs, err := elements(si.SignedAttrs.Bytes)
	if err != nil {
		return s, fmt.Errorf("%w: signed attributes unreadable", ErrSignature)
	}
	var haveType, haveDigest, haveCert bool
	for _, a := range attrs {
		var at attr
		if _, err := asn1.Unmarshal(a.FullBytes, &at); err != nil {
			return s, fmt.Errorf("%w: attribute unreadable", ErrSignature)
		}
		switch {
		case at.Type.Equal(oidContentType):
			var oid asn1.ObjectIdentifier
			if _, err := asn1.Unmarshal(at.Values.Bytes, &oid); err != nil || !oid.Equal(oidData) {
				return s, fmt.Errorf("%w: content-type is not id-data", ErrSignature)
			}
			haveType = true
		case at.Type.Equal(oidMessageDigest):
			var md []byte
			if _, err := asn1.Unmarshal(at.Values.Bytes, &md); err != nil {
				return s, fmt.Errorf("%w: message-digest unreadable", ErrSignature)
			}
			if !bytes.Equal(md, digest) {
				return s, ErrDigest
			}
			haveDigest = true
		case at.Type.Equal(oidSigningCertificateV2):
			var sc struct {
				Certs    []essCertIDv2
				Policies asn1.RawValue `asn1:"optional"`
			}
			if _, err := asn1.Unmarshal(at.Values.Bytes, &sc); err != nil || len(sc.Certs) == 0 {
				return s, fmt.Errorf("%w: signing-certificate-v2 unreadable", ErrSignature)
			}
			id := sc.Certs[0]
			sum := sha256.Sum256(s.Signer.Raw)
			if (len(id.HashAlgorithm.Algorithm) != 0 && !id.HashAlgorithm.Algorithm.Equal(oidSHA256)) || !bytes.Equal(id.CertHash, sum[:]) {
				return s, fmt.Errorf("%w: signing-certificate-v2 names another certificate", ErrSignature)
			}
			haveCert = true
		}
	}
	if !haveType || !haveDigest || !haveCert {
		return s, fmt.Errorf("%w: content-type, message-digest or signing-certificate-v2 missing", ErrSignature)
	}
	signed := append([]byte{tagSet}, si.SignedAttrs.FullBytes[1:]...)
	if err := s.Signer.CheckSignature(x509.ECDSAWithSHA256, signed, si.Signature); err != nil {
		return s, fmt.Errorf("%w: %w", ErrSignature, err)
	}
	if opts.Roots != nil {
		inter := x509.NewCertPool()
		for _, c := range s.Certificates {
			if c != s.Signer {
				inter.AddCert(c)
			}
		}
		if _, err := s.Signer.Verify(x509.VerifyOptions{Roots: opts.Roots, Intermediates: inter, CurrentTime: opts.Time,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
			return s, fmt.Errorf("%w: %w", ErrUntrusted, err)
		}
	}
	return s, nil
}
