package lds

import (
	"bytes"
	"crypto/subtle"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"github.com/tramso/tramso/internal/errtext"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// TrustStore holds the CSCA certificates that document signers must chain to. The zero value
// (or nil) holds none.
type TrustStore struct {
	certs []*Certificate
}

// NewTrustStore returns a store holding certs.
func NewTrustStore(certs ...*Certificate) *TrustStore {
	return &TrustStore{certs: append([]*Certificate(nil), certs...)}
}

// TrustStoreFromX509 returns a store holding certificates parsed by the standard library.
func TrustStoreFromX509(certs ...*x509.Certificate) (*TrustStore, error) {
	s := &TrustStore{}
	for _, c := range certs {
		if err := s.AddDER(c.Raw); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Len returns the number of trust anchors.
func (s *TrustStore) Len() int {
	if s == nil {
		return 0
	}
	return len(s.certs)
}

// Certificates returns the trust anchors.
func (s *TrustStore) Certificates() []*Certificate {
	if s == nil {
		return nil
	}
	return append([]*Certificate(nil), s.certs...)
}

// AddDER adds one DER certificate.
func (s *TrustStore) AddDER(der []byte) error {
	c, err := ParseCertificate(der)
	if err != nil {
		return err
	}
	s.certs = append(s.certs, c)
	return nil
}

// AddPEM adds every CERTIFICATE block of a PEM file; it fails if there is none.
func (s *TrustStore) AddPEM(data []byte) error {
	n := 0
	for {
		var blk *pem.Block
		blk, data = pem.Decode(data)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		if err := s.AddDER(blk.Bytes); err != nil {
			return err
		}
		n++
	}
	if n == 0 {
		return errors.New("tệp PEM không có chứng thư (PEM data holds no certificate)")
	}
	return nil
}

// LoadTrustStore reads every CSCA certificate in dir: files ending .pem, .crt, .cer or .der,
// PEM or DER. Unreadable or malformed files are an error naming the file.
func LoadTrustStore(dir string) (*TrustStore, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, errtext.Wrap(errors.New("không đọc được thư mục CSCA (reading CSCA folder)"), err)
	}
	s := &TrustStore{}
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if e.IsDir() || (ext != ".pem" && ext != ".crt" && ext != ".cer" && ext != ".der") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, errtext.Wrap(fmt.Errorf("không đọc được %s (reading %s)", path, path), err)
		}
		if bytes.Contains(data, []byte("-----BEGIN")) {
			err = s.AddPEM(data)
		} else {
			err = s.AddDER(data)
		}
		if err != nil {
			return nil, errtext.Wrap(fmt.Errorf("chứng thư CSCA %s hỏng (bad CSCA certificate %s)", path, path), err)
		}
	}
	return s, nil
}

// Status is the outcome of passive authentication.
type Status string

// Passive authentication outcomes.
const (
	// StatusValid: hashes match, the SOD signature verifies and the document signer chains to a
	// trusted CSCA.
	StatusValid Status = "valid"
	// StatusInvalid: some check failed; the data must not be trusted.
	StatusInvalid Status = "invalid"
	// StatusUnverified: hashes and the SOD signature are good but no CSCA trust anchor is
	// configured, so the chip's origin is unknown.
	StatusUnverified Status = "unverified"
)

// Result is the outcome of VerifySOD. Detail names the check that decided it, worded
// Vietnamese (English), e.g. "mã băm DG13 không khớp (DG13 hash mismatch)".
type Result struct {
	Status Status
	Detail string
	// Checked lists the data groups whose hashes matched.
	Checked []int
	// NotRead lists data groups the SOD covers that were not supplied.
	NotRead []int
	// Signer is the document signer certificate (nil if the SOD could not be parsed).
	Signer *Certificate
	// Anchor is the CSCA the signer chains to (valid results only).
	Anchor *Certificate
}

func (r Result) String() string { return string(r.Status) + ": " + r.Detail }

// VerifySOD performs passive authentication (ICAO 9303-11 §5.1) at the current time; see
// VerifySODAt.
func VerifySOD(sod []byte, dgs map[int][]byte, trust *TrustStore) Result {
	return VerifySODAt(sod, dgs, trust, time.Now())
}

// VerifySODAt performs passive authentication at time at:
//  1. parse EF.SOD and find the document signer certificate it names;
//  2. check the signed attributes: content-type equals the eContentType, which must be an LDS
//     security object, and message-digest equals the hash of the LDSSecurityObject;
//  3. verify the signature over the signed attributes with the document signer key;
//  4. check every supplied data group against its hash; a data group the SOD does not cover is
//     an injection and makes the result invalid;
//  5. with trust anchors, chain the document signer to a CSCA (issuer name and key identifier,
//     signature, validity of both at time at); without any, the result is unverified.
//
// dgs maps data group numbers to the data group's bytes as read from the chip.
func VerifySODAt(sod []byte, dgs map[int][]byte, trust *TrustStore, at time.Time) Result {
	invalid := func(r Result, detail string) Result {
		r.Status, r.Detail = StatusInvalid, detail
		return r
	}
	var r Result
	s, err := ParseSOD(sod)
	if err != nil {
		return invalid(r, "EF.SOD hỏng (EF.SOD malformed)")
	}
	r.Signer = s.Signer
	if s.Signer == nil {
		return invalid(r, "không tìm thấy chứng thư DS trong SOD (document signer certificate not found in SOD)")
	}
	var ct asn1.ObjectIdentifier
	if _, err := asn1.Unmarshal(s.EContentType, &ct); err != nil ||
		!(ct.Equal(oidLDSSecurityObj) || ct.Equal(oidLDSSecurityObjL1) || ct.Equal(oidLDSSecurityObjNL)) {
		return invalid(r, "SOD không chứa LDSSecurityObject (SOD content type is not an LDS security object)")
	}
	if s.SignedContentType == nil || !bytes.Equal(s.SignedContentType, s.EContentType) {
		return invalid(r, "thuộc tính content-type không khớp (content-type signed attribute mismatch)")
	}
	md := s.DigestAlgorithm.New()
	md.Write(s.EContent)
	if s.MessageDigest == nil || subtle.ConstantTimeCompare(md.Sum(nil), s.MessageDigest) != 1 {
		return invalid(r, "thuộc tính message-digest không khớp (message-digest signed attribute mismatch)")
	}
	if err := verifySignature(s.Signer.PublicKey, s.SignatureAlgorithm, s.DigestAlgorithm, s.RawSignedAttrs, s.Signature); err != nil {
		if errors.Is(err, errUnknownAlgorithm) {
			return invalid(r, "thuật toán chữ ký DS không được hỗ trợ (document signer signature algorithm unsupported)")
		}
		return invalid(r, "chữ ký DS trên thuộc tính ký không hợp lệ (document signer signature over signed attributes invalid)")
	}
	nums := make([]int, 0, len(dgs))
	for n := range dgs {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	for _, n := range nums {
		want, ok := s.Hashes[n]
		if !ok {
			return invalid(r, fmt.Sprintf("DG%d không có trong SOD (DG%d not covered by SOD)", n, n))
		}
		h := s.HashAlgorithm.New()
		h.Write(dgs[n])
		if subtle.ConstantTimeCompare(h.Sum(nil), want) != 1 {
			return invalid(r, fmt.Sprintf("mã băm DG%d không khớp (DG%d hash mismatch)", n, n))
		}
		r.Checked = append(r.Checked, n)
	}
	for n := range s.Hashes {
		if _, ok := dgs[n]; !ok {
			r.NotRead = append(r.NotRead, n)
		}
	}
	sort.Ints(r.NotRead)
	if trust.Len() == 0 {
		r.Status = StatusUnverified
		r.Detail = "chưa cấu hình CSCA tin cậy (no CSCA trust anchors configured)"
		return r
	}
	var anchor *Certificate
	for _, c := range trust.certs {
		if c.IsCA && s.Signer.issuedBy(c) && s.Signer.CheckSignatureFrom(c) == nil {
			anchor = c
			break
		}
	}
	if anchor == nil {
		return invalid(r, "DS không thuộc CSCA tin cậy nào (document signer does not chain to a trusted CSCA)")
	}
	if at.Before(anchor.NotBefore) || at.After(anchor.NotAfter) {
		return invalid(r, "chứng thư CSCA hết hạn hoặc chưa hiệu lực (CSCA certificate expired or not yet valid)")
	}
	if at.Before(s.Signer.NotBefore) || at.After(s.Signer.NotAfter) {
		return invalid(r, "chứng thư DS hết hạn hoặc chưa hiệu lực (document signer certificate expired or not yet valid)")
	}
	r.Anchor = anchor
	r.Status = StatusValid
	r.Detail = "xác thực thụ động thành công (passive authentication succeeded)"
	return r
}
