package smcrypto

import (
	"bytes"
	"encoding/hex"
	"testing"
)

func hx(s string) []byte {
	b, _ := hex.DecodeString(s)
	return b
}

// RFC 4493 §4 examples.
func TestCMAC(t *testing.T) {
	key := hx("2b7e151628aed2a6abf7158809cf4f3c")
	msg := hx("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710")
	for _, c := range []struct {
		n    int
		want string
	}{{0, "bb1d6929e95937287fa37d129b756746"}, {16, "070a16b46b4d4144f79bdd9dd04a287c"}, {40, "dfa66747de9ae63030ca32611497c827"}, {64, "51f0bebf7e3b9d92fc49741779363cfe"}} {
		got, err := CMAC(key, msg[:c.n])
		if err != nil || !bytes.Equal(got, hx(c.want)) {
			t.Errorf("CMAC over %d bytes = %x", c.n, got)
		}
	}
}

func TestUnpad(t *testing.T) {
	for in, want := range map[string]string{"1234800000": "1234", "80": "", "12800000000000000000": "12"} {
		got, err := Unpad(hx(in))
		if err != nil || !bytes.Equal(got, hx(want)) {
			t.Errorf("Unpad(%s) = %x, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "0000", "1234", "8001"} {
		if _, err := Unpad(hx(in)); err == nil {
			t.Errorf("Unpad(%s) accepted", in)
		}
	}
}

func TestIncrement(t *testing.T) {
	s := hx("00ff")
	Increment(s)
	if !bytes.Equal(s, hx("0100")) {
		t.Errorf("%x", s)
	}
	s = hx("ffff")
	Increment(s)
	if !bytes.Equal(s, hx("0000")) {
		t.Errorf("%x", s)
	}
}
