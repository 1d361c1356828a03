package lds

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"github.com/tramso/tramso/internal/errtext"
	"math/big"
	"sort"
	"time"

	"github.com/tramso/tramso/drivers/tlv"
)

var (
	oidSignedData       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidAttrContentType  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidAttrMessageDig   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidAttrSigningTime  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidLDSSecurityObj   = asn1.ObjectIdentifier{2, 23, 136, 1, 1, 1}
	oidLDSSecurityObjL1 = asn1.ObjectIdentifier{1, 3, 27, 1, 1, 1}
	oidLDSSecurityObjNL = asn1.ObjectIdentifier{1, 2, 528, 1, 1006, 1, 20, 1}
)

type contentInfoASN struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue // [0] EXPLICIT, checked by hand
}

type encapContentInfoASN struct {
	EContentType asn1.ObjectIdentifier
	EContent     []byte `asn1:"explicit,optional,tag:0"`
}

type signedDataASN struct {
	Version          int
	DigestAlgorithms []pkix.AlgorithmIdentifier `asn1:"set"`
	EncapContentInfo encapContentInfoASN
	Certificates     asn1.RawValue   `asn1:"optional,tag:0"`
	CRLs             asn1.RawValue   `asn1:"optional,tag:1"`
	SignerInfos      []asn1.RawValue `asn1:"set"`
}

type signerInfoASN struct {
	Version            int
	SID                asn1.RawValue
	DigestAlgorithm    pkix.AlgorithmIdentifier
	SignedAttrs        asn1.RawValue `asn1:"optional,tag:0"`
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
	UnsignedAttrs      asn1.RawValue `asn1:"optional,tag:1"`
}

type issuerAndSerialASN struct {
	Issuer asn1.RawValue
	Serial *big.Int
}

type attributeASN struct {
	Type   asn1.ObjectIdentifier
	Values asn1.RawValue `asn1:"set"`
}

type dataGroupHashASN struct {
	Number int
	Value  []byte
}

type ldsVersionInfoASN struct {
	LDSVersion     string `asn1:"printable"`
	UnicodeVersion string `asn1:"printable"`
}

type ldsSecurityObjectASN struct {
	Version        int
	HashAlgorithm  pkix.AlgorithmIdentifier
	Hashes         []dataGroupHashASN
	LDSVersionInfo ldsVersionInfoASN `asn1:"optional"`
}

// ErrNoSignedAttributes is returned for a SOD whose signer signed no attributes (ICAO requires them).
var ErrNoSignedAttributes = errors.New("SOD không có thuộc tính ký (SOD has no signed attributes)")

// SOD is a parsed EF.SOD: the CMS SignedData around an LDSSecurityObject.
type SOD struct {
	HashAlgorithm  crypto.Hash    // hash of the data group hashes
	Hashes         map[int][]byte // data group number → hash
	LDSVersion     string         // from ldsVersionInfo, if present
	UnicodeVersion string

	EContentType []byte // DER OID of the encapsulated content
	EContent     []byte // DER LDSSecurityObject, as signed

	Certificates []*Certificate // the certificates field of the SignedData
	Signer       *Certificate   // the document signer certificate named by the SignerInfo, or nil

	DigestAlgorithm    crypto.Hash // the SignerInfo digest algorithm
	SignedContentType  []byte      // DER OID of the content-type signed attribute (nil if absent)
	MessageDigest      []byte      // the message-digest signed attribute (nil if absent)
	SigningTime        time.Time   // the signing-time signed attribute (zero if absent)
	RawSignedAttrs     []byte      // the signed attributes re-tagged as SET (31), the signed bytes
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
}

func sodError(what string, err error) error {
	if err == nil {
		return errtext.Wrap(fmt.Errorf("EF.SOD hỏng ở phần %s (malformed EF.SOD: %s)", what, what), ErrMalformed)
	}
	return errtext.Wrap(fmt.Errorf("EF.SOD hỏng ở phần %s (malformed EF.SOD: %s)", what, what), errors.Join(ErrMalformed, err))
}

// ParseSOD parses EF.SOD (tag 77). It checks structure only; VerifySOD checks the contents.
func ParseSOD(b []byte) (*SOD, error) {
	v, err := unwrap(b, TagSOD, "EF.SOD")
	if err != nil {
		return nil, err
	}
	var ci contentInfoASN
	if rest, err := asn1.Unmarshal(v, &ci); err != nil || len(rest) != 0 {
		return nil, sodError("ContentInfo", err)
	}
	if ci.Content.Class != asn1.ClassContextSpecific || ci.Content.Tag != 0 || !ci.Content.IsCompound {
		return nil, sodError("ContentInfo content is not [0]", nil)
	}
	if !ci.ContentType.Equal(oidSignedData) {
		return nil, sodError("content type is not signedData", nil)
	}
	var sd signedDataASN
	if rest, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil || len(rest) != 0 {
		return nil, sodError("SignedData", err)
	}
	s := &SOD{EContent: sd.EncapContentInfo.EContent}
	if s.EContentType, err = asn1.Marshal(sd.EncapContentInfo.EContentType); err != nil {
		return nil, sodError("eContentType", err)
	}
	if len(s.EContent) == 0 {
		return nil, sodError("no eContent", nil)
	}
	var lso ldsSecurityObjectASN
	if rest, err := asn1.Unmarshal(s.EContent, &lso); err != nil || len(rest) != 0 {
		return nil, sodError("LDSSecurityObject", err)
	}
	h, ok := hashByOID(lso.HashAlgorithm.Algorithm)
	if !ok {
		return nil, sodError("unknown hash algorithm", nil)
	}
	s.HashAlgorithm = h
	s.LDSVersion, s.UnicodeVersion = lso.LDSVersionInfo.LDSVersion, lso.LDSVersionInfo.UnicodeVersion
	s.Hashes = make(map[int][]byte, len(lso.Hashes))
	for _, dh := range lso.Hashes {
		if dh.Number < 1 || dh.Number > 16 {
			return nil, sodError("data group number out of range", nil)
		}
		if _, dup := s.Hashes[dh.Number]; dup {
			return nil, sodError("duplicate data group hash", nil)
		}
		s.Hashes[dh.Number] = dh.Value
	}
	// certificates [0] IMPLICIT SET OF Certificate
	rest := sd.Certificates.Bytes
	for len(rest) > 0 {
		var raw asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &raw); err != nil {
			return nil, sodError("certificates", err)
		}
		if raw.Tag != asn1.TagSequence || raw.Class != asn1.ClassUniversal {
			continue // other certificate choices are ignored
		}
		c, err := ParseCertificate(raw.FullBytes)
		if err != nil {
			return nil, sodError("certificate", err)
		}
		s.Certificates = append(s.Certificates, c)
	}
	if len(sd.SignerInfos) == 0 {
		return nil, sodError("no SignerInfo", nil)
	}
	var si signerInfoASN
	if rest, err := asn1.Unmarshal(sd.SignerInfos[0].FullBytes, &si); err != nil || len(rest) != 0 {
		return nil, sodError("SignerInfo", err)
	}
	if s.DigestAlgorithm, ok = hashByOID(si.DigestAlgorithm.Algorithm); !ok {
		return nil, sodError("unknown digest algorithm", nil)
	}
	s.SignatureAlgorithm = si.SignatureAlgorithm
	s.Signature = si.Signature
	s.Signer = findSigner(si.SID, s.Certificates)
	if len(si.SignedAttrs.FullBytes) == 0 {
		return nil, ErrNoSignedAttributes
	}
	s.RawSignedAttrs = append([]byte{0x31}, si.SignedAttrs.FullBytes[1:]...)
	attrs := si.SignedAttrs.Bytes
	for len(attrs) > 0 {
		var a attributeASN
		var err error
		if attrs, err = asn1.Unmarshal(attrs, &a); err != nil {
			return nil, sodError("signed attribute", err)
		}
		var val asn1.RawValue
		if _, err := asn1.Unmarshal(a.Values.Bytes, &val); err != nil {
			return nil, sodError("signed attribute value", err)
		}
		switch {
		case a.Type.Equal(oidAttrContentType):
			if s.SignedContentType != nil {
				return nil, sodError("duplicate content-type attribute", nil)
			}
			s.SignedContentType = val.FullBytes
		case a.Type.Equal(oidAttrMessageDig):
			if s.MessageDigest != nil {
				return nil, sodError("duplicate message-digest attribute", nil)
			}
			var md []byte
			if _, err := asn1.Unmarshal(val.FullBytes, &md); err != nil {
				return nil, sodError("message-digest attribute", err)
			}
			s.MessageDigest = md
		case a.Type.Equal(oidAttrSigningTime):
			var t time.Time
			if _, err := asn1.Unmarshal(val.FullBytes, &t); err == nil {
				s.SigningTime = t
			}
		}
	}
	return s, nil
}

func findSigner(sid asn1.RawValue, certs []*Certificate) *Certificate {
	if sid.Class == asn1.ClassContextSpecific && sid.Tag == 0 {
		for _, c := range certs {
			if len(c.SubjectKeyID) > 0 && bytes.Equal(c.SubjectKeyID, sid.Bytes) {
				return c
			}
		}
		return nil
	}
	var ias issuerAndSerialASN
	if _, err := asn1.Unmarshal(sid.FullBytes, &ias); err != nil || ias.Serial == nil {
		return nil
	}
	for _, c := range certs {
		if bytes.Equal(c.RawIssuer, ias.Issuer.FullBytes) && c.Serial != nil && c.Serial.Cmp(ias.Serial) == 0 {
			return c
		}
	}
	return nil
}

// SODOptions says how BuildSODWithOptions signs.
type SODOptions struct {
	Hash        crypto.Hash   // data group hashes and signature digest; 0 means SHA-256
	Signer      crypto.Signer // the document signer's private key (ECDSA, RSA or ECPrivateKey)
	Certificate []byte        // the document signer certificate, DER
	PSS         bool          // RSA keys: RSASSA-PSS instead of PKCS#1 v1.5
	SigningTime time.Time     // zero means now
}

// BuildSOD returns EF.SOD covering dgs (data group number → the data group's bytes), hashed with
// hash and signed by signer, whose certificate cert is embedded. RSA keys sign with PKCS#1 v1.5.
func BuildSOD(dgs map[int][]byte, hash crypto.Hash, signer crypto.Signer, cert *x509.Certificate) ([]byte, error) {
	if cert == nil {
		return nil, errors.New("thiếu chứng thư DS (no document signer certificate)")
	}
	return BuildSODWithOptions(dgs, SODOptions{Hash: hash, Signer: signer, Certificate: cert.Raw})
}

// BuildSODWithOptions is BuildSOD with all choices spelled out; it also accepts document signer
// certificates the standard library cannot parse.
func BuildSODWithOptions(dgs map[int][]byte, o SODOptions) ([]byte, error) {
	hash := o.Hash
	if hash == 0 {
		hash = crypto.SHA256
	}
	hashOID, ok := oidByHash(hash)
	if !ok {
		return nil, fmt.Errorf("%w: hash %v", errUnknownAlgorithm, hash)
	}
	if o.Signer == nil {
		return nil, errors.New("thiếu khóa ký DS (no document signer key)")
	}
	cert, err := ParseCertificate(o.Certificate)
	if err != nil {
		return nil, err
	}
	nums := make([]int, 0, len(dgs))
	for n := range dgs {
		if n < 1 || n > 16 {
			return nil, fmt.Errorf("số nhóm dữ liệu %d không hợp lệ (invalid data group number %d)", n, n)
		}
		nums = append(nums, n)
	}
	sort.Ints(nums)
	lso := ldsSecurityObjectASN{HashAlgorithm: pkix.AlgorithmIdentifier{Algorithm: hashOID, Parameters: asn1.NullRawValue}}
	for _, n := range nums {
		h := hash.New()
		h.Write(dgs[n])
		lso.Hashes = append(lso.Hashes, dataGroupHashASN{Number: n, Value: h.Sum(nil)})
	}
	eContent, err := asn1.Marshal(lso)
	if err != nil {
		return nil, err
	}
	md := hash.New()
	md.Write(eContent)
	signingTime := o.SigningTime
	if signingTime.IsZero() {
		signingTime = time.Now()
	}
	attr := func(t asn1.ObjectIdentifier, v any) (asn1.RawValue, error) {
		vb, err := asn1.Marshal(v)
		if err != nil {
			return asn1.RawValue{}, err
		}
		set, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: vb})
		if err != nil {
			return asn1.RawValue{}, err
		}
		b, err := asn1.Marshal(struct {
			T asn1.ObjectIdentifier
			V asn1.RawValue
		}{t, asn1.RawValue{FullBytes: set}})
		return asn1.RawValue{FullBytes: b}, err
	}
	var attrs []asn1.RawValue
	for _, a := range []struct {
		t asn1.ObjectIdentifier
		v any
	}{{oidAttrContentType, oidLDSSecurityObj}, {oidAttrSigningTime, signingTime.UTC()}, {oidAttrMessageDig, md.Sum(nil)}} {
		r, err := attr(a.t, a.v)
		if err != nil {
			return nil, err
		}
		attrs = append(attrs, r)
	}
	signedAttrs, err := asn1.MarshalWithParams(attrs, "set")
	if err != nil {
		return nil, err
	}
	sigAlg, opts, err := sodSignatureAlgorithm(o.Signer.Public(), hash, o.PSS)
	if err != nil {
		return nil, err
	}
	d := hash.New()
	d.Write(signedAttrs)
	sig, err := o.Signer.Sign(rand.Reader, d.Sum(nil), opts)
	if err != nil {
		return nil, errtext.Wrap(errors.New("không ký được SOD (signing the SOD failed)"), err)
	}
	sid, err := asn1.Marshal(issuerAndSerialASN{Issuer: asn1.RawValue{FullBytes: cert.RawIssuer}, Serial: cert.Serial})
	if err != nil {
		return nil, err
	}
	implicitAttrs := append([]byte{0xA0}, signedAttrs[1:]...)
	si, err := asn1.Marshal(signerInfoASN{
		Version:            1,
		SID:                asn1.RawValue{FullBytes: sid},
		DigestAlgorithm:    pkix.AlgorithmIdentifier{Algorithm: hashOID, Parameters: asn1.NullRawValue},
		SignedAttrs:        asn1.RawValue{FullBytes: implicitAttrs},
		SignatureAlgorithm: sigAlg,
		Signature:          sig,
	})
	if err != nil {
		return nil, err
	}
	sd, err := asn1.Marshal(signedDataASN{
		Version:          3,
		DigestAlgorithms: []pkix.AlgorithmIdentifier{{Algorithm: hashOID, Parameters: asn1.NullRawValue}},
		EncapContentInfo: encapContentInfoASN{EContentType: oidLDSSecurityObj, EContent: eContent},
		Certificates:     asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: cert.Raw},
		SignerInfos:      []asn1.RawValue{{FullBytes: si}},
	})
	if err != nil {
		return nil, err
	}
	ci, err := asn1.Marshal(contentInfoASN{ContentType: oidSignedData,
		Content: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: sd}})
	if err != nil {
		return nil, err
	}
	return tlv.Encode(TagSOD, ci), nil
}

func sodSignatureAlgorithm(pub crypto.PublicKey, hash crypto.Hash, pss bool) (pkix.AlgorithmIdentifier, crypto.SignerOpts, error) {
	switch pub.(type) {
	case *rsa.PublicKey:
		if pss {
			params, err := marshalPSSParams(hash)
			if err != nil {
				return pkix.AlgorithmIdentifier{}, nil, err
			}
			return pkix.AlgorithmIdentifier{Algorithm: oidRSAPSS, Parameters: params},
				&rsa.PSSOptions{SaltLength: hash.Size(), Hash: hash}, nil
		}
		m := map[crypto.Hash]asn1.ObjectIdentifier{crypto.SHA1: oidSHA1WithRSA, crypto.SHA224: oidSHA224WithRSA,
			crypto.SHA256: oidSHA256WithRSA, crypto.SHA384: oidSHA384WithRSA, crypto.SHA512: oidSHA512WithRSA}
		return pkix.AlgorithmIdentifier{Algorithm: m[hash], Parameters: asn1.NullRawValue}, hash, nil
	default:
		if _, ok := pub.(*ecdsa.PublicKey); !ok {
			return pkix.AlgorithmIdentifier{}, nil, fmt.Errorf("%w: %T", ErrUnsupportedKey, pub)
		}
		m := map[crypto.Hash]asn1.ObjectIdentifier{crypto.SHA1: oidECDSAWithSHA1, crypto.SHA224: oidECDSAWithSHA224,
			crypto.SHA256: oidECDSAWithSHA256, crypto.SHA384: oidECDSAWithSHA384, crypto.SHA512: oidECDSAWithSHA512}
		return pkix.AlgorithmIdentifier{Algorithm: m[hash]}, hash, nil
	}
}
