package lds

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"

	_ "crypto/sha1" // hashes used by LDS security objects
	_ "crypto/sha256"
	_ "crypto/sha512"
)

var (
	oidSHA1   = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA224 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 4}
	oidSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}

	oidRSAEncryption   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidSHA1WithRSA     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}
	oidSHA256WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidSHA384WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	oidSHA512WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	oidSHA224WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 14}
	oidRSAPSS          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidMGF1            = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}
	oidECDSAWithSHA1   = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}
	oidECDSAWithSHA224 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 1}
	oidECDSAWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidECDSAWithSHA384 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	oidECDSAWithSHA512 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
	oidECDSAPlain      = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1}
)

func hashByOID(oid asn1.ObjectIdentifier) (crypto.Hash, bool) {
	switch {
	case oid.Equal(oidSHA1):
		return crypto.SHA1, true
	case oid.Equal(oidSHA224):
		return crypto.SHA224, true
	case oid.Equal(oidSHA256):
		return crypto.SHA256, true
	case oid.Equal(oidSHA384):
		return crypto.SHA384, true
	case oid.Equal(oidSHA512):
		return crypto.SHA512, true
	}
	return 0, false
}

func oidByHash(h crypto.Hash) (asn1.ObjectIdentifier, bool) {
	switch h {
	case crypto.SHA1:
		return oidSHA1, true
	case crypto.SHA224:
		return oidSHA224, true
	case crypto.SHA256:
		return oidSHA256, true
	case crypto.SHA384:
		return oidSHA384, true
	case crypto.SHA512:
		return oidSHA512, true
	}
	return nil, false
}

type pssParams struct {
	Hash         pkix.AlgorithmIdentifier `asn1:"optional,explicit,tag:0"`
	MGF          pkix.AlgorithmIdentifier `asn1:"optional,explicit,tag:1"`
	SaltLength   int                      `asn1:"optional,explicit,tag:2,default:20"`
	TrailerField int                      `asn1:"optional,explicit,tag:3,default:1"`
}

func marshalPSSParams(h crypto.Hash) (asn1.RawValue, error) {
	oid, ok := oidByHash(h)
	if !ok {
		return asn1.RawValue{}, errUnknownAlgorithm
	}
	hashAlg := pkix.AlgorithmIdentifier{Algorithm: oid, Parameters: asn1.NullRawValue}
	mgfParam, err := asn1.Marshal(hashAlg)
	if err != nil {
		return asn1.RawValue{}, err
	}
	b, err := asn1.Marshal(pssParams{
		Hash:         hashAlg,
		MGF:          pkix.AlgorithmIdentifier{Algorithm: oidMGF1, Parameters: asn1.RawValue{FullBytes: mgfParam}},
		SaltLength:   h.Size(),
		TrailerField: 1,
	})
	if err != nil {
		return asn1.RawValue{}, err
	}
	return asn1.RawValue{FullBytes: b}, nil
}

// verifySignature checks sig over msg with pub under the signature algorithm algo. fallback is
// the hash to use when algo names only the key type (rsaEncryption or id-ecPublicKey, as some
// CMS signers write), taken from the CMS digest algorithm.
func verifySignature(pub crypto.PublicKey, algo pkix.AlgorithmIdentifier, fallback crypto.Hash, msg, sig []byte) error {
	oid := algo.Algorithm
	digest := func(h crypto.Hash) ([]byte, error) {
		if h == 0 || !h.Available() {
			return nil, fmt.Errorf("%w: %v", errUnknownAlgorithm, oid)
		}
		d := h.New()
		d.Write(msg)
		return d.Sum(nil), nil
	}
	rsaHash := map[string]crypto.Hash{
		oidSHA1WithRSA.String(): crypto.SHA1, oidSHA224WithRSA.String(): crypto.SHA224,
		oidSHA256WithRSA.String(): crypto.SHA256, oidSHA384WithRSA.String(): crypto.SHA384,
		oidSHA512WithRSA.String(): crypto.SHA512, oidRSAEncryption.String(): fallback,
	}
	ecHashes := map[string]crypto.Hash{
		oidECDSAWithSHA1.String(): crypto.SHA1, oidECDSAWithSHA224.String(): crypto.SHA224,
		oidECDSAWithSHA256.String(): crypto.SHA256, oidECDSAWithSHA384.String(): crypto.SHA384,
		oidECDSAWithSHA512.String(): crypto.SHA512, oidECPublicKey.String(): fallback,
	}
	switch {
	case rsaHash[oid.String()] != 0 || oid.Equal(oidRSAEncryption):
		k, ok := pub.(*rsa.PublicKey)
		if !ok {
			return fmt.Errorf("%w: RSA algorithm with %T key", ErrBadSignature, pub)
		}
		h := rsaHash[oid.String()]
		d, err := digest(h)
		if err != nil {
			return err
		}
		if rsa.VerifyPKCS1v15(k, h, d, sig) != nil {
			return ErrBadSignature
		}
		return nil
	case oid.Equal(oidRSAPSS):
		k, ok := pub.(*rsa.PublicKey)
		if !ok {
			return fmt.Errorf("%w: RSA-PSS with %T key", ErrBadSignature, pub)
		}
		var p pssParams
		if len(algo.Parameters.FullBytes) > 0 {
			if _, err := asn1.Unmarshal(algo.Parameters.FullBytes, &p); err != nil {
				return fmt.Errorf("%w: RSASSA-PSS parameters", errUnknownAlgorithm)
			}
		} else {
			p.SaltLength = 20
		}
		h := crypto.SHA1
		if len(p.Hash.Algorithm) > 0 {
			var ok bool
			if h, ok = hashByOID(p.Hash.Algorithm); !ok {
				return fmt.Errorf("%w: PSS hash %v", errUnknownAlgorithm, p.Hash.Algorithm)
			}
		}
		if len(p.MGF.Algorithm) > 0 {
			var mgfHash pkix.AlgorithmIdentifier
			if !p.MGF.Algorithm.Equal(oidMGF1) {
				return fmt.Errorf("%w: PSS mask generation %v", errUnknownAlgorithm, p.MGF.Algorithm)
			}
			if _, err := asn1.Unmarshal(p.MGF.Parameters.FullBytes, &mgfHash); err != nil {
				return fmt.Errorf("%w: PSS MGF1 parameters", errUnknownAlgorithm)
			}
			if mh, ok := hashByOID(mgfHash.Algorithm); !ok || mh != h {
				return fmt.Errorf("%w: PSS MGF1 hash differs from message hash", errUnknownAlgorithm)
			}
		}
		d, err := digest(h)
		if err != nil {
			return err
		}
		if rsa.VerifyPSS(k, h, d, sig, &rsa.PSSOptions{SaltLength: p.SaltLength, Hash: h}) != nil {
			return ErrBadSignature
		}
		return nil
	case ecHashes[oid.String()] != 0 || oid.Equal(oidECPublicKey):
		k, ok := pub.(*ecdsa.PublicKey)
		if !ok {
			return fmt.Errorf("%w: ECDSA algorithm with %T key", ErrBadSignature, pub)
		}
		d, err := digest(ecHashes[oid.String()])
		if err != nil {
			return err
		}
		if verifyECDSADER(k, d, sig) == nil {
			return nil
		}
		return verifyECDSAPlain(k, d, sig)
	case hasPrefix(oid, oidECDSAPlain) && len(oid) == len(oidECDSAPlain)+1:
		k, ok := pub.(*ecdsa.PublicKey)
		if !ok {
			return fmt.Errorf("%w: ECDSA algorithm with %T key", ErrBadSignature, pub)
		}
		hs := map[int]crypto.Hash{1: crypto.SHA1, 2: crypto.SHA224, 3: crypto.SHA256, 4: crypto.SHA384, 5: crypto.SHA512}
		d, err := digest(hs[oid[len(oid)-1]])
		if err != nil {
			return err
		}
		return verifyECDSAPlain(k, d, sig)
	}
	return fmt.Errorf("%w: %v", errUnknownAlgorithm, oid)
}
