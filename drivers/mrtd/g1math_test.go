package mrtd

import (
	"bytes"
	"math/big"
	"testing"

	"github.com/tramso/tramso/drivers/mrtd/internal/ec"
	"github.com/tramso/tramso/drivers/mrtd/internal/smcrypto"
)

// TestAppendixG1Steps checks each intermediate value of Appendix G.1 (idcard.md §2.2).
func TestAppendixG1Steps(t *testing.T) {
	s := smcrypto.SuiteAES128
	kpi, _ := smcrypto.NewKeys(s, h("89DED1B26624EC1E634C1989302849DD"), make([]byte, 16))
	nonce, _ := kpi.Decrypt(nil, h("95A3A016522EE98D01E76CB6B98B42C3"))
	if !bytes.Equal(nonce, h("3F00C4D39D153F2B2A214A078D899B22")) {
		t.Fatalf("nonce %X", nonce)
	}
	c, _ := ec.ByParamID(13)
	skMap := new(big.Int).SetBytes(h("7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99"))
	pkMapIC, err := c.Unmarshal(h("04824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F5730D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54"))
	if err != nil {
		t.Fatal(err)
	}
	H := c.ScalarMult(pkMapIC, skMap)
	if !bytes.Equal(c.Marshal(H), h("04 60332EF2450B5D247EF6D3868397D398852ED6E8CAF6FFEEF6BF85CA57057FD5 0840CA7415BAF3E43BD414D35AA4608B93A2CAF3A4E3EA4E82C9C13D03EB7181")) {
		t.Errorf("H %X", c.Marshal(H))
	}
	G := c.Add(c.ScalarBaseMult(new(big.Int).SetBytes(nonce)), H)
	if !bytes.Equal(c.Marshal(G), h("04 8CED63C91426D4F0EB1435E7CB1D74A46723A0AF21C89634F65A9AE87A9265E2 8C879506743F8611AC33645C5B985C80B5F09A0B83407C1B6A4D857AE76FE522")) {
		t.Errorf("G' %X", c.Marshal(G))
	}
	skEph := new(big.Int).SetBytes(h("A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595"))
	pkIC, _ := c.Unmarshal(h("049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094"))
	K := c.FieldBytes(c.ScalarMult(pkIC, skEph).X)
	if !bytes.Equal(K, h("28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925")) {
		t.Errorf("K %X", K)
	}
	if e, m := smcrypto.KDF(K, 1, s), smcrypto.KDF(K, 2, s); !bytes.Equal(e, h("F5F0E35C0D7161EE6724EE513A0D9A7F")) || !bytes.Equal(m, h("FE251C7858B356B24514B3BD5F4297D1")) {
		t.Errorf("KS_enc %X KS_mac %X", e, m)
	}
}

func TestPadAndParity(t *testing.T) {
	if got := smcrypto.Pad(h("1234567880"), 8); !bytes.Equal(got, h("1234567880800000")) {
		t.Errorf("%X", got)
	}
	if got := smcrypto.Pad(nil, 8); !bytes.Equal(got, h("8000000000000000")) {
		t.Errorf("%X", got)
	}
	if got := smcrypto.Pad(h("1234567890ABCDEF"), 8); !bytes.Equal(got, h("1234567890ABCDEF8000000000000000")) {
		t.Errorf("%X", got)
	}
	k := h("AB94FCEDF2664EDFB9B291F85D7F77F27862D9ECE03C1BCD4D77089DCF131442")
	smcrypto.AdjustParity(k)
	if !bytes.Equal(k, h("AB94FDECF2674FDFB9B391F85D7F76F27962D9ECE03D1ACD4C76089DCE131543")) {
		t.Errorf("parity %X", k)
	}
}
