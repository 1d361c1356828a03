package outbox

import (
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/tramso/tramso/ocr/pdf/pades"
)

// Signing the digitised copies.
//
// Every attachment PDF is signed at capture (PAdES B-B, ECDSA P-256 with the device key, the
// client certificate issued at enrolment), before its SHA-256 goes into the manifest: the copy
// stored, sent and handed to staff is the signed one, and anyone holding the issuing CA can check
// with any PAdES verifier (pdfsig, Acrobat…) that it is the copy this kiosk made.
//
// A kiosk without a certificate does not take dossiers: Capture refuses with
// ErrNoSigningCertificate, a message for the technician, rather than store copies nobody could
// check later. The certificate comes with enrolment (kioskctl enrol at provisioning; the uploader
// enrols at start when there is none); the development server (kioskd --sim, kioskctl central-dev)
// issues one from its development CA, created at run time, even over plain HTTP.

// Errors of the signing step, to be tested with errors.Is.
var (
	ErrNoSigningCertificate = errors.New("kiosk chưa được cấp chứng thư ký số nên chưa nhận hồ sơ, hãy gọi kỹ thuật viên đăng ký kiosk (kiosk has no signing certificate yet, so it takes no dossiers; call a technician to enrol it)")
	ErrSigningCertificate   = errors.New("chứng thư ký số của kiosk hết hạn hoặc chưa có hiệu lực, hãy gọi kỹ thuật viên (the kiosk's signing certificate is expired or not yet valid; call a technician)")
)

// signatureRoom is what a signature adds to a PDF at most (the reserved /Contents and the update).
const signatureRoom = 24 << 10

// signReason is the /Reason of the kiosk's signatures.
const signReason = "Bản sao điện tử do kiosk số hóa (digitised copy made by the kiosk)"

// signingChain returns the certificate chain the kiosk signs copies with, valid at now.
func (s *Store) signingChain(now time.Time) ([]*x509.Certificate, error) {
	c, err := s.ClientCertificate()
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoSigningCertificate
	}
	if err != nil {
		return nil, err
	}
	var chain []*x509.Certificate
	for _, der := range c.Certificate {
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrSigningCertificate, err)
		}
		chain = append(chain, cert)
	}
	if len(chain) == 0 {
		return nil, ErrNoSigningCertificate
	}
	if now.Before(chain[0].NotBefore) || now.After(chain[0].NotAfter) {
		return nil, ErrSigningCertificate
	}
	return chain, nil
}

// SigningReady reports whether the kiosk can sign copies now: nil, or ErrNoSigningCertificate or
// ErrSigningCertificate (for the status screen: Capture refuses in that state).
func (s *Store) SigningReady() error {
	_, err := s.signingChain(s.opts.Now())
	return err
}

// signCopy returns pdf with the kiosk's PAdES signature appended.
func (s *Store) signCopy(pdf []byte, chain []*x509.Certificate, now time.Time) ([]byte, error) {
	out, err := pades.Sign(pdf, s.deviceKey, chain, pades.Options{Time: now, Name: s.kioskID, Reason: signReason})
	if err != nil {
		// Every refusal of pades.Sign is its own sentence (malformed, unsupported, key).
		return nil, fmt.Errorf("sign the copy: %w", err)
	}
	return out, nil
}
