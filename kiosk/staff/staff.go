// Package staff guards the counter staff's and the technician's functions on the kiosk (today's
// dossiers, reprint, retry, device status; the self-test and the printer test page): PINs stored
// only as argon2id hashes, a lockout per source after repeated wrong PINs that survives a restart,
// and session tokens with a sliding idle timeout inside an absolute lifetime.
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
	ErrWrongPIN  = errors.New("mã PIN không đúng (wrong PIN)")
	ErrLocked    = errors.New("đăng nhập cán bộ tạm khóa do nhập sai nhiều lần (staff login locked after repeated wrong PINs)")
	ErrNoPIN     = errors.New("chưa đặt mã PIN cán bộ; đặt bằng kioskctl staff set-pin (no staff PIN configured)")
	ErrBadPIN    = errors.New("mã PIN cần 6 đến 12 chữ số (the PIN must be 6 to 12 digits)")
	ErrSession   = errors.New("phiên cán bộ hết hạn, hãy đăng nhập lại (staff session expired: log in again)")
	ErrForbidden = errors.New("việc này cần đăng nhập bằng mã PIN kỹ thuật viên (this needs the technician's PIN)")
)

// Role is what a session token may do. A technician may do everything staff may.
type Role string

// Roles.
const (
	RoleStaff      Role = "staff"
	RoleTechnician Role = "technician"
)

// allows reports whether a session of role r may do what needs role need.
func (r Role) allows(need Role) bool {
	return r == need || r == RoleTechnician
}

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

// Options configure a Guard.
type Options struct {
	// StaffHash and TechnicianHash are the PINs' argon2id hashes (from the secrets file). Empty: that
	// role cannot log in.
	StaffHash      string
	TechnicianHash string
	// LockoutAfter wrong PINs in a row from one source lock that source for Lockout.
	LockoutAfter int
	Lockout      time.Duration
	// Idle ends a session this long after its last use (default 15 minutes); MaxAge ends it this
	// long after the login however much it is used (default 8 hours).
	Idle   time.Duration
	MaxAge time.Duration
	// LockoutFile keeps the wrong-PIN counts across restarts (written atomically, mode 0600);
	// "": kept in memory only.
	LockoutFile string
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Session is a logged-in staff or technician session.
type Session struct {
	Token string
	Role  Role
	// Expires is the absolute end of the session (it ends sooner when left idle).
	Expires time.Time
}

type session struct {
	role    Role
	idleEnd time.Time
	hardEnd time.Time
}

// Guard checks PINs with a lockout per source and issues session tokens.
type Guard struct {
	o Options

	mu       sync.Mutex
	lockouts lockouts
	tokens   map[string]session
}

// New returns a guard. The lockout state is read from o.LockoutFile; when that file cannot be
// read or is damaged the guard is still returned, every source starting locked for o.Lockout (a
// damaged file must not be a way to reset the count), with an error saying why.
func New(o Options) (*Guard, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	o.LockoutAfter = max(1, o.LockoutAfter)
	if o.Idle <= 0 {
		o.Idle = 15 * time.Minute
	}
	if o.MaxAge <= 0 {
		o.MaxAge = 8 * time.Hour
	}
	g := &Guard{o: o, tokens: map[string]session{}}
	l, err := loadLockouts(o.LockoutFile)
	if err != nil {
		l = lockouts{All: o.Now().Add(o.Lockout), Sources: map[string]*lockout{}}
	}
	g.lockouts = l
	return g, err
}

// Login checks a PIN from a source (who is asking, e.g. "uid:1001": the socket peer) and opens a
// session: a technician's when it is the technician's PIN, a staff session when it is the staff
// PIN. After LockoutAfter wrong PINs in a row from one source, that source's attempts fail with
// ErrLocked (without checking the PIN) until the lockout has passed; other sources are not
// affected, and a good login clears only its own source's count.
func (g *Guard) Login(source, pin string) (Session, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.o.StaffHash == "" && g.o.TechnicianHash == "" {
		return Session{}, ErrNoPIN
	}
	now := g.o.Now()
	if until := g.lockouts.lockedUntil(source); now.Before(until) {
		left := minutesLeft(until.Sub(now))
		return Session{}, fmt.Errorf("%w: còn %d phút (%d min left)", ErrLocked, left, left)
	}
	role, err := g.match(pin)
	if err != nil {
		return Session{}, err
	}
	if role == "" {
		l := g.lockouts.source(source)
		l.Fails++
		if l.Fails >= g.o.LockoutAfter {
			l.Fails, l.Until = 0, now.Add(g.o.Lockout)
			g.saveLockouts()
			left := minutesLeft(g.o.Lockout)
			return Session{}, fmt.Errorf("%w: %d phút (%d min)", ErrLocked, left, left)
		}
		g.saveLockouts()
		n := g.o.LockoutAfter - l.Fails
		return Session{}, fmt.Errorf("%w: còn %d lần thử (%d tries left)", ErrWrongPIN, n, n)
	}
	if _, ok := g.lockouts.Sources[source]; ok {
		delete(g.lockouts.Sources, source)
		g.saveLockouts()
	}
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return Session{}, err
	}
	tok := hex.EncodeToString(b)
	s := session{role: role, idleEnd: now.Add(g.o.Idle), hardEnd: now.Add(g.o.MaxAge)}
	s.idleEnd = minTime(s.idleEnd, s.hardEnd)
	for t, old := range g.tokens {
		if old.ended(now) {
			delete(g.tokens, t)
		}
	}
	g.tokens[tok] = s
	return Session{Token: tok, Role: role, Expires: s.hardEnd}, nil
}

// match returns the role whose PIN this is ("" for none). Both hashes are always checked, so the
// time taken does not tell which PINs are set.
func (g *Guard) match(pin string) (Role, error) {
	var role Role
	for _, c := range []struct {
		hash string
		role Role
	}{{g.o.StaffHash, RoleStaff}, {g.o.TechnicianHash, RoleTechnician}} {
		if c.hash == "" {
			continue
		}
		ok, err := VerifyPIN(c.hash, pin)
		if err != nil {
			return "", err
		}
		if ok && role != RoleTechnician {
			role = c.role
		}
	}
	return role, nil
}

func minutesLeft(d time.Duration) int { return int((d + time.Minute - 1) / time.Minute) }

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func (s session) ended(now time.Time) bool { return !now.Before(s.idleEnd) || !now.Before(s.hardEnd) }

// Check reports whether the token is a live session allowed to do what needs role need, and
// extends its idle timeout (never past its absolute lifetime). A live staff session asking for a
// technician's function gets ErrForbidden.
func (g *Guard) Check(token string, need Role) (Role, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	s, ok := g.tokens[token]
	now := g.o.Now()
	if !ok || s.ended(now) {
		delete(g.tokens, token)
		return "", ErrSession
	}
	if !s.role.allows(need) {
		return s.role, ErrForbidden
	}
	s.idleEnd = minTime(now.Add(g.o.Idle), s.hardEnd)
	g.tokens[token] = s
	return s.role, nil
}

// Logout ends a session; it reports whether the token was a live one.
func (g *Guard) Logout(token string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	s, ok := g.tokens[token]
	delete(g.tokens, token)
	return ok && !s.ended(g.o.Now())
}

// Technician reports whether a technician session is open.
func (g *Guard) Technician() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.o.Now()
	for _, s := range g.tokens {
		if s.role == RoleTechnician && !s.ended(now) {
			return true
		}
	}
	return false
}

// RevokeAll ends every session (the cabinet door was opened outside a technician's visit: staff
// functions need the PIN again). It returns how many live sessions were ended.
func (g *Guard) RevokeAll() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.o.Now()
	n := 0
	for t, s := range g.tokens {
		if !s.ended(now) {
			n++
		}
		delete(g.tokens, t)
	}
	return n
}
