package mrtd_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	mrand "math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/drivers/mrtd"
	"github.com/tramso/tramso/drivers/mrtd/mrtdsim"
	"github.com/tramso/tramso/drivers/tlv"
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// testFiles builds a plausible set of CCCD files (fake data) with a face of faceSize bytes.
func testFiles(faceSize int) map[uint16][]byte {
	r := mrand.New(mrand.NewPCG(1, 2))
	blob := func(tag tlv.Tag, n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return tlv.Encode(tag, b)
	}
	mrz := "IDVNM2030123450001203012345<<1" + "0305200M2805209VNM<<<<<<<<<<<0" + "NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<"
	return map[uint16][]byte{
		0x011C: mrtdsim.GenerateCardAccess(13),
		0x011E: mustHex("60185F0104303130375F36063034303030305C0661756D6E6F63"),
		0x0101: tlv.Encode(0x61, tlv.Encode(0x5F1F, []byte(mrz))),
		0x0102: blob(0x75, faceSize),
		0x010D: mustHex("6D818D30818A020101060628D316010008317D30110201010C0C303031323033303132333435" +
			"30140201020C0F4E677579E1BB856E2056C4836E2041300F0201030C0A32302F30352F32303033" +
			"30080201040C034E616D300F0201050C0A5669E1BB8774204E616D302602010D30210C0F4E677579" +
			"E1BB856E2056C4836E20420C0E5472E1BAA76E205468E1BB8B2043"),
		0x010E: blob(0x6E, 300),
		0x010F: blob(0x6F, 162),
		0x011D: blob(0x77, 1800),
		0x0103: blob(0x63, 50),
	}
}

var testMRZ = mrtd.MRZKey{DocumentNumber: "203012345", DateOfBirth: "030520", DateOfExpiry: "280520"}

const testCAN = "012345"

func newChip(cfg mrtdsim.Config) *mrtdsim.Chip {
	if cfg.Files == nil {
		cfg.Files = testFiles(20000)
	}
	cfg.CAN, cfg.MRZ = testCAN, testMRZ
	return mrtdsim.New(cfg)
}

// limitCheck fails the test when a response exceeds max bytes.
type limitCheck struct {
	t   *testing.T
	tr  apdu.Transceiver
	max int
}

func (l *limitCheck) Transmit(ctx context.Context, cmd []byte) ([]byte, error) {
	r, err := l.tr.Transmit(ctx, cmd)
	if len(r) > l.max {
		l.t.Errorf("response of %d bytes to %X…", len(r), cmd[:4])
	}
	return r, err
}

func checkFiles(t *testing.T, f *mrtd.Files, want map[uint16][]byte) {
	t.Helper()
	for _, id := range mrtd.ReadOrder() {
		if !bytes.Equal(f.File(id), want[uint16(id)]) {
			t.Errorf("%s differs (%d bytes, want %d)", id, len(f.File(id)), len(want[uint16(id)]))
		}
	}
	if !bytes.Equal(f.CardAccess, want[0x011C]) && f.Access != "BAC" {
		t.Error("EF.CardAccess differs")
	}
}

func TestReadAllAccessMethods(t *testing.T) {
	for _, c := range []struct {
		name   string
		key    mrtd.AccessKey
		opts   mrtd.Options
		access string
	}{
		{"PACE-CAN", mrtd.CANKey(testCAN), mrtd.Options{}, "PACE-CAN"},
		{"PACE-MRZ", mrtd.AccessKey{MRZ: &testMRZ}, mrtd.Options{}, "PACE-MRZ"},
		{"BAC", mrtd.AccessKey{MRZ: &testMRZ}, mrtd.Options{Access: mrtd.AccessBAC}, "BAC"},
	} {
		t.Run(c.name, func(t *testing.T) {
			chip := newChip(mrtdsim.Config{})
			files := testFiles(20000)
			var order []mrtd.FileID
			c.opts.OnFile = func(id mrtd.FileID, data []byte) { order = append(order, id) }
			// 0xDF plain bytes: DO'87' 4 + 224 + DO'99' 4 + DO'8E' 10 + SW 2 = 244.
			f, err := mrtd.Read(context.Background(), &limitCheck{t, chip, 244}, c.key, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if f.Access != c.access {
				t.Errorf("access %q", f.Access)
			}
			checkFiles(t, f, files)
			if fmt.Sprint(order) != fmt.Sprint(mrtd.ReadOrder()) {
				t.Errorf("order %v", order)
			}
			if len(f.Denied) != 0 || len(f.Absent) != 0 {
				t.Errorf("denied %v absent %v", f.Denied, f.Absent)
			}
			if le := chip.Stats().MaxReadLe; le > 0xDF {
				t.Errorf("READ BINARY with Le %d", le)
			}
			if f.Stats.APDUs == 0 || f.Stats.BytesReceived < 20000 {
				t.Errorf("stats %+v", f.Stats)
			}
		})
	}
}

func TestPACEFallsBackToBAC(t *testing.T) {
	files := testFiles(500)
	delete(files, 0x011C) // no EF.CardAccess: BAC only
	chip := newChip(mrtdsim.Config{Files: files})
	f, err := mrtd.Read(context.Background(), chip, mrtd.AccessKey{CAN: testCAN, MRZ: &testMRZ}, mrtd.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Access != "BAC" {
		t.Errorf("access %q", f.Access)
	}
	// CAN only and no PACE: a clear error.
	chip = newChip(mrtdsim.Config{Files: files})
	_, err = mrtd.Read(context.Background(), chip, mrtd.CANKey(testCAN), mrtd.Options{})
	if !errors.Is(err, mrtd.ErrNotSupported) {
		t.Errorf("CAN without PACE: %v", err)
	}
}

func TestOtherSuitesAndCurves(t *testing.T) {
	for _, c := range []struct {
		cipher byte
		param  int
	}{{2, 12}, {1, 13}, {3, 15}, {4, 16}, {4, 17}, {2, 18}, {2, 14}} {
		files := testFiles(300)
		files[0x011C] = mrtdsim.GenerateCardAccessSuite(c.cipher, c.param)
		chip := newChip(mrtdsim.Config{Files: files})
		f, err := mrtd.Read(context.Background(), chip, mrtd.CANKey(testCAN), mrtd.Options{Access: mrtd.AccessPACE})
		if err != nil {
			t.Errorf("cipher %d param %d: %v", c.cipher, c.param, err)
			continue
		}
		checkFiles(t, f, files)
	}
}

func TestWrongKey(t *testing.T) {
	for name, c := range map[string]struct {
		key  mrtd.AccessKey
		opts mrtd.Options
		cfg  mrtdsim.Config
	}{
		"wrong CAN":     {mrtd.CANKey("999999"), mrtd.Options{}, mrtdsim.Config{}},
		"WrongKey PACE": {mrtd.CANKey(testCAN), mrtd.Options{}, mrtdsim.Config{WrongKey: true}},
		"WrongKey BAC":  {mrtd.AccessKey{MRZ: &testMRZ}, mrtd.Options{Access: mrtd.AccessBAC}, mrtdsim.Config{WrongKey: true}},
		"wrong MRZ BAC": {mrtd.MRZAccessKey("203012346", "030520", "280520"), mrtd.Options{Access: mrtd.AccessBAC}, mrtdsim.Config{}},
	} {
		chip := newChip(c.cfg)
		f, err := mrtd.Read(context.Background(), chip, c.key, c.opts)
		if !errors.Is(err, mrtd.ErrAuthentication) || f != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		var se *apdu.StatusError
		if !errors.As(err, &se) || se.SW != 0x6300 {
			t.Errorf("%s: status %v", name, se)
		}
		if strings.Contains(err.Error(), "999999") || strings.Contains(err.Error(), testCAN) || strings.Contains(err.Error(), "203012346") {
			t.Errorf("%s: error leaks the key: %v", name, err)
		}
	}
}

func TestCardRemovedMidRead(t *testing.T) {
	for _, n := range []int{1, 3, 12, 40, 90} {
		chip := newChip(mrtdsim.Config{RemoveAfterAPDUs: n})
		var got []mrtd.FileID
		f, err := mrtd.Read(context.Background(), chip, mrtd.CANKey(testCAN), mrtd.Options{
			OnFile: func(id mrtd.FileID, data []byte) { got = append(got, id) },
		})
		if !errors.Is(err, apdu.ErrCardRemoved) || f != nil {
			t.Errorf("removal at APDU %d: files %v, err %v", n, f != nil, err)
		}
		if strings.HasPrefix(err.Error(), "card") {
			t.Errorf("error not worded in Vietnamese first: %v", err)
		}
		if n == 90 && len(got) == 0 {
			t.Error("no complete file was handed over before the removal")
		}
	}
}

func TestGarbageAndDelay(t *testing.T) {
	chip := newChip(mrtdsim.Config{Garbage: true})
	if _, err := mrtd.Read(context.Background(), chip, mrtd.CANKey(testCAN), mrtd.Options{}); err == nil {
		t.Error("garbage accepted")
	}
	chip = newChip(mrtdsim.Config{Delay: time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := mrtd.Read(ctx, chip, mrtd.CANKey(testCAN), mrtd.Options{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("deadline: %v", err)
	}
}

// tamper flips one MAC byte of the nth response.
type tamper struct {
	tr apdu.Transceiver
	n  int
	i  int
}

func (tm *tamper) Transmit(ctx context.Context, cmd []byte) ([]byte, error) {
	r, err := tm.tr.Transmit(ctx, cmd)
	tm.i++
	if tm.i == tm.n && len(r) > 4 {
		r = append([]byte(nil), r...)
		r[len(r)-3] ^= 0x40
	}
	return r, err
}

func TestTamperedMACRejected(t *testing.T) {
	chip := newChip(mrtdsim.Config{})
	s, err := mrtd.Open(context.Background(), &tamper{tr: chip, n: 12}, mrtd.CANKey(testCAN), mrtd.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var lastErr error
	for _, id := range mrtd.ReadOrder() {
		if _, lastErr = s.ReadFile(context.Background(), id); lastErr != nil {
			break
		}
	}
	if !errors.Is(lastErr, mrtd.ErrSecureMessaging) {
		t.Fatalf("tampered MAC: %v", lastErr)
	}
	if _, err := s.ReadFile(context.Background(), mrtd.DG1); !errors.Is(err, mrtd.ErrSecureMessaging) {
		t.Errorf("session still alive after a bad MAC: %v", err)
	}
}

// plainInject answers the nth command with a bare 9000, as an attacker would.
type plainInject struct {
	tr apdu.Transceiver
	n  int
	i  int
}

func (p *plainInject) Transmit(ctx context.Context, cmd []byte) ([]byte, error) {
	p.i++
	if p.i == p.n {
		return []byte{0x90, 0x00}, nil
	}
	return p.tr.Transmit(ctx, cmd)
}

func TestPlain9000Rejected(t *testing.T) {
	chip := newChip(mrtdsim.Config{})
	// PACE-CAN: 3 APDUs for EF.CardAccess, 5 for PACE, SELECT AID (9), SELECT EF.COM (10).
	_, err := mrtd.Read(context.Background(), &plainInject{tr: chip, n: 10}, mrtd.CANKey(testCAN), mrtd.Options{})
	if !errors.Is(err, mrtd.ErrSecureMessaging) {
		t.Fatalf("plain 9000: %v", err)
	}
}

// plainCommand sends an unprotected command inside the session: the chip answers 6987.
func TestChipRejectsPlainCommand(t *testing.T) {
	chip := newChip(mrtdsim.Config{})
	if _, err := mrtd.Open(context.Background(), chip, mrtd.CANKey(testCAN), mrtd.Options{}); err != nil {
		t.Fatal(err)
	}
	r, _ := chip.Transmit(context.Background(), mustHex("00A4020C020101"))
	if !bytes.Equal(r, mustHex("6987")) {
		t.Fatalf("plain SELECT in session: %X", r)
	}
	// The session is gone: the reader gets 6987 → ErrSecureMessaging.
	r, _ = chip.Transmit(context.Background(), mustHex("0CA4020C00"))
	if !bytes.Equal(r, mustHex("6988")) {
		t.Fatalf("protected command after drop: %X", r)
	}
}

func TestShortReadsAndWrongLength(t *testing.T) {
	for name, cfg := range map[string]mrtdsim.Config{
		"6282 above 0x60": {ShortRead: 0x60},
		"6700 above 0x80": {LimitLe: 0x80},
		"both":            {ShortRead: 0x30, LimitLe: 0x70},
	} {
		files := testFiles(3000)
		cfg.Files = files
		chip := newChip(cfg)
		f, err := mrtd.Read(context.Background(), chip, mrtd.CANKey(testCAN), mrtd.Options{})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		checkFiles(t, f, files)
	}
}

func TestDG3AndMissingFiles(t *testing.T) {
	files := testFiles(400)
	delete(files, 0x010E) // no DG14
	chip := newChip(mrtdsim.Config{Files: files})
	s, err := mrtd.Open(context.Background(), chip, mrtd.CANKey(testCAN), mrtd.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReadFile(context.Background(), mrtd.DG3); !errors.Is(err, mrtd.ErrAccessDenied) {
		t.Errorf("DG3: %v", err)
	}
	if _, err := s.ReadFile(context.Background(), mrtd.FileID(0x010B)); !errors.Is(err, mrtd.ErrFileNotFound) {
		t.Errorf("DG11: %v", err)
	}
	// The session survives both.
	if b, err := s.ReadFile(context.Background(), mrtd.DG1); err != nil || !bytes.Equal(b, files[0x0101]) {
		t.Errorf("DG1 after errors: %v", err)
	}
	f, err := mrtd.Read(context.Background(), newChip(mrtdsim.Config{Files: files}), mrtd.CANKey(testCAN), mrtd.Options{})
	if err != nil || fmt.Sprint(f.Absent) != "[DG14]" || f.DG14 != nil {
		t.Errorf("absent DG14: %v %v", err, f)
	}
}

func TestLargeFileOddINS(t *testing.T) {
	files := testFiles(40000) // beyond offset 0x7FFF: READ BINARY B1
	chip := newChip(mrtdsim.Config{Files: files})
	f, err := mrtd.Read(context.Background(), &limitCheck{t, chip, 244}, mrtd.CANKey(testCAN), mrtd.Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkFiles(t, f, files)
}

func TestExtendedLength(t *testing.T) {
	files := testFiles(20000)
	chip := newChip(mrtdsim.Config{Files: files, ExtendedLength: true})
	f, err := mrtd.Read(context.Background(), chip, mrtd.CANKey(testCAN), mrtd.Options{ExtendedLength: true, MaxLe: 4096})
	if err != nil {
		t.Fatal(err)
	}
	checkFiles(t, f, files)
	short, _ := mrtd.Read(context.Background(), newChip(mrtdsim.Config{Files: files}), mrtd.CANKey(testCAN), mrtd.Options{})
	if f.Stats.APDUs >= short.Stats.APDUs/2 {
		t.Errorf("extended length read used %d APDUs, short %d", f.Stats.APDUs, short.Stats.APDUs)
	}
}

func TestActiveAuthentication(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for name, key := range map[string]crypto.Signer{"RSA": rsaKey, "ECDSA": ecKey} {
		chip := newChip(mrtdsim.Config{AAKey: key})
		f, err := mrtd.Read(context.Background(), chip, mrtd.CANKey(testCAN), mrtd.Options{ActiveAuthentication: true, SkipFace: true})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(f.AAChallenge) != 8 || f.DG2 != nil {
			t.Fatalf("%s: challenge %d bytes, DG2 read %v", name, len(f.AAChallenge), f.DG2 != nil)
		}
		switch k := key.(type) {
		case *rsa.PrivateKey:
			m := new(big.Int).Exp(new(big.Int).SetBytes(f.AASignature), big.NewInt(int64(k.E)), k.N).FillBytes(make([]byte, k.Size()))
			n := len(m)
			sum := sha1.Sum(append(append([]byte(nil), m[1:n-21]...), f.AAChallenge...))
			if m[0] != 0x6A || m[n-1] != 0xBC || !bytes.Equal(m[n-21:n-1], sum[:]) {
				t.Errorf("RSA AA signature does not verify")
			}
		case *ecdsa.PrivateKey:
			d := sha256.Sum256(f.AAChallenge)
			sig := f.AASignature
			r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
			if len(sig) != 64 || !ecdsa.Verify(&k.PublicKey, d[:], r, s) {
				t.Errorf("ECDSA AA signature does not verify")
			}
		}
	}
	// Without a key the chip does not know the command.
	s, err := mrtd.Open(context.Background(), newChip(mrtdsim.Config{}), mrtd.CANKey(testCAN), mrtd.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.InternalAuthenticate(context.Background(), make([]byte, 8)); !errors.Is(err, mrtd.ErrNotSupported) {
		t.Errorf("AA without key: %v", err)
	}
	if _, err := s.ChipAuthenticate(context.Background(), nil); err == nil {
		t.Errorf("CA without DG14 succeeded")
	}
}

func TestInvalidKeys(t *testing.T) {
	chip := newChip(mrtdsim.Config{})
	for _, k := range []mrtd.AccessKey{{}, mrtd.CANKey("12a"), mrtd.MRZAccessKey("203012345", "031320", "280520")} {
		if _, err := mrtd.Read(context.Background(), chip, k, mrtd.Options{}); !errors.Is(err, mrtd.ErrInvalidKey) {
			t.Errorf("%v: %v", k, err)
		}
	}
	if chip.Stats().APDUs != 0 {
		t.Error("invalid keys reached the chip")
	}
}

// BenchmarkRead reads a CCCD with a ~20 KB face through PACE-CAN from the simulated chip.
func BenchmarkRead(b *testing.B) {
	files := testFiles(20000)
	var st mrtd.Stats
	for b.Loop() {
		chip := newChip(mrtdsim.Config{Files: files})
		f, err := mrtd.Read(context.Background(), chip, mrtd.CANKey(testCAN), mrtd.Options{})
		if err != nil {
			b.Fatal(err)
		}
		st = f.Stats
	}
	b.ReportMetric(float64(st.APDUs), "APDUs/op")
	b.ReportMetric(float64(st.BytesSent), "sent-bytes/op")
	b.ReportMetric(float64(st.BytesReceived), "received-bytes/op")
}

// Identity first: OnIdentity comes once, after EF.COM, EF.SOD, DG14 (Chip Authentication), DG1
// and DG13 and before the face, with those files complete and nothing else read yet.
func TestReadIdentityFirst(t *testing.T) {
	chip := newChip(mrtdsim.Config{})
	files := testFiles(20000)
	var order []mrtd.FileID
	calls := 0
	opts := mrtd.Options{OnFile: func(id mrtd.FileID, _ []byte) { order = append(order, id) }}
	opts.OnIdentity = func(f *mrtd.Files) {
		calls++
		if fmt.Sprint(order) != fmt.Sprint(mrtd.IdentityFiles()) {
			t.Errorf("identity after %v, want after %v", order, mrtd.IdentityFiles())
		}
		for _, id := range mrtd.IdentityFiles() {
			if !bytes.Equal(f.File(id), files[uint16(id)]) {
				t.Errorf("%s not complete at the identity", id)
			}
		}
		if f.DG2 != nil || f.DG15 != nil {
			t.Error("files beyond the identity already read")
		}
		if f.Stats.APDUs == 0 || f.Stats.BytesReceived >= 20000 {
			t.Errorf("stats at the identity %+v", f.Stats)
		}
	}
	f, err := mrtd.Read(context.Background(), chip, mrtd.CANKey(testCAN), opts)
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Fatalf("OnIdentity called %d times", calls)
	}
	checkFiles(t, f, files)
}
