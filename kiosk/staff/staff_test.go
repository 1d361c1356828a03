package staff

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestHashAndVerify(t *testing.T) {
	h, err := HashPIN("482913")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") || strings.Contains(h, "482913") {
		t.Fatalf("hash %q", h)
	}
	h2, _ := HashPIN("482913")
	if h == h2 {
		t.Fatal("two hashes of one PIN are equal: no salt")
	}
	if ok, err := VerifyPIN(h, "482913"); !ok || err != nil {
		t.Fatal("right PIN refused", err)
	}
	if ok, _ := VerifyPIN(h, "482914"); ok {
		t.Fatal("wrong PIN accepted")
	}
	for _, bad := range []string{"12345", "1234567890123", "12a456", ""} {
		if _, err := HashPIN(bad); !errors.Is(err, ErrBadPIN) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=999999999,t=3,p=2$AA$AA", "$argon2id$v=19$m=65536,t=3,p=2$!!$AA"} {
		if _, err := VerifyPIN(bad, "123456"); err == nil {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
}

func TestLockout(t *testing.T) {
	h, _ := HashPIN("482913")
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	g := NewGuard(h, 3, 15*time.Minute, func() time.Time { return now })
	for i := 0; i < 2; i++ {
		if _, err := g.Login("000000"); !errors.Is(err, ErrWrongPIN) {
			t.Fatal(err)
		}
	}
	if _, err := g.Login("000000"); !errors.Is(err, ErrLocked) {
		t.Fatalf("third wrong PIN: %v", err)
	}
	// Locked: even the right PIN is refused.
	if _, err := g.Login("482913"); !errors.Is(err, ErrLocked) {
		t.Fatalf("during lockout: %v", err)
	}
	now = now.Add(16 * time.Minute)
	tok, err := g.Login("482913")
	if err != nil || tok == "" {
		t.Fatalf("after lockout: %v", err)
	}
	if err := g.Check(tok); err != nil {
		t.Fatal(err)
	}
	if err := g.Check("forged"); !errors.Is(err, ErrSession) {
		t.Fatal("forged token accepted")
	}
	now = now.Add(16 * time.Minute)
	if err := g.Check(tok); !errors.Is(err, ErrSession) {
		t.Fatal("expired token accepted")
	}
	if _, err := NewGuard("", 3, time.Minute, nil).Login("482913"); !errors.Is(err, ErrNoPIN) {
		t.Fatal("no PIN configured but login worked")
	}
}
