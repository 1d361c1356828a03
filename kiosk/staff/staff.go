// Package staff guards the counter staff's functions on the kiosk (today's dossiers, reprint, retry,
// device status): a PIN stored only as an argon2id hash, a lockout after repeated wrong PINs, and
// short-lived staff session tokens.
package staff

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters (RFC 9106 second recommendation, memory-constrained): 64 MiB, 3 passes.
const (
	memoryKiB = 64 * 1024
	passes    = 3
	lanes     = 2
	keyLen    = 32
)

// Errors.
var (
	ErrWrongPIN = errors.New("mã PIN không đúng (wrong PIN)")
	ErrLocked   = errors.New("đăng nhập cán bộ tạm khóa do nhập sai nhiều lần (staff login locked after repeated wrong PINs)")
	ErrNoPIN    = errors.New("chưa đặt mã PIN cán bộ; đặt bằng kioskctl staff hash-pin (no staff PIN configured)")
	ErrBadPIN   = errors.New("mã PIN cần 6 đến 12 chữ số (the PIN must be 6 to 12 digits)")
	ErrSession  = errors.New("phiên cán bộ hết hạn, hãy đăng nhập lại (staff session expired: log in again)")
)

// HashPIN returns the PHC-format argon2id hash of a PIN: $argon2id$v=19$m=65536,t=3,p=2$salt$hash.
func HashPIN(pin string) (string, error) {
	if len(pin) < 6 || len(pin) > 12 || strings.Trim(pin, "0123456789") != "" {
		return "", ErrBadPIN
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pin), salt, passes, memoryKiB, lanes, keyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, memoryKiB, passes, lanes,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// VerifyPIN reports whether pin matches the hash, in constant time.
func VerifyPIN(hash, pin string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, fmt.Errorf("mã băm PIN sai dạng (malformed PIN hash)")
	}
	var v int
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false, fmt.Errorf("mã băm PIN sai phiên bản (PIN hash version)")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || m > 1<<20 || t == 0 || t > 16 || p == 0 {
		return false, fmt.Errorf("mã băm PIN sai tham số (PIN hash parameters)")
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false, fmt.Errorf("mã băm PIN hỏng (corrupt PIN hash)")
	}
	got := argon2.IDKey([]byte(pin), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// Guard checks PINs with a lockout and issues staff session tokens.
type Guard struct {
	hash         string
	lockoutAfter int
	lockout      time.Duration
	sessionTTL   time.Duration
	now          func() time.Time

	mu          sync.Mutex
	fails       int
	lockedUntil time.Time
	tokens      map[string]time.Time
}

// NewGuard returns a guard for the PIN hash (empty: staff login is impossible until one is set).
// now may be nil (time.Now).
func NewGuard(hash string, lockoutAfter int, lockout time.Duration, now func() time.Time) *Guard {
	if now == nil {
		now = time.Now
	}
	return &Guard{hash: hash, lockoutAfter: max(1, lockoutAfter), lockout: lockout, sessionTTL: 15 * time.Minute,
		now: now, tokens: map[string]time.Time{}}
}

// Login checks a PIN and returns a staff session token. After lockoutAfter wrong PINs in a row,
// every attempt fails with ErrLocked (without checking the PIN) until the lockout has passed.
func (g *Guard) Login(pin string) (string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.hash == "" {
		return "", ErrNoPIN
	}
	now := g.now()
	if now.Before(g.lockedUntil) {
		return "", fmt.Errorf("%w: còn %d phút (%d min left)", ErrLocked, minutesLeft(g.lockedUntil.Sub(now)), minutesLeft(g.lockedUntil.Sub(now)))
	}
	ok, err := VerifyPIN(g.hash, pin)
	if err != nil {
		return "", err
	}
	if !ok {
		g.fails++
		if g.fails >= g.lockoutAfter {
			g.fails = 0
			g.lockedUntil = now.Add(g.lockout)
			return "", fmt.Errorf("%w: %d phút (%d min)", ErrLocked, minutesLeft(g.lockout), minutesLeft(g.lockout))
		}
		return "", fmt.Errorf("%w: còn %d lần thử (%d tries left)", ErrWrongPIN, g.lockoutAfter-g.fails, g.lockoutAfter-g.fails)
	}
	g.fails = 0
	b := make([]byte, 24)
	rand.Read(b)
	tok := hex.EncodeToString(b)
	g.tokens[tok] = now.Add(g.sessionTTL)
	for t, exp := range g.tokens {
		if now.After(exp) {
			delete(g.tokens, t)
		}
	}
	return tok, nil
}

func minutesLeft(d time.Duration) int { return int((d + time.Minute - 1) / time.Minute) }

// Check reports whether the token is a live staff session, and extends it.
func (g *Guard) Check(token string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	exp, ok := g.tokens[token]
	now := g.now()
	if !ok || now.After(exp) {
		delete(g.tokens, token)
		return ErrSession
	}
	g.tokens[token] = now.Add(g.sessionTTL)
	return nil
}

// Logout ends a staff session.
func (g *Guard) Logout(token string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.tokens, token)
}
