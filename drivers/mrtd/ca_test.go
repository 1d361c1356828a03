package mrtd_test

import (
	"context"
	"crypto"
	"crypto/dsa"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"

	"github.com/tramso/tramso/drivers/cccd"
	"github.com/tramso/tramso/drivers/mrtd"
	"github.com/tramso/tramso/drivers/mrtd/internal/ec"
	"github.com/tramso/tramso/drivers/mrtd/lds"
	"github.com/tramso/tramso/drivers/mrtd/mrtdsim"
	"github.com/tramso/tramso/drivers/tlv"
)

// signedCard is a simulated chip whose EF.SOD is really signed (a test document signer) over
// DG1, DG2, DG13, DG14 (Chip Authentication key caKey, protocol caProto) and DG15.
type signedCard struct {
	files map[uint16][]byte
	caKey crypto.PrivateKey
	aaKey crypto.Signer
}

type cardSpec struct {
	caProto asn1.ObjectIdentifier // default id-CA-ECDH-AES-CBC-CMAC-128
	caKey   crypto.PrivateKey     // default a fresh brainpoolP256r1 key
	caSPKI  []byte                // DG14's SubjectPublicKeyInfo, when not the plain one of caKey
	noDG14  bool
	com     []tlv.Tag // EF.COM's list (default DG1, DG2, DG13, DG14, DG15)
}

func newSignedCard(t testing.TB, pki *cccd.TestPKI, spec cardSpec) signedCard {
	t.Helper()
	base := testFiles(3000)
	aa, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	dg15, err := lds.BuildDG15(aa.Public())
	if err != nil {
		t.Fatal(err)
	}
	dgs := map[int][]byte{1: base[0x0101], 2: base[0x0102], 13: base[0x010D], 15: dg15}
	card := signedCard{aaKey: aa}
	if !spec.noDG14 {
		if spec.caKey == nil {
			if spec.caKey, err = lds.GenerateECKey(lds.BrainpoolP256r1(), rand.Reader); err != nil {
				t.Fatal(err)
			}
		}
		if spec.caProto == nil {
			spec.caProto = lds.OIDCAECDHAES128
		}
		info := lds.ChipAuthenticationPublicKeyInfo{Protocol: lds.OIDPKECDH, RawPublicKey: spec.caSPKI}
		if k, ok := spec.caKey.(interface{ Public() crypto.PublicKey }); ok {
			info.PublicKey = k.Public()
		} else {
			info.Protocol = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 1, 1} // id-PK-DH
		}
		dg14, err := lds.BuildDG14(lds.SecurityInfos{
			ChipAuthentication:           []lds.ChipAuthenticationInfo{{Protocol: spec.caProto, Version: 1}},
			ChipAuthenticationPublicKeys: []lds.ChipAuthenticationPublicKeyInfo{info},
		})
		if err != nil {
			t.Fatal(err)
		}
		dgs[14] = dg14
		card.caKey = spec.caKey
	}
	sod, err := lds.BuildSODWithOptions(dgs, lds.SODOptions{Signer: pki.DSKey, Certificate: pki.DS.Raw})
	if err != nil {
		t.Fatal(err)
	}
	if spec.com == nil {
		spec.com = []tlv.Tag{lds.TagDG1, lds.TagDG2, lds.TagDG13, lds.TagDG14, lds.TagDG15}
	}
	card.files = map[uint16][]byte{
		0x011C: mrtdsim.GenerateCardAccess(13),
		0x011E: lds.COM{LDSVersion: "0107", UnicodeVersion: "040000", Tags: spec.com}.Bytes(),
		0x011D: sod,
	}
	for n, b := range dgs {
		card.files[lds.DGFileID(n)] = b
	}
	return card
}

func (c signedCard) chip(cfg mrtdsim.Config) *mrtdsim.Chip {
	cfg.Files = c.files
	if cfg.CAKey == nil {
		cfg.CAKey = c.caKey
	}
	cfg.AAKey = c.aaKey
	return newChip(cfg)
}

func testPKI(t testing.TB) *cccd.TestPKI {
	t.Helper()
	pki, err := cccd.NewTestPKI("")
	if err != nil {
		t.Fatal(err)
	}
	return pki
}

func caOID(cipher int) asn1.ObjectIdentifier {
	return asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 3, 2, cipher}
}

// Chip Authentication on both curves the kiosk meets, with every cipher, the key named or spelled
// out in full: the rest of the card is read under the new keys (the chip counts the restart).
func TestChipAuthentication(t *testing.T) {
	pki := testPKI(t)
	bp, err := lds.GenerateECKey(lds.BrainpoolP256r1(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	bpFull, err := lds.MarshalPublicKey(bp.Public(), true)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		key   crypto.PrivateKey
		spki  []byte
		curve string
	}{
		{"brainpoolP256r1", bp, nil, "brainpoolP256r1"},
		{"brainpoolP256r1 spelled out", bp, bpFull, "brainpoolP256r1"},
		{"P-256", p256, nil, "NIST P-256"},
	} {
		for cipher, suite := range map[int]string{1: "3DES", 2: "AES-128", 3: "AES-192", 4: "AES-256"} {
			t.Run(fmt.Sprintf("%s %s", c.name, suite), func(t *testing.T) {
				card := newSignedCard(t, pki, cardSpec{caProto: caOID(cipher), caKey: c.key, caSPKI: c.spki})
				chip := card.chip(mrtdsim.Config{})
				f, err := mrtd.Read(context.Background(), chip, mrtd.CANKey(testCAN), mrtd.Options{ActiveAuthentication: true})
				if err != nil {
					t.Fatal(err)
				}
				want := "CA-ECDH-" + suite + " " + c.curve
				if f.ChipAuth == nil || f.ChipAuth.Err != nil || f.ChipAuth.Protocol != want {
					t.Fatalf("chip authentication %+v, want %s proven", f.ChipAuth, want)
				}
				if chip.Stats().ChipAuth != 1 {
					t.Errorf("chip restarted secure messaging %d times", chip.Stats().ChipAuth)
				}
				checkFiles(t, f, card.files)
				if f.AASignature == nil || f.AAErr != nil {
					t.Errorf("active authentication after CA: %v", f.AAErr)
				}
			})
		}
	}
}

// A copy of DG14 without its private key: Chip Authentication fails, the failure is recorded (not
// an error), and the rest of the card is still read in a new session.
func TestChipAuthenticationWrongKey(t *testing.T) {
	card := newSignedCard(t, testPKI(t), cardSpec{})
	chip := card.chip(mrtdsim.Config{CAWrongKey: true})
	f, err := mrtd.Read(context.Background(), chip, mrtd.CANKey(testCAN), mrtd.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f.ChipAuth == nil || !errors.Is(f.ChipAuth.Err, mrtd.ErrChipAuthentication) {
		t.Fatalf("chip authentication %+v", f.ChipAuth)
	}
	checkFiles(t, f, card.files)
	// Session level: after the failure the session is dead.
	chip = card.chip(mrtdsim.Config{CAWrongKey: true})
	s, err := mrtd.Open(context.Background(), chip, mrtd.CANKey(testCAN), mrtd.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ChipAuthenticate(context.Background(), card.files[0x010E]); !errors.Is(err, mrtd.ErrChipAuthentication) {
		t.Fatalf("CA with the wrong key: %v", err)
	}
	if _, err := s.ReadFile(context.Background(), mrtd.DG1); !errors.Is(err, mrtd.ErrSecureMessaging) {
		t.Errorf("read after failed CA: %v", err)
	}
	if s.ChipAuthenticated() != "" {
		t.Error("failed CA reported as done")
	}
}

// explicitSPKI is an EC SubjectPublicKeyInfo with explicit domain parameters: those of curve c
// but with generator g (g = G spells the curve out in full).
func explicitSPKI(t testing.TB, c *ec.Curve, g, pub ec.Point) []byte {
	t.Helper()
	type fieldID struct {
		Type  asn1.ObjectIdentifier
		Prime *big.Int
	}
	type coeffs struct{ A, B []byte }
	type params struct {
		Version  int
		Field    fieldID
		Curve    coeffs
		Base     []byte
		Order    *big.Int
		Cofactor *big.Int
	}
	p, err := asn1.Marshal(params{1, fieldID{asn1.ObjectIdentifier{1, 2, 840, 10045, 1, 1}, c.P},
		coeffs{c.FieldBytes(c.A), c.FieldBytes(c.B)}, c.Marshal(g), c.N, big.NewInt(1)})
	if err != nil {
		t.Fatal(err)
	}
	pt := c.Marshal(pub)
	der, err := asn1.Marshal(struct {
		Alg pkix.AlgorithmIdentifier
		Key asn1.BitString
	}{pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}, Parameters: asn1.RawValue{FullBytes: p}},
		asn1.BitString{Bytes: pt, BitLength: 8 * len(pt)}})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// Explicit parameters are taken only when they are exactly a standard curve: brainpoolP256r1
// with another generator (a valid curve, same group) is refused, and the chip is not proven.
func TestChipAuthenticationExplicitCurve(t *testing.T) {
	c, _ := ec.ByParamID(13)
	k, err := lds.GenerateECKey(lds.BrainpoolP256r1(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub := ec.Point{X: k.X, Y: k.Y}
	pki := testPKI(t)
	for name, c := range map[string]struct {
		g  ec.Point
		ok bool
	}{
		"standard generator": {c.G(), true},
		"other generator":    {c.ScalarBaseMult(big.NewInt(2)), false},
	} {
		t.Run(name, func(t *testing.T) {
			card := newSignedCard(t, pki, cardSpec{caKey: k, caSPKI: explicitSPKI(t, mustCurve(13), c.g, pub)})
			f, err := mrtd.Read(context.Background(), card.chip(mrtdsim.Config{}), mrtd.CANKey(testCAN), mrtd.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if f.ChipAuth == nil || (f.ChipAuth.Err == nil) != c.ok {
				t.Fatalf("chip authentication %+v, want proven %v", f.ChipAuth, c.ok)
			}
			if !c.ok && !strings.Contains(f.ChipAuth.Err.Error(), "standard curve") {
				t.Errorf("refusal not worded: %v", f.ChipAuth.Err)
			}
		})
	}
}

func mustCurve(id int) *ec.Curve {
	c, _ := ec.ByParamID(id)
	return c
}

// The clone of issue 14: genuine DG1, DG13 and EF.SOD, DG15 hidden ("file not found"), and
// EF.COM edited to leave DG15 out. EF.SOD lists DG15, so it is read and its refusal recorded.
func TestHiddenDataGroupRefused(t *testing.T) {
	pki := testPKI(t)
	for _, c := range []struct {
		name  string
		spec  cardSpec
		cfg   mrtdsim.Config
		hide  uint16
		errIs error
	}{
		{"DG15 not found", cardSpec{}, mrtdsim.Config{}, 0x010F, mrtd.ErrFileNotFound},
		{"DG15 not found, EF.COM edited", cardSpec{com: []tlv.Tag{lds.TagDG1, lds.TagDG2, lds.TagDG13, lds.TagDG14}}, mrtdsim.Config{}, 0x010F, mrtd.ErrFileNotFound},
		{"DG15 bare 6A82", cardSpec{}, mrtdsim.Config{PlainErrors: true}, 0x010F, mrtd.ErrSecureMessaging},
		{"DG14 bare 6A82", cardSpec{}, mrtdsim.Config{PlainErrors: true}, 0x010E, mrtd.ErrSecureMessaging},
	} {
		t.Run(c.name, func(t *testing.T) {
			card := newSignedCard(t, pki, c.spec)
			c.cfg.Hide = []uint16{c.hide}
			chip := card.chip(c.cfg)
			f, err := mrtd.Read(context.Background(), chip, mrtd.CANKey(testCAN), mrtd.Options{ActiveAuthentication: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Refused) != 1 || uint16(f.Refused[0].File) != c.hide || !errors.Is(f.Refused[0].Err, c.errIs) {
				t.Fatalf("refused %+v", f.Refused)
			}
			if len(f.Absent) != 0 || f.File(f.Refused[0].File) != nil {
				t.Errorf("absent %v", f.Absent)
			}
			if f.DG1 == nil || f.DG13 == nil {
				t.Error("identity not read after the refusal")
			}
		})
	}
}

// Only the data groups EF.COM and EF.SOD list are selected.
func TestReadsOnlyListedFiles(t *testing.T) {
	files := testFiles(500)
	files[0x011E] = lds.COM{LDSVersion: "0107", UnicodeVersion: "040000", Tags: []tlv.Tag{lds.TagDG1, lds.TagDG13}}.Bytes()
	chip := newChip(mrtdsim.Config{Files: files}) // EF.SOD does not parse: EF.COM alone decides
	f, err := mrtd.Read(context.Background(), chip, mrtd.CANKey(testCAN), mrtd.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range chip.Stats().Selected {
		if id >= 0x0101 && id <= 0x0110 && id != 0x0101 && id != 0x010D {
			t.Errorf("selected %04X, which EF.COM does not list", id)
		}
	}
	if f.DG2 != nil || f.DG14 != nil || f.DG15 != nil || f.DG1 == nil || f.DG13 == nil {
		t.Error("wrong files read")
	}
	// A signed EF.SOD adds what it lists, even when EF.COM leaves it out.
	card := newSignedCard(t, testPKI(t), cardSpec{com: []tlv.Tag{lds.TagDG1, lds.TagDG13}})
	chip = card.chip(mrtdsim.Config{})
	if _, err := mrtd.Read(context.Background(), chip, mrtd.CANKey(testCAN), mrtd.Options{}); err != nil {
		t.Fatal(err)
	}
	sel := chip.Stats().Selected
	for _, id := range []uint16{0x0101, 0x0102, 0x010D, 0x010E, 0x010F} {
		if !slices.Contains(sel, id) {
			t.Errorf("%04X, listed in EF.SOD, not selected", id)
		}
	}
	if slices.Contains(sel, 0x0103) {
		t.Error("DG3 selected")
	}
}

// When EF.CardAccess offers PACE and PACE fails, there is no BAC afterwards.
func TestNoBACAfterPACEFailure(t *testing.T) {
	chip := newChip(mrtdsim.Config{BreakPACE: true})
	_, err := mrtd.Read(context.Background(), chip, mrtd.AccessKey{CAN: testCAN, MRZ: &testMRZ}, mrtd.Options{})
	if !errors.Is(err, mrtd.ErrAuthentication) {
		t.Fatalf("PACE failure: %v", err)
	}
	// The same chip with the MRZ only (PACE-MRZ fails too): still no BAC.
	chip = newChip(mrtdsim.Config{BreakPACE: true})
	if _, err := mrtd.Read(context.Background(), chip, mrtd.AccessKey{MRZ: &testMRZ}, mrtd.Options{}); !errors.Is(err, mrtd.ErrAuthentication) {
		t.Fatalf("PACE-MRZ failure: %v", err)
	}
	// BAC is still used when the card offers no PACE, or when asked.
	files := testFiles(500)
	delete(files, 0x011C)
	if f, err := mrtd.Read(context.Background(), newChip(mrtdsim.Config{Files: files}), mrtd.AccessKey{CAN: testCAN, MRZ: &testMRZ}, mrtd.Options{}); err != nil || f.Access != "BAC" {
		t.Errorf("BAC-only card: %v", err)
	}
	if f, err := mrtd.Read(context.Background(), newChip(mrtdsim.Config{BreakPACE: true}), mrtd.AccessKey{MRZ: &testMRZ}, mrtd.Options{Access: mrtd.AccessBAC}); err != nil || f.Access != "BAC" {
		t.Errorf("BAC asked for: %v", err)
	}
}

// Under secure messaging a bare error status is taken only for a file EF.SOD does not list.
func TestUnprotectedStatusOnlyForUnlistedFiles(t *testing.T) {
	files := testFiles(500)
	chip := newChip(mrtdsim.Config{Files: files, PlainErrors: true, Hide: []uint16{0x010F}})
	s, err := mrtd.Open(context.Background(), chip, mrtd.CANKey(testCAN), mrtd.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.ListedFiles(mrtd.DG1, mrtd.DG13, mrtd.DG15)
	if _, err := s.ReadFile(context.Background(), mrtd.FileID(0x010B)); !errors.Is(err, mrtd.ErrFileNotFound) {
		t.Errorf("unlisted DG11, bare 6A82: %v", err)
	}
	if _, err := s.ReadFile(context.Background(), mrtd.DG1); err != nil {
		t.Errorf("session after an unlisted bare 6A82: %v", err)
	}
	if _, err := s.ReadFile(context.Background(), mrtd.DG15); !errors.Is(err, mrtd.ErrSecureMessaging) {
		t.Errorf("listed DG15, bare 6A82: %v", err)
	}
	if _, err := s.ReadFile(context.Background(), mrtd.DG1); !errors.Is(err, mrtd.ErrSecureMessaging) {
		t.Errorf("session survived a bare status for a listed file: %v", err)
	}
}

// cardAccessExplicit is an EF.CardAccess whose PACEInfo (ECDH-GM AES-128) names proprietary
// parameter id 32, defined by a PACEDomainParameterInfo spelling out curve c with generator g.
func cardAccessExplicit(t testing.TB, c *ec.Curve, g ec.Point) []byte {
	t.Helper()
	spki := explicitSPKI(t, c, g, g) // the AlgorithmIdentifier is the first element
	var key struct {
		Alg asn1.RawValue
		Key asn1.BitString
	}
	if _, err := asn1.Unmarshal(spki, &key); err != nil {
		t.Fatal(err)
	}
	pace, _ := asn1.Marshal(struct {
		P    asn1.ObjectIdentifier
		V, I int
	}{asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4, 2, 2}, 2, 32})
	dp, _ := asn1.Marshal(struct {
		P asn1.ObjectIdentifier
		A asn1.RawValue
		I int
	}{asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4, 2}, key.Alg, 32})
	return tlv.Encode(0x31, append(pace, dp...))
}

// Explicit PACE domain parameters in EF.CardAccess are taken only when they are exactly a
// standard curve; otherwise the card is refused, and not read with BAC instead.
func TestPACEExplicitDomainParameters(t *testing.T) {
	c := mustCurve(13)
	files := testFiles(500)
	files[0x011C] = cardAccessExplicit(t, c, c.G())
	f, err := mrtd.Read(context.Background(), newChip(mrtdsim.Config{Files: files}), mrtd.AccessKey{CAN: testCAN, MRZ: &testMRZ}, mrtd.Options{})
	if err != nil || f.Access != "PACE-CAN" {
		t.Fatalf("brainpoolP256r1 spelled out: %v %v", err, f)
	}
	files = testFiles(500)
	files[0x011C] = cardAccessExplicit(t, c, c.ScalarBaseMult(big.NewInt(3)))
	f, err = mrtd.Read(context.Background(), newChip(mrtdsim.Config{Files: files}), mrtd.AccessKey{CAN: testCAN, MRZ: &testMRZ}, mrtd.Options{})
	if !errors.Is(err, mrtd.ErrNotSupported) || f != nil || !strings.Contains(err.Error(), "standard curve") {
		t.Fatalf("other generator: %v %v", err, f)
	}
}

// dhSPKI is a dhpublicnumber SubjectPublicKeyInfo (RFC 3279): DomainParameters {p, g, q} and y.
func dhSPKI(t testing.TB, p, g, q, y *big.Int) []byte {
	t.Helper()
	params, err := asn1.Marshal(struct{ P, G, Q *big.Int }{p, g, q})
	if err != nil {
		t.Fatal(err)
	}
	yb, _ := asn1.Marshal(y)
	der, err := asn1.Marshal(struct {
		Alg pkix.AlgorithmIdentifier
		Key asn1.BitString
	}{pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 10046, 2, 1}, Parameters: asn1.RawValue{FullBytes: params}},
		asn1.BitString{Bytes: yb, BitLength: 8 * len(yb)}})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// Chip Authentication with Diffie-Hellman (id-CA-DH), in a group whose order checks out; a group
// whose generator is not of order q is refused.
func TestChipAuthenticationDH(t *testing.T) {
	var params dsa.Parameters
	if err := dsa.GenerateParameters(&params, rand.Reader, dsa.L1024N160); err != nil {
		t.Fatal(err)
	}
	x, _ := rand.Int(rand.Reader, params.Q)
	x.Add(x, big.NewInt(1))
	y := new(big.Int).Exp(params.G, x, params.P)
	key := &mrtdsim.DHKey{P: params.P, G: params.G, Q: params.Q, X: x}
	pki := testPKI(t)
	for cipher, suite := range map[int]string{1: "3DES", 2: "AES-128"} {
		card := newSignedCard(t, pki, cardSpec{caProto: asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 3, 1, cipher}, caKey: key,
			caSPKI: dhSPKI(t, params.P, params.G, params.Q, y)})
		chip := card.chip(mrtdsim.Config{})
		f, err := mrtd.Read(context.Background(), chip, mrtd.CANKey(testCAN), mrtd.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if f.ChipAuth == nil || f.ChipAuth.Err != nil || f.ChipAuth.Protocol != "CA-DH-"+suite+" 1024-bit" || chip.Stats().ChipAuth != 1 {
			t.Fatalf("%s: %+v", suite, f.ChipAuth)
		}
		checkFiles(t, f, card.files)
		wrong := card.chip(mrtdsim.Config{CAWrongKey: true})
		if f, err := mrtd.Read(context.Background(), wrong, mrtd.CANKey(testCAN), mrtd.Options{}); err != nil ||
			f.ChipAuth == nil || !errors.Is(f.ChipAuth.Err, mrtd.ErrChipAuthentication) {
			t.Fatalf("%s, wrong key: %v %+v", suite, err, f)
		}
	}
	// g = p-1 has order 2, not q: refused before any command.
	pm1 := new(big.Int).Sub(params.P, big.NewInt(1))
	card := newSignedCard(t, pki, cardSpec{caProto: asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 3, 1, 2}, caKey: key,
		caSPKI: dhSPKI(t, params.P, pm1, params.Q, pm1)})
	f, err := mrtd.Read(context.Background(), card.chip(mrtdsim.Config{}), mrtd.CANKey(testCAN), mrtd.Options{})
	if err != nil || f.ChipAuth == nil || !errors.Is(f.ChipAuth.Err, mrtd.ErrChipAuthentication) {
		t.Fatalf("bad group: %v %+v", err, f)
	}
}

// A Chip Authentication variant this package cannot run is "not supported", not a failure.
func TestChipAuthenticationUnsupportedCipher(t *testing.T) {
	card := newSignedCard(t, testPKI(t), cardSpec{caProto: caOID(9)})
	f, err := mrtd.Read(context.Background(), card.chip(mrtdsim.Config{}), mrtd.CANKey(testCAN), mrtd.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f.ChipAuth == nil || !errors.Is(f.ChipAuth.Err, mrtd.ErrNotSupported) || errors.Is(f.ChipAuth.Err, mrtd.ErrChipAuthentication) {
		t.Fatalf("%+v", f.ChipAuth)
	}
	checkFiles(t, f, card.files)
}

// A chip with DG15 that will not answer INTERNAL AUTHENTICATE: the refusal is recorded for the
// verdict (Active Authentication failed), the files are still returned.
func TestActiveAuthenticationRefusedIsRecorded(t *testing.T) {
	card := newSignedCard(t, testPKI(t), cardSpec{noDG14: true})
	chip := card.chip(mrtdsim.Config{AASign: func([]byte) ([]byte, error) { return nil, errors.New("no key") }})
	f, err := mrtd.Read(context.Background(), chip, mrtd.CANKey(testCAN), mrtd.Options{ActiveAuthentication: true})
	if err != nil {
		t.Fatal(err)
	}
	if f.AAErr == nil || f.AASignature != nil || len(f.AAChallenge) != 8 || f.ChipAuth != nil {
		t.Fatalf("AA error %v, signature %x, CA %+v", f.AAErr, f.AASignature, f.ChipAuth)
	}
	checkFiles(t, f, card.files)
}
