package daemon

import (
	"context"
	"errors"
	"path/filepath"
	"time"

	"github.com/tramso/tramso/kiosk/api"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/outbox"
	"github.com/tramso/tramso/kiosk/session"
)

// openOutbox opens the dossier store. A store whose data cannot be used as it is (a damaged
// database, or one that does not match its seal) does not stop kioskd, which would restart in a
// loop: kioskd runs out of service instead (staff and technician screens work, the attract screen
// sends citizens to the counter). A damaged database is set aside for kioskctl outbox salvage,
// never deleted.
func (d *Daemon) openOutbox(ctx context.Context) (*outbox.Store, error) {
	dir := filepath.Join(d.cfg.Paths.StateDir, "outbox")
	opts := outbox.Options{KioskID: d.cfg.Kiosk.ID, Logger: d.log, Now: d.now}
	store, err := outbox.Open(ctx, dir, opts)
	if err == nil || !outbox.Unusable(err) {
		return store, err
	}
	reason := err
	if errors.Is(err, outbox.ErrCorrupt) {
		if kept, err := outbox.SetAside(dir, time.Now()); err != nil {
			d.log.Error("damaged outbox database could not be set aside", "err", err)
		} else {
			d.log.Error("outbox database damaged: set aside, kiosk out of service", "kept", kept)
		}
	} else {
		d.log.Error("outbox does not match its seal: kiosk out of service", "err", err)
	}
	return outbox.OutOfService(dir, opts, reason)
}

// outOfServiceMessage is what the attract screen says while the store is out of service: the kiosk
// takes no dossiers, and where to go instead.
func (d *Daemon) outOfServiceMessage() *wire.Message {
	if d.store == nil || d.store.Unavailable() == nil {
		return nil
	}
	vi, en := "Ki-ốt tạm ngừng phục vụ — xin mời đến quầy tiếp nhận hồ sơ", "This kiosk is out of service — please go to the reception counter"
	if u := d.cfg.Kiosk.UnitName; u != "" {
		vi += " của " + u
		en += " of " + u
	}
	if h := d.cfg.Kiosk.Hotline; h != "" {
		vi += ", hoặc gọi " + h
		en += ", or call " + h
	}
	return &wire.Message{Code: "outOfService", Vi: vi + ".", En: en + "."}
}

// serviceSession is the session the local API serves: while the store is out of service, every
// view carries the out-of-service message and no citizen session starts.
func (d *Daemon) serviceSession(s api.Session) api.Session {
	if m := d.outOfServiceMessage(); m != nil {
		return outOfServiceSession{Session: s, msg: m}
	}
	return s
}

type outOfServiceSession struct {
	api.Session
	msg *wire.Message
}

// errOutOfService refuses a new session while the store is out of service.
type errOutOfService struct{ msg *wire.Message }

func (e errOutOfService) Error() string      { return e.msg.Vi + " (" + e.msg.En + ")" }
func (errOutOfService) Is(target error) bool { return target == session.ErrNotNow }

func (s outOfServiceSession) View() session.View {
	v := s.Session.View()
	v.OutOfService = s.msg
	return v
}

func (s outOfServiceSession) Do(ctx context.Context, a session.Action) error {
	if a.Action == wire.ActStart {
		return errOutOfService{s.msg}
	}
	return s.Session.Do(ctx, a)
}

func (s outOfServiceSession) Watch(ctx context.Context) <-chan session.View {
	in := s.Session.Watch(ctx)
	out := make(chan session.View)
	go func() {
		defer close(out)
		for v := range in {
			v.OutOfService = s.msg
			select {
			case out <- v:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// outboxHealth puts the store's state into the health: an out-of-service store degrades the kiosk
// and says why (the technician's message).
func (d *Daemon) outboxHealth(h map[string]any) {
	if err := d.store.Unavailable(); err != nil {
		h["status"] = "degraded"
		h["outbox"] = "lỗi (error): " + err.Error()
		h["outOfService"] = true
	}
}
