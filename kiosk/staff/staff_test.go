package staff

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
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

// The guard's tests use light argon2id hashes (the guard verifies with the hash's own parameters):
// the real ones take 64 MiB and a noticeable time each.
var (
	staffHash = lightHash("482913")
	techHash  = lightHash("907351")
)

func lightHash(pin string) string {
	salt := []byte("0123456789abcdef")
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=64,t=1,p=1$%s$%s", argon2.Version, enc.EncodeToString(salt),
		enc.EncodeToString(argon2.IDKey([]byte(pin), salt, 1, 64, 1, 32)))
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newClock() *clock { return &clock{time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)} }

func guard(t *testing.T, c *clock, file string) *Guard {
	t.Helper()
	g, err := New(Options{StaffHash: staffHash, TechnicianHash: techHash, LockoutAfter: 3, Lockout: 15 * time.Minute,
		LockoutFile: file, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestLockout(t *testing.T) {
	c := newClock()
	g := guard(t, c, "")
	for i := 0; i < 2; i++ {
		if _, err := g.Login("uid:1", "000000"); !errors.Is(err, ErrWrongPIN) {
			t.Fatal(err)
		}
	}
	if _, err := g.Login("uid:1", "000000"); !errors.Is(err, ErrLocked) {
		t.Fatalf("third wrong PIN: %v", err)
	}
	// Locked: even the right PIN is refused.
	if _, err := g.Login("uid:1", "482913"); !errors.Is(err, ErrLocked) {
		t.Fatalf("during lockout: %v", err)
	}
	c.t = c.t.Add(16 * time.Minute)
	s, err := g.Login("uid:1", "482913")
	if err != nil || s.Token == "" || s.Role != RoleStaff {
		t.Fatalf("after lockout: %+v %v", s, err)
	}
	if _, err := g.Check(s.Token, RoleStaff); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Check("forged", RoleStaff); !errors.Is(err, ErrSession) {
		t.Fatal("forged token accepted")
	}
	c.t = c.t.Add(16 * time.Minute)
	if _, err := g.Check(s.Token, RoleStaff); !errors.Is(err, ErrSession) {
		t.Fatal("expired token accepted")
	}
	g0, _ := New(Options{LockoutAfter: 3, Lockout: time.Minute})
	if _, err := g0.Login("uid:1", "482913"); !errors.Is(err, ErrNoPIN) {
		t.Fatal("no PIN configured but login worked")
	}
}

// A token used every 14 minutes still ends at its absolute lifetime (8 h).
func TestAbsoluteLifetime(t *testing.T) {
	c := newClock()
	g := guard(t, c, "")
	s, err := g.Login("uid:1", "482913")
	if err != nil {
		t.Fatal(err)
	}
	if !s.Expires.Equal(c.t.Add(8 * time.Hour)) {
		t.Fatalf("expires %v", s.Expires)
	}
	start := c.t
	for c.t.Sub(start) < 8*time.Hour-14*time.Minute {
		c.t = c.t.Add(14 * time.Minute)
		if _, err := g.Check(s.Token, RoleStaff); err != nil {
			t.Fatalf("at %v: %v", c.t.Sub(start), err)
		}
	}
	c.t = start.Add(8*time.Hour + time.Second)
	if _, err := g.Check(s.Token, RoleStaff); !errors.Is(err, ErrSession) {
		t.Fatalf("token valid %v after login: %v", c.t.Sub(start), err)
	}
}

func TestLogoutAndRevoke(t *testing.T) {
	c := newClock()
	g := guard(t, c, "")
	s, _ := g.Login("uid:1", "482913")
	if !g.Logout(s.Token) {
		t.Fatal("logout of a live token said it was not one")
	}
	if _, err := g.Check(s.Token, RoleStaff); !errors.Is(err, ErrSession) {
		t.Fatal("token valid after logout")
	}
	if g.Logout(s.Token) {
		t.Fatal("a second logout found the token")
	}
	a, _ := g.Login("uid:1", "482913")
	b, _ := g.Login("uid:2", "907351")
	if !g.Technician() {
		t.Fatal("technician session not seen")
	}
	if n := g.RevokeAll(); n != 2 {
		t.Fatalf("revoked %d, want 2", n)
	}
	for _, tok := range []string{a.Token, b.Token} {
		if _, err := g.Check(tok, RoleStaff); !errors.Is(err, ErrSession) {
			t.Fatal("token valid after RevokeAll")
		}
	}
	if g.Technician() {
		t.Fatal("technician session after RevokeAll")
	}
}

// The technician's functions need the technician's PIN: a staff token is refused.
func TestTechnicianRole(t *testing.T) {
	c := newClock()
	g := guard(t, c, "")
	st, _ := g.Login("uid:1", "482913")
	te, err := g.Login("uid:1", "907351")
	if err != nil || te.Role != RoleTechnician {
		t.Fatalf("technician login: %+v %v", te, err)
	}
	if r, err := g.Check(st.Token, RoleTechnician); !errors.Is(err, ErrForbidden) || r != RoleStaff {
		t.Fatalf("staff token for a technician function: %v %v", r, err)
	}
	if _, err := g.Check(st.Token, RoleStaff); err != nil {
		t.Fatalf("the refusal ended the staff session: %v", err)
	}
	for _, need := range []Role{RoleStaff, RoleTechnician} {
		if _, err := g.Check(te.Token, need); err != nil {
			t.Fatalf("technician token for %s: %v", need, err)
		}
	}
	// Without a technician PIN configured, the technician role cannot be had.
	g2, _ := New(Options{StaffHash: staffHash, LockoutAfter: 3, Lockout: time.Minute, Now: c.now})
	if _, err := g2.Login("uid:1", "907351"); !errors.Is(err, ErrWrongPIN) {
		t.Fatalf("technician PIN with none configured: %v", err)
	}
}

// Wrong PINs are counted per source, and the count survives a restart.
func TestLockoutPerSourceAndPersistent(t *testing.T) {
	c := newClock()
	file := filepath.Join(t.TempDir(), "staff-lockout.json")
	g := guard(t, c, file)
	for i := 0; i < 2; i++ {
		g.Login("uid:1001", "000000")
	}
	// Another source's good login does not clear uid:1001's failures.
	if _, err := g.Login("uid:0", "482913"); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Login("uid:1001", "000000"); !errors.Is(err, ErrLocked) {
		t.Fatalf("third wrong PIN after another source logged in: %v", err)
	}
	// The other source is not locked.
	if _, err := g.Login("uid:0", "482913"); err != nil {
		t.Fatalf("other source: %v", err)
	}
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("lockout file: %v", err)
	}
	// kioskd restarts: the lock holds.
	g2 := guard(t, c, file)
	if _, err := g2.Login("uid:1001", "482913"); !errors.Is(err, ErrLocked) {
		t.Fatalf("after a restart: %v", err)
	}
	c.t = c.t.Add(16 * time.Minute)
	if _, err := g2.Login("uid:1001", "482913"); err != nil {
		t.Fatal(err)
	}
	// Two wrong PINs, a restart, one more: locked (the count is kept, not just the lock).
	g2.Login("uid:1002", "000000")
	g2.Login("uid:1002", "000000")
	g3 := guard(t, c, file)
	if _, err := g3.Login("uid:1002", "000000"); !errors.Is(err, ErrLocked) {
		t.Fatalf("count not kept over a restart: %v", err)
	}
	// A damaged file locks every source rather than clearing the count.
	os.WriteFile(file, []byte("{not json"), 0o600)
	g4, err := New(Options{StaffHash: staffHash, LockoutAfter: 3, Lockout: 15 * time.Minute, LockoutFile: file, Now: c.now})
	if !errors.Is(err, ErrLockoutState) || g4 == nil {
		t.Fatalf("damaged file: %v", err)
	}
	if _, err := g4.Login("uid:7", "482913"); !errors.Is(err, ErrLocked) {
		t.Fatalf("damaged file: %v", err)
	}
}

func FuzzParseLockouts(f *testing.F) {
	f.Add([]byte(`{"sources":{"uid:1":{"fails":2,"until":"2026-11-25T09:00:00Z"}}}`))
	f.Add([]byte(`{"all":"2026-11-25T09:00:00Z","sources":null}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var l lockouts
		if parseLockouts(b, &l) == nil {
			if l.Sources == nil || len(l.Sources) > maxSources {
				t.Fatal("accepted state out of bounds")
			}
			for _, v := range l.Sources {
				if v == nil || v.Fails < 0 {
					t.Fatal("accepted a bad entry")
				}
			}
		}
	})
}
