package mrtd

import (
	"math/big"
	"testing"

	"github.com/tramso/tramso/drivers/mrtd/internal/ec"
	"github.com/tramso/tramso/drivers/mrtd/internal/smcrypto"
	"github.com/tramso/tramso/drivers/tlv"
)

func FuzzUnwrapResponse(f *testing.F) {
	f.Add(h("990290008E08FA855A5D4C50A8ED9000"))
	f.Add(h("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000"))
	f.Add(h("6A82"))
	f.Add(h("9000"))
	f.Add(h("8509010203040506070809990262828E0800000000000000006282"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, ssc := range [][]byte{h("887022120C06C227"), h("887022120C06C229")} {
			sm, err := newSecureMessaging(smcrypto.SuiteTDES, h("979EC13B1CBFE9DCD01AB0FED307EAE5"), h("F1CB1F1FB5ADF208806B89DC579DC1F8"), ssc)
			if err != nil {
				t.Fatal(err)
			}
			r, err := sm.unwrap(b, true)
			if err == nil && len(b) > 2 && r.SW == 0x9000 && sm.dead {
				t.Fatal("accepted on a dead session")
			}
			if err != nil && len(b) > 2 && !sm.dead {
				t.Fatalf("failed response left the session alive: %v", err)
			}
		}
		sm, _ := newSecureMessaging(smcrypto.SuiteAES128, make([]byte, 16), make([]byte, 16), make([]byte, 16))
		_, _ = sm.unwrap(b, true)
	})
}

func FuzzParseSecurityInfos(f *testing.F) {
	f.Add(h("3134300d060804007f0007020202020101300f060a04007f000702020302020201013012060a04007f0007020204020202010202010d"))
	f.Add(h("31143012060A04007F0007020204020202010202010D"))
	f.Add(h("3100"))
	// PACEInfo with proprietary id 32 and a PACEDomainParameterInfo spelling out brainpoolP256r1.
	f.Add(h("318201143012060a04007f000702020402020201020201203081fd060904007f0007020204023081ec06072a8648ce3d" +
		"02013081e0020101302c06072a8648ce3d0101022100a9fb57dba1eea9bc3e660a909d838d726e3bf623d52620282013" +
		"481d1f6e5377304404207d5a0975fc2c3057eef67530417affe7fb8055c126dc5c6ce94a4b44f330b5d9042026dc5c6c" +
		"e94a4b44f330b5d9bbd77cbf958416295cf7e1ce6bccdc18ff8c07b60441048bd2aeb9cb7e57cb2c4b482ffc81b7afb9" +
		"de27e1e3bd23c23a4453bd9ace3262547ef835c3dac4fd97f8461a14611dc9c27745132ded8e545c1d54c72f04699702" +
		"2100a9fb57dba1eea9bc3e660a909d838d718c397aa3b561a6f7901e0e82974856a7020101020120"))
	f.Fuzz(func(t *testing.T, b []byte) {
		infos, err := ParseSecurityInfos(b)
		if err != nil {
			return
		}
		if p, ok := ChoosePACE(infos); ok && (!p.Supported() || p.CurveParameterID() < 12 || p.CurveParameterID() > 18) {
			t.Fatal("unsupported PACEInfo chosen")
		}
		for _, i := range infos {
			_ = i.PACEName()
		}
	})
}

func FuzzParseDynamicAuthData(f *testing.F) {
	f.Add(h("7C12801095A3A016522EE98D01E76CB6B98B42C3"), byte(0x80))
	f.Add(h("7C0A86083ABB9674BCE93C08"), byte(0x86))
	f.Add(h("7C43824104824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F5730D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54"), byte(0x82))
	f.Fuzz(func(t *testing.T, b []byte, tag byte) {
		v, err := parseDynamicAuthData(b, tlv.Tag(0x80|tag&0x07))
		if err == nil && len(v) == 0 {
			t.Fatal("empty value returned without error")
		}
	})
}

func FuzzParseChipAuth(f *testing.F) {
	// DG14 of a CCCD-like chip: id-CA-ECDH-AES-CBC-CMAC-128 and a brainpoolP256r1 key (named).
	f.Add(h("6e7c317a300f060a04007f000702020302020201013067060904007f000702020102305a301406072a8648ce3d02" +
		"0106092b2403030208010107034200044960841804f1c849c8a78508fa00811e0d906e61d9d6a8edde59357c68d5f8eb" +
		"72615b7464b2bfa0d8751ac1020cfa03d6fdb61b1b9ccf0ce7309e2e70e6082c"))
	f.Add(h("6E0C310A3008060604007F000702"))
	f.Add(h("6E00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, offered, err := parseChipAuth(b)
		if err == nil {
			if !offered || !p.suite.Valid() || len(p.oid) == 0 || (p.curve == nil) == (p.dh == nil) {
				t.Fatalf("accepted unusable Chip Authentication %+v", p)
			}
			if p.curve != nil {
				if !p.curve.IsOnCurve(p.pub) {
					t.Fatal("point not on the curve accepted")
				}
				if _, ok := ec.Standard(p.curve.P, p.curve.A, p.curve.B, p.curve.Gx, p.curve.Gy, p.curve.N); !ok {
					t.Fatal("non-standard curve accepted")
				}
			}
			if p.dh != nil && new(big.Int).Exp(p.dh.y, p.dh.q, p.dh.p).Cmp(big.NewInt(1)) != 0 {
				t.Fatal("DH public value outside the subgroup accepted")
			}
		}
	})
}

func FuzzParseCAResponse(f *testing.F) {
	f.Add([]byte{})
	f.Add(h("7C00"))
	f.Add(h("7C0A8108000102030405060708"))
	f.Add(h("7C"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if parseCAResponse(b) == nil && len(b) > 0 && b[0] != 0x7C {
			t.Fatal("accepted an answer that is not a 7C template")
		}
	})
}
