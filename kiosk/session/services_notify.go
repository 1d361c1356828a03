package session

import (
	"context"
	"slices"
	"time"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/central"
)

// Being told later: at consent the citizen may opt in to messages on status changes by SMS, Zalo or
// e-mail, with the number or address checked. The choice travels to central after the dossier is
// committed (Notifier); the kiosk never sends the messages itself, and the session forgets the
// contact when it is wiped.

// Notifier hands a citizen's opt-in to central with the dossier it goes with (stored durably until
// central has it). A Services that is also a Notifier offers the opt-in at consent.
type Notifier interface {
	Notify(ctx context.Context, s *Submitted, n NotifyChoice) error
}

// NotifyChoice is the citizen's opt-in: the channels, and the number (SMS, Zalo) or address
// (e-mail) they need, normalised.
type NotifyChoice struct {
	Channels  []string
	Phone     string
	Email     string
	ConsentAt time.Time
}

// notifyState is the opt-in being filled in on the consent screen.
type notifyState struct {
	chosen       []string
	phone, email string
	err          *Message
}

func (s *session) notifier() Notifier {
	n, _ := s.m.dev.Services.(Notifier)
	return n
}

// notifyView is the opt-in part of the consent screen.
func (s *session) notifyView() *wire.NotifyView {
	if s.state != wire.Consent || s.notifier() == nil {
		return nil
	}
	n := &s.svc.notify
	return &wire.NotifyView{
		Channels: []Message{
			{Code: wire.NotifySMS, Vi: "Tin nhắn SMS", En: "SMS"},
			{Code: wire.NotifyZalo, Vi: "Zalo", En: "Zalo"},
			{Code: wire.NotifyEmail, Vi: "Thư điện tử", En: "E-mail"},
		},
		Chosen: slices.Clone(n.chosen), Phone: n.phone, Email: n.email, Error: n.err,
	}
}

// actNotify applies the opt-in's actions on the consent screen.
func (s *session) actNotify(a Action) error {
	if s.notifier() == nil {
		return ErrNotNow
	}
	n := &s.svc.notify
	switch a.Action {
	case wire.ActNotifyChannel:
		if a.Value != wire.NotifySMS && a.Value != wire.NotifyZalo && a.Value != wire.NotifyEmail {
			return invalid("kênh nhận tin không có", "no such channel")
		}
		if i := slices.Index(n.chosen, a.Value); i >= 0 {
			n.chosen = slices.Delete(n.chosen, i, i+1)
		} else {
			n.chosen = append(n.chosen, a.Value)
		}
		n.err = nil
		return nil
	case wire.ActNotifyContact:
		switch a.Key {
		case "phone":
			p, err := central.NormalizePhone(a.Value)
			if err != nil {
				n.err = &Message{Code: "notify_phone_invalid", Retry: true, Vi: "Số điện thoại di động không hợp lệ: cần 10 chữ số, bắt đầu bằng 0.",
					En: "The mobile number is not valid: it has 10 digits starting with 0."}
				return invalid("số điện thoại không hợp lệ", "invalid phone number")
			}
			n.phone, n.err = p, nil
		case "email":
			e, err := central.NormalizeEmail(a.Value)
			if err != nil {
				n.err = &Message{Code: "notify_email_invalid", Retry: true, Vi: "Địa chỉ thư điện tử không hợp lệ.", En: "The e-mail address is not valid."}
				return invalid("địa chỉ e-mail không hợp lệ", "invalid e-mail address")
			}
			n.email, n.err = e, nil
		default:
			return invalid("chỉ nhập số điện thoại hoặc e-mail", "only a phone number or an e-mail address")
		}
		return nil
	}
	return ErrNotNow
}

// notifyChoice checks the opt-in before the dossier is submitted: nil when the citizen chose no
// channel; an error (with the message at the opt-in) when a channel lacks its contact.
func (s *session) notifyChoice() (*NotifyChoice, error) {
	n := &s.svc.notify
	if len(n.chosen) == 0 || s.notifier() == nil {
		return nil, nil
	}
	c := &NotifyChoice{Channels: slices.Clone(n.chosen), ConsentAt: s.m.now()}
	if slices.Contains(n.chosen, wire.NotifySMS) || slices.Contains(n.chosen, wire.NotifyZalo) {
		if n.phone == "" {
			n.err = msg("notify_phone_missing", "Xin nhập số điện thoại di động để nhận tin qua SMS hoặc Zalo.",
				"Please enter a mobile number to be told by SMS or Zalo.")
			return nil, invalid("thiếu số điện thoại", "phone number missing")
		}
		c.Phone = n.phone
	}
	if slices.Contains(n.chosen, wire.NotifyEmail) {
		if n.email == "" {
			n.err = msg("notify_email_missing", "Xin nhập địa chỉ thư điện tử để nhận tin qua e-mail.",
				"Please enter an e-mail address to be told by e-mail.")
			return nil, invalid("thiếu địa chỉ e-mail", "e-mail address missing")
		}
		c.Email = n.email
	}
	return c, nil
}

// sendNotify hands the opt-in of the dossier just committed to the Notifier, in the background.
func (s *session) sendNotify(res *Submitted) {
	c := s.svc.notifyChoice
	if c == nil {
		return
	}
	nt := s.notifier()
	r := *res
	go nt.Notify(context.Background(), &r, *c) // stored durably by the Notifier; the screen does not wait
}
