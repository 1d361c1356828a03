package pades

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"io"
	"slices"
)

// Object identifiers of the CMS signature (RFC 5652, RFC 5035, RFC 5758).
var (
	oidData                 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidContentType          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidSigningCertificateV2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	oidSHA256               = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidECDSAWithSHA256      = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
)

// DER tags used below.
const (
	tagInteger     = 0x02
	tagOctetString = 0x04
	tagSequence    = 0x30
	tagSet         = 0x31
	tagContext0    = 0xA0 // [0] constructed
	tagDirName     = 0xA4 // GeneralName directoryName: [4] constructed (EXPLICIT Name)
)

// tlv encodes one DER element.
func tlv(tag byte, content ...[]byte) []byte {
	n := 0
	for _, c := range content {
		n += len(c)
	}
	out := []byte{tag}
	switch {
	case n < 0x80:
		out = append(out, byte(n))
	case n < 0x100:
		out = append(out, 0x81, byte(n))
	case n < 0x10000:
		out = append(out, 0x82, byte(n>>8), byte(n))
	default:
		out = append(out, 0x83, byte(n>>16), byte(n>>8), byte(n))
	}
	for _, c := range content {
		out = append(out, c...)
	}
	return out
}

func mustMarshal(v any) []byte {
	b, err := asn1.Marshal(v)
	if err != nil {
		panic(err) // only called on OIDs and integers, which always encode
	}
	return b
}

// derSet encodes a DER SET OF: the elements sorted by their encodings.
func derSet(tag byte, elems ...[]byte) []byte {
	s := slices.Clone(elems)
	slices.SortFunc(s, bytes.Compare)
	return tlv(tag, s...)
}

func algorithm(oid asn1.ObjectIdentifier) []byte { return tlv(tagSequence, mustMarshal(oid)) }

func attribute(oid asn1.ObjectIdentifier, val []byte) []byte {
	return tlv(tagSequence, mustMarshal(oid), derSet(tagSet, val))
}

// signedAttributes are the attributes PAdES B-B asks for: content-type (id-data), message-digest
// and ESS signing-certificate-v2 (RFC 5035: the SHA-256 of the signing certificate and its issuer
// and serial number). There is no signing-time attribute: PAdES puts the time in the signature
// dictionary's /M. The result is encoded as a SET (the form that is signed).
func signedAttributes(digest []byte, cert *x509.Certificate) []byte {
	certHash := sha256.Sum256(cert.Raw)
	issuerSerial := tlv(tagSequence,
		tlv(tagSequence, tlv(tagDirName, cert.RawIssuer)), // GeneralNames { directoryName }
		mustMarshal(cert.SerialNumber))
	// ESSCertIDv2 with the default hash algorithm (SHA-256) left out, as DER requires.
	essCertID := tlv(tagSequence, tlv(tagOctetString, certHash[:]), issuerSerial)
	signingCert := tlv(tagSequence, tlv(tagSequence, essCertID))
	return derSet(tagSet,
		attribute(oidContentType, mustMarshal(oidData)),
		attribute(oidMessageDigest, tlv(tagOctetString, digest)),
		attribute(oidSigningCertificateV2, signingCert))
}

// signCMS returns a DER CMS ContentInfo holding a detached SignedData over the content whose
// SHA-256 is digest, signed by key for chain[0], carrying the certificates of chain.
func signCMS(digest []byte, key crypto.Signer, chain []*x509.Certificate) ([]byte, error) {
	cert := chain[0]
	attrs := signedAttributes(digest, cert)
	h := sha256.Sum256(attrs)
	// An ECDSA private key of crypto/ecdsa signs deterministically (RFC 6979) without a random
	// source, so the same document, certificate and time give the same bytes; other signers
	// (hardware keys) get randomness.
	var random io.Reader = rand.Reader
	if _, ok := key.(*ecdsa.PrivateKey); ok {
		random = nil
	}
	sig, err := key.Sign(random, h[:], crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("không ký được (cannot sign): %w", err)
	}
	implicitAttrs := slices.Clone(attrs)
	implicitAttrs[0] = tagContext0 // [0] IMPLICIT SET OF Attribute inside SignerInfo
	signerInfo := tlv(tagSequence,
		mustMarshal(1), // version 1: issuerAndSerialNumber
		tlv(tagSequence, cert.RawIssuer, mustMarshal(cert.SerialNumber)),
		algorithm(oidSHA256),
		implicitAttrs,
		algorithm(oidECDSAWithSHA256),
		tlv(tagOctetString, sig))
	var certs [][]byte
	for _, c := range chain {
		certs = append(certs, c.Raw)
	}
	signedData := tlv(tagSequence,
		mustMarshal(1),
		derSet(tagSet, algorithm(oidSHA256)),
		tlv(tagSequence, mustMarshal(oidData)), // detached: no eContent
		derSet(tagContext0, certs...),          // certificates [0] IMPLICIT
		derSet(tagSet, signerInfo))
	return tlv(tagSequence, mustMarshal(oidSignedData), tlv(tagContext0, signedData)), nil
}

// Structures for reading a CMS signature back (Verify).
type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"explicit,tag:0"`
}

type signedData struct {
	Version          int
	DigestAlgorithms asn1.RawValue
	EncapContentInfo struct {
		EContentType asn1.ObjectIdentifier
		EContent     asn1.RawValue `asn1:"optional,explicit,tag:0"`
	}
	Certificates asn1.RawValue `asn1:"optional,tag:0"`
	CRLs         asn1.RawValue `asn1:"optional,tag:1"`
	SignerInfos  []signerInfo  `asn1:"set"`
}

type signerInfo struct {
	Version            int
	SID                asn1.RawValue
	DigestAlgorithm    pkix.AlgorithmIdentifier
	SignedAttrs        asn1.RawValue `asn1:"optional,tag:0"`
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
	UnsignedAttrs      asn1.RawValue `asn1:"optional,tag:1"`
}

type issuerAndSerial struct {
	Issuer asn1.RawValue
	Serial asn1.RawValue
}

type attr struct {
	Type   asn1.ObjectIdentifier
	Values asn1.RawValue `asn1:"set"`
}

type essCertIDv2 struct {
	HashAlgorithm pkix.AlgorithmIdentifier `asn1:"optional"`
	CertHash      []byte
	IssuerSerial  asn1.RawValue `asn1:"optional"`
}

// elements splits the content of a constructed DER value into its elements.
func elements(b []byte) ([]asn1.RawValue, error) {
	var out []asn1.RawValue
	for len(b) > 0 {
		var v asn1.RawValue
		rest, err := asn1.Unmarshal(b, &v)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		b = rest
	}
	return out, nil
}
