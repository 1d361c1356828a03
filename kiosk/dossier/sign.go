package dossier

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
)

// Sign signs manifest bytes with the kiosk's device key: ECDSA P-256 over SHA-256, ASN.1 DER.
func Sign(key *ecdsa.PrivateKey, manifest []byte) ([]byte, error) {
	if key == nil || key.Curve != elliptic.P256() {
		return nil, fmt.Errorf("khóa thiết bị phải là ECDSA P-256 (device key must be ECDSA P-256)")
	}
	h := sha256.Sum256(manifest)
	sig, err := ecdsa.SignASN1(rand.Reader, key, h[:])
	if err != nil {
		return nil, fmt.Errorf("không ký được bản kê (cannot sign the manifest): %w", err)
	}
	return sig, nil
}

// Verify checks sig over manifest with the kiosk's public key; it returns ErrBadSignature if it does
// not verify.
func Verify(pub *ecdsa.PublicKey, manifest, sig []byte) error {
	if pub == nil || pub.Curve != elliptic.P256() {
		return fmt.Errorf("%w: key is not P-256", ErrBadSignature)
	}
	h := sha256.Sum256(manifest)
	if !ecdsa.VerifyASN1(pub, h[:], sig) {
		return ErrBadSignature
	}
	return nil
}
