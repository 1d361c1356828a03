package lds

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"github.com/tramso/tramso/internal/errtext"
	"math/big"
	"time"
)

// Certificate is an X.509 certificate parsed by this package, so that certificates with keys the
// standard library rejects (Brainpool curves, explicit EC parameters: the Vietnamese CSCA) can be
// used for passive authentication.
type Certificate struct {
	Raw        []byte
	RawTBS     []byte
	RawIssuer  []byte
	RawSubject []byte
	Issuer     pkix.Name
	Subject    pkix.Name
	Serial     *big.Int
	NotBefore  time.Time
	NotAfter   time.Time
	PublicKey  crypto.PublicKey
	// SignatureAlgorithm is the issuer's signature algorithm over RawTBS.
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
	IsCA               bool // basicConstraints cA
	SubjectKeyID       []byte
	AuthorityKeyID     []byte
}

type certificateASN struct {
	TBS       asn1.RawValue
	Algorithm pkix.AlgorithmIdentifier
	Signature asn1.BitString
}

type validityASN struct {
	NotBefore, NotAfter time.Time
}

type tbsASN struct {
	Version    int `asn1:"optional,explicit,default:0,tag:0"`
	Serial     *big.Int
	Algorithm  pkix.AlgorithmIdentifier
	Issuer     asn1.RawValue
	Validity   validityASN
	Subject    asn1.RawValue
	PublicKey  asn1.RawValue
	IssuerUID  asn1.BitString   `asn1:"optional,tag:1"`
	SubjectUID asn1.BitString   `asn1:"optional,tag:2"`
	Extensions []pkix.Extension `asn1:"optional,explicit,tag:3"`
}

var (
	oidExtBasicConstraints = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidExtKeyUsage         = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidExtSubjectKeyID     = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidExtAuthorityKeyID   = asn1.ObjectIdentifier{2, 5, 29, 35}
)

type basicConstraintsASN struct {
	IsCA       bool `asn1:"optional"`
	MaxPathLen int  `asn1:"optional,default:-1"`
}

type authorityKeyIDASN struct {
	ID []byte `asn1:"optional,tag:0"`
}

// ParseCertificate parses one DER certificate.
func ParseCertificate(der []byte) (*Certificate, error) {
	var c certificateASN
	rest, err := asn1.Unmarshal(der, &c)
	if err != nil {
		return nil, errtext.Wrap(errors.New("chứng thư hỏng (malformed certificate)"), err)
	}
	if len(rest) != 0 {
		return nil, errtext.Wrap(errors.New("chứng thư thừa dữ liệu (trailing data after certificate)"), ErrMalformed)
	}
	var t tbsASN
	if _, err := asn1.Unmarshal(c.TBS.FullBytes, &t); err != nil {
		return nil, errtext.Wrap(errors.New("chứng thư hỏng (malformed TBSCertificate)"), err)
	}
	cert := &Certificate{
		Raw:                der[:len(der)-len(rest)],
		RawTBS:             c.TBS.FullBytes,
		RawIssuer:          t.Issuer.FullBytes,
		RawSubject:         t.Subject.FullBytes,
		Serial:             t.Serial,
		NotBefore:          t.Validity.NotBefore,
		NotAfter:           t.Validity.NotAfter,
		SignatureAlgorithm: c.Algorithm,
		Signature:          c.Signature.RightAlign(),
	}
	for _, n := range []struct {
		raw  []byte
		name *pkix.Name
	}{{t.Issuer.FullBytes, &cert.Issuer}, {t.Subject.FullBytes, &cert.Subject}} {
		var rdn pkix.RDNSequence
		if _, err := asn1.Unmarshal(n.raw, &rdn); err != nil {
			return nil, errtext.Wrap(errors.New("tên trong chứng thư hỏng (malformed certificate name)"), err)
		}
		n.name.FillFromRDNSequence(&rdn)
	}
	pub, err := ParsePublicKey(t.PublicKey.FullBytes)
	if err != nil {
		return nil, fmt.Errorf("chứng thư: %w", err)
	}
	cert.PublicKey = pub
	for _, e := range t.Extensions {
		switch {
		case e.Id.Equal(oidExtBasicConstraints):
			var bc basicConstraintsASN
			if _, err := asn1.Unmarshal(e.Value, &bc); err == nil {
				cert.IsCA = bc.IsCA
			}
		case e.Id.Equal(oidExtSubjectKeyID):
			var id []byte
			if _, err := asn1.Unmarshal(e.Value, &id); err == nil {
				cert.SubjectKeyID = id
			}
		case e.Id.Equal(oidExtAuthorityKeyID):
			var a authorityKeyIDASN
			if _, err := asn1.Unmarshal(e.Value, &a); err == nil {
				cert.AuthorityKeyID = a.ID
			}
		}
	}
	return cert, nil
}

// CheckSignatureFrom verifies that parent's key signed c.
func (c *Certificate) CheckSignatureFrom(parent *Certificate) error {
	return verifySignature(parent.PublicKey, c.SignatureAlgorithm, 0, c.RawTBS, c.Signature)
}

// issuedBy reports whether parent's subject (and key identifier, when both carry one) matches
// c's issuer.
func (c *Certificate) issuedBy(parent *Certificate) bool {
	if !bytes.Equal(c.RawIssuer, parent.RawSubject) {
		return false
	}
	if len(c.AuthorityKeyID) > 0 && len(parent.SubjectKeyID) > 0 {
		return bytes.Equal(c.AuthorityKeyID, parent.SubjectKeyID)
	}
	return true
}

// CertTemplate describes a certificate to create with CreateCertificate.
type CertTemplate struct {
	Serial    *big.Int
	Subject   pkix.Name
	NotBefore time.Time
	NotAfter  time.Time
	IsCA      bool // CSCA: basicConstraints cA, keyCertSign|cRLSign; otherwise digitalSignature
	// ExplicitParams writes an EC subject key with explicit domain parameters instead of a curve
	// OID, as the Vietnamese CSCA does.
	ExplicitParams bool
}

// CreateCertificate creates a DER certificate for pub, signed by signer on behalf of parent (nil
// for a self-signed certificate, where signer must hold the key of pub). Unlike
// x509.CreateCertificate it accepts Brainpool keys (ECPrivateKey). ECDSA signatures use SHA-256,
// SHA-384 or SHA-512 by key size; RSA uses SHA-256 with PKCS#1 v1.5.
func CreateCertificate(t CertTemplate, pub crypto.PublicKey, parent *Certificate, signer crypto.Signer) ([]byte, error) {
	algo, hash, err := signatureAlgorithmFor(signer.Public())
	if err != nil {
		return nil, err
	}
	spkiDER, err := MarshalPublicKey(pub, t.ExplicitParams)
	if err != nil {
		return nil, err
	}
	subject, err := asn1.Marshal(t.Subject.ToRDNSequence())
	if err != nil {
		return nil, err
	}
	ski := keyID(spkiDER)
	issuer, aki := subject, ski
	if parent != nil {
		issuer = parent.RawSubject
		aki = parent.SubjectKeyID
	}
	var exts []pkix.Extension
	addExt := func(id asn1.ObjectIdentifier, critical bool, v any) error {
		b, err := asn1.Marshal(v)
		if err != nil {
			return err
		}
		exts = append(exts, pkix.Extension{Id: id, Critical: critical, Value: b})
		return nil
	}
	if t.IsCA {
		if err := addExt(oidExtBasicConstraints, true, basicConstraintsASN{IsCA: true, MaxPathLen: 0}); err != nil {
			return nil, err
		}
		if err := addExt(oidExtKeyUsage, true, asn1.BitString{Bytes: []byte{0x06}, BitLength: 7}); err != nil {
			return nil, err
		}
	} else if err := addExt(oidExtKeyUsage, true, asn1.BitString{Bytes: []byte{0x80}, BitLength: 1}); err != nil {
		return nil, err
	}
	if err := addExt(oidExtSubjectKeyID, false, ski); err != nil {
		return nil, err
	}
	if len(aki) > 0 {
		if err := addExt(oidExtAuthorityKeyID, false, authorityKeyIDASN{ID: aki}); err != nil {
			return nil, err
		}
	}
	serial := t.Serial
	if serial == nil {
		serial = big.NewInt(1)
	}
	tbs := tbsASN{
		Version:    2,
		Serial:     serial,
		Algorithm:  algo,
		Issuer:     asn1.RawValue{FullBytes: issuer},
		Validity:   validityASN{NotBefore: t.NotBefore.UTC(), NotAfter: t.NotAfter.UTC()},
		Subject:    asn1.RawValue{FullBytes: subject},
		PublicKey:  asn1.RawValue{FullBytes: spkiDER},
		Extensions: exts,
	}
	tbsDER, err := asn1.Marshal(tbs)
	if err != nil {
		return nil, err
	}
	sig, err := signDigest(signer, hash, tbsDER)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(certificateASN{
		TBS:       asn1.RawValue{FullBytes: tbsDER},
		Algorithm: algo,
		Signature: asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)},
	})
}

func keyID(spkiDER []byte) []byte {
	var k spki
	if _, err := asn1.Unmarshal(spkiDER, &k); err != nil {
		return nil
	}
	h := crypto.SHA1.New()
	h.Write(k.PublicKey.RightAlign())
	return h.Sum(nil)
}

func signDigest(signer crypto.Signer, hash crypto.Hash, msg []byte) ([]byte, error) {
	h := hash.New()
	h.Write(msg)
	sig, err := signer.Sign(rand.Reader, h.Sum(nil), hash)
	if err != nil {
		return nil, errtext.Wrap(errors.New("không ký được (signing failed)"), err)
	}
	return sig, nil
}

// ecHash returns the hash matched to an EC key size.
func ecHash(pub *ecdsa.PublicKey) crypto.Hash {
	switch bits := pub.Curve.Params().N.BitLen(); {
	case bits <= 224:
		return crypto.SHA224
	case bits <= 256:
		return crypto.SHA256
	case bits <= 384:
		return crypto.SHA384
	}
	return crypto.SHA512
}

func signatureAlgorithmFor(pub crypto.PublicKey) (pkix.AlgorithmIdentifier, crypto.Hash, error) {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		h := ecHash(k)
		switch h {
		case crypto.SHA224:
			return pkix.AlgorithmIdentifier{Algorithm: oidECDSAWithSHA224}, h, nil
		case crypto.SHA256:
			return pkix.AlgorithmIdentifier{Algorithm: oidECDSAWithSHA256}, h, nil
		case crypto.SHA384:
			return pkix.AlgorithmIdentifier{Algorithm: oidECDSAWithSHA384}, h, nil
		}
		return pkix.AlgorithmIdentifier{Algorithm: oidECDSAWithSHA512}, crypto.SHA512, nil
	case *rsa.PublicKey:
		return pkix.AlgorithmIdentifier{Algorithm: oidSHA256WithRSA, Parameters: asn1.NullRawValue}, crypto.SHA256, nil
	}
	return pkix.AlgorithmIdentifier{}, 0, fmt.Errorf("%w: %T", ErrUnsupportedKey, pub)
}

// errUnknownAlgorithm is returned for a signature algorithm this package does not know.
var errUnknownAlgorithm = errors.New("thuật toán chữ ký không được hỗ trợ (unsupported signature algorithm)")
