package outbox

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
)

// ErrCertificateRefused means the TLS handshake with the central server failed on a certificate:
// the server's does not chain to the pinned CA (or names another host), or the server refused the
// kiosk's.
var ErrCertificateRefused = errors.New("chứng thư bị từ chối (certificate refused)")

// certificateError returns err marked with ErrCertificateRefused when it is an x509 or TLS
// handshake failure, and nil otherwise.
func certificateError(err error) error {
	var (
		verify  *tls.CertificateVerificationError
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		invalid x509.CertificateInvalidError
		alert   tls.AlertError
		record  tls.RecordHeaderError
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &verify), errors.As(err, &unknown), errors.As(err, &host), errors.As(err, &invalid),
		errors.As(err, &alert), errors.As(err, &record):
		return fmt.Errorf("%w: %w", ErrCertificateRefused, innermost(err))
	}
	return nil
}

// innermost is the deepest error of a single-wrap chain: the handshake's own words, without the
// layers of URL and connection context (and their own bilingual sentences).
func innermost(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}

// ReadPinnedCA reads the central server's pinned CA certificate(s) from path. When a CA path is
// configured, the uploader must not start without it: an unreadable file, or one holding no CA
// certificate, is an error, never a fall back to plain HTTP or the system roots.
func ReadPinnedCA(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("không đọc được CA được ghim của máy chủ trung tâm, bộ gửi không khởi động (cannot read the central server's pinned CA; the uploader does not start): %w", err)
	}
	rest, cas := b, 0
	for {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		if c, err := x509.ParseCertificate(blk.Bytes); err == nil && c.IsCA {
			cas++
		}
	}
	if cas == 0 {
		return nil, fmt.Errorf("tệp %s không chứa chứng thư CA nào, bộ gửi không khởi động (%s holds no CA certificate; the uploader does not start)", path, path)
	}
	return b, nil
}
