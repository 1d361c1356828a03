package cccd

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tramso/tramso/drivers/mrtd/lds"
	"github.com/tramso/tramso/drivers/tlv"
	"github.com/tramso/tramso/internal/atomicfile"
)

// File identifiers of the files BuildChip produces (EF.CardAccess, 0x011C, is the caller's).
const (
	FileCOM  uint16 = 0x011E
	FileDG1  uint16 = 0x0101
	FileDG2  uint16 = 0x0102
	FileDG13 uint16 = 0x010D
	FileDG14 uint16 = 0x010E
	FileDG15 uint16 = 0x010F
	FileSOD  uint16 = 0x011D
)

// TestPKI is a test CSCA and a document signer under it, for simulated cards. The CSCA is
// brainpoolP512r1 with explicit domain parameters and ecdsa-with-SHA512, like the Vietnamese CSCA;
// the document signer is ECDSA P-256. It is for tests and demonstrations only: never trust it in
// production.
type TestPKI struct {
	CSCA    *lds.Certificate
	CSCAKey crypto.Signer // *lds.ECPrivateKey
	DS      *lds.Certificate
	DSKey   crypto.Signer // *ecdsa.PrivateKey
}

// Files in a TestPKI folder.
const (
	pkiCSCACert = "csca.pem"
	pkiCSCAKey  = "csca-key.pem"
	pkiDSCert   = "ds.pem"
	pkiDSKey    = "ds-key.pem"
)

// NewTestPKI returns a test PKI. With dir empty it is generated in memory. Otherwise it is
// loaded from dir if dir holds one (csca.pem, csca-key.pem, ds.pem, ds-key.pem), or generated
// and saved there (keys mode 0600), so that simulated cards keep chaining to the same CSCA.
func NewTestPKI(dir string) (*TestPKI, error) {
	if dir != "" {
		if _, err := os.Stat(filepath.Join(dir, pkiCSCACert)); err == nil {
			return loadTestPKI(dir)
		}
	}
	p, err := generateTestPKI()
	if err != nil {
		return nil, err
	}
	if dir != "" {
		if err := p.save(dir); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func generateTestPKI() (*TestPKI, error) {
	now := time.Now().Truncate(time.Second)
	cscaKey, err := lds.GenerateECKey(lds.BrainpoolP512r1(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 63))
	if err != nil {
		return nil, err
	}
	cscaDER, err := lds.CreateCertificate(lds.CertTemplate{
		Serial: serial.Add(serial, big.NewInt(1)),
		Subject: pkix.Name{Country: []string{"VN"}, Organization: []string{"tramso test PKI"},
			CommonName: "CSCA TEST Vietnam (not for production)"},
		NotBefore: now.AddDate(0, 0, -1), NotAfter: now.AddDate(15, 0, 0), IsCA: true, ExplicitParams: true,
	}, cscaKey.Public(), nil, cscaKey)
	if err != nil {
		return nil, fmt.Errorf("không tạo được CSCA thử (creating test CSCA): %w", err)
	}
	csca, err := lds.ParseCertificate(cscaDER)
	if err != nil {
		return nil, err
	}
	dsKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	dsDER, err := lds.CreateCertificate(lds.CertTemplate{
		Serial: big.NewInt(0).Add(serial, big.NewInt(1)),
		Subject: pkix.Name{Country: []string{"VN"}, Organization: []string{"tramso test PKI"},
			CommonName: "Document Signer TEST (not for production)"},
		NotBefore: now.AddDate(0, 0, -1), NotAfter: now.AddDate(10, 0, 0),
	}, dsKey.Public(), csca, cscaKey)
	if err != nil {
		return nil, fmt.Errorf("không tạo được DS thử (creating test document signer): %w", err)
	}
	ds, err := lds.ParseCertificate(dsDER)
	if err != nil {
		return nil, err
	}
	return &TestPKI{CSCA: csca, CSCAKey: cscaKey, DS: ds, DSKey: dsKey}, nil
}

func pemBytes(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func (p *TestPKI) save(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("không tạo được thư mục PKI (creating PKI folder): %w", err)
	}
	cscaKey, ok := p.CSCAKey.(*lds.ECPrivateKey)
	if !ok {
		return errors.New("khóa CSCA không lưu được (CSCA key cannot be saved)")
	}
	ck, err := lds.MarshalECPrivateKey(cscaKey)
	if err != nil {
		return err
	}
	dk, err := x509.MarshalPKCS8PrivateKey(p.DSKey)
	if err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		data []byte
		mode os.FileMode
	}{
		{pkiCSCAKey, pemBytes("EC PRIVATE KEY", ck), 0o600},
		{pkiDSKey, pemBytes("PRIVATE KEY", dk), 0o600},
		{pkiDSCert, pemBytes("CERTIFICATE", p.DS.Raw), 0o644},
		{pkiCSCACert, p.CSCAPEM(), 0o644}, // last: its presence marks a complete folder
	} {
		if err := writeFileAtomic(filepath.Join(dir, f.name), f.data, f.mode); err != nil {
			return err
		}
	}
	return nil
}

// writeFileAtomic writes a file all or nothing, wording the error for a technician.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	if err := atomicfile.Write(path, data, mode); err != nil {
		return fmt.Errorf("không ghi được %s (writing %s): %w", path, path, err)
	}
	return nil
}

func readPEM(path, typ string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("không đọc được %s (reading %s): %w", path, path, err)
	}
	blk, _ := pem.Decode(data)
	if blk == nil || blk.Type != typ {
		return nil, fmt.Errorf("%s không chứa khối PEM %s (%s holds no %s PEM block)", path, typ, path, typ)
	}
	return blk.Bytes, nil
}

func loadTestPKI(dir string) (*TestPKI, error) {
	var p TestPKI
	der, err := readPEM(filepath.Join(dir, pkiCSCACert), "CERTIFICATE")
	if err != nil {
		return nil, err
	}
	if p.CSCA, err = lds.ParseCertificate(der); err != nil {
		return nil, err
	}
	if der, err = readPEM(filepath.Join(dir, pkiCSCAKey), "EC PRIVATE KEY"); err != nil {
		return nil, err
	}
	if p.CSCAKey, err = lds.ParseECPrivateKey(der); err != nil {
		return nil, err
	}
	if der, err = readPEM(filepath.Join(dir, pkiDSCert), "CERTIFICATE"); err != nil {
		return nil, err
	}
	if p.DS, err = lds.ParseCertificate(der); err != nil {
		return nil, err
	}
	if der, err = readPEM(filepath.Join(dir, pkiDSKey), "PRIVATE KEY"); err != nil {
		return nil, err
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("khóa DS hỏng (bad document signer key): %w", err)
	}
	signer, ok := k.(crypto.Signer)
	if !ok {
		return nil, errors.New("khóa DS không ký được (document signer key cannot sign)")
	}
	p.DSKey = signer
	if err := p.DS.CheckSignatureFrom(p.CSCA); err != nil {
		return nil, fmt.Errorf("DS không do CSCA trong thư mục ký (document signer not issued by the folder's CSCA): %w", err)
	}
	return &p, nil
}

// CSCAPEM returns the CSCA certificate as PEM (for `--csca-out csca.pem`).
func (p *TestPKI) CSCAPEM() []byte { return pemBytes("CERTIFICATE", p.CSCA.Raw) }

// WriteCSCA writes the CSCA certificate as PEM to path.
func (p *TestPKI) WriteCSCA(path string) error { return writeFileAtomic(path, p.CSCAPEM(), 0o644) }

// TrustStore returns a trust store holding the test CSCA.
func (p *TestPKI) TrustStore() *lds.TrustStore { return lds.NewTrustStore(p.CSCA) }

// ChipOptions tunes BuildChip.
type ChipOptions struct {
	// AAKey is the chip's Active Authentication key. Nil: a fresh ECDSA brainpoolP256r1 key
	// (AA signatures plain r‖s over SHA-256, announced in DG14), or RSA-1024 when AARSA is set
	// (ISO/IEC 9796-2, SHA-1).
	AAKey crypto.Signer
	AARSA bool
	// NoDG14 leaves out DG14 (Chip Authentication and AA algorithm information).
	NoDG14 bool
	// NoDG15 leaves out DG15 and the Active Authentication key: with NoDG14 as well, a chip that
	// cannot prove it is genuine.
	NoDG15 bool
	// Tamper lists data groups (1, 2, 13, 14, 15) to alter after EF.SOD is signed, so that
	// passive authentication must fail with "DGn hash mismatch". The change is one value byte
	// inside a primitive (a letter of a name, a byte of the image): tags and lengths stay, and
	// DG1, DG2 and DG13 still parse.
	Tamper []int
	// Hash for EF.SOD; 0 means SHA-256.
	Hash crypto.Hash
}

// Chip is everything a simulated CCCD needs.
type Chip struct {
	// Files maps file identifiers (FileCOM, FileDG1, …, FileSOD) to file bytes.
	Files map[uint16][]byte
	// AAKey answers INTERNAL AUTHENTICATE (pass it to lds.SignAA).
	AAKey crypto.Signer
	// CAKey is the Chip Authentication private key whose public half is in DG14 (nil without
	// DG14).
	CAKey *lds.ECPrivateKey
	// MRZ is the printed MRZ, three lines separated by "\n".
	MRZ string
	// CAN is the PACE card access number (last 6 digits of the ID).
	CAN string
}

// MRZFor returns the TD1 MRZ (90 characters, no line breaks) of a CCCD the way the card lays it
// out (idcard.md §4.1): document code ID, VNM, document number = last 9 digits of the ID with
// its check digit, the 12-digit ID in the optional data, "<<" and the check digit of the ID;
// sex M/F; expiry "<<<<<<" for a card without expiry; name without diacritics, surname first.
func MRZFor(c Citizen) (string, error) {
	if err := c.Validate(); err != nil {
		return "", err
	}
	dob, _ := parseDate(c.DateOfBirth)
	exp := ""
	if c.ExpiryDate != "" {
		t, _ := parseDate(c.ExpiryDate)
		exp = t.Format("060102")
	}
	sex := "M"
	if c.Sex == SexFemale {
		sex = "F"
	}
	idCD, _ := lds.CheckDigit(c.IDNumber)
	surname, given, _ := strings.Cut(strings.TrimSpace(c.FullName), " ")
	return lds.BuildTD1(lds.TD1Fields{
		DocumentCode: "ID", IssuingState: "VNM", DocumentNumber: DocumentNumber(c.IDNumber),
		OptionalData: c.IDNumber + "<<" + string(idCD), DateOfBirth: dob.Format("060102"), Sex: sex,
		DateOfExpiry: exp, Nationality: "VNM", PrimaryIdentifier: surname, SecondaryIdentifier: given,
	})
}

// BuildChip produces the files of a simulated CCCD for c with face image photo (JPEG or JPEG
// 2000), EF.SOD signed by pki's document signer: EF.COM, DG1, DG2, DG13, DG14 (unless
// opts.NoDG14), DG15 and EF.SOD.
func BuildChip(c Citizen, photo []byte, pki *TestPKI, opts ChipOptions) (*Chip, error) {
	if pki == nil {
		return nil, errors.New("thiếu PKI thử (no test PKI)")
	}
	mrz, err := MRZFor(c)
	if err != nil {
		return nil, err
	}
	dg2, err := lds.BuildDG2(photo)
	if err != nil {
		return nil, fmt.Errorf("ảnh (photo): %w", err)
	}
	dg13, err := BuildDG13(c)
	if err != nil {
		return nil, err
	}
	aa := opts.AAKey
	if aa == nil {
		if opts.AARSA {
			aa, err = rsa.GenerateKey(rand.Reader, 1024)
		} else {
			aa, err = lds.GenerateECKey(lds.BrainpoolP256r1(), rand.Reader)
		}
		if err != nil {
			return nil, fmt.Errorf("không tạo được khóa AA (generating AA key): %w", err)
		}
	}
	dg15, err := lds.BuildDG15(aa.Public())
	if err != nil {
		return nil, err
	}
	chip := &Chip{AAKey: aa, CAN: CAN(c.IDNumber)}
	chip.MRZ = mrz[:30] + "\n" + mrz[30:60] + "\n" + mrz[60:]
	dgs := map[int][]byte{1: lds.BuildDG1(mrz), 2: dg2, 13: dg13, 15: dg15}
	tags := []tlv.Tag{lds.TagDG1, lds.TagDG2, lds.TagDG13}
	if !opts.NoDG14 {
		tags = append(tags, lds.TagDG14)
		caKey, err := lds.GenerateECKey(lds.BrainpoolP256r1(), rand.Reader)
		if err != nil {
			return nil, err
		}
		infos := lds.SecurityInfos{
			ChipAuthentication:           []lds.ChipAuthenticationInfo{{Protocol: lds.OIDCAECDHAES128, Version: 1}},
			ChipAuthenticationPublicKeys: []lds.ChipAuthenticationPublicKeyInfo{{Protocol: lds.OIDPKECDH, PublicKey: caKey.Public()}},
		}
		if _, isEC := aa.Public().(*ecdsa.PublicKey); isEC && !opts.NoDG15 {
			infos.ActiveAuthentication = []lds.ActiveAuthenticationInfo{{Version: 1, SignatureAlgorithm: aaAlgorithm(aa.Public().(*ecdsa.PublicKey))}}
		}
		dg14, err := lds.BuildDG14(infos)
		if err != nil {
			return nil, err
		}
		dgs[14] = dg14
		chip.CAKey = caKey
	}
	if opts.NoDG15 {
		delete(dgs, 15)
		chip.AAKey = nil
	} else {
		tags = append(tags, lds.TagDG15)
	}
	sod, err := lds.BuildSODWithOptions(dgs, lds.SODOptions{Hash: opts.Hash, Signer: pki.DSKey, Certificate: pki.DS.Raw})
	if err != nil {
		return nil, err
	}
	for _, n := range opts.Tamper {
		b, ok := dgs[n]
		if !ok {
			return nil, fmt.Errorf("không có DG%d để sửa (no DG%d to tamper with)", n, n)
		}
		dgs[n] = tamper(b)
	}
	chip.Files = map[uint16][]byte{
		FileCOM: lds.COM{LDSVersion: "0107", UnicodeVersion: "040000", Tags: tags}.Bytes(),
		FileSOD: sod,
	}
	for n, b := range dgs {
		chip.Files[lds.DGFileID(n)] = b
	}
	return chip, nil
}

// aaAlgorithm names the plain-ECDSA algorithm matched to the key size (BSI TR-03111).
func aaAlgorithm(pub *ecdsa.PublicKey) []int {
	last := 5 // SHA-512
	switch bits := pub.Curve.Params().N.BitLen(); {
	case bits <= 224:
		last = 2
	case bits <= 256:
		last = 3
	case bits <= 384:
		last = 4
	}
	return []int{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, last}
}

// tamper returns a copy of b with one value byte of a primitive data object changed, and the tags
// and lengths left alone, so that the file parses as before and only its hash tells: the last
// ASCII letter of the last primitive that has one (a name in DG13; the MRZ name in DG1, which no
// check digit covers; a byte of the image in DG2), else the middle byte of the last primitive.
func tamper(b []byte) []byte {
	c := append([]byte(nil), b...)
	var prims [][]byte
	var walk func(v []byte, depth int)
	walk = func(v []byte, depth int) {
		for len(v) > 0 {
			tag, val, rest, err := tlv.Next(v)
			if err != nil {
				return
			}
			if tag.Constructed() && depth < 16 {
				walk(val, depth+1)
			} else if len(val) > 0 {
				prims = append(prims, val) // aliases c
			}
			v = rest
		}
	}
	walk(c, 0)
	for i := len(prims) - 1; i >= 0; i-- {
		p := prims[i]
		for j := len(p) - 1; j >= 0; j-- {
			switch ch := p[j]; {
			case ch >= 'A' && ch <= 'Z':
				p[j] = 'A' + (ch-'A'+1)%26
				return c
			case ch >= 'a' && ch <= 'z':
				p[j] = 'a' + (ch-'a'+1)%26
				return c
			}
		}
	}
	if len(prims) > 0 {
		p := prims[len(prims)-1]
		p[len(p)/2] ^= 0x01
		return c
	}
	if len(c) > 0 {
		c[len(c)-1] ^= 1
	}
	return c
}

// ErrChipMismatch is returned by FromChip when DG1 and DG13 disagree.
var ErrChipMismatch = errors.New("dữ liệu chip không nhất quán giữa DG1 và DG13 (DG1 and DG13 disagree)")

// FromChip turns the data groups read from a card into a Citizen, the parsed MRZ and the face
// image (as stored). dg13 is required; dg1 and dg2 may be nil. When DG1 is present its ID
// (optional data), document number, date of birth and sex must agree with DG13. Citizen.Photo is
// left empty: the caller names the file it writes.
func FromChip(dg1, dg2, dg13 []byte) (Citizen, lds.MRZ, []byte, error) {
	d, err := ParseDG13(dg13)
	if err != nil {
		return Citizen{}, lds.MRZ{}, nil, err
	}
	c := d.Citizen
	var mrz lds.MRZ
	if dg1 != nil {
		if mrz, err = lds.ParseDG1(dg1); err != nil {
			return Citizen{}, lds.MRZ{}, nil, err
		}
		if err := checkMRZ(c, mrz); err != nil {
			return Citizen{}, lds.MRZ{}, nil, err
		}
	}
	var photo []byte
	if dg2 != nil {
		faces, err := lds.ParseDG2(dg2)
		if err != nil {
			return Citizen{}, lds.MRZ{}, nil, err
		}
		photo = faces[0].Data
	}
	return c, mrz, photo, nil
}

func checkMRZ(c Citizen, m lds.MRZ) error {
	mismatch := func(field string) error {
		return fmt.Errorf("%w: %s", ErrChipMismatch, field)
	}
	if len(m.OptionalData) < 12 || m.OptionalData[:12] != c.IDNumber {
		return mismatch("idNumber")
	}
	if m.DocumentNumber != DocumentNumber(c.IDNumber) {
		return mismatch("documentNumber")
	}
	if dob, ok := parseDate(c.DateOfBirth); ok && dob.Format("060102") != m.DateOfBirth {
		return mismatch("dateOfBirth")
	}
	if (c.Sex == SexMale && m.Sex != "M") || (c.Sex == SexFemale && m.Sex != "F") {
		return mismatch("sex")
	}
	return nil
}
