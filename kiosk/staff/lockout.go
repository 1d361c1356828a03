package staff

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/tramso/tramso/internal/atomicfile"
)

// ErrLockoutState is wrapped when the saved wrong-PIN counts cannot be read.
var ErrLockoutState = errors.New("không đọc được trạng thái khóa đăng nhập, mọi nguồn tạm khóa (cannot read the saved login lockouts: every source starts locked)")

// lockout is one source's wrong-PIN count and lock.
type lockout struct {
	Fails int       `json:"fails"`
	Until time.Time `json:"until,omitzero"`
}

// lockouts is the saved state: per source, and All (a lock on every source, set when the saved
// state was unreadable).
type lockouts struct {
	All     time.Time           `json:"all,omitzero"`
	Sources map[string]*lockout `json:"sources"`

	path string
}

// maxSources bounds the file: beyond it the entries with the fewest failures and no lock go first.
const maxSources = 256

func loadLockouts(path string) (lockouts, error) {
	l := lockouts{Sources: map[string]*lockout{}, path: path}
	if path == "" {
		return l, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return l, nil
	}
	if err != nil {
		return l, fmt.Errorf("%w: %v", ErrLockoutState, err)
	}
	if err := parseLockouts(b, &l); err != nil {
		return lockouts{Sources: map[string]*lockout{}, path: path}, fmt.Errorf("%w: %s: %v", ErrLockoutState, path, err)
	}
	return l, nil
}

// parseLockouts decodes the saved state and checks it.
func parseLockouts(b []byte, l *lockouts) error {
	if err := json.Unmarshal(b, l); err != nil {
		return err
	}
	if l.Sources == nil {
		l.Sources = map[string]*lockout{}
	}
	if len(l.Sources) > maxSources {
		return fmt.Errorf("quá nhiều nguồn (too many sources)")
	}
	for k, v := range l.Sources {
		if v == nil || v.Fails < 0 || len(k) > 64 {
			return fmt.Errorf("mục sai (bad entry)")
		}
	}
	return nil
}

func (l *lockouts) lockedUntil(source string) time.Time {
	until := l.All
	if s := l.Sources[source]; s != nil && s.Until.After(until) {
		until = s.Until
	}
	return until
}

func (l *lockouts) source(source string) *lockout {
	if len(source) > 64 {
		source = source[:64]
	}
	s := l.Sources[source]
	if s == nil {
		if len(l.Sources) >= maxSources {
			l.evict()
		}
		s = &lockout{}
		l.Sources[source] = s
	}
	return s
}

// evict drops an unlocked entry with the fewest failures (or, when every entry is locked, the
// one whose lock ends first).
func (l *lockouts) evict() {
	victim := ""
	for k, v := range l.Sources {
		w := l.Sources[victim]
		if victim == "" || (v.Until.IsZero() && (!w.Until.IsZero() || v.Fails < w.Fails)) ||
			(!v.Until.IsZero() && !w.Until.IsZero() && v.Until.Before(w.Until)) {
			victim = k
		}
	}
	delete(l.Sources, victim)
}

// saveLockouts writes the state (the caller holds g.mu). A failed write leaves the counts in
// memory: the lockout still holds until a restart.
func (g *Guard) saveLockouts() {
	if g.lockouts.path == "" {
		return
	}
	now := g.o.Now()
	for k, v := range g.lockouts.Sources {
		if v.Fails == 0 && !now.Before(v.Until) {
			delete(g.lockouts.Sources, k)
		}
	}
	b, err := json.Marshal(g.lockouts)
	if err != nil {
		return
	}
	_ = atomicfile.Write(g.lockouts.path, b, 0o600)
}
