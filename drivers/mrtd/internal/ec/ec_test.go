package ec

import (
	"crypto/ecdh"
	"crypto/rand"
	"math/big"
	"testing"
)

func TestCurvesAreConsistent(t *testing.T) {
	for _, id := range []int{12, 13, 14, 15, 16, 17, 18} {
		c, ok := ByParamID(id)
		if !ok {
			t.Fatalf("param %d missing", id)
		}
		if !c.IsOnCurve(c.G()) {
			t.Errorf("%s: G not on curve", c.Name)
		}
		if !c.ScalarBaseMult(c.N).Infinity() {
			t.Errorf("%s: N·G is not infinity", c.Name)
		}
		nm1 := new(big.Int).Sub(c.N, big.NewInt(1))
		p := c.ScalarBaseMult(nm1) // -G
		if p.X.Cmp(c.Gx) != 0 || new(big.Int).Add(p.Y, c.Gy).Cmp(c.P) != 0 {
			t.Errorf("%s: (N-1)·G is not -G", c.Name)
		}
	}
	if _, ok := ByParamID(11); ok {
		t.Error("param 11 should be unsupported")
	}
}

// The NIST curves must agree with crypto/ecdh.
func TestAgainstStdlib(t *testing.T) {
	for id, curve := range map[int]ecdh.Curve{12: ecdh.P256(), 15: ecdh.P384(), 18: ecdh.P521()} {
		c, _ := ByParamID(id)
		k, err := curve.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		p := c.ScalarBaseMult(new(big.Int).SetBytes(k.Bytes()))
		if got, want := c.Marshal(p), k.PublicKey().Bytes(); string(got) != string(want) {
			t.Errorf("%s: public key differs from crypto/ecdh", c.Name)
		}
		back, err := c.Unmarshal(k.PublicKey().Bytes())
		if err != nil || back.X.Cmp(p.X) != 0 {
			t.Errorf("%s: unmarshal: %v", c.Name, err)
		}
	}
}

func TestUnmarshalRejects(t *testing.T) {
	c, _ := ByParamID(13)
	good := c.Marshal(c.G())
	bad := append([]byte(nil), good...)
	bad[len(bad)-1] ^= 1
	if _, err := c.Unmarshal(bad); err == nil {
		t.Error("point off the curve accepted")
	}
	if _, err := c.Unmarshal(good[:10]); err == nil {
		t.Error("short point accepted")
	}
}
