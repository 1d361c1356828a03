package mrtd

import (
	"testing"

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
			r, err := sm.unwrap(b)
			if err == nil && len(b) > 2 && r.SW == 0x9000 && sm.dead {
				t.Fatal("accepted on a dead session")
			}
			if err != nil && len(b) > 2 && !sm.dead {
				t.Fatalf("failed response left the session alive: %v", err)
			}
		}
		sm, _ := newSecureMessaging(smcrypto.SuiteAES128, make([]byte, 16), make([]byte, 16), make([]byte, 16))
		_, _ = sm.unwrap(b)
	})
}

func FuzzParseSecurityInfos(f *testing.F) {
	f.Add(h("3134300d060804007f0007020202020101300f060a04007f000702020302020201013012060a04007f0007020204020202010202010d"))
	f.Add(h("31143012060A04007F0007020204020202010202010D"))
	f.Add(h("3100"))
	f.Fuzz(func(t *testing.T, b []byte) {
		infos, err := ParseSecurityInfos(b)
		if err != nil {
			return
		}
		if p, ok := ChoosePACE(infos); ok && !p.Supported() {
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
