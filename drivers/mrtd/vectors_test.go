package mrtd

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/drivers/mrtd/internal/smcrypto"
)

func h(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// script is a transceiver that expects exact commands and plays back answers.
type script struct {
	t     *testing.T
	steps [][2]string
	i     int
}

func (s *script) Transmit(_ context.Context, cmd []byte) ([]byte, error) {
	s.t.Helper()
	if s.i >= len(s.steps) {
		s.t.Fatalf("unexpected command %X", cmd)
	}
	st := s.steps[s.i]
	s.i++
	if want := h(st[0]); !bytes.Equal(cmd, want) {
		s.t.Fatalf("command %d:\n got %X\nwant %X", s.i, cmd, want)
	}
	return h(st[1]), nil
}

func (s *script) done() {
	s.t.Helper()
	if s.i != len(s.steps) {
		s.t.Fatalf("only %d of %d commands sent", s.i, len(s.steps))
	}
}

// The MRZ key uses lds.CheckDigit, the one check digit of the tree (ICAO 9303-3 values).
func TestMRZInformationCheckDigits(t *testing.T) {
	info, err := MRZAccessKey("L898902C<", "690806", "940623").MRZ.Information()
	if err != nil || info != "L898902C<369080619406236" {
		t.Errorf("MRZ_information %q, %v", info, err)
	}
	if _, err := MRZAccessKey("L898-02C", "690806", "940623").MRZ.Information(); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("bad character: %v", err)
	}
}

// ICAO 9303-11 Appendix D.1–D.2 (idcard.md §1.5) and the Vietnamese synthetic example (§4.2).
func TestBACKeys(t *testing.T) {
	for _, c := range []struct {
		key        MRZKey
		info       string
		kEnc, kMac string
	}{
		{MRZKey{"L898902C", "690806", "940623"}, "L898902C<369080619406236", "AB94FDECF2674FDFB9B391F85D7F76F2", "7962D9ECE03D1ACD4C76089DCE131543"},
		{MRZKey{"203012345", "030520", "280520"}, "203012345003052002805209", "DCE91A68D6F20BE5EC6270A2D9BF79AD", "75C11A07077F3837BF373E463BB35451"},
		{MRZKey{"D23145890734", "340712", "950712"}, "D23145890734934071279507122", "", ""},
	} {
		info, err := c.key.Information()
		if err != nil || info != c.info {
			t.Errorf("Information = %q, %v; want %q", info, err, c.info)
		}
		if c.kEnc == "" {
			continue
		}
		kEnc, kMac, err := BACKeys(c.key)
		if err != nil || !bytes.Equal(kEnc, h(c.kEnc)) || !bytes.Equal(kMac, h(c.kMac)) {
			t.Errorf("BACKeys = %X %X %v", kEnc, kMac, err)
		}
	}
	if _, err := (MRZKey{"L898902C", "691306", "940623"}).Information(); err == nil {
		t.Error("month 13 accepted")
	}
	if s := (MRZKey{"L898902C", "690806", "940623"}).String(); strings.Contains(s, "L898902C") {
		t.Error("String leaks the document number")
	}
}

func TestPACEPasswordKeys(t *testing.T) {
	pi, _ := PACEPassword(AccessKey{MRZ: &MRZKey{"T22000129", "640812", "101031"}}, PasswordMRZ)
	if !bytes.Equal(pi, h("7E2D2A41C74EA0B38CD36F863939BFA8E9032AAD")) {
		t.Errorf("π(MRZ) = %X", pi)
	}
	k, _ := PACEPasswordKey(pi, "AES", 128)
	if !bytes.Equal(k, h("89DED1B26624EC1E634C1989302849DD")) {
		t.Errorf("K_π(MRZ) = %X", k)
	}
	pi, _ = PACEPassword(CANKey("012345"), PasswordCAN)
	k, _ = PACEPasswordKey(pi, "AES", 128)
	if !bytes.Equal(k, h("5E5CD537047973C8F8BFDEA168324EC0")) {
		t.Errorf("K_π(CAN) = %X", k)
	}
	if _, err := PACEPassword(CANKey("12a456"), PasswordCAN); err == nil {
		t.Error("non-digit CAN accepted")
	}
}

// TestAppendixD runs BAC and the secure messaging example of ICAO 9303-11 Appendix D.3–D.4
// (idcard.md §1.6–1.7) byte for byte: reading EF.COM is SELECT, READ BINARY 4, READ BINARY 18.
func TestAppendixD(t *testing.T) {
	tr := &script{t: t, steps: [][2]string{
		{"0084000008", "4608F91988702212 9000"},
		{"008200002872C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A728",
			"46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7449 9000"},
		{"0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800", "990290008E08FA855A5D4C50A8ED9000"},
		{"0CB000000D9701048E08ED6705417E96BA5500", "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000"},
		{"0CB000040D9701128E082EA28A70F3C7B53500", "871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000"},
	}}
	s := newSession(tr, Options{ProbeHeader: true, Rand: bytes.NewReader(h("781723860C06C226 0B795240CB7049B01C19B33E32804F0B"))})
	if err := s.bac(context.Background(), MRZKey{"L898902C", "690806", "940623"}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(s.sm.ssc, h("887022120C06C226")) {
		t.Fatalf("SSC %X", s.sm.ssc)
	}
	com, err := s.ReadFile(context.Background(), EFCOM)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(com, h("60145F0104303130365F36063034303030305C026175")) {
		t.Fatalf("EF.COM %X", com)
	}
	if !bytes.Equal(s.sm.ssc, h("887022120C06C22C")) {
		t.Fatalf("final SSC %X", s.sm.ssc)
	}
	tr.done()
	if st := s.Stats(); st.APDUs != 5 {
		t.Errorf("stats %+v", st)
	}
}

func TestBACWrongKey(t *testing.T) {
	tr := &script{t: t, steps: [][2]string{
		{"0084000008", "4608F91988702212 9000"},
		{"008200002872C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A728", "6300"},
	}}
	s := newSession(tr, Options{Rand: bytes.NewReader(h("781723860C06C226 0B795240CB7049B01C19B33E32804F0B"))})
	err := s.bac(context.Background(), MRZKey{"L898902C", "690806", "940623"})
	if !isAuth(err) {
		t.Fatalf("got %v", err)
	}
}

// TestAESSecureMessaging checks AES secure messaging (SSC-derived IV, CMAC over the padded input)
// against the vectors in gmrtd's iso7816/secure_messaging_test.go.
func TestAESSecureMessaging(t *testing.T) {
	sm, err := newSecureMessaging(smcrypto.SuiteAES128, h("cc86415f2ed7e8fd663b754265695ae1"), h("581e84b8ee06c4d3eee30461498d7fb3"), h("000000000000000000000000000000ba"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := sm.wrap(apdu.Command{INS: 0x22, P1: 0x41, P2: 0xA4, Data: h("800a04007f000702020302028401c3")}, false)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := c.Bytes()
	if !bytes.Equal(b, h("0c2241a41d871101980953d37f67558690045d78a853b18a8e08929767a2cef172e200")) {
		t.Errorf("wrapped %X", b)
	}

	sm, _ = newSecureMessaging(smcrypto.SuiteAES128, h("a8e85e938514ec67ae33cda3d43d3c48"), h("27f1adeb705a049a305b0c619b14b9b3"), h("0000000000000000000000000000000b"))
	r, err := sm.unwrap(h("8781e1012fabf9e0655d7e987fd28a8aeb19c9cadd990d49399799ed1fe465bcea56da9ba3024291d40d23d7f1e00485d71faddc6d8c1382e8028dd22efdcc72ed47663d56d20dd6c4b867956fe0507313083ae7fc54fb46133f184febbe13ad6fd3e2616a1f4a829e75ada1a0e443ca738288f6014be8a7745d8259b089e6bee35bcc4bf5b63db5fdd84244f67eca099213b70a861b4487225aa68af684278fceb4cb809de42be3ee95b0e0d72bcdb0ed47cb56efc264e04a9397a90e81ad1d81efa2d14b2ca8ec7bd997f4b1c1fd344d5dee8589c38b227ca4cb35810060a7cc76403e990290008e083eb47ef4fa82afc99000"), true)
	if err != nil {
		t.Fatal(err)
	}
	want := h("a729901d1a71874700133107ec53306404307bc382c63d8c150c3c72080ace05afa0c2bea28e4fb22787139165efba91f90f8aa5814a503ad4eb04a8c7dd22ce2826043004a8c7dd22ce28268b39b55416f0447c2fb77de107dcd2a62e880ea53eeb62d57cb4390295dbc9943ab78696fa504c110461041d1c64f068cf45ffa2a63a81b7c13f6b8847a3e77ef14fe3db7fcafe0cbd10e8e826e03436d646aaef87b2e247d4af1e8abe1d7520f9c2a45cb1eb8e95cfd55262b70b29feec5864e19c054ff99129280e4646217791811142820341263c53150231008cb91e82a3")
	if r.SW != 0x9000 || !bytes.Equal(r.Data, want) {
		t.Errorf("unwrapped %04X %X", r.SW, r.Data)
	}
	if !bytes.Equal(sm.ssc, h("0000000000000000000000000000000c")) {
		t.Errorf("SSC %X", sm.ssc)
	}
}

// TestSecureMessagingRejects: every response MAC is checked, bare 9000 is a downgrade,
// 6987/6988 kill the session, and a dead session stays dead.
func TestSecureMessagingRejects(t *testing.T) {
	fresh := func() *secureMessaging {
		sm, _ := newSecureMessaging(smcrypto.SuiteTDES, h("979EC13B1CBFE9DCD01AB0FED307EAE5"), h("F1CB1F1FB5ADF208806B89DC579DC1F8"), h("887022120C06C227"))
		return sm
	}
	if r, err := fresh().unwrap(h("990290008E08FA855A5D4C50A8ED9000"), true); err != nil || r.SW != 0x9000 {
		t.Fatalf("good response: %v", err)
	}
	for name, resp := range map[string]string{
		"tampered MAC":  "990290008E08FA855A5D4C50A8EE9000",
		"tampered SW":   "990262828E08FA855A5D4C50A8ED9000",
		"outer SW":      "990290008E08FA855A5D4C50A8ED6282",
		"bare 9000":     "9000",
		"6988":          "6988",
		"6987":          "6987",
		"no DO8E":       "990290009000",
		"garbage":       "FFFF9000",
		"data after 8E": "990290008E08FA855A5D4C50A8ED01009000",
	} {
		sm := fresh()
		_, err := sm.unwrap(h(resp), true)
		if !isSM(err) || !sm.dead {
			t.Errorf("%s: err %v, dead %v", name, err, sm.dead)
		}
		if _, err := sm.wrap(apdu.Command{INS: 0xB0, Ne: 4}, false); !isSM(err) {
			t.Errorf("%s: dead session still wraps", name)
		}
	}
	// A bare error status is passed through without advancing the SSC.
	sm := fresh()
	r, err := sm.unwrap(h("6A82"), true)
	if err != nil || r.SW != 0x6A82 || !bytes.Equal(sm.ssc, h("887022120C06C227")) || sm.dead {
		t.Errorf("bare 6A82: %v %04X %X", err, r.SW, sm.ssc)
	}
	// …but not for a file the SOD lists: there it is a downgrade that kills the session.
	sm = fresh()
	if _, err := sm.unwrap(h("6A82"), false); !isSM(err) || !sm.dead {
		t.Errorf("bare 6A82 for a listed file: %v dead %v", err, sm.dead)
	}
}

// TestAppendixG1 runs PACE ECDH-GM AES-128 on brainpoolP256r1 with the values of ICAO 9303-11
// Appendix G.1 (idcard.md §2.2) byte for byte.
func TestAppendixG1(t *testing.T) {
	tr := &script{t: t, steps: [][2]string{
		{"0022C1A412800A04007F0007020204020283010184010D", "9000"},
		{"10860000027C0000", "7C12801095A3A016522EE98D01E76CB6B98B42C39000"},
		{"10860000457C438141047ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D00",
			"7C43824104824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F5730D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C549000"},
		{"10860000457C438341042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB3646200",
			"7C438441049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F0949000"},
		{"008600000C7C0A8508C2B0BD78D94BA86600", "7C0A86083ABB9674BCE93C089000"},
	}}
	infos, err := ParseSecurityInfos(h("31143012060A04007F0007020204020202010202010D"))
	if err != nil {
		t.Fatal(err)
	}
	info, ok := ChoosePACE(infos)
	if !ok {
		t.Fatal("PACEInfo not chosen")
	}
	rnd := h("7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99" + "A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595")
	s := newSession(tr, Options{Rand: bytes.NewReader(rnd)})
	key := AccessKey{MRZ: &MRZKey{"T22000129", "640812", "101031"}}
	if err := s.pace(context.Background(), info, key, PasswordMRZ); err != nil {
		t.Fatal(err)
	}
	tr.done()
	if s.Access() != "PACE-MRZ" {
		t.Errorf("access %q", s.Access())
	}
	// Session keys KS_enc F5F0E35C…, KS_mac FE251C78…: check through the MAC of a known SSC.
	want, _ := smcrypto.NewKeys(smcrypto.SuiteAES128, h("F5F0E35C0D7161EE6724EE513A0D9A7F"), h("FE251C7858B356B24514B3BD5F4297D1"))
	m1, _ := want.SSCMAC(make([]byte, 16), []byte("x"))
	m2, _ := s.sm.keys.SSCMAC(make([]byte, 16), []byte("x"))
	if !bytes.Equal(m1, m2) || !bytes.Equal(s.sm.ssc, make([]byte, 16)) {
		t.Error("session keys or SSC differ from Appendix G.1")
	}
}

func TestParseSecurityInfosCCCD(t *testing.T) {
	ca := h("3134300d060804007f0007020202020101300f060a04007f000702020302020201013012060a04007f0007020204020202010202010d")
	infos, err := ParseSecurityInfos(ca)
	if err != nil || len(infos) != 3 {
		t.Fatalf("%v %d", err, len(infos))
	}
	if infos[0].Protocol != "0.4.0.127.0.7.2.2.2" || infos[1].Protocol != "0.4.0.127.0.7.2.2.3.2.2" {
		t.Errorf("protocols %q %q", infos[0].Protocol, infos[1].Protocol)
	}
	p, ok := ChoosePACE(infos)
	if !ok || p.ParameterID != 13 || p.Version != 2 || p.PACEName() != "PACE-ECDH-GM-AES-128" {
		t.Errorf("PACE %+v %v %s", p, ok, p.PACEName())
	}
	// DH generic mapping is recognised but not supported.
	dh := h("31143012060A04007F0007020204010202010202010D")
	infos, _ = ParseSecurityInfos(dh)
	if _, ok := ChoosePACE(infos); ok {
		t.Error("PACE-DH-GM offered as supported")
	}
	for _, bad := range []string{"", "30", "3103020101", "31053003060100", "310430020601"} {
		if _, err := ParseSecurityInfos(h(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestParseDynamicAuthData(t *testing.T) {
	v, err := parseDynamicAuthData(h("7C12801095A3A016522EE98D01E76CB6B98B42C3"), 0x80)
	if err != nil || !bytes.Equal(v, h("95A3A016522EE98D01E76CB6B98B42C3")) {
		t.Fatal(v, err)
	}
	for _, bad := range []string{"7C00", "7C028000", "7D00", "7C0281", "7C0A86083ABB9674BCE93C0800"} {
		if _, err := parseDynamicAuthData(h(bad), 0x80); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// TestReadBinaryLengthRecovery: 6Cxx gives the Le to use, 6700 makes the Le smaller for the rest
// of the session, 6282 with data is taken as it is.
func TestReadBinaryLengthRecovery(t *testing.T) {
	tr := &script{t: t, steps: [][2]string{
		{"00A4020C02011E", "9000"},
		{"00B0000004", "60145F01 9000"},
		{"00B0000412", "6C10"},
		{"00B0000410", "04303130365F36063034303030305C02 9000"},
		{"00B0001402", "6700"},
		{"00B0001401", "61 6282"},
		{"00B0001501", "75 9000"},
	}}
	s := newSession(tr, Options{ProbeHeader: true})
	com, err := s.ReadFile(context.Background(), EFCOM)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(com, h("60145F0104303130365F36063034303030305C026175")) {
		t.Fatalf("EF.COM %X", com)
	}
	tr.done()
}

func TestPACEDHNotSupported(t *testing.T) {
	tr := &script{t: t, steps: [][2]string{
		{"00A4020C02011C", "9000"},
		{"00B0000004", "31143012 9000"},
		{"00B0000412", "060A04007F0007020204010202010202010D 9000"},
	}}
	s := newSession(tr, Options{ProbeHeader: true})
	err := s.tryPACE(context.Background(), CANKey("123456"))
	if !errors.Is(err, ErrNotSupported) || !strings.Contains(err.Error(), "PACE-DH-GM-AES-128") {
		t.Fatalf("got %v", err)
	}
}
