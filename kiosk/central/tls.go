package central

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
)

// ClientTLS builds a kiosk's TLS configuration: the server must present a certificate chaining to
// caPEM and nothing else (the pinned CA), and cert, when not nil, is the kiosk's client certificate.
func ClientTLS(caPEM []byte, cert *tls.Certificate) (*tls.Config, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("tệp CA của máy chủ trung tâm không đọc được (central CA file unreadable)")
	}
	cfg := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	if cert != nil {
		cfg.Certificates = []tls.Certificate{*cert}
	}
	return cfg, nil
}

// NewCSR returns a PEM certificate signing request for the kiosk's device key, with the kiosk id as
// common name; it is what Enrol sends.
func NewCSR(key *ecdsa.PrivateKey, kioskID string) ([]byte, error) {
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: kioskID, Organization: []string{"tramso kiosk"}},
	}, key)
	if err != nil {
		return nil, fmt.Errorf("không tạo được yêu cầu cấp chứng thư (cannot create the CSR): %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), nil
}
