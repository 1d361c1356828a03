package devserver

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/tramso/tramso/internal/atomicfile"
)

// Files of a TLS directory. A kiosk needs only CAFile (its pinned server CA).
const (
	CAFile        = "ca.pem"
	CAKeyFile     = "ca-key.pem"
	ServerFile    = "server.pem"
	ServerKeyFile = "server-key.pem"
)

// devCA is the development CA: it signed the server certificate and signs kiosk certificates at
// enrolment.
type devCA struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	certPEM []byte
	server  tls.Certificate
}

// loadOrCreateCA loads the CA and server certificate from dir, creating them on first run.
func loadOrCreateCA(dir string) (*devCA, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("không tạo được thư mục TLS (cannot create TLS directory): %w", err)
	}
	caPath := filepath.Join(dir, CAFile)
	if _, err := os.Stat(caPath); errors.Is(err, os.ErrNotExist) {
		if err := createCA(dir); err != nil {
			return nil, err
		}
	}
	caPEM, err := os.ReadFile(caPath)
	if err != nil {
		return nil, fmt.Errorf("không đọc được CA (cannot read CA): %w", err)
	}
	keyPEM, err := os.ReadFile(filepath.Join(dir, CAKeyFile))
	if err != nil {
		return nil, fmt.Errorf("không đọc được khóa CA (cannot read CA key): %w", err)
	}
	pair, err := tls.X509KeyPair(caPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("CA hỏng (CA unreadable): %w", err)
	}
	key, ok := pair.PrivateKey.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("khóa CA không phải ECDSA (CA key is not ECDSA)")
	}
	cert, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return nil, fmt.Errorf("CA hỏng (CA unreadable): %w", err)
	}
	server, err := tls.LoadX509KeyPair(filepath.Join(dir, ServerFile), filepath.Join(dir, ServerKeyFile))
	if err != nil {
		return nil, fmt.Errorf("không đọc được chứng thư máy chủ (cannot read server certificate): %w", err)
	}
	return &devCA{cert: cert, key: key, certPEM: caPEM, server: server}, nil
}

func createCA(dir string) error {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "tramso central-dev CA", Organization: []string{"tramso development"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	caCert, _ := x509.ParseCertificate(caDER)
	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	srvTmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "tramso central-dev"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(5, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	files := []struct {
		name string
		typ  string
		der  []byte
		key  *ecdsa.PrivateKey
	}{
		{CAKeyFile, "", nil, caKey},
		{ServerKeyFile, "", nil, srvKey},
		{ServerFile, "CERTIFICATE", srvDER, nil},
		{CAFile, "CERTIFICATE", caDER, nil}, // last: its presence marks a complete directory
	}
	for _, f := range files {
		var data []byte
		mode := os.FileMode(0o644)
		if f.key != nil {
			der, err := x509.MarshalECPrivateKey(f.key)
			if err != nil {
				return err
			}
			data, mode = pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600
		} else {
			data = pem.EncodeToMemory(&pem.Block{Type: f.typ, Bytes: f.der})
		}
		if err := atomicfile.Write(filepath.Join(dir, f.name), data, mode); err != nil {
			return fmt.Errorf("không ghi được %s (cannot write %s): %w", f.name, f.name, err)
		}
	}
	return nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	return n
}

// issueClient signs a client certificate for a kiosk's public key.
func (ca *devCA) issueClient(kioskID string, pub *ecdsa.PublicKey) ([]byte, error) {
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: kioskID, Organization: []string{"tramso kiosk"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		// Client authentication, and signing the digitised copies (NSS-based verifiers such as
		// pdfsig want emailProtection when the extension is present).
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageEmailProtection},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, pub, ca.key)
	if err != nil {
		return nil, fmt.Errorf("không ký được chứng thư kiosk (cannot sign kiosk certificate): %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

// tlsConfig is the server side: the dev server certificate, kiosk certificates verified against the
// CA when presented (enrolment is reached without one; every other call requires one).
func (ca *devCA) tlsConfig() *tls.Config {
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	return &tls.Config{
		Certificates: []tls.Certificate{ca.server},
		ClientCAs:    pool,
		ClientAuth:   tls.VerifyClientCertIfGiven,
		MinVersion:   tls.VersionTLS12,
	}
}
